/**
 * Per-client rate limits in front of the MTA's SMTP hooks, as Postfix's anvil(8) applies them in
 * smtpd: a client (network, see ClientRateLimiter) over `limits.connectionRate` connections per
 * minute is refused at connect with 421 4.7.0, over `limits.messageRate` MAIL commands per
 * minute with 450 4.7.1 (a temporary refusal: a well-behaved MTA retries later). Clients in
 * mynetworks are exempt (Postfix smtpd_client_event_limit_exceptions). Concurrent connections per
 * IP are SmtpServer's own limit (limits.connectionsPerIp), so the limiter does not count them.
 */
import { ClientRateLimiter } from '@mailstack/mta';
import type { LimitsConfig } from '../config/types.js';
import type { SmtpServerHandlers } from '../smtp/types.js';

/** Postfix anvil_rate_time_unit: the rates are per minute. */
const RATE_WINDOW_MS = 60_000;

/** The rate limits of `limits` with `exempt` networks, wrapped around `handlers`. */
export function withClientRateLimits(
  handlers: SmtpServerHandlers,
  limits: Pick<LimitsConfig, 'connectionRate' | 'messageRate'>,
  exempt: readonly string[],
  clock: () => number = Date.now,
): SmtpServerHandlers {
  const limiter = new ClientRateLimiter({
    windowMs: RATE_WINDOW_MS,
    maxConnectionsPerWindow: limits.connectionRate,
    maxMessagesPerWindow: limits.messageRate,
    maxConcurrentConnections: 0,
    exempt,
  });
  return {
    ...handlers,
    onConnect(info) {
      const decision = limiter.connect(info.remoteAddress, clock());
      if (decision.action === 'reject') return decision.reply;
      return handlers.onConnect?.(info);
    },
    onMailFrom(reversePath, params, session) {
      const decision = limiter.message(session.remoteAddress, clock());
      if (decision.action === 'reject') return decision.reply;
      return handlers.onMailFrom?.(reversePath, params, session);
    },
  };
}
