/**
 * SMTP path syntax (RFC 5321 §4.1.2), with the SMTPUTF8 extensions of RFC 6531 §3.3.
 *
 *   Path = "<" [ A-d-l ":" ] Mailbox ">"        (the source route A-d-l is parsed and ignored, §4.1.1.3)
 *   Mailbox = Local-part "@" ( Domain / address-literal )
 *
 * Non-ASCII local parts and domains are accepted only when the caller says SMTPUTF8 applies;
 * otherwise they are reported as `non-ascii` so the session can answer 550/553 5.6.7 (RFC 6531 §3.5).
 */

/** A mailbox: the local part (unquoted) and the domain or address literal (`[192.0.2.1]`). */
export interface Mailbox {
  readonly localPart: string;
  readonly domain: string;
}

/** The MAIL FROM path: a mailbox, or `null` for the null reverse-path `<>` (RFC 5321 §4.5.5). */
export type ReversePath = Mailbox | null;

/**
 * The RCPT TO path. `<Postmaster>` without a domain (RFC 5321 §4.1.1.3) is the mailbox with
 * `domain: ''`.
 */
export type ForwardPath = Mailbox;

/** Why a path did not parse. */
export type PathError = 'syntax' | 'non-ascii';

/** A parsed path and the index just after its closing ">". */
export type PathResult<T> = { ok: true; value: T; end: number } | { ok: false; error: PathError };

// RFC 5321 §4.1.2 Dot-string = Atom *("." Atom), Atom = 1*atext; atext (RFC 5322 §3.2.3) is
// ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~", and with SMTPUTF8 any non-ASCII character too (RFC 6531 §3.3).
// One regular expression each (hot path: every MAIL and RCPT).
const ATEXT = "A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~";
const DOT_STRING_ASCII = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
const DOT_STRING_UTF8 = new RegExp(`^[${ATEXT}\\u{80}-\\u{10FFFF}]+(?:\\.[${ATEXT}\\u{80}-\\u{10FFFF}]+)*$`, 'u');
const NON_ASCII = /[^\x00-\x7f]/;
// RFC 5321 §4.5.3.1.2-3: domain 255 octets, path 256 octets. Lenient: the 64-octet local-part
// limit (§4.5.3.1.1) is not enforced, as Postfix does not; the path limit still bounds it.
const MAX_DOMAIN_OCTETS = 255;
const MAX_PATH_OCTETS = 256;

/** UTF-8 length without encoding (hot path: every MAIL and RCPT). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a surrogate pair is one 4-octet code point
      i++;
    } else n += 3;
  }
  return n;
}
const isNonAscii = (c: string): boolean => c.charCodeAt(0) > 0x7f;

/** RFC 5321 §4.1.2 Dot-string (atoms separated by single dots). */
export function isDotString(s: string, utf8 = true): boolean {
  return (utf8 ? DOT_STRING_UTF8 : DOT_STRING_ASCII).test(s);
}

// RFC 5321 §4.1.2: sub-domain = Let-dig [Ldh-str]; RFC 6531 §3.3: sub-domain =/ U-label.
function isSubDomain(label: string, utf8: boolean): boolean {
  if (label === '' || label.length > 63) return false;
  if (NON_ASCII.test(label)) return utf8 && !/[\s\u0000-\u0020.@<>[\]]/.test(label);
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(label);
}

/** RFC 5321 §4.1.2 Domain; U-labels allowed when `utf8` (RFC 6531 §3.3). */
export function isDomain(s: string, utf8 = false): boolean {
  return utf8Length(s) <= MAX_DOMAIN_OCTETS && s.split('.').every((l) => isSubDomain(l, utf8));
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

// RFC 5321 §4.1.3 IPv6-addr: full, compressed ("::" once), optionally ending in an IPv4 address.
function isIPv6(s: string): boolean {
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  const all = groups.flat();
  const last = all[all.length - 1];
  const v4 = last !== undefined && last.includes('.');
  if (v4 && !isIPv4(last)) return false;
  const hex = v4 ? all.slice(0, -1) : all;
  if (!hex.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const width = hex.length + (v4 ? 2 : 0);
  return halves.length === 2 ? width <= 6 : width === 8;
}

/** RFC 5321 §4.1.3 address-literal, including the brackets. */
export function isAddressLiteral(s: string): boolean {
  if (!s.startsWith('[') || !s.endsWith(']')) return false;
  const inner = s.slice(1, -1);
  if (isIPv4(inner)) return true;
  if (/^IPv6:/i.test(inner)) return isIPv6(inner.slice(5));
  // General-address-literal = Standardized-tag ":" 1*dcontent (dcontent = %d33-90 / %d94-126).
  return /^[A-Za-z0-9-]*[A-Za-z0-9]:[\x21-\x5a\x5e-\x7e]+$/.test(inner) && !/^IPv6:/i.test(inner);
}

/** Parse a quoted local part starting at `s[start] === '"'`; returns the unquoted text. */
function parseQuoted(s: string, start: number, utf8: boolean): { text: string; end: number } | PathError {
  let text = '';
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '"') return { text, end: i + 1 };
    if (c === '\\') {
      // quoted-pairSMTP = %d92 %d32-126
      const next = s[i + 1];
      if (next === undefined || next < ' ' || next > '~') return 'syntax';
      text += next;
      i++;
    } else if (isNonAscii(c)) {
      if (!utf8) return 'non-ascii';
      text += c;
    } else if (c >= ' ' && c <= '~') {
      text += c; // qtextSMTP = %d32-33 / %d35-91 / %d93-126 ('"' and '\' handled above)
    } else {
      return 'syntax';
    }
  }
  return 'syntax';
}

/** Parse `Local-part "@" (Domain / address-literal)` (the whole of `s`). */
export function parseMailbox(s: string, utf8: boolean): { ok: true; value: Mailbox } | { ok: false; error: PathError } {
  let localPart: string;
  let rest: number;
  if (s.startsWith('"')) {
    const q = parseQuoted(s, 0, utf8);
    if (typeof q === 'string') return { ok: false, error: q };
    localPart = q.text;
    rest = q.end;
  } else {
    const at = s.lastIndexOf('@');
    if (at <= 0) return { ok: false, error: 'syntax' };
    localPart = s.slice(0, at);
    rest = at;
    if (!isDotString(localPart, true)) return { ok: false, error: 'syntax' };
    if (!utf8 && NON_ASCII.test(localPart)) return { ok: false, error: 'non-ascii' };
  }
  if (s[rest] !== '@') return { ok: false, error: 'syntax' };
  const domain = s.slice(rest + 1);
  if (isAddressLiteral(domain) || isDomain(domain, utf8)) return { ok: true, value: { localPart, domain } };
  return { ok: false, error: !utf8 && isDomain(domain, true) ? 'non-ascii' : 'syntax' };
}

/** Skip a source route `@a,@b:` (RFC 5321 §4.1.1.3: accepted, then ignored). Returns the index after ':'. */
function skipSourceRoute(inner: string, utf8: boolean): number | undefined {
  if (!inner.startsWith('@')) return 0;
  const colon = inner.indexOf(':');
  if (colon < 0) return undefined;
  const hops = inner.slice(0, colon).split(',');
  return hops.every((h) => h.startsWith('@') && isDomain(h.slice(1), utf8)) ? colon + 1 : undefined;
}

/** Find the ">" closing a path that starts at `s[start] === '<'`, skipping quoted strings. */
function closingBracket(s: string, start: number): number {
  let quoted = false;
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === '>') return i;
  }
  return -1;
}

/**
 * Parse a Path at `s[start]` (RFC 5321 §4.1.2). With `allowNull`, `<>` gives `null`; with
 * `allowPostmaster`, `<Postmaster>` (any case) gives `{ localPart, domain: '' }`.
 */
export function parsePath(
  s: string,
  start: number,
  opts: { utf8: boolean; allowNull?: boolean; allowPostmaster?: boolean },
): PathResult<Mailbox | null> {
  if (s[start] !== '<') return { ok: false, error: 'syntax' };
  const close = closingBracket(s, start);
  if (close < 0) return { ok: false, error: 'syntax' };
  const inner = s.slice(start + 1, close);
  if (utf8Length(inner) + 2 > MAX_PATH_OCTETS) return { ok: false, error: 'syntax' };
  if (inner === '') return opts.allowNull ? { ok: true, value: null, end: close + 1 } : { ok: false, error: 'syntax' };
  if (opts.allowPostmaster && inner.toLowerCase() === 'postmaster') {
    return { ok: true, value: { localPart: inner, domain: '' }, end: close + 1 };
  }
  const routeEnd = skipSourceRoute(inner, opts.utf8);
  if (routeEnd === undefined) return { ok: false, error: 'syntax' };
  const mailbox = parseMailbox(inner.slice(routeEnd), opts.utf8);
  return mailbox.ok ? { ok: true, value: mailbox.value, end: close + 1 } : mailbox;
}

/** Format a mailbox with the minimum quoting (RFC 5321 §4.1.2: SHOULD use the unquoted form when it can). */
export function formatMailbox(m: Mailbox): string {
  if (m.domain === '') return m.localPart;
  const local = isDotString(m.localPart) ? m.localPart : `"${m.localPart.replace(/["\\]/g, '\\$&')}"`;
  return `${local}@${m.domain}`;
}

/** Format a path with its angle brackets; `null` gives `<>`. */
export function formatPath(path: Mailbox | null): string {
  return path === null ? '<>' : `<${formatMailbox(path)}>`;
}
