// Choosing a Content-Transfer-Encoding from content we hold (RFC 2045 §6, RFC 5322 §2.1.1).
import type { TransferEncoding } from '../transfer/encode-transfer.js';

const MAX_LINE_OCTETS = 998; // RFC 5322 §2.1.1 / RFC 5321 §4.5.3.1.6, excluding CRLF

/** Canonical line ends for text (RFC 2046 §4.1.1): CR, LF and CRLF all become CRLF. */
export function normalizeLineEndings(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x0d || b === 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
    } else {
      out[o++] = b;
    }
  }
  return out.subarray(0, o);
}

/**
 * The transfer encoding for `bytes`: 7bit when they are already 7bit data (RFC 2045 §2.7: short
 * CRLF lines, no NUL, no 8-bit octets, no bare CR or LF; for text also no white space at a line
 * end); otherwise quoted-printable for text
 * that stays mostly readable (fewer than one octet in six needs escaping, so QP is shorter than
 * base64), and base64 for everything else.
 */
export function chooseTransferEncoding(bytes: Uint8Array, text: boolean): TransferEncoding {
  let escapes = 0;
  let bare = false;
  let lineOctets = 0;
  let longLine = false;
  let trailingSpace = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x0d && bytes[i + 1] === 0x0a) {
      const before = bytes[i - 1];
      if (before === 0x20 || before === 0x09) trailingSpace = true;
      i++;
      lineOctets = 0;
      continue;
    }
    if (b === 0x0d || b === 0x0a) bare = true;
    if (b >= 0x80 || (b < 0x20 && b !== 0x09) || b === 0x7f) escapes++;
    if (++lineOctets > MAX_LINE_OCTETS) longLine = true;
  }
  const last = bytes[bytes.length - 1];
  if (last === 0x20 || last === 0x09) trailingSpace = true;
  // RFC 2045 §6.7 (3): transports may strip white space at line ends; in text (format=flowed
  // depends on it) quoted-printable keeps it, so such text is not sent as 7bit.
  if (escapes === 0 && !bare && !longLine && !(text && trailingSpace)) return '7bit';
  return text && escapes * 6 < bytes.length ? 'quoted-printable' : 'base64';
}
