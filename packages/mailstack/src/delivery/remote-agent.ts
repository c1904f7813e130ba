/**
 * The SMTP delivery agent (Postfix smtp(8)): the recipients of one message for one destination
 * go in one transaction to the first hop that answers (RFC 5321 §5.1: MX order, then the next
 * address), with opportunistic STARTTLS (RFC 3207; the certificate is not checked, as Postfix's
 * `smtp_tls_security_level = may`). Per-recipient replies become per-recipient outcomes; a hop
 * that cannot be reached or refuses the greeting is a destination failure (scope 'destination').
 */
import { expandToCrlf } from '@mailstack/mailstore';
import { MtaUsageError, type Hop, type MtaReply, type QueueRecipient, type Router } from '@mailstack/mta';
import type { MailParams, RcptParams, Reply } from '@mailstack/smtp-core';
import { SmtpClient, SmtpClientError } from '../smtp/client.js';
import { type QueuedMessage, type RecipientOutcome, outcomeOf } from './outcome.js';

/** What the remote agent needs. */
export interface RemoteAgentOptions {
  readonly router: Router;
  /** Our EHLO name. */
  readonly hostname: string;
  /** Connect + greeting timeout (Postfix smtp_connect_timeout 30s). */
  readonly connectTimeoutMs?: number;
}

/** A message with the DSN parameters the next hop should carry (RFC 3461 §4, §5.2). */
export interface RemoteMessage extends QueuedMessage {
  readonly ret?: 'FULL' | 'HDRS';
  readonly envid?: string;
}

const toMtaReply = (r: Reply): MtaReply => ({
  code: r.code,
  enhanced: r.enhanced ?? (r.code >= 500 ? '5.0.0' : r.code >= 400 ? '4.0.0' : '2.0.0'),
  text: typeof r.text === 'string' ? r.text : r.text.join(' '),
});
const hopName = (hop: Hop): string => `${hop.host}[${hop.address}]:${hop.port}`;

/** Delivers recipients at other hosts over SMTP. */
export class RemoteDeliveryAgent {
  readonly #options: RemoteAgentOptions;

  constructor(options: RemoteAgentOptions) {
    this.#options = options;
  }

  /** Deliver `recipients` (all with the same destination) of one message. */
  async deliver(message: RemoteMessage, recipients: readonly QueueRecipient[]): Promise<RecipientOutcome[]> {
    const first = recipients[0];
    if (first === undefined) return [];
    const route = await this.#options.router.route(first.address);
    if (route.kind === 'failed') return recipients.map((r) => ({ recipient: r.address, outcome: outcomeOf(route.reply.code), reply: route.reply, relay: 'none' }));
    if (route.kind === 'local') throw new MtaUsageError('invalid-value', `remote agent got a local recipient ${first.address}`);
    let lastFailure: RecipientOutcome | undefined;
    for (const hop of route.hops) {
      const result = await this.#tryHop(message, recipients, hop);
      if (Array.isArray(result)) return result;
      lastFailure = result;
    }
    const failure: MtaReply = lastFailure?.reply ?? { code: 451, enhanced: '4.4.0', text: `no address for ${route.destination}` };
    return recipients.map((r) => ({ recipient: r.address, outcome: 'transient', reply: failure, relay: lastFailure?.relay ?? 'none', scope: 'destination' }));
  }

  // An array: the hop answered the transaction. One outcome: the hop failed before it; try the next.
  async #tryHop(message: RemoteMessage, recipients: readonly QueueRecipient[], hop: Hop): Promise<RecipientOutcome[] | RecipientOutcome> {
    const relay = hopName(hop);
    let client: SmtpClient;
    try {
      client = await SmtpClient.connect({
        host: hop.address,
        port: hop.port,
        tls: 'opportunistic',
        rejectUnauthorized: false,
        servername: hop.host,
        heloName: this.#options.hostname,
        timeouts: { connectMs: this.#options.connectTimeoutMs ?? 30_000 },
      });
    } catch (error) {
      const reply = error instanceof SmtpClientError && error.reply ? toMtaReply(error.reply) : undefined;
      // RFC 5321 §3.1 / §4.2: a 5xx greeting is permanent only for this host; try the next one.
      return { recipient: '', outcome: 'transient', reply: reply ?? { code: 451, enhanced: '4.4.1', text: `connect to ${relay}: ${(error as Error).message}` }, relay, scope: 'destination' };
    }
    // RFC 6531 §3.2: a non-ASCII address needs SMTPUTF8 at the next hop, else the message bounces.
    const utf8 = !isAscii(message.sender) || recipients.some((r) => !isAscii(r.address));
    if (utf8 && !client.capabilities.smtputf8) {
      await client.quit();
      const reply = { code: 553, enhanced: '5.6.7', text: `SMTPUTF8 is required, but was not offered by host ${relay}` };
      return recipients.map((r) => ({ recipient: r.address, outcome: 'permanent', reply, relay }));
    }
    try {
      const result = await client.send({
        from: message.sender === '' ? null : message.sender,
        to: recipients.map((r) => r.address),
        params: mailParams(message, client, utf8),
        ...(client.capabilities.dsn ? rcptParams(recipients) : {}),
        body: expandToCrlf(await message.openBody()),
      });
      await client.quit();
      return recipients.map((r, i) => {
        const answer = result.recipients[i]?.reply ?? result.mail;
        if (answer === undefined || outcomeOf(answer.code) !== 'delivered') {
          const reply = answer === undefined ? { code: 451, enhanced: '4.4.2', text: 'lost connection' } : toMtaReply(answer);
          return { recipient: r.address, outcome: outcomeOf(reply.code), reply, relay };
        }
        const data = result.data === undefined ? { code: 451, enhanced: '4.4.2', text: 'lost connection after RCPT' } : toMtaReply(result.data);
        return { recipient: r.address, outcome: outcomeOf(data.code), reply: data, relay };
      });
    } catch (error) {
      client.close();
      const reply = error instanceof SmtpClientError && error.reply ? toMtaReply(error.reply) : undefined;
      const text = `conversation with ${relay}: ${(error as Error).message}`;
      return recipients.map((r) => ({ recipient: r.address, outcome: 'transient', reply: reply?.code && reply.code >= 400 && reply.code < 500 ? reply : { code: 451, enhanced: '4.4.2', text }, relay }));
    }
  }
}

// RFC 6152: BODY=8BITMIME when offered; the spool does not record whether the body has 8-bit
// octets, and declaring 8BITMIME for a 7-bit body is harmless. RET and ENVID only when the next
// hop offers DSN (RFC 3461 §4: otherwise the MAIL command would be refused).
function mailParams(message: RemoteMessage, client: SmtpClient, utf8: boolean): MailParams {
  const body: MailParams = { ...(client.capabilities.eightBitMime ? { body: '8BITMIME' } : {}), ...(utf8 ? { smtputf8: true } : {}) };
  if (!client.capabilities.dsn) return body;
  return { ...body, ...(message.ret ? { ret: message.ret } : {}), ...(message.envid ? { envid: message.envid } : {}) };
}

// SmtpClient takes one set of RCPT parameters per message: NOTIFY is passed on when every
// recipient of the transaction has the same one.
function rcptParams(recipients: readonly QueueRecipient[]): { dsn?: RcptParams } {
  const notify = recipients[0]?.notify;
  if (notify === undefined || recipients.some((r) => r.notify?.join() !== notify.join())) return {};
  if (notify.includes('NEVER')) return { dsn: { notify: 'NEVER' } };
  return { dsn: { notify: notify.filter((n): n is 'SUCCESS' | 'FAILURE' | 'DELAY' => n !== 'NEVER') } };
}

const isAscii = (text: string): boolean => /^[\x00-\x7f]*$/.test(text);
