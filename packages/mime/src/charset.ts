// Charset decoding for MIME bodies and header words (RFC 2045 §5.1 charset parameter, RFC 2978
// names), through iconv-lite; ISO-2022-JP, which iconv-lite lacks, through the WHATWG TextDecoder
// (Node's ICU).
//
// Labels are normalised the way browsers and mailparser do (WHATWG Encoding §4.2 "get an
// encoding"): ISO-8859-1/latin1 decode as windows-1252 (mail labelled Latin-1 is routinely
// cp1252), gb2312/gbk as gb18030 (a superset), ks_c_5601-1987 as EUC-KR (cp949).
// An unknown label falls back to UTF-8 when the bytes are valid UTF-8, else windows-1252, and
// the caller is told (`known: false`) so it can record an `unknown-charset` defect.
import iconv from 'iconv-lite';

// WHATWG-style aliases that iconv-lite would resolve differently (or not at all).
const ALIASES: Record<string, string> = {
  ascii: 'us-ascii',
  'ansi_x3.4-1968': 'us-ascii',
  'iso646-us': 'us-ascii',
  'iso-8859-1': 'windows-1252',
  iso88591: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  cp819: 'windows-1252',
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  cp936: 'gb18030',
  'ks_c_5601-1987': 'cp949',
  'ks_c_5601-1989': 'cp949',
  'euc-kr': 'cp949',
  'x-sjis': 'shift_jis',
  'x-euc-jp': 'euc-jp',
  'unicode-1-1-utf-7': 'utf-7',
  'x-unicode20utf8': 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  utf8: 'utf-8',
  'x-mac-roman': 'macintosh',
  'iso-2022-jp-1': 'iso-2022-jp',
  'iso-2022-jp-2': 'iso-2022-jp',
  csiso2022jp: 'iso-2022-jp',
  'x-user-defined': 'windows-1252',
};

const VIA_TEXT_DECODER = new Set(['iso-2022-jp']);

/** A charset label resolved to the decoder that will be used. */
export interface ResolvedCharset {
  /** Canonical name of the decoder used (e.g. 'windows-1252', 'gb18030', 'utf-8'). */
  name: string;
  /** False when the label was unknown and the fallback applies. */
  known: boolean;
}

// iconv-lite's lookup is slow next to a Map; labels are sender-chosen, so the memo is bounded.
const resolved = new Map<string, ResolvedCharset>();
const RESOLVED_CACHE_ENTRIES = 256;

/** Normalises a charset label (case, quotes, WHATWG aliases); `known: false` for unknown labels. */
export function resolveCharset(label: string | undefined): ResolvedCharset {
  const key = label ?? '';
  const cached = resolved.get(key);
  if (cached !== undefined) return { ...cached };
  const cleaned = key.trim().replace(/^["']|["']$/g, '').toLowerCase();
  const name = cleaned === '' ? 'us-ascii' : (ALIASES[cleaned] ?? cleaned); // RFC 2045 §5.2 default
  const result = name === 'us-ascii' || VIA_TEXT_DECODER.has(name) || iconv.encodingExists(name)
    ? { name, known: true }
    : { name: 'fallback', known: false };
  if (resolved.size >= RESOLVED_CACHE_ENTRIES) resolved.clear();
  resolved.set(key, result);
  return { ...result };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// Charsets whose bytes 0x00-0x7F are ASCII (not UTF-7, UTF-16, ISO-2022-JP's escapes are ASCII
// but change the meaning of what follows, so it is left out).
const ASCII_COMPATIBLE = new Set(['us-ascii', 'utf-8', 'windows-1252', 'fallback', 'iso-8859-2', 'iso-8859-15', 'koi8-r', 'koi8-u', 'gb18030', 'big5', 'shift_jis', 'euc-jp', 'cp949', 'windows-1250', 'windows-1251']);

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes `bytes` in the charset named by `label` (normalised). Unknown labels, and us-ascii text
 * that has 8-bit bytes (mislabelled by definition), decode as UTF-8 if valid, else windows-1252.
 */
export function decodeCharset(bytes: Uint8Array, label: string | undefined): string {
  const { name } = resolveCharset(label);
  // Pure ASCII is the same in every ASCII-compatible charset: skip the decoder.
  if (ASCII_COMPATIBLE.has(name) && isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const target = name === 'fallback' || name === 'us-ascii' ? fallbackFor(bytes) : name;
  // One-shot conversion: no streaming decoder object per (often tiny) string.
  if (VIA_TEXT_DECODER.has(target)) return new TextDecoder(target).decode(bytes);
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), target);
}

function fallbackFor(bytes: Uint8Array): string {
  return isValidUtf8(bytes) ? 'utf-8' : 'windows-1252';
}

/** A streaming charset decoder: multi-byte sequences split across writes decode correctly. */
export interface CharsetDecoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

/**
 * Creates a streaming decoder for `label`. It cannot look ahead, so an unknown label decodes as
 * UTF-8 and us-ascii as windows-1252 (8-bit bytes kept visible); decodeCharset, which sees the
 * whole text, chooses better for those two cases.
 */
export function createCharsetDecoder(label: string | undefined): CharsetDecoder {
  const { name, known } = resolveCharset(label);
  if (!known) return createCharsetDecoder('utf-8');
  if (name === 'us-ascii') return createCharsetDecoder('windows-1252');
  if (VIA_TEXT_DECODER.has(name)) {
    const td = new TextDecoder(name);
    return { write: (bytes) => td.decode(bytes, { stream: true }), end: () => td.decode() };
  }
  const dec = iconv.getDecoder(name);
  return {
    write: (bytes) => dec.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    end: () => dec.end() ?? '',
  };
}
