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

/** Creates a streaming base64 decoder (RFC 2045 §6.8), tolerant of whitespace, junk and missing padding. */
export function createBase64Decoder(): TransferDecoder {
  let acc = 0; // bits of the current quantum
  let count = 0; // sextets in the current quantum (0..3)
  let malformed = false;

  const update = (bytes: Uint8Array): Uint8Array => {
    const out = new Uint8Array(Math.floor(((bytes.length + count) * 3) / 4) + 3);
    let o = 0;
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
    return out.subarray(0, o);
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
