// Streaming quoted-printable encoder, RFC 2045 §6.7.
//
// How this works: bytes are written one by one into the current line (at most 76 characters,
// the last being the "=" of a soft line break, rule 5). Two decisions need the next byte, so
// they are carried across update() calls: a space or tab is written literally unless it ends a
// line (rule 3: then =20/=09), and in text mode a CR is a line break only when an LF follows
// (rule 4); a lone CR or LF is encoded (=0D/=0A) so that decoding gives the input back exactly.
// Dots and "From " at the start of a line are left alone: SMTP dot-stuffing and mbox quoting
// are the transport's business (rule 1 allows either).
import type { TransferEncoder } from './encode-transfer.js';

const MAX_LINE = 76; // rule 5, including the "=" of a soft break
const HEX = '0123456789ABCDEF';
const CR = 0x0d;
const LF = 0x0a;
const EQUALS = 0x3d;

/** Options of the quoted-printable encoder. */
export interface QuotedPrintableOptions {
  /** Text mode: CRLF in the input is a hard line break (default true); else CR/LF are encoded. */
  text?: boolean;
}

/** Creates a streaming quoted-printable encoder (RFC 2045 §6.7). */
export function createQuotedPrintableEncoder(options: QuotedPrintableOptions = {}): TransferEncoder {
  const text = options.text ?? true;
  let lineLength = 0;
  let pendingSpace = -1; // a space or tab whose encoding depends on what follows
  let pendingCr = false; // text mode: a CR that may start a CRLF
  let out = new Uint8Array(0);
  let o = 0;

  const put = (b: number): void => {
    out[o++] = b;
  };
  // Rule 5: break before a token that would not fit with the "=" of a soft break.
  const token = (b: number, encode: boolean): void => {
    const width = encode ? 3 : 1;
    if (lineLength + width > MAX_LINE - 1) {
      put(EQUALS);
      put(CR);
      put(LF);
      lineLength = 0;
    }
    if (encode) {
      put(EQUALS);
      put(HEX.charCodeAt(b >> 4));
      put(HEX.charCodeAt(b & 15));
    } else {
      put(b);
    }
    lineLength += width;
  };
  const flushSpace = (atLineEnd: boolean): void => {
    if (pendingSpace >= 0) token(pendingSpace, atLineEnd);
    pendingSpace = -1;
  };
  const flushCr = (): void => {
    if (!pendingCr) return;
    pendingCr = false;
    flushSpace(false);
    token(CR, true);
  };
  // Rule 1/2: "!" through "~" except "=" go literally; everything else is =XX.
  const literal = (b: number): boolean => b >= 33 && b <= 126 && b !== EQUALS;

  const step = (b: number): void => {
    if (pendingCr && b === LF) {
      pendingCr = false;
      flushSpace(true);
      put(CR);
      put(LF);
      lineLength = 0;
      return;
    }
    flushCr();
    if (text && b === CR) {
      pendingCr = true;
    } else if (b === 0x20 || b === 0x09) {
      flushSpace(false);
      pendingSpace = b;
    } else {
      flushSpace(false);
      token(b, !literal(b));
    }
  };

  return {
    update(chunk: Uint8Array): Uint8Array {
      // Worst case per byte: "=XX" plus a soft break every 25 bytes; plus what is carried.
      out = new Uint8Array(chunk.length * 3 + Math.ceil(chunk.length / 24) * 3 + 16);
      o = 0;
      for (let i = 0; i < chunk.length; i++) step(chunk[i] as number);
      return out.subarray(0, o);
    },
    finish(): Uint8Array {
      out = new Uint8Array(16);
      o = 0;
      flushCr();
      flushSpace(true);
      return out.subarray(0, o);
    },
  };
}
