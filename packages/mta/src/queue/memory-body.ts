/**
 * A message body held in memory: a queue file this process wrote and still keeps (spool.ts,
 * "fresh" messages), or a small one read back in one step. It iterates like a file's stream, and
 * a caller that recognises it takes the bytes at once: a local delivery writes them to the Maildir
 * with no stream in between (a Readable and two async generators per delivery cost ~5 µs per
 * message in a loop by itself, five times that inside serve under load; docs/operations.md,
 * "Performance").
 */
export class MemoryBody implements AsyncIterable<Uint8Array> {
  /** The body, not to be modified: it is the spool's copy. */
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    yield this.bytes;
  }
}
