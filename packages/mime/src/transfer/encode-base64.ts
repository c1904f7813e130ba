// Streaming base64 encoder, RFC 2045 §6.8: lines of 76 characters (57 input bytes) separated by
// CRLF. Input bytes that do not fill a line are carried to the next update(), so the output does
// not depend on how the input was chunked; memory is one partial line plus the current chunk.
import type { TransferEncoder } from './encode-transfer.js';

const LINE_BYTES = 57; // 57 bytes → 76 base64 characters, the §6.8 line limit
const LINE_CHARS = 76;
const CRLF = Buffer.from('\r\n');

/** Creates a streaming base64 encoder (RFC 2045 §6.8, 76-character lines, no trailing CRLF). */
export function createBase64Encoder(): TransferEncoder {
  let carry = Buffer.alloc(0);
  let started = false; // whether a line was written: the next one needs a CRLF before it

  // One base64 pass over whole lines, then CRLFs copied in between the 76-character lines.
  const lines = (bytes: Buffer): Buffer => {
    if (bytes.length === 0) return Buffer.alloc(0);
    const encoded = Buffer.from(bytes.toString('base64'), 'latin1');
    const count = Math.ceil(encoded.length / LINE_CHARS);
    const out = Buffer.allocUnsafe(encoded.length + (started ? count : count - 1) * 2);
    let o = 0;
    for (let i = 0; i < encoded.length; i += LINE_CHARS) {
      if (started) o += CRLF.copy(out, o);
      o += encoded.copy(out, o, i, i + LINE_CHARS);
      started = true;
    }
    return out.subarray(0, o);
  };

  return {
    update(chunk: Uint8Array): Uint8Array {
      const bytes = carry.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([carry, chunk]);
      const whole = bytes.length - (bytes.length % LINE_BYTES);
      carry = Buffer.from(bytes.subarray(whole));
      return lines(bytes.subarray(0, whole));
    },
    finish(): Uint8Array {
      const out = lines(carry);
      carry = Buffer.alloc(0);
      return out;
    },
  };
}
