// Streaming quoted-printable decoder, RFC 2045 §6.7.
//
// How this works: a byte-at-a-time state machine, so that "=", "=4", "= \r" split across chunks
// decode exactly as if unsplit. Rules applied:
//   (1) "=" 2HEXDIG is an octet (lower-case hex accepted: §6.7 note on robust decoders);
//   (3) whitespace at the end of a line is transport padding and is deleted;
//   (5) "=" [whitespace] line-break is a soft line break and disappears.
// Lenient: "=" not followed by hex digits or a line break is kept literally (the "robust
// implementation" advice of §6.7), and marks the decoder `malformed`. Hard line breaks are kept
// as they appear (CRLF or bare LF).
import type { TransferDecoder } from './decode-transfer.js';

const CR = 0x0d;
const LF = 0x0a;
const EQ = 0x3d;

const enum State {
  Text, // ordinary text; `pendingWs` holds whitespace that may turn out to be trailing
  Eq, // after "="
  EqHex, // after "=" and one hex digit
  EqWs, // after "=" and whitespace: a soft break if a line break follows
  EqWsCr, // after "=" [whitespace] CR
  Cr, // after CR in text
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const lower = b | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

const isWs = (b: number): boolean => b === 0x20 || b === 0x09;

/** Creates a streaming quoted-printable decoder (RFC 2045 §6.7), lenient on bad escapes. */
export function createQuotedPrintableDecoder(): TransferDecoder {
  let state = State.Text;
  let pendingWs: number[] = [];
  let eqWs: number[] = [];
  let hexFirst = 0;
  let malformed = false;
  let out = new Uint8Array(0);
  let o = 0;

  const emit = (b: number): void => {
    if (o === out.length) {
      const grown = new Uint8Array(out.length * 2 + 16);
      grown.set(out);
      out = grown;
    }
    out[o++] = b;
  };
  const emitAll = (bytes: number[]): void => {
    for (const b of bytes) emit(b);
  };

  const text = (b: number): void => {
    if (isWs(b)) pendingWs.push(b);
    else if (b === LF) {
      pendingWs = []; // rule (3): trailing whitespace is deleted
      emit(LF);
    } else if (b === CR) state = State.Cr;
    else {
      if (pendingWs.length > 0) {
        emitAll(pendingWs);
        pendingWs = [];
      }
      if (b === EQ) state = State.Eq;
      else emit(b);
    }
  };

  // The "=" sequence turned out not to be an escape: keep it literally and re-read `b` as text.
  const literal = (kept: number[], b: number): void => {
    malformed = true;
    emit(EQ);
    emitAll(kept);
    state = State.Text;
    if (b === EQ) state = State.Eq; // "==41": the second "=" starts a fresh escape
    else text(b);
  };

  const step = (b: number): void => {
    switch (state) {
      case State.Text:
        text(b);
        return;
      case State.Cr:
        state = State.Text;
        if (b === LF) {
          pendingWs = [];
          emit(CR);
          emit(LF);
        } else {
          emitAll(pendingWs);
          pendingWs = [];
          emit(CR);
          text(b);
        }
        return;
      case State.Eq:
        if (hexValue(b) >= 0) {
          hexFirst = b;
          state = State.EqHex;
        } else if (isWs(b)) {
          eqWs = [b];
          state = State.EqWs;
        } else if (b === CR) {
          eqWs = [];
          state = State.EqWsCr;
        } else if (b === LF) state = State.Text; // soft break with bare LF
        else literal([], b);
        return;
      case State.EqHex:
        if (hexValue(b) >= 0) {
          emit((hexValue(hexFirst) << 4) | hexValue(b));
          state = State.Text;
        } else literal([hexFirst], b);
        return;
      case State.EqWs:
        if (isWs(b)) eqWs.push(b);
        else if (b === CR) state = State.EqWsCr;
        else if (b === LF) state = State.Text;
        else literal(eqWs, b);
        return;
      case State.EqWsCr:
        if (b === LF) state = State.Text;
        else literal([...eqWs, CR], b);
        return;
    }
  };

  const take = (): Uint8Array => {
    const result = out.slice(0, o);
    o = 0;
    return result;
  };

  return {
    update(bytes: Uint8Array): Uint8Array {
      if (out.length < bytes.length + 8) out = new Uint8Array(bytes.length + 8);
      for (let i = 0; i < bytes.length; i++) step(bytes[i] as number);
      return take();
    },
    finish(): Uint8Array {
      // At the end of the body: trailing whitespace is dropped (rule 3), a final "=" [ws] is a
      // soft break (Python's quopri agrees), a dangling "=X" is kept literally.
      if (state === State.EqHex) {
        malformed = true;
        emit(EQ);
        emit(hexFirst);
      } else if (state === State.Cr) emit(CR);
      state = State.Text;
      pendingWs = [];
      return take();
    },
    get malformed() {
      return malformed;
    },
  };
}
