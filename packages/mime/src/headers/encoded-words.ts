// RFC 2047 encoded words: lenient decoding of what real mail contains, and encoding of
// unstructured text (only where needed, as UTF-8 words of at most 63 characters).
//
// How decoding works: one left-to-right scan. Adjacent words (separated by white space only,
// which §6.2 says to drop, or by nothing) in the same charset have their bytes joined before
// conversion, so a UTF-8 sequence split across two words survives (§5 asks senders not to split
// characters, but they do). The charset conversion is src/charset.ts, the same as for bodies:
// its aliases, and for an unknown label UTF-8 when the bytes are valid, else windows-1252.
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

// RFC 2047 §2 allows 75 characters per word; ours carry at most 51 characters of encoded text
// (63 with "=?UTF-8?Q?" and "?="), so "Subject: " plus one word fits in 78 (RFC 5322 §2.1.1).
const MAX_ENCODED_TEXT = 51;
const MAX_B_OCTETS = (MAX_ENCODED_TEXT >> 2) * 3; // whole base64 quanta: 36 octets, 48 characters
// RFC 2047 §5(3): the characters that may stand for themselves in a Q word anywhere, phrases included.
const Q_LITERAL = /^[A-Za-z0-9!*+\-/]$/;

/** The Q encoded-text of one character (RFC 2047 §4.2): literal, "_" for space, else =XX per octet. */
function qChar(ch: string): string {
  if (Q_LITERAL.test(ch)) return ch;
  if (ch === ' ') return '_';
  let out = '';
  for (const byte of Buffer.from(ch, 'utf8')) out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/**
 * `text` as UTF-8 encoded words separated by single spaces, each with whole characters only
 * (RFC 2047 §5: a multi-octet character is never split between words).
 */
function encodeWord(text: string, encoding: 'Q' | 'B'): string {
  const words: string[] = [];
  let current = '';
  let size = 0; // encoded characters (Q) or octets (B) in `current`
  for (const ch of text) {
    const piece = encoding === 'Q' ? qChar(ch) : ch;
    const cost = encoding === 'Q' ? piece.length : Buffer.byteLength(ch, 'utf8');
    if (size > 0 && size + cost > (encoding === 'Q' ? MAX_ENCODED_TEXT : MAX_B_OCTETS)) {
      words.push(current);
      current = '';
      size = 0;
    }
    current += piece;
    size += cost;
  }
  words.push(current);
  const encoded = encoding === 'Q' ? words : words.map((w) => Buffer.from(w, 'utf8').toString('base64'));
  return encoded.map((w) => `=?UTF-8?${encoding}?${w}?=`).join(' ');
}

/**
 * Encodes the stretch of `text` from the first word with a non-ASCII character to the end of the
 * last such word; the ASCII words around it stay readable (RFC 2047 §5(1)).
 */
function encodeNonAsciiStretch(text: string, encoding: 'Q' | 'B'): string {
  const first = /[^\s]*[\u0080-\uffff]/.exec(text);
  if (!first) return text;
  let last = text.length - 1;
  while (last >= 0 && text.charCodeAt(last) < 0x80) last--;
  const wordEnd = text.slice(last + 1).search(/\s/);
  const end = wordEnd < 0 ? text.length : last + 1 + wordEnd;
  return text.slice(0, first.index) + encodeWord(text.slice(first.index, end), encoding) + text.slice(end);
}

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
  return whole ? encodeWord(text, encoding) : encodeNonAsciiStretch(text, encoding);
}

/**
 * Encodes a display name or group name that needs it (RFC 2047 §5(3)) as encoded words only, so
 * that no special such as "," or "<" is left bare; Q keeps to the phrase-safe set.
 */
export function encodePhraseWords(text: string): string {
  return encodeWord(text, shorterEncoding(text));
}
