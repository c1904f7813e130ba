/**
 * The MTA's decisions plugged into SmtpServer (Postfix smtpd(8) restrictions, SPEC.md §7):
 *
 *   MAIL  submission without AUTH 530 5.7.0, SIZE over the limit 552 5.3.4, an authenticated
 *         sender using an address that is not theirs 553 5.7.1 (RelayPolicy.checkMail)
 *   RCPT  unknown local user 550 5.1.1 (Router), relay without AUTH from outside mynetworks
 *         554 5.7.1 (RelayPolicy); the recipient limit is SmtpServer's (452 4.5.3)
 *   DATA  a Received field is prepended (RFC 5321 §4.4) and the body streams into the spool;
 *         250 only once the spool's group commit has fsync'd it; over the size limit 552 5.3.4
 *         and nothing is queued (the partial file is removed by enqueue)
 */
import {
  ReceivedFieldCache,
  receivedProtocol,
  type DsnNotify,
  type EnqueueRequest,
  type QueueSpool,
  type RelayPolicy,
  type Router,
  type SessionFacts,
} from '@mailstack/mta';
import { MailError, formatMailbox, type Envelope, type Reply, type RcptParams } from '@mailstack/smtp-core';
import { logRecord, type Logger } from '../log/maillog.js';
import { SmtpBodyAbortedError } from '../smtp/body.js';
import type { SmtpServerHandlers, SmtpSessionInfo } from '../smtp/types.js';
import type { QueueManager } from '../delivery/queue-manager.js';
import type { LocalUserNames } from './local-users.js';

/** What the handlers decide with. */
export interface SmtpHandlerDeps {
  readonly hostname: string;
  readonly maxMessageBytes: number;
  readonly router: Router;
  readonly policy: RelayPolicy;
  readonly users: LocalUserNames;
  readonly spool: QueueSpool;
  readonly manager: QueueManager;
  readonly logger: Logger;
}

class MessageTooBigError extends MailError<'too-big'> {}

const facts = (s: SmtpSessionInfo): SessionFacts => ({
  listener: s.role,
  clientAddress: s.remoteAddress,
  ...(s.user === undefined ? {} : { authenticatedUser: s.user }),
});

/** The SmtpServer hooks of `mailstack serve`. */
export function smtpHandlers(deps: SmtpHandlerDeps): SmtpServerHandlers {
  const receivedFields = new ReceivedFieldCache();
  return {
    onMailFrom(reversePath, params, session) {
      const decision = deps.policy.checkMail(facts(session), reversePath === null ? '' : formatMailbox(reversePath), params.sizeBytes);
      return decision.action === 'reject' ? decision.reply : undefined;
    },
    onRcptTo(forwardPath, _params, session) {
      const address = formatMailbox(forwardPath);
      const verdict = (): Reply | undefined => {
        const check = deps.router.checkRecipient(address);
        if (check.kind === 'rejected') return check.reply;
        const decision = deps.policy.checkRecipient(facts(session), address, 0);
        return decision.action === 'reject' ? decision.reply : undefined;
      };
      // Synchronous unless the users file is due for its check (at most once a second).
      const refreshed = deps.users.refresh();
      return refreshed === undefined ? verdict() : refreshed.then(verdict);
    },
    async onData(envelope, body, session) {
      const request = enqueueRequest(envelope, session);
      const received = receivedFields.format({
        ...(session.helo ? { helo: session.helo.domain } : {}),
        clientAddress: session.remoteAddress,
        by: deps.hostname,
        protocol: receivedProtocol({ extended: session.helo?.verb === 'EHLO', tls: session.tls, authenticated: session.user !== undefined, utf8: envelope.params.smtputf8 === true }),
        recipients: request.recipients.map((r) => (typeof r === 'string' ? r : r.address)),
        date: new Date(),
      });
      const arrivalAt = Date.now();
      try {
        const id = await deps.spool.enqueue(request, limited(received, body, deps.maxMessageBytes));
        deps.logger(logRecord('smtpd', `client=${session.helo?.domain ?? 'unknown'}[${session.remoteAddress}]${session.user ? `, sasl_username=${session.user}` : ''}, from=<${request.sender}>`, { queueId: id }));
        deps.manager.queued(id, request, arrivalAt);
        return { code: 250, enhanced: '2.0.0', text: `Ok: queued as ${id}` };
      } catch (error) {
        if (error instanceof MessageTooBigError) return { code: 552, enhanced: '5.3.4', text: 'Message size exceeds fixed limit' };
        if (error instanceof SmtpBodyAbortedError) throw error;
        deps.logger(logRecord('smtpd', `cannot queue message from ${session.remoteAddress}: ${(error as Error).message}`, { level: 'error' }));
        return { code: 451, enhanced: '4.3.0', text: 'Error: queue file write error' } satisfies Reply;
      }
    },
  };
}

function enqueueRequest(envelope: Envelope, session: SmtpSessionInfo): EnqueueRequest {
  const protocol = receivedProtocol({ extended: session.helo?.verb === 'EHLO', tls: session.tls, authenticated: session.user !== undefined });
  return {
    sender: envelope.reversePath === null ? '' : formatMailbox(envelope.reversePath),
    recipients: envelope.recipients.map((r) => ({
      address: formatMailbox(r.forwardPath),
      ...(r.params.orcpt ? { orcpt: `${r.params.orcpt.addrType};${r.params.orcpt.address}` } : {}),
      ...notifyOf(r.params),
    })),
    ...(envelope.params.ret || envelope.params.envid
      ? { dsn: { ...(envelope.params.ret ? { ret: envelope.params.ret } : {}), ...(envelope.params.envid ? { envid: envelope.params.envid } : {}) } }
      : {}),
    client: {
      address: session.remoteAddress,
      ...(session.helo ? { helo: session.helo.domain } : {}),
      ...(session.user ? { authUser: session.user } : {}),
      protocol,
    },
  };
}

function notifyOf(params: RcptParams): { notify?: DsnNotify[] } {
  if (params.notify === undefined) return {};
  return { notify: params.notify === 'NEVER' ? ['NEVER'] : [...params.notify] };
}

// The Received field, then the body; past the limit the enqueue fails and its file is removed
// (SmtpServer already enforces SIZE on the wire; this holds for any body source).
async function* limited(received: string, body: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  yield Buffer.from(received, 'utf8');
  let sizeBytes = 0;
  for await (const chunk of body) {
    sizeBytes += chunk.length;
    if (sizeBytes > maxBytes) throw new MessageTooBigError('too-big', `message over ${maxBytes} bytes`);
    yield chunk;
  }
}
