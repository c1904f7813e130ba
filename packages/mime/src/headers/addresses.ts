// Address lists: RFC 5322 §3.4 (mailbox, group, angle-addr), §4.4 obsolete syntax (routes,
// CFWS between every element, empty list elements), RFC 6532 (UTF-8), RFC 2047 display names.
//
// How parsing works: the value is tokenized (tokens.ts), split at top-level "," and ";" (never
// inside <...>), and a ":" before any "<" opens a group. Each piece becomes a mailbox; nothing
// throws, pieces that hold no address are dropped. Lenient (each seen in real mail):
// - a display name without angle brackets before a bare address (`John john@x.test`);
// - `addr (Real Name)`: the comment becomes the name when there is no phrase (old convention);
// - encoded words inside quoted display names are decoded;
// - a missing ">" or ";" runs to the end of the value.
import { MimeError } from '../errors.js';
import { decodeEncodedWords, encodePhraseWords, needsEncoding } from './encoded-words.js';
import { type Token, tokenize } from './tokens.js';

/** One mailbox: a display name (decoded, '' if none) and an addr-spec (`local@domain`). */
export interface Mailbox {
  name: string;
  address: string;
}

/** A named group of mailboxes (RFC 5322 §3.4), e.g. `undisclosed-recipients:;`. */
export interface Group {
  group: string;
  members: Mailbox[];
}

/** An element of an address list. */
export type Address = Mailbox | Group;

/** Options for formatting addresses. */
export interface FormatAddressOptions {
  /** RFC 6532: write non-ASCII display names as raw UTF-8 instead of RFC 2047 encoded words. */
  utf8?: boolean;
}

const isSpecial = (t: Token | undefined, c: string): boolean => t?.kind === 'special' && t.text === c;

/** Reads tokens from `start` up to a top-level separator in `stops`; tracks `<...>` depth. */
function readUntil(tokens: Token[], start: number, stops: string): { chunk: Token[]; end: number; stop: string } {
  const chunk: Token[] = [];
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'special') {
      if (t.text === '<') depth++;
      else if (t.text === '>') depth = Math.max(0, depth - 1);
      else if (depth === 0 && stops.includes(t.text)) return { chunk, end: i + 1, stop: t.text };
    }
    chunk.push(t);
  }
  return { chunk, end: tokens.length, stop: '' };
}

/** Renders a phrase (display name): words joined as written, RFC 2047 words decoded. */
function phrase(tokens: Token[]): string {
  let text = '';
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    if (text !== '' && t.space) text += ' ';
    text += t.text;
  }
  return decodeEncodedWords(text.trim());
}

// RFC 5322 §3.2.3 atext, plus RFC 6532 §3.2 UTF8-non-ascii, as a dot-atom.
const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u{80}-\\u{10ffff}]+";
const DOT_ATOM = new RegExp(`^${ATEXT}(\\.${ATEXT})*$`, 'u');

function quoteString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Joins local-part tokens; quotes the result only when it is not a dot-atom (RFC 5322 §3.4.1). */
function localPart(tokens: Token[]): string {
  const text = tokens.map((t) => t.text).join('');
  return DOT_ATOM.test(text) || text === '' ? text : quoteString(text);
}

/** Walks over tokens joined by "." (obs-local-part, obs-domain allow CFWS around dots). */
function dotRun(tokens: Token[], from: number, step: 1 | -1): number {
  let i = from;
  for (;;) {
    const next = tokens[i + step];
    if (next === undefined || next.kind === 'comment') return i;
    if (!isSpecial(next, '.') && !isSpecial(tokens[i], '.')) return i;
    i += step;
  }
}

/** Splits tokens holding `[phrase] local@domain` into the name tokens and the address. */
function addrSpec(tokens: Token[]): { before: Token[]; address: string } {
  const words = tokens.filter((t) => t.kind !== 'comment');
  const at = words.findLastIndex((t) => isSpecial(t, '@'));
  if (at < 0) {
    // No "@": a single word is a local address (`root`); several words are a name only.
    const single = words.length === 1 && words[0]?.kind === 'atom';
    return single ? { before: [], address: localPart(words) } : { before: words, address: '' };
  }
  const start = at > 0 ? dotRun(words, at - 1, -1) : at;
  const end = at + 1 < words.length ? dotRun(words, at + 1, 1) : at;
  const domain = words
    .slice(at + 1, end + 1)
    .map((t) => (t.kind === 'literal' ? `[${t.text}]` : t.text))
    .join('');
  return { before: words.slice(0, start), address: `${localPart(words.slice(start, at))}@${domain}` };
}

/** Builds a mailbox from one list element; undefined when it holds nothing. */
function mailbox(chunk: Token[]): Mailbox | undefined {
  const open = chunk.findIndex((t) => isSpecial(t, '<'));
  if (open >= 0) {
    const closeAt = chunk.findIndex((t, i) => i > open && isSpecial(t, '>'));
    let inner = chunk.slice(open + 1, closeAt < 0 ? undefined : closeAt);
    // RFC 5322 §4.4 obs-route: "<@a,@b:user@host>" — the route is dropped.
    const colon = inner.findLastIndex((t) => isSpecial(t, ':'));
    if (colon >= 0) inner = inner.slice(colon + 1);
    const angled = { name: phrase(chunk.slice(0, open)), address: addrSpec(inner).address };
    return angled.name === '' && angled.address === '' ? undefined : angled;
  }
  const { before, address } = addrSpec(chunk);
  if (address === '' && before.length === 0) return undefined;
  const comment = chunk.findLast((t) => t.kind === 'comment');
  const name = before.length > 0 || comment === undefined ? phrase(before) : decodeEncodedWords(comment.text.trim());
  return { name, address };
}

/**
 * Parses an address list (From, To, Cc, Reply-To, ...; RFC 5322 §3.4, §4.4, RFC 6532) into
 * mailboxes and groups. Never throws; elements with neither a name nor an address are dropped,
 * a name without an address (`Undisclosed recipients` without the colon) is kept with address ''.
 */
export function parseAddressList(value: string): Address[] {
  const tokens = tokenize(value);
  const out: Address[] = [];
  let i = 0;
  while (i < tokens.length) {
    const item = readUntil(tokens, i, ',;:');
    i = item.end;
    if (item.stop !== ':') {
      const mb = mailbox(item.chunk);
      if (mb) out.push(mb);
      continue;
    }
    const members: Mailbox[] = [];
    for (let stop = ''; i < tokens.length && stop !== ';'; ) {
      const member = readUntil(tokens, i, ',;');
      i = member.end;
      stop = member.stop;
      const mb = mailbox(member.chunk);
      if (mb) members.push(mb);
    }
    out.push({ group: phrase(item.chunk), members });
  }
  return out;
}

// RFC 5322 §3.2.5: phrase = 1*word; a word of atext needs no quoting (RFC 6532 §3.2 adds UTF-8).
const ATOM_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+( [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
const UTF8_ATOM_PHRASE = new RegExp(`^${ATEXT}( ${ATEXT})*$`, 'u');

/** Formats a display name: atoms as they are, else a quoted string, else encoded words. */
function formatPhrase(name: string, options: FormatAddressOptions): string {
  // eslint-disable-next-line no-control-regex
  const needsWords = options.utf8 ? /[\x00-\x1f\x7f]/.test(name) || name.includes('=?') : needsEncoding(name);
  if (needsWords) return encodePhraseWords(name);
  return (options.utf8 ? UTF8_ATOM_PHRASE : ATOM_PHRASE).test(name) ? name : quoteString(name);
}

// RFC 5322 §3.4.1: domain = dot-atom / domain-literal.
const DOMAIN_LITERAL = /^\[[^[\]\\\s]*\]$/;

/**
 * Writes an addr-spec safely (RFC 5322 §3.4.1): a local part that is not a dot-atom is quoted
 * (`john doe@x` → `"john doe"@x`); control characters, or a domain that is neither a dot-atom
 * nor a literal, are refused, so no address can smuggle "," ">" or a line break into the field.
 */
function formatAddrSpec(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const domain = at < 0 ? undefined : address.slice(at + 1);
  // eslint-disable-next-line no-control-regex
  const bad = /[\x00-\x1f\x7f]/.test(address) || (domain !== undefined && !DOT_ATOM.test(domain) && !DOMAIN_LITERAL.test(domain));
  if (bad) {
    throw new MimeError('invalid-value', `not an address: ${JSON.stringify(address)}`);
  }
  const quoted = /^"(?:[^"\\\r\n]|\\.)*"$/s.test(local);
  const safeLocal = quoted || DOT_ATOM.test(local) ? local : quoteString(local);
  return domain === undefined ? safeLocal : `${safeLocal}@${domain}`;
}

/**
 * Formats one mailbox: `Name <local@domain>`, or the bare address when there is no name. Throws
 * MimeError for a mailbox with a name and no address, or a domain that is not one.
 */
export function formatAddress(mailbox: Mailbox, options: FormatAddressOptions = {}): string {
  if (mailbox.address === '') {
    if (mailbox.name === '') return '';
    throw new MimeError('invalid-value', `mailbox ${JSON.stringify(mailbox.name)} has no address`);
  }
  const address = formatAddrSpec(mailbox.address);
  return mailbox.name === '' ? address : `${formatPhrase(mailbox.name, options)} <${address}>`;
}

function formatOne(address: Address, options: FormatAddressOptions): string {
  if (!('group' in address)) return formatAddress(address, options);
  const members = address.members.map((m) => formatAddress(m, options)).join(', ');
  return `${formatPhrase(address.group, options)}:${members === '' ? '' : ` ${members}`};`;
}

/** Formats an address list (RFC 5322 §3.4), elements separated by ", "; fold with foldHeader. */
export function formatAddressList(addresses: readonly Address[], options: FormatAddressOptions = {}): string {
  return addresses.map((a) => formatOne(a, options)).join(', ');
}
