// MIME header parameters: Content-Type (RFC 2045 §5.1) and Content-Disposition (RFC 2183 §2),
// with RFC 2231 continuations, charsets and languages.
//
// How this works: scanParams() is a tolerant scanner that turns `; a=b; c*0*="x"` into raw
// (name, value) pairs, never throwing; assembleParams() then groups RFC 2231 sections by name,
// orders them, percent-decodes the `*` sections and decodes the bytes in the declared charset.
// Lenient (all seen in the wild; mailparser and Python's email accept them too):
// - comments anywhere outside quoted strings are dropped (RFC 2045 §5.1 allows them);
// - a missing ";" before `name=` is tolerated, and unquoted values may contain spaces;
// - an unterminated quoted string runs to the end of the field;
// - RFC 2047 encoded words inside a plain `name` or `filename` (`name="=?UTF-8?B?...?="`, what
//   Outlook and Gmail write) are decoded; never in other parameters, where a boundary that looks
//   like an encoded word must stay as written;
// - RFC 2231 sections with gaps are joined in order; a `*` value without charset'lang' is UTF-8;
// - duplicate parameters: the first one wins, except that `name*` (RFC 2231) beats `name`.
import { decodeCharset } from '../charset.js';
import { decodeEncodedWords } from './encoded-words.js';

/** A parsed Content-Type: lower-cased type, subtype and parameter names; decoded values. */
export interface ContentType {
  mediaType: string;
  type: string;
  subtype: string;
  params: Record<string, string>;
}

/** A parsed Content-Disposition (RFC 2183): lower-cased type and parameter names. */
export interface ContentDisposition {
  type: string;
  params: Record<string, string>;
}

interface RawParam {
  name: string;
  value: string;
}

// RFC 2045 §5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
// A following `name=` (or `name*0*=`) starts a new parameter even without ";". Sticky, and only
// tried where a run of white space starts, so that scanning stays linear.
const NEXT_PARAM = /\s+[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+\s*=/y;

/** Whether the character at `i` is white space as /\s/ sees it (ASCII tested without a regex). */
function isSpaceAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return /\s/.test(text[i] ?? '');
}

/** Removes RFC 5322 §3.2.2 comments outside quoted strings (nesting and quoted-pairs honoured). */
export function stripComments(value: string): string {
  if (!value.includes('(')) return value; // nothing to remove (quoted-pairs are only read here)
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += value.slice(i, i + 2);
      i++;
    } else if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
      if (depth === 0) out += ' ';
    } else if (c === '"') {
      quoted = !quoted;
      out += c;
    } else if (c === '(' && !quoted) {
      depth = 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** Reads a quoted string starting at `value[start] === '"'`; returns its content and end. */
function readQuoted(value: string, start: number): { text: string; end: number } {
  const close = value.indexOf('"', start + 1);
  const backslash = value.indexOf('\\', start + 1);
  if (close >= 0 && (backslash < 0 || backslash > close)) return { text: value.slice(start + 1, close), end: close + 1 };
  let text = '';
  let i = start + 1;
  for (; i < value.length && value[i] !== '"'; i++) {
    if (value[i] === '\\' && i + 1 < value.length) i++;
    text += value[i];
  }
  return { text, end: i + 1 };
}

/** Reads an unquoted value up to ";" or to whitespace before the next `name=`. */
function readBare(value: string, start: number): { text: string; end: number } {
  let i = start;
  while (i < value.length && value.charCodeAt(i) !== 0x3b) {
    if (isSpaceAt(value, i) && !(i > 0 && isSpaceAt(value, i - 1))) {
      NEXT_PARAM.lastIndex = i;
      if (NEXT_PARAM.test(value)) break;
    }
    i++;
  }
  return { text: value.slice(start, i).trim(), end: i };
}

/** Splits `value` into its leading value (before the first parameter) and raw parameters. */
function scanParams(value: string): { head: string; params: RawParam[] } {
  const text = stripComments(value);
  const first = readBare(text, 0);
  const head = first.text.replace(/\s+/g, ' ').replace(/ ?\/ ?/, '/').split(' ')[0] ?? '';
  const params: RawParam[] = [];
  let i = first.end;
  while (i < text.length) {
    while (i < text.length && (text.charCodeAt(i) === 0x3b || isSpaceAt(text, i))) i++;
    const nameStart = i;
    while (i < text.length && text.charCodeAt(i) !== 0x3d && text.charCodeAt(i) !== 0x3b && !isSpaceAt(text, i)) i++;
    const name = text.slice(nameStart, i).toLowerCase();
    while (i < text.length && isSpaceAt(text, i)) i++;
    if (text[i] !== '=') {
      if (i === nameStart) i++; // a stray character: skip it so the loop always advances
      continue; // a bare word without "=" carries no parameter (e.g. a stray "inline")
    }
    i++;
    while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
    const read = text[i] === '"' ? readQuoted(text, i) : readBare(text, i);
    i = read.end;
    if (name !== '' && TOKEN.test(name)) params.push({ name, value: read.text });
  }
  return { head, params };
}

/** RFC 2231 §4: charset'language'percent-encoded → bytes and charset. */
function splitExtended(value: string): { charset: string; rest: string } {
  const match = /^([^']*)'[^']*'(.*)$/s.exec(value);
  return match ? { charset: match[1] ?? '', rest: match[2] ?? '' } : { charset: 'utf-8', rest: value };
}

function percentDecode(value: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3);
    if (value[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of Buffer.from(value[i] ?? '', 'utf8')) bytes.push(b);
    }
  }
  return Uint8Array.from(bytes);
}

const WORD_PARAMS = new Set(['name', 'filename']);

interface Section {
  index: number;
  extended: boolean;
  value: string;
}

/** Groups RFC 2231 §3 sections (`name*0`, `name*1*`) and decodes them (§4, §4.1). */
function assembleParams(raw: RawParam[]): Record<string, string> {
  const plain = new Map<string, string>();
  const sectioned = new Map<string, Section[]>();
  for (const { name, value } of raw) {
    const m = /^(.+?)(?:\*(\d+))?(\*)?$/.exec(name);
    const base = m?.[1] ?? name;
    if (m?.[2] === undefined && m?.[3] === undefined) {
      if (!plain.has(base)) plain.set(base, value);
      continue;
    }
    const index = m[2] === undefined ? 0 : Number(m[2]);
    const sections = sectioned.get(base) ?? [];
    if (!sections.some((s) => s.index === index)) sections.push({ index, extended: m[3] === '*', value });
    sectioned.set(base, sections);
  }
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of plain) result[name] = WORD_PARAMS.has(name) ? decodeEncodedWords(value) : value;
  for (const [name, sections] of sectioned) result[name] = decodeSections(sections);
  return result;
}

function decodeSections(sections: Section[]): string {
  sections.sort((a, b) => a.index - b.index);
  const firstExtended = sections[0]?.extended ? splitExtended(sections[0].value) : undefined;
  const charset = firstExtended?.charset ?? 'utf-8';
  const parts = sections.map((s, n) => {
    if (!s.extended) return Buffer.from(s.value, 'utf8');
    return percentDecode(n === 0 && firstExtended ? firstExtended.rest : s.value);
  });
  return decodeCharset(Buffer.concat(parts), charset === '' ? 'us-ascii' : charset);
}

/** RFC 2045 §5.2: the default when Content-Type is absent or syntactically invalid. */
function defaultContentType(): ContentType {
  return { mediaType: 'text/plain', type: 'text', subtype: 'plain', params: { charset: 'us-ascii' } };
}

/**
 * Parses a Content-Type value (RFC 2045 §5.1). Tolerant: never throws; an absent or invalid
 * type/subtype gives `text/plain; charset=us-ascii` (RFC 2045 §5.2). Parameters are returned as
 * written (no charset is added to a present `text/plain` without one).
 */
export function parseContentType(value: string | undefined): ContentType {
  if (value === undefined) return defaultContentType();
  const { head, params } = scanParams(value);
  const [type = '', subtype = ''] = head.toLowerCase().split('/', 2);
  if (!TOKEN.test(type) || !TOKEN.test(subtype) || head.split('/').length !== 2) return defaultContentType();
  return { mediaType: `${type}/${subtype}`, type, subtype, params: assembleParams(params) };
}

/**
 * Parses a Content-Disposition value (RFC 2183 §2, parameters per RFC 2231). Returns undefined
 * for an absent or empty field; an unrecognised type is kept lower-cased (RFC 2183 §2.8 says
 * to treat it as "attachment", which is the caller's decision).
 */
export function parseContentDisposition(value: string | undefined): ContentDisposition | undefined {
  if (value === undefined) return undefined;
  const { head, params } = scanParams(value);
  const type = head.toLowerCase();
  if (type === '' && params.length === 0) return undefined;
  return { type: TOKEN.test(type) ? type : 'attachment', params: assembleParams(params) };
}
