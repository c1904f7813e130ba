/**
 * Delivery status notifications, RFC 3464 multipart/report (RFC 6522) with three parts:
 *
 *   1. text/plain            the explanation for people (human-text.ts, Postfix's wording)
 *   2. message/delivery-status  per-message fields, then one field group per recipient
 *   3. message/rfc822        the returned message, or text/rfc822-headers with its header only
 *                            when RET=HDRS (RFC 3461 §4.3) or the body is over the return limit
 *
 * The notice comes from MAILER-DAEMON and is sent with the null reverse-path (RFC 5321 §6.1,
 * RFC 3461 §6.2): the caller queues it with MAIL FROM:<>; a message whose own sender is <> never
 * gets one (`buildDsn` refuses it, `shouldNotify` says no). Field values follow RFC 3461 §6.3:
 * ENVID and ORCPT already decoded from xtext, Reporting-MTA and Remote-MTA as "dns",
 * Diagnostic-Code as "smtp". The multipart structure is written here (mime's builder makes
 * mixed/alternative messages, not reports); header fields go through mime's foldHeader and dates
 * through its formatDate. The output is CRLF throughout; the returned message's line ends are
 * normalised to CRLF.
 */
import { foldHeader, formatDate } from '@mailstack/mime';
import { MtaUsageError } from '../routing/errors.js';
import { DSN_SUBJECT, dsnKind, humanText } from './human-text.js';

/** RFC 3464 §2.3.3 Action values. */
export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

/** One recipient's report (RFC 3464 §2.3). */
export interface DsnRecipient {
  /** The envelope recipient the report is about (Final-Recipient, type rfc822). */
  finalRecipient: string;
  /** The ORCPT address, decoded from xtext (Original-Recipient); only when ORCPT was given. */
  originalRecipient?: string;
  /** The ORCPT address type; default "rfc822". */
  originalRecipientType?: string;
  action: DsnAction;
  /** RFC 3463 status code, class matching the action (5 failed, 4 delayed, 2 otherwise). */
  status: string;
  /** Host name of the server that answered (Remote-MTA: dns; ...). */
  remoteMta?: string;
  /** The server's reply, e.g. "550 5.1.1 <u@x>: user unknown" (Diagnostic-Code: smtp; ...). */
  diagnosticCode?: string;
  lastAttempt?: Date;
  /** For delayed recipients: when retries stop (RFC 3464 §2.3.9). */
  willRetryUntil?: Date;
}

/** The message being reported on: its header section, and its body when it may be returned. */
export interface ReturnedMessage {
  /** The header section as received (with or without the empty line that ends it). */
  header: Uint8Array;
  /** The body; leave out (or give RET=HDRS) to return the header only. */
  body?: Uint8Array;
}

/** Everything a DSN says. */
export interface DsnOptions {
  /** Our host name (Reporting-MTA, From: MAILER-DAEMON@...). */
  reportingMta: string;
  /** The original message's reverse-path: the DSN's recipient. Must not be '' (null sender). */
  sender: string;
  /** ENVID decoded from xtext; only when the client gave one (RFC 3461 §6.3 (a)). */
  originalEnvelopeId?: string;
  arrivalDate?: Date;
  /** Our queue id, written as X-Mailstack-Queue-ID like Postfix's X-Postfix-Queue-ID. */
  queueId?: string;
  recipients: readonly DsnRecipient[];
  originalMessage: ReturnedMessage;
  /** RFC 3461 §4.3 RET; HDRS returns the header only. */
  ret?: 'FULL' | 'HDRS';
  /** Bodies larger than this are not returned; default 50000 (Postfix bounce_size_limit). */
  maxReturnedBodyBytes?: number;
  now: Date;
  /** Message-ID of the notice, without angle brackets. */
  messageId: string;
}

const encoder = new TextEncoder();
const CRLF = '\r\n';

/** Build the DSN message (CRLF bytes). Throws MtaUsageError for a null sender or no recipients. */
export function buildDsn(options: DsnOptions): Uint8Array {
  if (options.sender === '') throw new MtaUsageError('invalid-value', 'no DSN for the null reverse-path (RFC 3461 §6.2)');
  if (options.recipients.length === 0) throw new MtaUsageError('invalid-value', 'a DSN needs at least one recipient');
  const recipients = options.recipients.map(sanitise);
  const kind = dsnKind(recipients.map((r) => r.action));
  const boundary = boundaryFor(options.messageId, options.reportingMta);
  const header = options.originalMessage.header;
  const body = options.originalMessage.body;
  const limit = options.maxReturnedBodyBytes ?? 50_000;
  const full = options.ret !== 'HDRS' && body !== undefined && body.length <= limit;
  const returned = full ? [trimHeader(header), encoder.encode(CRLF), crlf(body)] : [trimHeader(header)];
  const eightBit = returned.some(hasEightBit);

  const top =
    foldHeader('From', `MAILER-DAEMON@${options.reportingMta} (Mail Delivery System)`) +
    foldHeader('To', `<${clean(options.sender)}>`) +
    foldHeader('Subject', DSN_SUBJECT[kind]) +
    foldHeader('Date', formatDate(options.now)) +
    foldHeader('Message-ID', `<${clean(options.messageId)}>`) +
    // RFC 3834 §5: automatic responses are marked, so that vacation programs do not answer them.
    foldHeader('Auto-Submitted', 'auto-replied') +
    foldHeader('MIME-Version', '1.0') +
    foldHeader('Content-Type', `multipart/report; report-type=delivery-status; boundary="${boundary}"`) +
    (eightBit ? foldHeader('Content-Transfer-Encoding', '8bit') : '') +
    CRLF +
    `This is a MIME-encapsulated message.${CRLF}${CRLF}` +
    `--${boundary}${CRLF}` +
    foldHeader('Content-Description', 'Notification') +
    foldHeader('Content-Type', 'text/plain; charset=us-ascii') +
    CRLF +
    humanText({ kind, reportingMta: options.reportingMta, recipients, arrivalDate: options.arrivalDate, now: options.now })
      .map((l) => `${l}${CRLF}`)
      .join('') +
    `${CRLF}--${boundary}${CRLF}` +
    foldHeader('Content-Description', 'Delivery report') +
    foldHeader('Content-Type', 'message/delivery-status') +
    CRLF +
    deliveryStatus(options, recipients) +
    `${CRLF}--${boundary}${CRLF}` +
    foldHeader('Content-Description', full ? 'Undelivered Message' : 'Undelivered Message Headers') +
    foldHeader('Content-Type', full ? 'message/rfc822' : 'text/rfc822-headers') +
    (eightBit ? foldHeader('Content-Transfer-Encoding', '8bit') : '') +
    CRLF;
  const end = encoder.encode(`${CRLF}--${boundary}--${CRLF}`);
  return concat([encoder.encode(top), ...returned, end]);
}

// RFC 3464 §2.1: per-message fields, then each recipient's fields after an empty line.
function deliveryStatus(options: DsnOptions, recipients: readonly DsnRecipient[]): string {
  const lines: string[] = [];
  if (options.originalEnvelopeId !== undefined) lines.push(foldHeader('Original-Envelope-Id', clean(options.originalEnvelopeId)));
  lines.push(foldHeader('Reporting-MTA', `dns; ${options.reportingMta}`));
  if (options.queueId !== undefined) lines.push(foldHeader('X-Mailstack-Queue-ID', clean(options.queueId)));
  if (options.arrivalDate) lines.push(foldHeader('Arrival-Date', formatDate(options.arrivalDate)));
  for (const r of recipients) {
    lines.push(CRLF);
    if (r.originalRecipient !== undefined) {
      lines.push(foldHeader('Original-Recipient', `${r.originalRecipientType ?? 'rfc822'};${r.originalRecipient}`));
    }
    lines.push(foldHeader('Final-Recipient', `rfc822; ${r.finalRecipient}`));
    lines.push(foldHeader('Action', r.action));
    lines.push(foldHeader('Status', r.status));
    if (r.remoteMta !== undefined) lines.push(foldHeader('Remote-MTA', `dns; ${r.remoteMta}`));
    if (r.diagnosticCode !== undefined) lines.push(foldHeader('Diagnostic-Code', `smtp; ${r.diagnosticCode}`));
    if (r.lastAttempt) lines.push(foldHeader('Last-Attempt-Date', formatDate(r.lastAttempt)));
    if (r.willRetryUntil) lines.push(foldHeader('Will-Retry-Until', formatDate(r.willRetryUntil)));
  }
  return lines.join('');
}

// Field values are US-ASCII text (RFC 3464 §2.1.2): no control characters, no line breaks, and
// short enough that no line can pass RFC 5322's 998-character limit even as one unbreakable word
// (a remote reply is the peer's text, of any length). The peer's texts (Remote-MTA,
// Diagnostic-Code) are also made ASCII; addresses keep non-ASCII characters: SMTPUTF8 addresses
// would need RFC 6533's message/global-delivery-status, which is not done.
const MAX_FIELD_CHARS = 900;
function clean(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]+/g, ' ').trim().slice(0, MAX_FIELD_CHARS);
}

function ascii(value: string): string {
  return clean(value).replace(/[^\x20-\x7e]/g, '?');
}

function sanitise(r: DsnRecipient): DsnRecipient {
  return {
    ...r,
    finalRecipient: clean(r.finalRecipient),
    ...(r.originalRecipient === undefined ? {} : { originalRecipient: clean(r.originalRecipient) }),
    ...(r.originalRecipientType === undefined ? {} : { originalRecipientType: ascii(r.originalRecipientType) }),
    ...(r.remoteMta === undefined ? {} : { remoteMta: ascii(r.remoteMta) }),
    ...(r.diagnosticCode === undefined ? {} : { diagnosticCode: ascii(r.diagnosticCode) }),
  };
}

// RFC 2046 §5.1.1: bchars, at most 70; the Message-ID is unique, so is the boundary.
function boundaryFor(messageId: string, host: string): string {
  return `${messageId}/${host}`.replace(/[^A-Za-z0-9'()+_,\-./:=?]/g, '.').slice(0, 70);
}

// The header section without its trailing empty line(s): we write exactly one after it.
function trimHeader(header: Uint8Array): Uint8Array {
  let end = header.length;
  while (end > 0 && (header[end - 1] === 0x0a || header[end - 1] === 0x0d)) end--;
  return crlf(header.subarray(0, end), true);
}

// Bare LF (and bare CR) become CRLF; with `terminate`, the result ends with one CRLF.
function crlf(bytes: Uint8Array, terminate = false): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0x0d) {
      out.push(0x0d, 0x0a);
      if (bytes[i + 1] === 0x0a) i++;
    } else if (b === 0x0a) {
      out.push(0x0d, 0x0a);
    } else {
      out.push(b);
    }
  }
  if (terminate && out.length > 0) out.push(0x0d, 0x0a);
  return Uint8Array.from(out);
}

function hasEightBit(bytes: Uint8Array): boolean {
  return bytes.some((b) => b > 0x7f);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
