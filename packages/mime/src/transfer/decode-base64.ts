// Streaming base64 decoder, RFC 2045 §6.8.
//
// Lenient, like every deployed reader: characters outside the alphabet (line breaks, spaces,
// junk) are skipped (§6.8: "Any characters outside of the base64 alphabet are to be ignored");
// missing padding is accepted; "=" ends the current quantum, and data after it is decoded as a
// fresh quantum (concatenated base64 bodies occur in the wild). Junk other than whitespace and
// a dangling single character mark the decoder `malformed`.
import type { TransferDecoder } from './decode-transfer.js';

const SKIP = 255;
const PAD = 254;
const WHITESPACE = 253;
const TABLE = new Uint8Array(256).fill(SKIP);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  TABLE[c.charCodeAt(0)] = i;
});
TABLE[0x3d] = PAD;
for (const c of [0x20, 0x09, 0x0d, 0x0a]) TABLE[c] = WHITESPACE;
// Lenient: the URL-safe alphabet (RFC 4648 §5) is seen from some webmail encoders.
TABLE[0x2d] = 62;
TABLE[0x5f] = 63;

// Chunks at least this long first try Node's native decoder on their whole lines.
const NATIVE_MIN_BYTES = 4096;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Fast path for the common case (whole lines of alphabet characters, no padding): Node's C++
 * decoder on the complete lines of `bytes`, at a quantum boundary. It skips line breaks and junk
 * alike, so the result is accepted only when its length is exactly what the counted line-break
 * bytes predict: any junk character makes it shorter. Anything else (junk, padding, lines that
 * end mid-quantum) is left to the table-driven decoder, which reports junk.
 */
function decodeCleanLines(bytes: Uint8Array): { decoded: Uint8Array; used: number } | undefined {
  const region = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lastLf = region.lastIndexOf(LF);
  const pad = region.indexOf(0x3d);
  if (lastLf < 0 || (pad >= 0 && pad < lastLf)) return undefined;
  // Every LF, and every CR right before one, is a line-break byte; whatever else is not in the
  // alphabet (junk, a bare CR) makes the native result shorter than the count predicts.
  let breakBytes = 0;
  for (let i = region.indexOf(LF); i >= 0 && i <= lastLf; i = region.indexOf(LF, i + 1)) {
    breakBytes += i > 0 && region[i - 1] === CR ? 2 : 1;
  }
  const sextets = lastLf + 1 - breakBytes;
  if (sextets % 4 !== 0) return undefined;
  const decoded = Buffer.from(region.toString('latin1', 0, lastLf + 1), 'base64');
  if (decoded.length !== (sextets / 4) * 3) return undefined;
  return { decoded: new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.length), used: lastLf + 1 };
}

/** Creates a streaming base64 decoder (RFC 2045 §6.8), tolerant of whitespace, junk and missing padding. */
export function createBase64Decoder(): TransferDecoder {
  let acc = 0; // bits of the current quantum
  let count = 0; // sextets in the current quantum (0..3)
  let malformed = false;

  const update = (bytes: Uint8Array): Uint8Array => {
    const fast = count === 0 && bytes.length >= NATIVE_MIN_BYTES ? decodeCleanLines(bytes) : undefined;
    if (fast && fast.used === bytes.length) return fast.decoded;
    const rest = fast ? bytes.subarray(fast.used) : bytes;
    const out = new Uint8Array((fast?.decoded.length ?? 0) + Math.floor(((rest.length + count) * 3) / 4) + 3);
    if (fast) out.set(fast.decoded);
    return out.subarray(0, decodeInto(rest, out, fast?.decoded.length ?? 0));
  };

  // The table-driven decoder: any input, any chunking; returns the new end of `out`.
  const decodeInto = (bytes: Uint8Array, out: Uint8Array, start: number): number => {
    let o = start;
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      // Fast path: four alphabet characters at a quantum boundary. Sextets are < 64 and the
      // markers (SKIP, PAD, WHITESPACE) are >= 253, so the OR of four is < 64 only if all are sextets.
      if (count === 0 && i + 3 < n) {
        const a = TABLE[bytes[i] as number] as number;
        const b = TABLE[bytes[i + 1] as number] as number;
        const c = TABLE[bytes[i + 2] as number] as number;
        const d = TABLE[bytes[i + 3] as number] as number;
        if ((a | b | c | d) < 64) {
          out[o++] = (a << 2) | (b >>> 4);
          out[o++] = ((b & 15) << 4) | (c >>> 2);
          out[o++] = ((c & 3) << 6) | d;
          i += 3;
          continue;
        }
      }
      const v = TABLE[bytes[i] as number] as number;
      if (v < 64) {
        acc = (acc << 6) | v;
        if (++count === 4) {
          out[o++] = acc >>> 16;
          out[o++] = (acc >>> 8) & 0xff;
          out[o++] = acc & 0xff;
          acc = 0;
          count = 0;
        }
      } else if (v === PAD) {
        o = flushPartial(out, o);
      } else if (v === SKIP) {
        malformed = true;
      }
    }
    return o;
  };

  // RFC 2045 §6.8: "=" padding ends a quantum of 2 or 3 sextets (1 or 2 octets).
  const flushPartial = (out: Uint8Array, o: number): number => {
    if (count === 2) out[o++] = (acc >>> 4) & 0xff;
    else if (count === 3) {
      out[o++] = (acc >>> 10) & 0xff;
      out[o++] = (acc >>> 2) & 0xff;
    } else if (count === 1) malformed = true;
    acc = 0;
    count = 0;
    return o;
  };

  return {
    update,
    finish: () => {
      const out = new Uint8Array(2);
      return out.subarray(0, flushPartial(out, 0));
    },
    get malformed() {
      return malformed;
    },
  };
}
