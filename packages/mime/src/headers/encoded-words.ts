// RFC 2047 encoded words: lenient decoding of what real mail contains, and encoding of
// unstructured text (only where needed, RFC 2047 §2 75-character words; via libmime).
//
// How decoding works: one left-to-right scan. Adjacent words (separated by white space only,
// which §6.2 says to drop, or by nothing) in the same charset have their bytes joined before
// conversion, so a UTF-8 sequence split across two words survives (§5 asks senders not to split
// characters, but they do). The charset conversion is src/charset.ts, the same as for bodies:
// its aliases, and for an unknown label UTF-8 when the bytes are valid, else windows-1252.
import libmime from 'libmime';
import { decodeCharset } from '../charset.js';

// RFC 2047 §2: encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
// (charset may carry an RFC 2231 §5 language suffix: "=?utf-8*en?Q?...?=").
const ENCODED_WORD = /=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=/g;
const WHITE_SPACE_ONLY = /^[ \t\r\n]*$/;

/** Raw bytes of the encoded-text of one word (RFC 2047 §4.1 B, §4.2 Q). */
function wordBytes(encoding: string, text: string): Buffer {
  if (encoding === 'B' || encoding === 'b') return Buffer.from(text, 'base64');
  // §4.2: "_" is 0x20, "=XX" one octet; anything else stands for itself (raw UTF-8 kept as such).
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === 0x5f) bytes.push(0x20);
    else if (c < 0x80) bytes.push(c);
    else {
      const end = c >= 0xd800 && c <= 0xdbff ? i + 2 : i + 1;
      bytes.push(...Buffer.from(text.slice(i, end), 'utf8'));
      i = end - 1;
    }
  }
  return Buffer.from(bytes);
}

/** Decodes every RFC 2047 encoded word in `value`; never throws (bad words stay as they are). */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let last = 0; // end of the previous word (or 0)
  let pending: { charset: string; chunks: Buffer[] } | undefined;
  const flush = (): void => {
    if (pending) out += decodeCharset(Buffer.concat(pending.chunks), pending.charset);
    pending = undefined;
  };
  for (const m of value.matchAll(ENCODED_WORD)) {
    const [word, label = '', encoding = '', text = ''] = m;
    const gap = value.slice(last, m.index);
    // RFC 2231 §5: "charset*language"; the language does not change the bytes.
    const charset = label.replace(/\*.*$/, '').toLowerCase();
    const adjacent = pending !== undefined && WHITE_SPACE_ONLY.test(gap);
    if (!adjacent) {
      flush();
      out += gap;
    }
    const bytes = wordBytes(encoding, text);
    if (pending && pending.charset === charset) pending.chunks.push(bytes);
    else {
      flush();
      pending = { charset, chunks: [bytes] };
    }
    last = m.index + word.length;
  }
  flush();
  return out + value.slice(last);
}

// RFC 2047 §2: an encoded word is at most 75 characters. Shorter words keep "Subject: " plus one
// word inside the 78-character line of RFC 5322 §2.1.1.
const MAX_ENCODED_TEXT = 75 - '=?UTF-8?Q??='.length;

/** Whether `text` needs encoded words in an unstructured header: non-ASCII, controls, or "=?". */
export function needsEncoding(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[^\x20-\x7e\t]/.test(text) || text.includes('=?');
}

/** Q stays shorter than B while at most about half the characters need escaping. */
function shorterEncoding(text: string): 'Q' | 'B' {
  const plain = text.replace(/[^\x20-\x7e]/g, '').length;
  return plain * 2 >= text.length ? 'Q' : 'B';
}

// A word longer than this cannot share a 78-character line with "Subject: "; unencoded ASCII
// may still run to RFC 5322's hard limit of 998, so only words near it force encoding.
const LONG_WORD = /[^ \t]{76,}/;
const TOO_LONG_WORD = /[^ \t]{900,}/;

/**
 * Encodes `text` for an unstructured header (RFC 2047 §5(1)): returned unchanged when it is
 * printable ASCII without a word near the 998-octet line limit; when it only has non-ASCII
 * letters the non-ASCII stretch becomes UTF-8 encoded words (the ASCII around it stays
 * readable); text with controls, a literal "=?" or a word too long to fold is encoded whole so
 * that it decodes back to itself and folds within 78 columns. Words are at most 75 characters
 * (RFC 2047 §2), Q or B by whichever is shorter for the content.
 */
export function encodeEncodedWords(text: string): string {
  if (!needsEncoding(text) && !TOO_LONG_WORD.test(text)) return text;
  const encoding = shorterEncoding(text);
  // eslint-disable-next-line no-control-regex
  const whole = text.includes('=?') || /[\x00-\x1f\x7f]/.test(text) || LONG_WORD.test(text);
  return whole
    ? libmime.encodeWord(text, encoding, MAX_ENCODED_TEXT)
    : libmime.encodeWords(text, encoding, MAX_ENCODED_TEXT);
}

/**
 * Encodes a display name or group name that needs it (RFC 2047 §5(3)) as encoded words only, so
 * that no special such as "," or "<" is left bare; libmime's Q keeps to the phrase-safe set.
 */
export function encodePhraseWords(text: string): string {
  return libmime.encodeWord(text, shorterEncoding(text), MAX_ENCODED_TEXT);
}
