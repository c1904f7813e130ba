import { readSync } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * Short-lived byte buffers carved from 1 MiB slabs, as Node's own Buffer pool does for small
 * buffers: one ArrayBuffer per ~250 messages instead of one or more each (every ArrayBuffer is an
 * object the garbage collector tracks and sweeps; its load was the largest cost after the socket
 * writes).
 *
 * A slice stays valid while a session holds the slab (`hold()` … `release()`): from the first
 * byte it keeps for later until the socket has taken every byte it wrote. A full slab is started
 * over from its beginning when no session holds it, and replaced by a new one otherwise (the old
 * one lives on for the sessions still sending from it). Starting over matters: 1 MiB of new
 * external memory per ~250 RETRs made V8 start a full mark-compact every 2,000–5,000 messages
 * ("external memory pressure"); reused, a one-at-a-time POP3 session allocates no slab at all.
 */
export class Slab {
  static readonly SIZE_BYTES = 1 << 20;
  #buffer = Buffer.allocUnsafeSlow(Slab.SIZE_BYTES);
  #used = 0;
  #holders = 0;

  /** A session keeps slices for later: until the matching release(), no slice is overwritten. */
  hold(): void {
    this.#holders++;
  }

  /** The session's slices are all sent (or dropped). */
  release(): void {
    this.#holders--;
  }

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
    if (this.#used + size <= this.#buffer.length) return;
    if (this.#holders === 0 && size <= this.#buffer.length) {
      this.#used = 0; // nobody holds a slice: every byte handed out has been sent
      return;
    }
    this.#buffer = Buffer.allocUnsafeSlow(Math.max(Slab.SIZE_BYTES, size));
    this.#used = 0;
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

/**
 * One session's hold on a slab: taken when the session keeps slices (a body being sent, a joined
 * write the socket has not taken yet), given back once its socket has taken every byte written.
 */
export class SlabHold {
  readonly #slab: Slab;
  #held = false;

  constructor(slab: Slab) {
    this.#slab = slab;
  }

  take(): void {
    if (this.#held) return;
    this.#held = true;
    this.#slab.hold();
  }

  /** After a write: give the hold back if `socket` took every byte (the write completed at once). */
  releaseIfSent(socket: Writable): void {
    if (this.#held && socket.writableLength === 0) this.#giveBack();
  }

  /**
   * The session stops writing to `socket` (it ends, or wraps the socket in TLS): the hold is
   * given back once the socket has sent what it still has, at the latest when it closes.
   */
  releaseWhenSent(socket: Writable): void {
    if (!this.#held) return;
    if (socket.writableLength === 0 || socket.closed) this.#giveBack();
    else {
      this.#held = false;
      socket.once('close', () => this.#slab.release());
    }
  }

  #giveBack(): void {
    this.#held = false;
    this.#slab.release();
  }
}

/**
 * The process's slabs, one per kind of slice, so that each can start over as soon as its own
 * slices are done with (all sessions share the one event loop): file reads (a RETR's chunks,
 * needed until copied into a write or sent) and joined writes (needed until the socket took them).
 */
export const readSlab = new Slab();
export const writeSlab = new Slab();
