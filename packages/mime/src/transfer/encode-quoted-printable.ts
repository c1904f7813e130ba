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
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
const EQUALS = 0x3d;

/** Options of the quoted-printable encoder. */
export interface QuotedPrintableOptions {
  /** Text mode: CRLF in the input is a hard line break (default true); else CR/LF are encoded. */
  text?: boolean;
}

// Rule 1/2: "!" through "~" except "=" go literally; everything else is =XX.
const LITERAL = new Uint8Array(256).map((_, b) => (b >= 33 && b <= 126 && b !== EQUALS ? 1 : 0));

class QuotedPrintableEncoder implements TransferEncoder {
  private lineLength = 0;
  private pendingSpace = -1; // a space or tab whose encoding depends on what follows
  private pendingCr = false; // text mode: a CR that may start a CRLF
  private out = new Uint8Array(0);
  private o = 0;

  constructor(private readonly text: boolean) {}

  update(chunk: Uint8Array): Uint8Array {
    // Worst case per byte: "=XX" plus a soft break every 25 bytes; plus what is carried.
    this.out = new Uint8Array(chunk.length * 3 + Math.ceil(chunk.length / 24) * 3 + 16);
    this.o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      // Fast path: a printable byte with nothing pending on a line with room.
      if (LITERAL[b] === 1 && this.pendingSpace < 0 && !this.pendingCr && this.lineLength < MAX_LINE - 1) {
        this.out[this.o++] = b;
        this.lineLength++;
      } else {
        this.step(b);
      }
    }
    return this.out.subarray(0, this.o);
  }

  finish(): Uint8Array {
    this.out = new Uint8Array(16);
    this.o = 0;
    this.flushCr();
    this.flushSpace(true);
    return this.out.subarray(0, this.o);
  }

  private step(b: number): void {
    if (this.pendingCr && b === LF) {
      this.pendingCr = false;
      this.flushSpace(true);
      this.put(CR);
      this.put(LF);
      this.lineLength = 0;
      return;
    }
    this.flushCr();
    if (this.text && b === CR) {
      this.pendingCr = true;
    } else if (b === 0x20 || b === 0x09) {
      this.flushSpace(false);
      this.pendingSpace = b;
    } else {
      this.flushSpace(false);
      this.token(b, LITERAL[b] !== 1);
    }
  }

  private put(b: number): void {
    this.out[this.o++] = b;
  }

  // Rule 5: break before a token that would not fit with the "=" of a soft break.
  private token(b: number, encode: boolean): void {
    const width = encode ? 3 : 1;
    if (this.lineLength + width > MAX_LINE - 1) {
      this.put(EQUALS);
      this.put(CR);
      this.put(LF);
      this.lineLength = 0;
    }
    if (encode) {
      this.put(EQUALS);
      this.put(HEX[b >> 4] as number);
      this.put(HEX[b & 15] as number);
    } else {
      this.put(b);
    }
    this.lineLength += width;
  }

  // Rule 3: white space is literal unless it ends a line.
  private flushSpace(atLineEnd: boolean): void {
    if (this.pendingSpace >= 0) this.token(this.pendingSpace, atLineEnd);
    this.pendingSpace = -1;
  }

  // Rule 4: a CR not followed by LF is data, so it is encoded.
  private flushCr(): void {
    if (!this.pendingCr) return;
    this.pendingCr = false;
    this.flushSpace(false);
    this.token(CR, true);
  }
}

/** Creates a streaming quoted-printable encoder (RFC 2045 §6.7). */
export function createQuotedPrintableEncoder(options: QuotedPrintableOptions = {}): TransferEncoder {
  return new QuotedPrintableEncoder(options.text ?? true);
}
