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
 * Clients are counted by network, not by address, as Postfix 3.6+ does
 * (smtpd_client_ipv4_prefix_length 32, smtpd_client_ipv6_prefix_length 84): one IPv6 host
 * usually owns a whole /64 and could otherwise dodge every limit by rotating addresses.
 *
 * Memory: per client at most `limit` timestamps per counter (we only need to know whether the
 * window already holds `limit` events); `prune(now)` forgets idle clients, and runs by itself
 * each time another `autoPruneEvery` clients have been added, so a spray of addresses cannot
 * grow the table without bound. Clients in `exempt` (Postfix
 * smtpd_client_event_limit_exceptions, default $mynetworks) are not limited.
 */
import { mtaReply } from '../routing/reply.js';
import { formatIp, NetworkList, parseIp, type IpAddress } from './networks.js';
import type { PolicyDecision } from './relay-policy.js';

/** Limits; a limit of 0 or undefined is off (Postfix's default for the two rates). */
export interface RateLimiterOptions {
  /** Sliding window length; default 60000 (Postfix anvil_rate_time_unit = 60s). */
  windowMs?: number;
  maxConnectionsPerWindow?: number;
  /**
   * Default 50 (Postfix smtpd_client_connection_count_limit). 0 = off: open sessions are then
   * not counted at all, so a server that limits concurrency elsewhere need not call disconnect.
   */
  maxConcurrentConnections?: number;
  maxMessagesPerWindow?: number;
  /** Networks never limited (Postfix smtpd_client_event_limit_exceptions). */
  exempt?: readonly string[];
  /** IPv4 clients are counted per network of this prefix length; default 32. */
  ipv4PrefixLength?: number;
  /** IPv6 clients are counted per network of this prefix length; default 84 (Postfix). */
  ipv6PrefixLength?: number;
  /** Prune idle clients whenever this many new ones have been added; default 1024. */
  autoPruneEvery?: number;
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
  readonly #prefix: { 4: number; 6: number };
  readonly #autoPruneEvery: number;
  #added = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxConnections = options.maxConnectionsPerWindow ?? 0;
    this.#maxConcurrent = options.maxConcurrentConnections ?? 50;
    this.#maxMessages = options.maxMessagesPerWindow ?? 0;
    this.#exempt = new NetworkList(options.exempt ?? [], 'rate limit exceptions');
    this.#prefix = { 4: options.ipv4PrefixLength ?? 32, 6: options.ipv6PrefixLength ?? 84 };
    this.#autoPruneEvery = options.autoPruneEvery ?? 1024;
  }

  /** A client connects at `now`; on accept, call `disconnect` when its session ends. */
  connect(clientAddress: string, now: number): PolicyDecision {
    if (this.#exempt.contains(clientAddress)) return ACCEPT;
    const key = this.#key(clientAddress);
    const state = this.#state(key, now);
    const overRate = this.#hit(state.connections, this.#maxConnections, now);
    if (overRate || (this.#maxConcurrent > 0 && state.open >= this.#maxConcurrent)) {
      return { action: 'reject', reply: mtaReply(421, '4.7.0', `Error: too many connections from ${clientAddress}`) };
    }
    if (this.#maxConcurrent > 0) state.open++;
    return ACCEPT;
  }

  /** A session accepted by `connect` has ended. */
  disconnect(clientAddress: string): void {
    if (this.#exempt.contains(clientAddress) || this.#maxConcurrent === 0) return;
    const state = this.#clients.get(this.#key(clientAddress));
    if (state && state.open > 0) state.open--;
  }

  /** A MAIL transaction starts at `now`. */
  message(clientAddress: string, now: number): PolicyDecision {
    if (this.#exempt.contains(clientAddress)) return ACCEPT;
    const key = this.#key(clientAddress);
    if (this.#hit(this.#state(key, now).messages, this.#maxMessages, now)) {
      return { action: 'reject', reply: mtaReply(450, '4.7.1', `Error: too much mail from ${clientAddress}`) };
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

  #state(key: string, now: number): ClientState {
    let state = this.#clients.get(key);
    if (!state) {
      if (++this.#added % this.#autoPruneEvery === 0) this.prune(now);
      state = { open: 0, connections: [], messages: [] };
      this.#clients.set(key, state);
    }
    return state;
  }

  // The client's network in canonical form: "192.0.2.1" (or "192.0.2.0/24" with a shorter
  // prefix), "2001:db8:0:0:1000:0:0:0/84"; "::ffff:192.0.2.1" counts as the IPv4 client.
  #key(address: string): string {
    const ip = parseIp(address);
    if (!ip) return address.toLowerCase();
    const bits = ip.family === 4 ? 32 : 128;
    const prefix = Math.min(this.#prefix[ip.family], bits);
    const masked: IpAddress = { family: ip.family, value: (ip.value >> BigInt(bits - prefix)) << BigInt(bits - prefix) };
    return prefix === bits ? formatIp(masked) : `${formatIp(masked)}/${prefix}`;
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
