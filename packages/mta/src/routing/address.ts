/**
 * Envelope address helpers for routing. The local part is kept as given except for case: local
 * parts at our own domains are case-insensitive (Postfix lowercases them, as RFC 5321 §2.4 allows
 * the receiving host to do for its own mailboxes); remote local parts are never touched.
 */

/** An envelope address split at its last "@" (RFC 5321 §4.1.2 Mailbox; the domain lower-cased). */
export interface SplitAddress {
  localPart: string;
  /** Lower-cased domain or address literal; '' for a bare local name such as `Postmaster`. */
  domain: string;
}

/** Split `local@domain` at the last "@" (a quoted local part may contain "@"). */
export function splitAddress(address: string): SplitAddress {
  const at = address.lastIndexOf('@');
  if (at < 0) return { localPart: address, domain: '' };
  return { localPart: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

/** A local part at one of our domains without its `+extension` (Postfix recipient_delimiter). */
export interface LocalName {
  /** Lower-cased, unquoted local part with its extension: the first alias lookup. */
  full: string;
  /** Lower-cased name without extension: the user or alias looked up. */
  base: string;
  /** The extension after the delimiter, case kept; undefined when there is none. */
  extension?: string;
}

/**
 * Split off the address extension (Postfix recipient_delimiter, e.g. "+": `user+tag` → `user`,
 * `tag`). An empty delimiter disables extensions; so does a delimiter at position 0 (`+tag` is
 * a name, as in Postfix, which never strips to an empty name).
 */
export function splitExtension(localPart: string, delimiter: string): LocalName {
  const unquoted = unquoteLocalPart(localPart);
  const at = delimiter === '' ? -1 : firstDelimiter(unquoted, delimiter);
  const full = unquoted.toLowerCase();
  if (at <= 0) return { full, base: full };
  return { full, base: full.slice(0, at), extension: unquoted.slice(at + 1) };
}

// Postfix allows several delimiter characters (recipient_delimiter = +-): the first one found wins.
function firstDelimiter(localPart: string, delimiters: string): number {
  let first = -1;
  for (const d of delimiters) {
    const at = localPart.indexOf(d);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

// RFC 5321 §4.1.2: Quoted-string = DQUOTE *QcontentSMTP DQUOTE, with backslash-quoted pairs.
// "john.doe"@example.org and john.doe@example.org name the same mailbox for our lookups.
function unquoteLocalPart(localPart: string): string {
  if (localPart.length < 2 || !localPart.startsWith('"') || !localPart.endsWith('"')) return localPart;
  return localPart.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** RFC 5321 §4.5.1: "Postmaster" (any case), with or without a domain, must be accepted. */
export function isPostmaster(localPart: string): boolean {
  return unquoteLocalPart(localPart).toLowerCase() === 'postmaster';
}
