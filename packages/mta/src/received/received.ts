/**
 * The Received trace field an SMTP server prepends (RFC 5321 §4.4, RFC 5322 §3.6.7):
 *
 *   Received: from client.example (client.example [192.0.2.1])
 *    (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
 *    by mail.example.test (mailstack) with ESMTPS id 01HQ... for <user@example.test>;
 *    Thu, 26 Nov 2026 15:00:00 +0000
 *
 * Grammar (§4.4): Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time, with
 * Extended-Domain = Domain / (Domain FWS "(" TCP-info ")") / (address-literal FWS "(" TCP-info ")").
 * The client's HELO name is used as the From domain only when it is a syntactically valid domain
 * or address literal; otherwise "unknown" is written and the raw name goes into a comment with
 * parentheses and backslashes escaped (RFC 5322 §3.2.2 quoted-pair) and control characters
 * removed, so a client cannot break the field. The FOR clause names the recipient only when there
 * is exactly one (§7.2: listing several would disclose Bcc recipients). Folding at 78 characters
 * is mime's foldHeader.
 */
import { foldHeader, formatDate } from '@mailstack/mime';
import { formatIp, parseIp } from '../policy/networks.js';

/** RFC 3848 / RFC 6531 §3.7.4 WITH protocol names. */
export type ReceivedProtocol =
  | 'SMTP'
  | 'ESMTP'
  | 'ESMTPA'
  | 'ESMTPS'
  | 'ESMTPSA'
  | 'LMTP'
  | 'LMTPA'
  | 'LMTPS'
  | 'LMTPSA'
  | 'UTF8SMTP'
  | 'UTF8SMTPA'
  | 'UTF8SMTPS'
  | 'UTF8SMTPSA'
  | 'UTF8LMTP'
  | 'UTF8LMTPA'
  | 'UTF8LMTPS'
  | 'UTF8LMTPSA';

/** The session facts that decide the WITH protocol name. */
export interface ProtocolFacts {
  /** The client said EHLO (LHLO for LMTP) rather than HELO. */
  extended: boolean;
  lmtp?: boolean;
  tls: boolean;
  authenticated: boolean;
  /** The transaction used SMTPUTF8 (RFC 6531). */
  utf8?: boolean;
}

/** The WITH protocol name: RFC 3848 (S = TLS, A = AUTH), RFC 6531 UTF8 prefix. */
export function receivedProtocol(facts: ProtocolFacts): ReceivedProtocol {
  if (!facts.extended && !facts.lmtp) return 'SMTP';
  const base = facts.lmtp ? 'LMTP' : 'SMTP';
  const prefix = facts.utf8 ? 'UTF8' : facts.lmtp ? '' : 'E';
  const suffix = `${facts.tls ? 'S' : ''}${facts.authenticated ? 'A' : ''}`;
  return `${prefix}${base}${suffix}` as ReceivedProtocol;
}

/** TLS parameters for the comment Postfix writes (`using TLSv1.3 with cipher ...`). */
export interface ReceivedTls {
  protocol: string;
  cipher: string;
  /** Secret bits of the cipher, e.g. 256. */
  bits?: number;
}

/** The software comment after our name when ReceivedInfo gives none. */
export const DEFAULT_RECEIVED_SOFTWARE = 'mailstack';

/** Everything a Received field says. */
export interface ReceivedInfo {
  /** The EHLO/HELO argument as the client sent it. */
  helo?: string;
  clientAddress: string;
  /** The client's verified reverse-DNS name; "unknown" when absent. */
  clientHostname?: string;
  /** Our host name. */
  by: string;
  protocol: ReceivedProtocol;
  /** Queue id (an RFC 5322 atom). */
  id?: string;
  /** The envelope recipients; the FOR clause is written only for exactly one. */
  recipients?: readonly string[];
  tls?: ReceivedTls;
  date: Date;
  /** Software comment after our name; default DEFAULT_RECEIVED_SOFTWARE ("mailstack"). */
  software?: string;
}

/** Format the Received field, folded at 78 characters and ending in CRLF. */
export function formatReceived(info: ReceivedInfo): string {
  const literal = addressLiteral(info.clientAddress);
  const helo = info.helo?.trim() ?? '';
  const heloOk = isDomain(helo) || isAddressLiteral(helo);
  const parts = [`from ${heloOk ? helo : 'unknown'}`, `(${info.clientHostname && isDomain(info.clientHostname) ? info.clientHostname : 'unknown'} ${literal})`];
  if (!heloOk && helo !== '') parts.push(`(HELO ${commentText(helo)})`);
  if (info.tls) {
    const bits = info.tls.bits === undefined ? '' : ` (${info.tls.bits}/${info.tls.bits} bits)`;
    parts.push(`(using ${commentText(info.tls.protocol)} with cipher ${commentText(info.tls.cipher)}${bits})`);
  }
  parts.push(`by ${info.by} (${commentText(info.software ?? DEFAULT_RECEIVED_SOFTWARE)})`, `with ${info.protocol}`);
  if (info.id !== undefined && /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(info.id)) parts.push(`id ${info.id}`);
  const only = info.recipients?.length === 1 ? info.recipients[0] : undefined;
  if (only !== undefined && !/[\s<>]/.test(only)) parts.push(`for <${only}>`);
  return foldHeader('Received', `${parts.join(' ')}; ${formatDate(info.date)}`);
}

// RFC 5321 §4.1.3: IPv4 "[192.0.2.1]", IPv6 "[IPv6:2001:db8::1]"; an IPv4-mapped IPv6 address
// (what a dual-stack socket reports for an IPv4 client) is written as the IPv4 address.
function addressLiteral(address: string): string {
  const ip = parseIp(address);
  if (ip?.family === 4) return `[${formatIp(ip)}]`;
  if (ip?.family === 6) return `[IPv6:${address.replace(/%.*$/, '').toLowerCase()}]`;
  return `[${commentText(address)}]`;
}

// RFC 5321 §4.1.2 Domain = sub-domain *("." sub-domain), Let-dig [Ldh-str].
function isDomain(name: string): boolean {
  return name.length <= 255 && /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(name);
}

function isAddressLiteral(name: string): boolean {
  const m = /^\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]$/.exec(name);
  return m !== null && parseIp(m[1] ?? '') !== undefined;
}

// Comment text (RFC 5322 §3.2.2 ctext / quoted-pair): printable ASCII and spaces only, "(", ")"
// and "\" escaped, at most 100 characters so a hostile HELO cannot bloat the header.
function commentText(text: string): string {
  return text
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100)
    .replace(/[()\\]/g, (c) => `\\${c}`);
}
