/**
 * xtext (RFC 3461 §4): xchar = "!".."~" except "+" and "="; anything else is "+" and two upper-case
 * hex digits. Used by ENVID, ORCPT and the MAIL AUTH= parameter (RFC 4954 §5).
 */

/** Decode xtext to a string (UTF-8 for the decoded octets); `undefined` when malformed. */
export function decodeXtext(s: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c >= 0x21 && c <= 0x7e && c !== 0x3d) {
      bytes.push(c);
    } else {
      return undefined;
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

/** Encode a string (as UTF-8 octets) to xtext. */
export function encodeXtext(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    out += b >= 0x21 && b <= 0x7e && b !== 0x2b && b !== 0x3d
      ? String.fromCharCode(b)
      : `+${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
