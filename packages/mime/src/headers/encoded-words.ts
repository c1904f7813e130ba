// RFC 2047 encoded words: decoding via libmime with wrappers for what real mail contains, and
// encoding of unstructured text (only where needed, RFC 2047 §2 75-character words).
//
// How decoding works: libmime.decodeWords already joins adjacent words of the same charset and
// encoding before decoding (so a UTF-8 sequence split across two words survives, RFC 2047 §5 asks
// senders not to do that, but they do), drops the whitespace between adjacent words (§6.2) and
// decodes words not separated by whitespace. Our wrapper fixes the one thing it gets wrong for us:
// an unknown charset label decodes as UTF-8 with replacement characters; we relabel such words to
// utf-8 when their bytes are valid UTF-8, else windows-1252, matching decodeText().
import libmime from 'libmime';
import { isKnownCharset, strictUtf8 } from './decode-text.js';

// RFC 2047 §2: encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
// (charset may carry an RFC 2231 §5 language suffix: "=?utf-8*en?Q?...?=").
const ENCODED_WORD = /=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=/g;

/** Raw bytes of the encoded-text of one word (RFC 2047 §4.1 B, §4.2 Q). */
function wordBytes(encoding: string, text: string): Uint8Array {
  if (encoding === 'B' || encoding === 'b') return Buffer.from(text, 'base64');
  const qp = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  return Buffer.from(qp, 'latin1');
}

/** Lenient: replaces labels iconv-lite does not know with utf-8 or windows-1252 by content. */
function relabelUnknownCharsets(value: string): string {
  return value.replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    if (isKnownCharset(charset)) return word;
    const label = strictUtf8(wordBytes(encoding, text)) !== undefined ? 'utf-8' : 'windows-1252';
    return `=?${label}?${encoding}?${text}?=`;
  });
}

/** Decodes every RFC 2047 encoded word in `value`; never throws (bad words stay as they are). */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(relabelUnknownCharsets(value));
  } catch {
    return value;
  }
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
