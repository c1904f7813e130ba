/**
 * What a delivery agent reports for one recipient: the scheduler's outcome kinds, the reply that
 * explains it (shown in `queue list`, the log and any DSN) and where it went.
 */
import type { MessageBytes } from '@mailstack/mailstore';
import { MemoryBody, type MtaReply } from '@mailstack/mta';

/** The result of one recipient's delivery attempt. */
export interface RecipientOutcome {
  readonly recipient: string;
  readonly outcome: 'delivered' | 'transient' | 'permanent';
  readonly reply: MtaReply;
  /** `local`, `[127.0.0.1]:2626`, `mx.example[192.0.2.1]:25`, `none`. */
  readonly relay: string;
  /** 'destination' when the destination itself failed (no connection, greeting refused). */
  readonly scope?: 'recipient' | 'destination';
}

/** A queued message as the agents see it. */
export interface QueuedMessage {
  readonly queueId: string;
  /** The reverse-path; '' is the null sender of bounces. */
  readonly sender: string;
  /** The bytes as queued (with our Received field), opened anew for each attempt. */
  openBody(): Promise<AsyncIterable<Uint8Array>>;
}

/** `code enhanced text`, as in logs, DSN Diagnostic-Code and `queue list`. */
export function describeReply(reply: MtaReply): string {
  return `${reply.code} ${reply.enhanced} ${reply.text}`;
}

/** The outcome class of an SMTP reply code (RFC 5321 §4.2.1). */
export function outcomeOf(code: number): RecipientOutcome['outcome'] {
  if (code >= 200 && code < 300) return 'delivered';
  return code >= 500 ? 'permanent' : 'transient';
}

/**
 * `prefix` (trace fields), then the body. A body in memory (a message this process has just
 * queued) gives its parts as they are, with no stream or generator between them and the writer.
 */
export function withPrefix(prefix: string, body: AsyncIterable<Uint8Array>): MessageBytes {
  if (body instanceof MemoryBody) return prefix === '' ? [body.bytes] : [Buffer.from(prefix, 'utf8'), body.bytes];
  return prefixed(prefix, body);
}

async function* prefixed(prefix: string, body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (prefix !== '') yield Buffer.from(prefix, 'utf8');
  yield* body;
}
