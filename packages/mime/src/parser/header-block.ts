// Header fields: splitting a header block into fields and unfolding them (RFC 5322 §2.2, §2.2.3).
//
// The streaming parser hands this file complete physical lines (line break included) and asks
// what each one is; a field's lines are joined into one HeaderField. Values are unfolded
// (§2.2.3: "unfolding is accomplished by simply removing any CRLF that is immediately followed
// by WSP") but not RFC 2047-decoded. Bytes decode as UTF-8 when valid (RFC 6532 §3.2), else as
// Latin-1, so no octet is ever lost: `raw` keeps the exact bytes for BODY[HEADER] and re-emitting.

/** One header field: name as written, unfolded raw value, exact bytes including the line break(s). */
export interface HeaderField {
  name: string;
  value: string;
  raw: Uint8Array;
}

/** What a physical header line is. */
export type HeaderLineKind = 'empty' | 'continuation' | 'field' | 'invalid';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;

/** Classifies one physical line (with its line break) of a header block. */
export function classifyHeaderLine(line: Uint8Array): HeaderLineKind {
  const first = line[0];
  if (first === undefined || first === LF || (first === CR && line[1] === LF && line.length === 2)) return 'empty';
  if (first === SP || first === HTAB) return 'continuation';
  return fieldNameEnd(line) > 0 ? 'field' : 'invalid';
}

// RFC 5322 §3.6.8: field-name = 1*ftext, ftext = %d33-57 / %d59-126. Lenient (§4.5 obs-optional):
// whitespace between the name and the colon. Returns the index of the colon, or -1.
function fieldNameEnd(line: Uint8Array, start = 0): number {
  let i = start;
  while (i < line.length && (line[i] as number) > SP && (line[i] as number) < 127 && line[i] !== COLON) i++;
  const nameEnd = i;
  while (i < line.length && (line[i] === SP || line[i] === HTAB)) i++;
  return nameEnd > start && line[i] === COLON ? i : -1;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Decodes header bytes: UTF-8 if valid (RFC 6532), else Latin-1 (one char per octet). */
export function decodeHeaderBytes(bytes: Uint8Array, start = 0, end = bytes.length): string {
  for (let i = start; i < end; i++) {
    if ((bytes[i] as number) >= 0x80) {
      try {
        return utf8.decode(bytes.subarray(start, end));
      } catch {
        break; // Latin-1 below
      }
    }
  }
  return asBuffer(bytes).toString('latin1', start, end);
}

/** Whether `line` is a field once its leading whitespace is ignored (a wrongly indented first field). */
export function isIndentedField(line: Uint8Array): boolean {
  return fieldNameEnd(line, leadingWhitespace(line)) > 0;
}

function leadingWhitespace(line: Uint8Array): number {
  let i = 0;
  while (i < line.length && (line[i] === SP || line[i] === HTAB)) i++;
  return i;
}

/**
 * Builds a field from its raw bytes (first line `name: value` plus continuation lines). Lenient:
 * leading whitespace before the name is skipped, and a line break not followed by WSP (a broken
 * wrap, kept by the parser as a continuation) is removed like a fold.
 */
export function toHeaderField(raw: Uint8Array): HeaderField {
  const lead = leadingWhitespace(raw);
  const colon = fieldNameEnd(raw, lead);
  let nameEnd = colon;
  while (nameEnd > lead && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HTAB)) nameEnd--;
  // The name is ftext (printable ASCII) by construction.
  const name = asBuffer(raw).toString('latin1', lead, nameEnd);
  let end = raw.length;
  while (end > colon + 1 && (raw[end - 1] === LF || raw[end - 1] === CR || raw[end - 1] === SP || raw[end - 1] === HTAB)) end--;
  let start = colon + 1;
  while (start < end && (raw[start] === SP || raw[start] === HTAB)) start++;
  let value = decodeHeaderBytes(raw, start, end);
  if (value.includes('\n')) value = value.replace(/\r?\n/g, ''); // §2.2.3 unfolding
  return { name, value, raw };
}

/** Splits a complete header block (no body) into fields; lines that are not fields are skipped. */
export function parseHeaderBlock(block: Uint8Array): HeaderField[] {
  const fields: HeaderField[] = [];
  let start = -1;
  let pos = 0;
  while (pos < block.length) {
    const lf = block.indexOf(LF, pos);
    const end = lf < 0 ? block.length : lf + 1;
    const kind = classifyHeaderLine(block.subarray(pos, end));
    if (kind === 'empty') break;
    if (kind !== 'continuation' && start >= 0) {
      fields.push(toHeaderField(block.slice(start, pos)));
      start = -1;
    }
    if (kind === 'field') start = pos;
    pos = end;
  }
  if (start >= 0) fields.push(toHeaderField(block.slice(start, pos)));
  return fields;
}
