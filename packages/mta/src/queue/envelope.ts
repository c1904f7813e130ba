// What the spool records about a message, and how it is checked when read back.
//
// The envelope (sender, recipients, DSN parameters, client) is written once, as the first line of
// the queue file, and never changes. What changes (per-recipient status, attempts, next attempt)
// lives in the message's status file (spool.ts). Both are JSON; both are validated on reading,
// since maildrop files come from other processes.

import { QueueError } from './errors.js';

/** RFC 3461 §4.1 NOTIFY values. */
export type DsnNotify = 'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY';

/** A recipient with its RFC 3461 parameters. */
export interface RecipientParams {
  /** The forward-path without angle brackets. */
  address: string;
  /** RFC 3461 §4.2 ORCPT, as received (addr-type;xtext). */
  orcpt?: string;
  /** RFC 3461 §4.1 NOTIFY; absent means the MTA's default (FAILURE,DELAY). */
  notify?: DsnNotify[];
}

/** RFC 3461 §4.3, §4.4 message-level DSN parameters. */
export interface DsnParams {
  ret?: 'FULL' | 'HDRS';
  envid?: string;
}

/** Who handed the message to us (for Received fields and logs). */
export interface ClientInfo {
  address?: string;
  helo?: string;
  authUser?: string;
  /** e.g. 'ESMTPS', 'local' (RFC 3848 with-protocol types). */
  protocol?: string;
}

/** What enqueue() records about a message. */
export interface EnqueueRequest {
  /** The reverse-path without angle brackets; '' is the null sender of bounces. */
  sender: string;
  recipients: readonly (string | RecipientParams)[];
  dsn?: DsnParams;
  client?: ClientInfo;
}

/** The envelope as stored on the first line of a queue file. */
export interface StoredEnvelope {
  v: 1;
  sender: string;
  recipients: RecipientParams[];
  arrivalAt: number;
  dsn?: DsnParams;
  client?: ClientInfo;
}

/** Where one recipient stands. */
export type RecipientStatus = 'pending' | 'delivered' | 'deferred' | 'failed';

/** The mutable part of a message's record. */
export interface StoredStatus {
  v: 1;
  attempts: number;
  lastAttemptAt?: number;
  nextAttemptAt?: number;
  recipients: { status: RecipientStatus; lastError?: string; updatedAt?: number }[];
}

const NOTIFY = new Set<string>(['NEVER', 'SUCCESS', 'FAILURE', 'DELAY']);
const STATUSES = new Set<string>(['pending', 'delivered', 'deferred', 'failed']);
// An address travels in SMTP commands and file lines: no CR, LF or NUL (RFC 5321 §4.1.2), and
// RFC 5321 §4.5.3.1.3 caps a path at 256 octets; we allow some slack for SMTPUTF8.
const ADDRESS = /^[^\r\n\0]{0,1024}$/;

/** Build the stored envelope from a request, checking it. */
export function toStoredEnvelope(request: EnqueueRequest, arrivalAt: number): StoredEnvelope {
  const envelope: StoredEnvelope = {
    v: 1,
    sender: request.sender,
    recipients: request.recipients.map((r) => (typeof r === 'string' ? { address: r } : { ...r })),
    arrivalAt,
  };
  if (request.dsn) envelope.dsn = { ...request.dsn };
  if (request.client) envelope.client = { ...request.client };
  return checkEnvelope(envelope);
}

/** Validate a parsed envelope line; throws QueueError 'invalid-envelope'. */
export function checkEnvelope(value: unknown): StoredEnvelope {
  const bad = (why: string): never => {
    throw new QueueError('invalid-envelope', `queue envelope: ${why}`);
  };
  if (!isObject(value) || value.v !== 1) return bad('not a version 1 envelope');
  if (typeof value.sender !== 'string' || !ADDRESS.test(value.sender)) bad('bad sender');
  if (!Number.isSafeInteger(value.arrivalAt)) bad('bad arrivalAt');
  if (!Array.isArray(value.recipients) || value.recipients.length === 0) bad('no recipients');
  for (const r of value.recipients as unknown[]) {
    if (!isObject(r) || typeof r.address !== 'string' || r.address === '' || !ADDRESS.test(r.address)) bad('bad recipient');
    const { orcpt, notify } = r as Record<string, unknown>;
    if (orcpt !== undefined && (typeof orcpt !== 'string' || !ADDRESS.test(orcpt))) bad('bad ORCPT');
    if (notify !== undefined && !isNotifyList(notify)) bad('bad NOTIFY');
  }
  if (value.dsn !== undefined && !isStringRecord(value.dsn, ['ret', 'envid'])) bad('bad DSN parameters');
  const ret = (value.dsn as DsnParams | undefined)?.ret;
  if (ret !== undefined && ret !== 'FULL' && ret !== 'HDRS') bad('bad RET');
  if (value.client !== undefined && !isStringRecord(value.client, ['address', 'helo', 'authUser', 'protocol'])) bad('bad client');
  return value as unknown as StoredEnvelope;
}

/** Validate a parsed status file against the envelope it belongs to; throws QueueError 'corrupt'. */
export function checkStatus(value: unknown, recipientCount: number): StoredStatus {
  const ok =
    isObject(value) &&
    value.v === 1 &&
    Number.isSafeInteger(value.attempts) &&
    Array.isArray(value.recipients) &&
    value.recipients.length === recipientCount &&
    value.recipients.every((r: unknown) => isObject(r) && typeof r.status === 'string' && STATUSES.has(r.status));
  if (!ok) throw new QueueError('corrupt', 'queue status file does not match its envelope');
  return value as unknown as StoredStatus;
}

/** The status of a message nobody has tried yet. */
export function initialStatus(recipientCount: number): StoredStatus {
  return { v: 1, attempts: 0, recipients: Array.from({ length: recipientCount }, () => ({ status: 'pending' as const })) };
}

// RFC 3461 §4.1: NOTIFY is NEVER alone, or one or more of SUCCESS, FAILURE, DELAY.
function isNotifyList(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0 || !value.every((n) => NOTIFY.has(n))) return false;
  return new Set(value).size === value.length && (value.length === 1 || !value.includes('NEVER'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown, keys: readonly string[]): boolean {
  return isObject(value) && Object.entries(value).every(([k, v]) => keys.includes(k) && typeof v === 'string' && ADDRESS.test(v));
}
