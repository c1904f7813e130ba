/** Postfix-like log lines (one per connection end and per transaction, plus TLS/AUTH events). */
import { formatPath, type Envelope, type Reply, type ReversePath } from '@mailstack/smtp-core';
import type { SmtpConnectionInfo, SmtpLogger } from './types.js';

/** Postfix smtpd's end-of-session counters: "ehlo=1 mail=1 rcpt=2/3 data=1 quit=1 commands=6". */
export class CommandCounts {
  readonly #counts = new Map<string, { ok: number; all: number }>();

  /** Count one command and whether it succeeded. */
  add(verb: string, ok: boolean): void {
    const c = this.#counts.get(verb) ?? { ok: 0, all: 0 };
    c.all++;
    if (ok) c.ok++;
    this.#counts.set(verb, c);
  }

  toString(): string {
    let ok = 0;
    let all = 0;
    const parts: string[] = [];
    for (const [verb, c] of this.#counts) {
      ok += c.ok;
      all += c.all;
      parts.push(`${verb.toLowerCase()}=${c.ok === c.all ? c.ok : `${c.ok}/${c.all}`}`);
    }
    parts.push(`commands=${ok === all ? ok : `${ok}/${all}`}`);
    return parts.join(' ');
  }
}

const replyText = (r: Reply): string => `${r.code}${r.enhanced === undefined ? '' : ` ${r.enhanced}`} ${typeof r.text === 'string' ? r.text : r.text.join(' ')}`;
const path = (p: ReversePath): string => formatPath(p);

/**
 * A logger bound to one connection. Without a logger every method returns before it formats
 * anything: a server embedded without logging pays nothing per message for its log lines.
 */
export class ConnectionLog {
  readonly #logger: SmtpLogger | undefined;
  readonly #info: SmtpConnectionInfo;

  constructor(logger: SmtpLogger | undefined, info: SmtpConnectionInfo) {
    this.#logger = logger;
    this.#info = info;
  }

  /** `text` is called only when there is a logger. */
  #emit(event: Parameters<SmtpLogger>[0]['event'], text: () => string): void {
    const logger = this.#logger;
    if (logger !== undefined) logger({ event, connection: this.#info.id, message: `${this.#info.id}: ${text()}` });
  }

  connect(greeting: Reply): void {
    this.#emit('connect', () => {
      const refused = greeting.code === 220 ? '' : ` refused: ${replyText(greeting)}`;
      return `connect from [${this.#info.remoteAddress}]:${this.#info.remotePort} to ${this.#info.role} port ${this.#info.localPort}${refused}`;
    });
  }

  disconnect(counts: CommandCounts, reason: string): void {
    this.#emit('disconnect', () => `disconnect from [${this.#info.remoteAddress}] ${counts.toString()}${reason === '' ? '' : ` (${reason})`}`);
  }

  transaction(envelope: Envelope, sizeBytes: number, reply: Reply): void {
    this.#emit('transaction', () => {
      const to = envelope.recipients.map((r) => path(r.forwardPath)).join(',');
      const status = reply.code < 300 ? 'sent' : reply.code < 500 ? 'deferred' : 'bounced';
      return `from=${path(envelope.reversePath)}, to=${to}, size=${sizeBytes}, nrcpt=${envelope.recipients.length} status=${status} (${replyText(reply)})`;
    });
  }

  tls(protocol: string | null, cipher: string): void {
    this.#emit('tls', () => `TLS connection established: ${protocol ?? 'unknown'} with cipher ${cipher}`);
  }

  auth(ok: boolean, mechanism: string, detail: string): void {
    this.#emit('auth', () => `${ok ? 'sasl_method' : 'SASL authentication failed: method'}=${mechanism}, ${detail}`);
  }

  error(text: string): void {
    this.#emit('error', () => text);
  }
}
