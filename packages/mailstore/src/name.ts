// Maildir file names (https://cr.yp.to/proto/maildir.html, Dovecot's extensions), as pure functions.
//
//   1700000000.M123456P4711Q3.mx1,S=1234,W=1260:2,FS
//   \--time--/ \usec/ \pid/\q/ \host/ \--sizes--/ \info/
//
// The part before ':' is the message's unique base name; it never changes once delivered. The info
// ':2,FLAGS' is added when the message moves to cur/ and rewritten (by rename) when flags change.
// ',S=' is the size on disk and ',W=' the size with CRLF line ends (Dovecot's fields), so a POP3
// LIST needs no read (RFC 1939 §11 wants the CRLF octet count).

/** Inputs of a unique name: `now` in milliseconds (fractions give the microseconds). */
export interface MaildirNameParts {
  now: number;
  host: string;
  pid: number;
  seq: number;
}

/**
 * The unique base name of a new message: `<sec>.M<usec>P<pid>Q<seq>.<host>`.
 * Dovecot escapes '/' and ':' in the host as \057 and \072; we also escape ',' (\054) because
 * ',' starts the size fields, and '\' itself (\134) so the escaping cannot be ambiguous.
 */
export function maildirName({ now, host, pid, seq }: MaildirNameParts): string {
  const micros = Math.floor(now * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const usec = micros % 1_000_000;
  return `${seconds}.M${usec}P${pid}Q${seq}.${escapeHost(host)}`;
}

const HOST_ESCAPES: Record<string, string> = { '\\': '\\134', '/': '\\057', ':': '\\072', ',': '\\054' };

function escapeHost(host: string): string {
  return host.replace(/[\\/:,]/g, (c) => HOST_ESCAPES[c] ?? c);
}

/** A Maildir file name split at the info separator. */
export interface MaildirInfo {
  /** The base name before ':', stable for the message's life. */
  unique: string;
  /** The flags of a ':2,' info, sorted; '' for a message without info (in new/). */
  flags: string;
}

/** Split a file name into its unique part and its flags (experimental ':1,' info gives no flags). */
export function parseInfo(name: string): MaildirInfo {
  const colon = name.indexOf(':');
  if (colon < 0) return { unique: name, flags: '' };
  const info = name.slice(colon + 1);
  return { unique: name.slice(0, colon), flags: info.startsWith('2,') ? normalizeFlags(info.slice(2)) : '' };
}

/** The file name in cur/ for a message with these flags: `<unique>:2,<sorted flags>`. */
export function formatInfo(unique: string, flags: string): string {
  return `${unique}:2,${normalizeFlags(flags)}`;
}

// maildir.html: "Flags must be stored in ASCII order". Upper case are the standard flags
// (D draft, F flagged, P passed, R replied, S seen, T trashed); Dovecot uses a-z for keywords.
const FLAG_CHAR = /^[A-Za-z]$/;

/** Sort flags into ASCII order and drop duplicates; throws on a character that is not a flag. */
export function normalizeFlags(flags: string): string {
  const set = new Set(flags);
  for (const c of set) {
    if (!FLAG_CHAR.test(c)) throw new RangeError(`not a Maildir flag: ${JSON.stringify(c)}`);
  }
  return [...set].sort().join('');
}

/** Sizes cached in a unique name by Dovecot's ',S=' and ',W=' fields. */
export interface SizeFields {
  /** Octets on disk. */
  sizeBytes?: number;
  /** Octets with CRLF line ends (the POP3 size). */
  crlfSizeBytes?: number;
}

/** Read the ',S=<n>' and ',W=<n>' fields of a unique name (absent fields are left out). */
export function parseSizeFields(unique: string): SizeFields {
  const fields: SizeFields = {};
  for (const part of unique.split(',').slice(1)) {
    const match = /^([SW])=(\d{1,15})$/.exec(part);
    if (match?.[1] === 'S') fields.sizeBytes = Number(match[2]);
    if (match?.[1] === 'W') fields.crlfSizeBytes = Number(match[2]);
  }
  return fields;
}

/** Append the size fields to a unique name, as Dovecot names its deliveries. */
export function withSizeFields(unique: string, sizeBytes: number, crlfSizeBytes: number): string {
  return `${unique},S=${sizeBytes},W=${crlfSizeBytes}`;
}

/**
 * Order unique names by delivery time: the seconds, then the microseconds of an M field, then
 * the text (plain string order would put '.M5P' after '.M123P' and 9-digit times after 10-digit).
 */
export function compareDeliveryOrder(a: string, b: string): number {
  const ka = deliveryKey(a);
  const kb = deliveryKey(b);
  return ka[0] - kb[0] || ka[1] - kb[1] || (a < b ? -1 : a > b ? 1 : 0);
}

function deliveryKey(unique: string): [number, number] {
  const match = /^(\d{1,15})\.(?:M(\d{1,6}))?/.exec(unique);
  return [match ? Number(match[1]) : Number.MAX_SAFE_INTEGER, match?.[2] ? Number(match[2]) : 0];
}
