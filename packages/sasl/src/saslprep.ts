/**
 * SASLprep (RFC 4013, the stringprep profile of RFC 3454) for user names and passwords.
 *
 * Steps, in the RFC's order: map (§2.1), normalize with NFKC (§2.2), reject prohibited output
 * (§2.3), check bidirectional strings (§2.4). Unassigned code points are allowed, as for a
 * "query" (RFC 3454 §7); JavaScript's Unicode tables are newer than Unicode 3.2, so "unassigned"
 * is not checked at all. Lenient: the bidi check approximates RandALCat (RFC 3454 table D.1) by
 * the right-to-left blocks (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, the RTL
 * presentation forms) because JavaScript regular expressions have no Bidi_Class property.
 */

// RFC 3454 table B.1: "commonly mapped to nothing".
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;
// RFC 3454 table C.1.2: non-ASCII space characters, mapped to SPACE (RFC 4013 §2.1).
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
// RFC 4013 §2.3: tables C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9.
const PROHIBITED = new RegExp(
  [
    '[\\u00A0\\u1680\\u2000-\\u200B\\u202F\\u205F\\u3000]', // C.1.2
    '[\\u0000-\\u001F\\u007F]', // C.2.1
    '[\\u0080-\\u009F\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029\\u2060-\\u2063\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC\\u{1D173}-\\u{1D17A}]', // C.2.2
    '\\p{Co}', // C.3 private use
    '[\\uFDD0-\\uFDEF\\uFFFE\\uFFFF\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}\\u{3FFFE}\\u{3FFFF}\\u{4FFFE}\\u{4FFFF}\\u{5FFFE}\\u{5FFFF}\\u{6FFFE}\\u{6FFFF}\\u{7FFFE}\\u{7FFFF}\\u{8FFFE}\\u{8FFFF}\\u{9FFFE}\\u{9FFFF}\\u{AFFFE}\\u{AFFFF}\\u{BFFFE}\\u{BFFFF}\\u{CFFFE}\\u{CFFFF}\\u{DFFFE}\\u{DFFFF}\\u{EFFFE}\\u{EFFFF}\\u{FFFFE}\\u{FFFFF}\\u{10FFFE}\\u{10FFFF}]', // C.4
    '\\p{Cs}', // C.5 surrogate codes (lone surrogates)
    '[\\uFFF9-\\uFFFD]', // C.6
    '[\\u2FF0-\\u2FFB]', // C.7
    '[\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E\\u206A-\\u206F]', // C.8
    '[\\u{E0001}\\u{E0020}-\\u{E007F}]', // C.9
  ].join('|'),
  'u',
);
const RAND_AL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;
const RAND_AL_FIRST = new RegExp(`^${RAND_AL.source}`, 'u');
const RAND_AL_LAST = new RegExp(`${RAND_AL.source}$`, 'u');
const L_CAT = /[\p{L}\p{Mc}]/u;

/** RFC 4013 SASLprep: the prepared string, or undefined when the input is prohibited. */
export function saslprep(input: string): string | undefined {
  const mapped = input.replace(MAPPED_TO_NOTHING, '').replace(NON_ASCII_SPACE, ' ');
  const normalized = mapped.normalize('NFKC');
  if (PROHIBITED.test(normalized)) return undefined;
  // RFC 3454 §6: a string with any RandALCat character holds no LCat character and both
  // starts and ends with a RandALCat character.
  if (RAND_AL.test(normalized)) {
    const withoutRtl = normalized.replace(new RegExp(RAND_AL.source, 'gu'), '');
    if (L_CAT.test(withoutRtl)) return undefined;
    if (!RAND_AL_FIRST.test(normalized) || !RAND_AL_LAST.test(normalized)) return undefined;
  }
  return normalized;
}
