// Multi-line responses (RFC 1939 §3): every line that begins with "." gets another "." in front
// ("byte-stuffing"), and the response ends with the five octets CRLF "." CRLF.
//
// Both directions stream: the encoder remembers whether the last chunk ended a line, the decoder
// remembers how far it got into a possible terminator, so chunk boundaries can fall anywhere.
// Both sides count a bare LF as a line end too: a message with a stray "\n.\r\n" inside then
// cannot end the response early for a lenient reader (no response smuggling).

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const TERMINATOR = new Uint8Array([DOT, CR, LF]);
const CRLF_TERMINATOR = new Uint8Array([CR, LF, DOT, CR, LF]);
const CR_ONLY = new Uint8Array([CR]);
const LF_DOT = Buffer.from([LF, DOT]);

/** Byte-stuffs content chunk by chunk and terminates it; content should use CRLF line ends. */
export class MultilineEncoder {
  #atLineStart = true;
  #started = false;
  #endsWithCrlf = false;
  #lastByte = -1;

  /** The stuffed form of `chunk` (the chunk itself when nothing needs stuffing). */
  encode(chunk: Uint8Array): Uint8Array {
    if (chunk.length === 0) return chunk;
    const stuffAt: number[] = [];
    if (this.#atLineStart && chunk[0] === DOT) stuffAt.push(0);
    // One native search for LF "." (memmem) instead of one indexOf per line: most chunks have none.
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    for (let at = bytes.indexOf(LF_DOT); at >= 0; at = bytes.indexOf(LF_DOT, at + 2)) stuffAt.push(at + 1);
    const last = chunk[chunk.length - 1]!;
    const beforeLast = chunk.length > 1 ? chunk[chunk.length - 2]! : this.#lastByte;
    this.#atLineStart = last === LF;
    this.#endsWithCrlf = last === LF && beforeLast === CR;
    this.#lastByte = last;
    this.#started = true;
    if (stuffAt.length === 0) return chunk;
    const out = new Uint8Array(chunk.length + stuffAt.length);
    let from = 0;
    stuffAt.forEach((at, k) => {
      out.set(chunk.subarray(from, at), from + k);
      out[at + k] = DOT;
      from = at;
    });
    out.set(chunk.subarray(from), from + stuffAt.length);
    return out;
  }

  /** The terminating ".\r\n", preceded by CRLF when the content did not end with one. */
  end(): Uint8Array {
    return !this.#started || this.#endsWithCrlf ? TERMINATOR : CRLF_TERMINATOR;
  }
}

/** The result of feeding bytes to a `MultilineDecoder`. */
export interface DecodeStep {
  /** Unstuffed content, in order (views into the input where possible). */
  chunks: Uint8Array[];
  /** Bytes of the input that belonged to this response. */
  consumed: number;
  /** True once the terminating line has been read; `consumed` then ends after it. */
  done: boolean;
}

/** Removes byte-stuffing from a streamed multi-line response and finds its end. */
export class MultilineDecoder {
  // 'dot': a line began with "." (dropped); 'dot-cr': that dot was followed by CR (held back).
  #state: 'line-start' | 'mid-line' | 'dot' | 'dot-cr' = 'line-start';

  /**
   * Decodes the next bytes of the response body (after its status line). Lenient: "." LF also
   * ends the response (seen from servers that write bare LF); RFC 1939 §3 specifies "." CRLF.
   */
  decode(bytes: Uint8Array): DecodeStep {
    const chunks: Uint8Array[] = [];
    let segStart = 0;
    let i = 0;
    const flush = (end: number): void => {
      if (end > segStart) chunks.push(bytes.subarray(segStart, end));
    };
    while (i < bytes.length) {
      const b = bytes[i]!;
      switch (this.#state) {
        case 'mid-line': {
          const lf = bytes.indexOf(LF, i);
          i = lf < 0 ? bytes.length : lf + 1;
          if (lf >= 0) this.#state = 'line-start';
          break;
        }
        case 'line-start':
          if (b === DOT) {
            flush(i);
            segStart = ++i;
            this.#state = 'dot';
          } else {
            this.#state = 'mid-line';
          }
          break;
        case 'dot':
          if (b === LF) return this.#finish(chunks, i + 1);
          if (b === CR) segStart = ++i;
          this.#state = b === CR ? 'dot-cr' : 'mid-line';
          break;
        case 'dot-cr':
          if (b === LF) return this.#finish(chunks, i + 1);
          chunks.push(CR_ONLY); // a stuffed line ".\r" + something: the CR was content
          this.#state = 'mid-line';
          break;
      }
    }
    flush(bytes.length);
    return { chunks, consumed: bytes.length, done: false };
  }

  #finish(chunks: Uint8Array[], consumed: number): DecodeStep {
    this.#state = 'line-start';
    return { chunks, consumed, done: true };
  }
}
