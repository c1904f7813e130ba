// Line framing shared by both sessions. Received chunks are queued by reference (the driver hands
// over each chunk and does not touch it again) and copied only when a line spans two chunks, so a
// RETR body streams through the client without being concatenated (STYLE.md §4).
//
// Over-long lines: once `maxBytes` pass without a LF, the reader drops bytes up to the next LF
// and then reports `too-long` once: framing is kept, content dropped, the answer comes at the
// boundary, and the next command starts at the right byte.

const LF = 0x0a;

/** A FIFO of byte chunks. */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #head = 0; // offset of the first unread byte in #chunks[0]
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  /** Position of the first `byte` among the first `limit` queued bytes, or -1. */
  indexOf(byte: number, limit: number): number {
    let base = 0;
    let offset = this.#head;
    for (const chunk of this.#chunks) {
      if (base >= limit) break;
      // No subarray per call: search the chunk itself and compare with the limit. The search
      // stops at the first match, so it reads no further than the line it finds.
      const at = chunk.indexOf(byte, offset);
      if (at >= 0) return at - offset < limit - base ? base + at - offset : -1;
      base += chunk.length - offset;
      offset = 0;
    }
    return -1;
  }

  /** The first contiguous run of queued bytes, without removing it. */
  peekFront(): Uint8Array | undefined {
    return this.#chunks[0]?.subarray(this.#head);
  }

  /** Removes `n` bytes from the front. */
  skip(n: number): void {
    let left = Math.min(n, this.#length);
    this.#length -= left;
    while (left > 0) {
      const avail = this.#chunks[0]!.length - this.#head;
      if (left < avail) {
        this.#head += left;
        return;
      }
      left -= avail;
      this.#chunks.shift();
      this.#head = 0;
    }
  }

  /** Removes and returns the first `n` bytes (a view when they lie in one chunk, else a copy). */
  take(n: number): Uint8Array {
    const first = this.#chunks[0];
    const start = this.#head;
    if (first !== undefined && first.length - start >= n) {
      this.skip(n);
      return first.subarray(start, start + n);
    }
    const out = new Uint8Array(Math.min(n, this.#length));
    let filled = 0;
    while (filled < out.length) {
      const part = this.peekFront()!.subarray(0, out.length - filled);
      out.set(part, filled);
      filled += part.length;
      this.skip(part.length);
    }
    return out;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#length = 0;
  }
}

/** One step of line reading. */
export type LineResult =
  | { kind: 'line'; line: Uint8Array } // including its LF (and CR, if any)
  | { kind: 'too-long'; sizeBytes: number } // an over-long line has been dropped up to its LF
  | { kind: 'need-more' };

/** Splits queued bytes into LF-terminated lines of at most `maxBytes` (terminator included). */
export class LineReader {
  readonly queue = new ByteQueue();
  #discarded: number | undefined; // bytes dropped so far of an over-long line

  /** True while the reader is dropping an over-long line. */
  get discarding(): boolean {
    return this.#discarded !== undefined;
  }

  next(maxBytes: number): LineResult {
    if (this.#discarded !== undefined) {
      const lf = this.queue.indexOf(LF, this.queue.length);
      if (lf < 0) {
        this.#discarded += this.queue.length;
        this.queue.clear();
        return { kind: 'need-more' };
      }
      const sizeBytes = this.#discarded + lf + 1;
      this.queue.skip(lf + 1);
      this.#discarded = undefined;
      return { kind: 'too-long', sizeBytes };
    }
    const lf = this.queue.indexOf(LF, maxBytes);
    if (lf >= 0) return { kind: 'line', line: this.queue.take(lf + 1) };
    if (this.queue.length < maxBytes) return { kind: 'need-more' };
    this.#discarded = 0;
    return this.next(maxBytes);
  }
}
