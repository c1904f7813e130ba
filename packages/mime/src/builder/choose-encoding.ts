// Choosing a Content-Transfer-Encoding from content we hold (RFC 2045 §2.7-2.9, §6; RFC 5322 §2.1.1).
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

interface ContentStats {
  /** Octets quoted-printable must escape: 8-bit, controls other than TAB (CR/LF of CRLF excluded). */
  escapes: number;
  eightBit: boolean;
  nul: boolean;
  bareCrOrLf: boolean;
  longLine: boolean;
  /** A space or tab right before a CRLF or at the end. */
  trailingSpace: boolean;
}

function analyze(bytes: Uint8Array): ContentStats {
  const stats: ContentStats = { escapes: 0, eightBit: false, nul: false, bareCrOrLf: false, longLine: false, trailingSpace: false };
  let lineOctets = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x0d && bytes[i + 1] === 0x0a) {
      const before = bytes[i - 1];
      if (before === 0x20 || before === 0x09) stats.trailingSpace = true;
      i++;
      lineOctets = 0;
      continue;
    }
    if (b === 0x0d || b === 0x0a) stats.bareCrOrLf = true;
    if (b >= 0x80) stats.eightBit = true;
    if (b === 0) stats.nul = true;
    if (b >= 0x80 || (b < 0x20 && b !== 0x09) || b === 0x7f) stats.escapes++;
    if (++lineOctets > MAX_LINE_OCTETS) stats.longLine = true;
  }
  const last = bytes[bytes.length - 1];
  if (last === 0x20 || last === 0x09) stats.trailingSpace = true;
  return stats;
}

/**
 * The transfer encoding for `bytes`: 7bit when they are already 7bit data (RFC 2045 §2.7: short
 * CRLF lines, no NUL, no 8-bit octets, no bare CR or LF; for text also no white space at a line
 * end, which transports may strip, §6.7 rule 3); otherwise quoted-printable for text that stays
 * mostly readable (fewer than one octet in six needs escaping, so QP is shorter than base64),
 * and base64 for everything else.
 */
export function chooseTransferEncoding(bytes: Uint8Array, text: boolean): TransferEncoding {
  const stats = analyze(bytes);
  if (stats.escapes === 0 && !stats.bareCrOrLf && !stats.longLine && !(text && stats.trailingSpace)) return '7bit';
  return text && stats.escapes * 6 < bytes.length ? 'quoted-printable' : 'base64';
}

/**
 * The identity encoding that describes `bytes` (RFC 2045 §2.7-2.9), for message/* bodies, which
 * may not be encoded (RFC 2046 §5.2.1): 7bit, 8bit (8-bit octets in short CRLF lines), or binary.
 */
export function chooseIdentityEncoding(bytes: Uint8Array): TransferEncoding {
  const stats = analyze(bytes);
  if (stats.nul || stats.bareCrOrLf || stats.longLine) return 'binary';
  return stats.eightBit ? '8bit' : '7bit';
}
