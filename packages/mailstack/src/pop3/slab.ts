import { readSync } from 'node:fs';

/**
 * Short-lived byte buffers carved from 1 MiB slabs, as Node's own Buffer pool does for small
 * buffers: one ArrayBuffer per ~250 messages instead of one or more each (every ArrayBuffer is an
 * object the garbage collector tracks and sweeps; its load was the largest cost after the socket
 * writes). A slice stays valid until the socket has sent it: a slab is never reused, only
 * replaced, so no bytes are overwritten while they wait in the socket's queue.
 */
export class Slab {
  static readonly SIZE_BYTES = 1 << 20;
  #buffer = Buffer.allocUnsafeSlow(Slab.SIZE_BYTES);
  #used = 0;

  /** `size` bytes, uninitialised. */
  take(size: number): Buffer {
    this.#makeRoom(size);
    const start = this.#used;
    this.#used += size;
    return this.#buffer.subarray(start, start + size);
  }

  /** Up to `size` bytes read from `fd` at its current position: a slice of exactly the bytes read. */
  read(fd: number, size: number): Buffer {
    this.#makeRoom(size);
    const start = this.#used;
    const bytesRead = readSync(fd, this.#buffer, start, size, null);
    this.#used += bytesRead;
    return this.#buffer.subarray(start, start + bytesRead);
  }

  #makeRoom(size: number): void {
    if (this.#used + size > this.#buffer.length) {
      this.#buffer = Buffer.allocUnsafeSlow(Math.max(Slab.SIZE_BYTES, size));
      this.#used = 0;
    }
  }

  /** `parts` copied one after the other into one buffer of `totalBytes`. */
  join(parts: readonly Uint8Array[], totalBytes: number): Buffer {
    const out = this.take(totalBytes);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/** The process's slab: reads and joined writes of every POP3 session, all on the one event loop. */
export const slab = new Slab();
