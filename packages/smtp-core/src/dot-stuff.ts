/**
 * Client-side DATA encoding (RFC 5321 §4.5.2): a "." at the start of a line gets a second ".", the
 * body ends with CRLF "." CRLF (adding a CRLF first when the body does not end with one). Lines may
 * be split anywhere across chunks.
 *
 * Strict: a bare LF in the body is sent as CRLF, so every line start the receiver sees is one we
 * checked for a leading dot. Otherwise "\n.\r\n" in a body would end DATA early at a receiver that
 * accepts bare LF (the 2023 SMTP smuggling attack). A bare CR is sent as is (it is not a line end).
 */

import { concatBytes } from './bytes.js';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const DOT_BYTES = Uint8Array.of(DOT);
const CRLF_BYTES = Uint8Array.of(CR, LF);

/** Streaming dot-stuffer for one message body. */
export class DotStuffer {
  #lineStart = true;
  #prevCr = false;

  /** Encode the next piece of the body. */
  encodeDataChunk(chunk: Uint8Array): Uint8Array {
    if (chunk.length === 0) return chunk;
    const parts: Uint8Array[] = [];
    let start = 0;
    if (this.#lineStart && chunk[0] === DOT) parts.push(DOT_BYTES);
    let pos = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, pos);
      if (lf < 0) break;
      const crlf = lf > 0 ? chunk[lf - 1] === CR : this.#prevCr;
      if (!crlf) {
        parts.push(chunk.subarray(start, lf), CRLF_BYTES);
        start = lf + 1;
      }
      if (chunk[lf + 1] === DOT) {
        parts.push(chunk.subarray(start, lf + 1), DOT_BYTES);
        start = lf + 1;
      }
      pos = lf + 1;
    }
    parts.push(chunk.subarray(start));
    const last = chunk[chunk.length - 1];
    this.#lineStart = last === LF;
    this.#prevCr = last === CR;
    return concatBytes(parts.filter((p) => p.length > 0));
  }

  /** The end of the body: CRLF "." CRLF, completing the last line first when needed (RFC 5321 §4.1.1.4). */
  end(): Uint8Array {
    const out = this.#lineStart ? '.\r\n' : this.#prevCr ? '\n.\r\n' : '\r\n.\r\n';
    this.#lineStart = true;
    this.#prevCr = false;
    return new TextEncoder().encode(out);
  }
}
