// RFC 1939 §7 TOP msg n: "the POP3 server sends the headers of the message, the blank line
// separating the headers from the body, and then the number of lines of the indicated message's
// body", or the entire message when the body is shorter. The filter streams: it needs no more
// than the current chunk and three bits of state.

const CR = 0x0d;
const LF = 0x0a;

/** A streaming TOP filter: feed the message's chunks in order, send what `push` returns. */
export interface TopFilter {
  /** The part of `chunk` that belongs to the TOP response (possibly empty). */
  push(chunk: Uint8Array): Uint8Array;
  /** True once the header, the blank line and the requested body lines have passed. */
  readonly done: boolean;
}

class TopFilterImpl implements TopFilter {
  // In the header: 'start' at a line start, 'cr' after a CR at a line start, 'text' inside a line.
  #header: 'start' | 'cr' | 'text' | 'ended' = 'start';
  #remaining: number;

  constructor(bodyLines: number) {
    this.#remaining = bodyLines;
  }

  get done(): boolean {
    return this.#header === 'ended' && this.#remaining === 0;
  }

  push(chunk: Uint8Array): Uint8Array {
    if (this.done) return chunk.subarray(0, 0);
    let i = 0;
    for (; i < chunk.length && this.#header !== 'ended'; i++) {
      const b = chunk[i]!;
      if (b === LF) this.#header = this.#header === 'text' ? 'start' : 'ended';
      else this.#header = b === CR && this.#header === 'start' ? 'cr' : 'text';
    }
    while (this.#remaining > 0 && i < chunk.length) {
      const lf = chunk.indexOf(LF, i);
      if (lf < 0) return chunk;
      i = lf + 1;
      this.#remaining -= 1;
    }
    return this.done ? chunk.subarray(0, i) : chunk;
  }
}

/** A filter passing the header, the blank line and `bodyLines` lines of the body (RFC 1939 §7 TOP). */
export function topFilter(bodyLines: number): TopFilter {
  if (!Number.isSafeInteger(bodyLines) || bodyLines < 0) throw new RangeError(`bodyLines must be a non-negative integer, got ${bodyLines}`);
  return new TopFilterImpl(bodyLines);
}
