// Streaming base64 encoder, RFC 2045 §6.8: lines of 76 characters (57 input bytes) separated by
// CRLF. Input bytes that do not fill a line are carried to the next update(), so the output does
// not depend on how the input was chunked; memory is one partial line plus the current chunk.
import type { TransferEncoder } from './encode-transfer.js';

const LINE_BYTES = 57; // 57 bytes → 76 base64 characters, the §6.8 line limit
const CRLF = Buffer.from('\r\n');

/** Creates a streaming base64 encoder (RFC 2045 §6.8, 76-character lines, no trailing CRLF). */
export function createBase64Encoder(): TransferEncoder {
  let carry = Buffer.alloc(0);
  let started = false; // whether a line was written: the next one needs a CRLF before it

  const lines = (bytes: Buffer): Buffer => {
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += LINE_BYTES) {
      if (started) parts.push(CRLF);
      parts.push(Buffer.from(bytes.subarray(i, i + LINE_BYTES).toString('base64'), 'latin1'));
      started = true;
    }
    return Buffer.concat(parts);
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
