// Writing MIME parameters (RFC 2045 §5.1) with RFC 2231 for long or non-ASCII values.
//
// A value that is a token is written bare, a short printable ASCII value as a quoted string.
// Non-ASCII values use RFC 2231 §4 `name*=utf-8''%E2%82%AC`; values too long for one line are
// cut into RFC 2231 §3 sections (`name*0*=`, `name*1*=`), never inside a %XX escape or a UTF-8
// sequence. Each parameter comes out as its own string so the folder can put it on its own line.
import { encodePhraseWords } from './encoded-words.js';

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
const SECTION_CHARS = 60; // keeps `; name*12*=` plus a section within 78 columns
// RFC 2231 §7: attribute-char excludes "*", "'", "%" and tspecials, so those are escaped too.
const ATTRIBUTE_CHAR = /^[!#$&+\-.0-9A-Z^_`a-z{|}~]$/;

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Percent-encodes `value` as UTF-8 (RFC 2231 §4), one string per character. */
function percentPieces(value: string): string[] {
  return [...value].map((ch) =>
    ATTRIBUTE_CHAR.test(ch)
      ? ch
      : [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/** Groups pieces into sections of at most SECTION_CHARS characters. */
function sections(pieces: string[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current !== '' && current.length + piece.length > SECTION_CHARS) {
      out.push(current);
      current = '';
    }
    current += piece;
  }
  out.push(current);
  return out;
}

/** Formats one parameter as `name=value` strings (several when RFC 2231 §3 sections are used). */
export function formatParam(name: string, value: string): string[] {
  // eslint-disable-next-line no-control-regex
  // A literal "=?" is written RFC 2231-encoded, so that no reader takes it for an RFC 2047 word.
  const ascii = /^[\x20-\x7e]*$/.test(value) && !value.includes('=?');
  if (ascii && value.length <= SECTION_CHARS) return [`${name}=${TOKEN.test(value) ? value : quote(value)}`];
  if (ascii) return sections([...value]).map((s, i) => `${name}*${i}=${quote(s)}`);
  const parts = sections(percentPieces(value));
  if (parts.length === 1) return [`${name}*=utf-8''${parts[0]}`];
  return parts.map((s, i) => `${name}*${i}*=${i === 0 ? "utf-8''" : ''}${s}`);
}

/**
 * Formats a header value with parameters, `type; a=b; c*=utf-8''...`, ready for foldHeader.
 * Parameters named in `encodedWordParams` are written as an RFC 2047 word in a quoted string
 * instead of RFC 2231 when not ASCII: the Content-Type `name=` that Outlook and other readers
 * without RFC 2231 look at (RFC 2047 §5 does not sanction it; every reader accepts it).
 */
export function formatParams(
  head: string,
  params: Readonly<Record<string, string>>,
  encodedWordParams: readonly string[] = [],
): string {
  const pieces = [head];
  for (const [name, value] of Object.entries(params)) {
    // eslint-disable-next-line no-control-regex
    const plain = /^[\x20-\x7e]*$/.test(value);
    if (encodedWordParams.includes(name) && !plain) pieces.push(`${name}=${quote(encodePhraseWords(value))}`);
    else pieces.push(...formatParam(name, value));
  }
  return pieces.join('; ');
}
