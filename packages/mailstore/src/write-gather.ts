// Small outputs gathered into writes of up to `stepBytes`: a body arrives in many small chunks,
// and one write(2) per chunk costs a thread-pool round trip each. With the default 64 KiB step a
// typical message is one write; memory stays bounded by the step whatever the message size.

import { writeAllFd } from './fs-calls.js';

/** Writes to `fd` in steps of up to `stepBytes`. */
export class WriteGather {
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #writes = 0;
  #lastWrite: Buffer | undefined;

  constructor(
    readonly fd: number,
    readonly stepBytes = 64 * 1024,
  ) {}

  /** Queue `bytes`; writes once a step is full, and only then returns a promise (to await). */
  add(bytes: Uint8Array): Promise<void> | undefined {
    if (bytes.length === 0) return undefined;
    this.#parts.push(bytes);
    this.#bytes += bytes.length;
    return this.#bytes >= this.stepBytes ? this.flush() : undefined;
  }

  /** Write what is queued. */
  async flush(): Promise<void> {
    if (this.#bytes === 0) return;
    const only = this.#parts.length === 1 ? this.#parts[0]! : undefined;
    const bytes = only ? Buffer.from(only.buffer, only.byteOffset, only.length) : Buffer.concat(this.#parts, this.#bytes);
    this.#parts = [];
    this.#bytes = 0;
    this.#writes++;
    this.#lastWrite = bytes;
    await writeAllFd(this.fd, bytes);
  }

  /** Everything written, if it went out in a single write (so the caller may keep it), else undefined. */
  get singleWrite(): Buffer | undefined {
    return this.#writes === 1 ? this.#lastWrite : undefined;
  }
}
