/**
 * DATA body framing (RFC 5321 §4.5.2 and §4.1.1.4), streaming and byte-exact.
 *
 * How this works: the body is scanned line end by line end with indexOf(LF). Only CRLF ends a line
 * (RFC 5321 §2.3.8); only CRLF "." CRLF ends the body, and the first CRLF of it belongs to the
 * message (§4.1.1.4). A "." at the start of a line (after CRLF) is removed (dot-unstuffing). Chunks
 * are views into the caller's buffer; a partial terminator at a buffer boundary is kept as state
 * (`#dots`), never as copied bytes, so a chunk boundary can fall anywhere.
 *
 * SMTP smuggling defence (2023, Postfix smtpd_forbid_bare_newline): a line ended by a bare LF never
 * leads to the end of DATA, so "\n.\n", "\n.\r\n" and "\r.\r" are content. Each bare LF is
 * reported (`bareNewlines`) and emitted as CRLF ("normalize", Postfix ≥ 3.9's default); the session
 * may reject instead. Lenient, as Postfix: the line after a bare LF is still dot-unstuffed, because
 * clients that send bare LF also stuff after it (Python smtplib with a bytes body does). A bare CR
 * is ordinary data, as in Postfix.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CR_BYTES = Uint8Array.of(CR);
const CRLF_BYTES = Uint8Array.of(CR, LF);

/** One step of reading: body bytes, the end of the body, or "give me more input". */
export type DataStep =
  | { readonly kind: 'chunk'; readonly bytes: Uint8Array; readonly pos: number }
  | { readonly kind: 'end'; readonly pos: number }
  | { readonly kind: 'need'; readonly pos: number };

/** Streaming reader of one DATA body; create a new one per message. */
export class DataReader {
  /** At the start of a line (after CRLF or a bare LF, or at the start of the body). */
  #lineStart = true;
  /** The line start follows a bare LF: a lone "." here is content, not the end. */
  #afterBareLf = false;
  /** Held bytes of a possible terminator at a line start: 1 = ".", 2 = ".\r". */
  #dots: 0 | 1 | 2 = 0;
  /** The last body byte handed out was a CR (a following LF makes CRLF). */
  #prevCr = false;
  /** A CRLF to hand out before reading on (normalised bare LF). */
  #pendingCrlf = false;
  /** How many bare LFs were seen so far. */
  bareNewlines = 0;

  /** Read from `buf` at `pos`; returns one step and the position after it. */
  next(buf: Uint8Array, pos: number): DataStep {
    if (this.#pendingCrlf) {
      this.#pendingCrlf = false;
      return { kind: 'chunk', bytes: CRLF_BYTES, pos };
    }
    if (this.#lineStart) {
      const step = this.#atLineStart(buf, pos);
      if (typeof step !== 'number') return step;
      pos = step;
    }
    return this.#scan(buf, pos);
  }

  /** Handle a line start: returns a step, or the position where ordinary scanning goes on. */
  #atLineStart(buf: Uint8Array, pos: number): DataStep | number {
    while (pos < buf.length) {
      const b = buf[pos];
      if (this.#dots === 0) {
        if (b !== DOT) break;
        this.#dots = 1;
        pos++;
      } else if (this.#dots === 1) {
        if (b === CR) {
          this.#dots = 2;
          pos++;
          continue;
        }
        // RFC 5321 §4.5.2: a line starting with "." and more: drop the first "." (transparency).
        break;
      } else {
        this.#dots = 0;
        if (b === LF) {
          if (!this.#afterBareLf) return { kind: 'end', pos: pos + 1 };
          // ".\r\n" after a bare LF: not the end (smuggling defence); an empty line, dot dropped.
          this.#afterBareLf = false;
          this.#prevCr = false;
          return { kind: 'chunk', bytes: CRLF_BYTES, pos: pos + 1 };
        }
        this.#lineStart = false;
        // ".\r" and not LF: the "." was stuffing, the CR is body data.
        this.#prevCr = true;
        return { kind: 'chunk', bytes: CR_BYTES, pos };
      }
    }
    if (pos >= buf.length) return { kind: 'need', pos };
    this.#dots = 0;
    this.#lineStart = false;
    this.#prevCr = false;
    return pos;
  }

  #scan(buf: Uint8Array, start: number): DataStep {
    const len = buf.length;
    let pos = start;
    for (;;) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) {
        if (start === len) return { kind: 'need', pos: len };
        this.#prevCr = buf[len - 1] === CR;
        return { kind: 'chunk', bytes: buf.subarray(start, len), pos: len };
      }
      const crlf = lf > start ? buf[lf - 1] === CR : this.#prevCr;
      if (!crlf) {
        this.bareNewlines++;
        this.#prevCr = false;
        this.#lineStart = true;
        this.#afterBareLf = true;
        if (lf === start) return { kind: 'chunk', bytes: CRLF_BYTES, pos: lf + 1 };
        this.#pendingCrlf = true;
        return { kind: 'chunk', bytes: buf.subarray(start, lf), pos: lf + 1 };
      }
      const next = lf + 1;
      if (next === len || buf[next] === DOT) {
        this.#lineStart = true;
        this.#afterBareLf = false;
        this.#prevCr = false;
        return { kind: 'chunk', bytes: buf.subarray(start, next), pos: next };
      }
      pos = next;
    }
  }
}
