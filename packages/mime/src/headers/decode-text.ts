// Charset decoding for header-level text (RFC 2047 encoded words, RFC 2231 parameter values),
// through libmime's charset module: its alias table (win-1257 → windows-1257), iconv-lite, and
// encoding-japanese for ISO-2022-JP, which iconv-lite lacks. UTF-7 is refused there on purpose
// (it smuggles markup past filters) and so counts as unknown here. The parser's src/charset.ts
// owns the full label table; the two should be unified once it exists.
import libcharset from 'libmime/lib/charset.js';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const known = new Map<string, boolean>();
const KNOWN_CACHE_ENTRIES = 256; // labels are attacker-chosen: bound the memo

/** Lower-cased, trimmed charset label with RFC 2231 §5 language suffixes (`utf-8*en`) removed. */
function normalizeCharsetLabel(label: string): string {
  return label.trim().replace(/^"|"$/g, '').replace(/\*.*$/, '').toLowerCase();
}

/** Whether `label` names a charset we decode (not UTF-7, not a transfer encoding like base64). */
export function isKnownCharset(label: string): boolean {
  const name = normalizeCharsetLabel(label);
  if (name === '') return false;
  let answer = known.get(name);
  if (answer === undefined) {
    answer = libcharset.createDecodeStream(name).supported;
    if (known.size >= KNOWN_CACHE_ENTRIES) known.clear();
    known.set(name, answer);
  }
  return answer;
}

/** The text of `bytes` when they are well-formed UTF-8, else undefined. */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decodes `bytes` in charset `label`. Lenient: an unknown or empty label decodes as UTF-8 when the
 * bytes are valid UTF-8, else as windows-1252 (what browsers and mailparser do); never throws.
 */
export function decodeText(bytes: Uint8Array, label: string): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isKnownCharset(label)) return libcharset.decode(buffer, normalizeCharsetLabel(label));
  return strictUtf8(bytes) ?? libcharset.decode(buffer, 'windows-1252');
}
