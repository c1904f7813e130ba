/**
 * Per-client connection and message limits, like Postfix's anvil(8) server: a pure counter
 * structure, time given as an argument (the driver owns the clock).
 *
 * - Connection rate: at most `maxConnectionsPerWindow` connection attempts per client in any
 *   sliding window of `windowMs` (smtpd_client_connection_rate_limit) → 421 4.7.0. Refused
 *   attempts count too, as in anvil: a client hammering the port stays refused.
 * - Concurrency: at most `maxConcurrentConnections` open sessions per client
 *   (smtpd_client_connection_count_limit, default 50) → 421 4.7.0.
 * - Message rate: at most `maxMessagesPerWindow` MAIL transactions per window
 *   (smtpd_client_message_rate_limit) → 450 4.7.1.
 *
 * Memory: per client at most `limit` timestamps per counter (we only need to know whether the
 * window already holds `limit` events), and `prune(now)` forgets idle clients. Clients in
 * `exempt` (Postfix smtpd_client_event_limit_exceptions, default $mynetworks) are not limited.
 */
import { mtaReply } from '../routing/reply.js';
import { NetworkList, parseIp } from './networks.js';
import type { PolicyDecision } from './relay-policy.js';

/** Limits; a limit of 0 or undefined is off (Postfix's default for the two rates). */
export interface RateLimiterOptions {
  /** Sliding window length; default 60000 (Postfix anvil_rate_time_unit = 60s). */
  windowMs?: number;
  maxConnectionsPerWindow?: number;
  /** Default 50 (Postfix smtpd_client_connection_count_limit). */
  maxConcurrentConnections?: number;
  maxMessagesPerWindow?: number;
  /** Networks never limited (Postfix smtpd_client_event_limit_exceptions). */
  exempt?: readonly string[];
}

interface ClientState {
  open: number;
  connections: number[];
  messages: number[];
}

const ACCEPT: PolicyDecision = { action: 'accept' };

/** anvil(8)-like per-client rate and concurrency limits, time as an argument. */
export class ClientRateLimiter {
  readonly #clients = new Map<string, ClientState>();
  readonly #windowMs: number;
  readonly #maxConnections: number;
  readonly #maxConcurrent: number;
  readonly #maxMessages: number;
  readonly #exempt: NetworkList;

  constructor(options: RateLimiterOptions = {}) {
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxConnections = options.maxConnectionsPerWindow ?? 0;
    this.#maxConcurrent = options.maxConcurrentConnections ?? 50;
    this.#maxMessages = options.maxMessagesPerWindow ?? 0;
    this.#exempt = new NetworkList(options.exempt ?? [], 'rate limit exceptions');
  }

  /** A client connects at `now`; on accept, call `disconnect` when its session ends. */
  connect(clientAddress: string, now: number): PolicyDecision {
    if (this.#exempt.contains(clientAddress)) return ACCEPT;
    const key = clientKey(clientAddress);
    const state = this.#state(key);
    const overRate = this.#hit(state.connections, this.#maxConnections, now);
    if (overRate || (this.#maxConcurrent > 0 && state.open >= this.#maxConcurrent)) {
      return { action: 'reject', reply: mtaReply(421, '4.7.0', `Error: too many connections from ${key}`) };
    }
    state.open++;
    return ACCEPT;
  }

  /** A session accepted by `connect` has ended. */
  disconnect(clientAddress: string): void {
    if (this.#exempt.contains(clientAddress)) return;
    const state = this.#clients.get(clientKey(clientAddress));
    if (state && state.open > 0) state.open--;
  }

  /** A MAIL transaction starts at `now`. */
  message(clientAddress: string, now: number): PolicyDecision {
    if (this.#exempt.contains(clientAddress)) return ACCEPT;
    const key = clientKey(clientAddress);
    if (this.#hit(this.#state(key).messages, this.#maxMessages, now)) {
      return { action: 'reject', reply: mtaReply(450, '4.7.1', `Error: too much mail from ${key}`) };
    }
    return ACCEPT;
  }

  /** Forget clients with no open session and no event inside the window ending at `now`. */
  prune(now: number): void {
    for (const [key, state] of this.#clients) {
      expire(state.connections, now - this.#windowMs);
      expire(state.messages, now - this.#windowMs);
      if (state.open === 0 && state.connections.length === 0 && state.messages.length === 0) this.#clients.delete(key);
    }
  }

  /** How many clients are tracked (for tests and monitoring). */
  get trackedClients(): number {
    return this.#clients.size;
  }

  #state(key: string): ClientState {
    let state = this.#clients.get(key);
    if (!state) {
      state = { open: 0, connections: [], messages: [] };
      this.#clients.set(key, state);
    }
    return state;
  }

  // Record an event at `now`; true when the window already held `limit` events before it.
  #hit(events: number[], limit: number, now: number): boolean {
    if (limit <= 0) return false;
    expire(events, now - this.#windowMs);
    const over = events.length >= limit;
    events.push(now);
    if (events.length > limit) events.shift();
    return over;
  }
}

// Drop events at or before `cutoff`: the window is (now - windowMs, now].
function expire(events: number[], cutoff: number): void {
  let drop = 0;
  while (drop < events.length && (events[drop] ?? 0) <= cutoff) drop++;
  if (drop > 0) events.splice(0, drop);
}

// One key per address: "::ffff:192.0.2.1" and "192.0.2.1" are the same client.
function clientKey(address: string): string {
  const ip = parseIp(address);
  if (!ip || ip.family === 6) return address.toLowerCase();
  const v = ip.value;
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}
