/**
 * Retry scheduling as arithmetic over recorded outcomes (STYLE.md §1; Postfix qmgr(8) in
 * spirit). The scheduler keeps no clock and does no I/O: the queue manager tells it about
 * messages (`add`) and delivery outcomes (`record`), and asks what to do at a time (`next`):
 *
 *   deliver        recipients of one message to one destination, at most one command per free
 *                  concurrency slot of that destination and `destinationRecipientLimit` each
 *   bounce         recipients that failed permanently or expired (a DSN is due, RFC 3464)
 *   delay-warning  once per message after `delayWarningMs`, for recipients still being retried
 *   complete       every recipient of the message is delivered or bounced: the spool file can go
 *   wake-at        the earliest future time at which `next` will have something to do
 *
 * Recipient states: waiting (with next attempt time) → in-flight → delivered | failed, or back
 * to waiting after a transient failure. Backoff doubles from minimalBackoffMs to
 * maximalBackoffMs; the next attempt is never later than the message's expiry, and a waiting
 * recipient whose message has reached maximalQueueLifetimeMs is bounced as expired instead of
 * tried again, so no delivery is ever scheduled past the lifetime.
 *
 * Destinations: Postfix's concurrency window starts at initial_destination_concurrency (5),
 * grows by one per success up to the limit (20) and shrinks by one per failure of the
 * destination itself (connection refused, greeting failure: `scope: 'destination'`). After
 * `destinationFailureLimit` consecutive such failures the destination is throttled ("dead" in
 * Postfix) for a backoff of its own, and nothing is sent there until then.
 */
import { MtaUsageError } from '../routing/errors.js';
import type { MtaReply } from '../routing/reply.js';
import { BACKOFF_DEFAULTS, backoffMs } from './backoff.js';

/** Tunables; times in milliseconds. */
export interface SchedulerOptions {
  minimalBackoffMs?: number;
  maximalBackoffMs?: number;
  maximalQueueLifetimeMs?: number;
  /** Send one delay warning after this long; 0 or undefined: never (Postfix delay_warning_time 0h). */
  delayWarningMs?: number;
  /** Postfix initial_destination_concurrency; default 5. */
  initialDestinationConcurrency?: number;
  /** Postfix default_destination_concurrency_limit; default 20. */
  destinationConcurrencyLimit?: number;
  /** Postfix default_destination_recipient_limit; default 50. */
  destinationRecipientLimit?: number;
  /** Consecutive destination failures before it is throttled; default 1 (Postfix's cohort limit). */
  destinationFailureLimit?: number;
}

/** A recipient handed to the scheduler; attempts/nextAttemptAt/lastReply when recovered from the spool. */
export interface ScheduledRecipient {
  recipient: string;
  destination: string;
  attempts?: number;
  nextAttemptAt?: number;
  lastReply?: MtaReply;
}

/** A message entering the scheduler. */
export interface ScheduledMessage {
  queueId: string;
  arrivalAt: number;
  recipients: readonly ScheduledRecipient[];
}

/** The outcome of one recipient's delivery attempt. */
export interface DeliveryOutcome {
  queueId: string;
  recipient: string;
  outcome: 'delivered' | 'transient' | 'permanent';
  at: number;
  reply?: MtaReply;
  /** 'destination' when the destination itself failed (connect, greeting); default 'recipient'. */
  scope?: 'recipient' | 'destination';
}

/** A recipient in a bounce: failed permanently, or expired after the queue lifetime. */
export interface BouncedRecipient {
  recipient: string;
  reason: 'failed' | 'expired';
  reply?: MtaReply;
}

/** What the queue manager should do now. */
export type SchedulerCommand =
  | { kind: 'deliver'; queueId: string; destination: string; recipients: string[] }
  | { kind: 'bounce'; queueId: string; recipients: BouncedRecipient[] }
  | { kind: 'delay-warning'; queueId: string; recipients: Array<{ recipient: string; reply?: MtaReply }>; willRetryUntil: number }
  | { kind: 'complete'; queueId: string }
  | { kind: 'wake-at'; at: number };

type RecipientPhase =
  | { phase: 'waiting'; nextAttemptAt: number }
  | { phase: 'in-flight' }
  | { phase: 'delivered' }
  | { phase: 'failed'; reason: 'failed' | 'expired'; reported: boolean };

interface RecipientEntry {
  recipient: string;
  destination: string;
  attempts: number;
  lastReply?: MtaReply;
  state: RecipientPhase;
}

interface MessageEntry {
  queueId: string;
  arrivalAt: number;
  expiresAt: number;
  warned: boolean;
  recipients: Map<string, RecipientEntry>;
}

interface DestinationEntry {
  inFlight: number;
  window: number;
  failures: number;
  blockedUntil: number;
}

/** Pure retry scheduler: outcomes in, commands out, time as an argument. */
export class RetryScheduler {
  readonly #messages = new Map<string, MessageEntry>();
  readonly #destinations = new Map<string, DestinationEntry>();
  readonly #o: Required<SchedulerOptions>;

  constructor(options: SchedulerOptions = {}) {
    this.#o = {
      ...BACKOFF_DEFAULTS,
      delayWarningMs: 0,
      initialDestinationConcurrency: 5,
      destinationConcurrencyLimit: 20,
      destinationRecipientLimit: 50,
      destinationFailureLimit: 1,
      ...stripUndefined(options),
    };
  }

  /** Start scheduling a message; its recipients are due at once unless nextAttemptAt says later. */
  add(message: ScheduledMessage): void {
    if (this.#messages.has(message.queueId)) {
      throw new MtaUsageError('wrong-state', `message ${message.queueId} is already scheduled`);
    }
    const expiresAt = message.arrivalAt + this.#o.maximalQueueLifetimeMs;
    const recipients = new Map<string, RecipientEntry>();
    for (const r of message.recipients) {
      const nextAttemptAt = Math.min(r.nextAttemptAt ?? message.arrivalAt, expiresAt);
      recipients.set(r.recipient, {
        recipient: r.recipient,
        destination: r.destination,
        attempts: r.attempts ?? 0,
        ...(r.lastReply ? { lastReply: r.lastReply } : {}),
        state: { phase: 'waiting', nextAttemptAt },
      });
    }
    this.#messages.set(message.queueId, { queueId: message.queueId, arrivalAt: message.arrivalAt, expiresAt, warned: false, recipients });
  }

  /** Forget a message (deleted or put on hold); its deliveries in flight stop counting. */
  remove(queueId: string): void {
    const message = this.#messages.get(queueId);
    if (!message) return;
    for (const r of message.recipients.values()) if (r.state.phase === 'in-flight') this.#release(r.destination);
    this.#messages.delete(queueId);
  }

  /** `queue flush`: every waiting recipient is due at `now`, throttled destinations are retried. */
  flush(now: number): void {
    for (const d of this.#destinations.values()) d.blockedUntil = Math.min(d.blockedUntil, now);
    for (const m of this.#messages.values()) {
      for (const r of m.recipients.values()) if (r.state.phase === 'waiting') r.state = { phase: 'waiting', nextAttemptAt: now };
    }
  }

  /** Record the outcome of a delivery that `next` handed out. */
  record(outcome: DeliveryOutcome): void {
    const entry = this.#messages.get(outcome.queueId)?.recipients.get(outcome.recipient);
    const message = this.#messages.get(outcome.queueId);
    if (!message || !entry || entry.state.phase !== 'in-flight') {
      throw new MtaUsageError('wrong-state', `no delivery in flight for ${outcome.recipient} of ${outcome.queueId}`);
    }
    this.#release(entry.destination);
    entry.attempts++;
    if (outcome.reply) entry.lastReply = outcome.reply;
    const destination = this.#destination(entry.destination);
    switch (outcome.outcome) {
      case 'delivered':
        destination.failures = 0;
        destination.window = Math.min(this.#o.destinationConcurrencyLimit, destination.window + 1);
        entry.state = { phase: 'delivered' };
        return;
      case 'permanent':
        entry.state = { phase: 'failed', reason: 'failed', reported: false };
        return;
      case 'transient':
        if (outcome.scope === 'destination') this.#destinationFailed(destination, outcome.at);
        entry.state =
          outcome.at >= message.expiresAt
            ? { phase: 'failed', reason: 'expired', reported: false }
            : {
                phase: 'waiting',
                nextAttemptAt: Math.min(
                  outcome.at + backoffMs(entry.attempts, this.#o.minimalBackoffMs, this.#o.maximalBackoffMs),
                  message.expiresAt,
                ),
              };
        return;
    }
  }

  /** The commands due at `now`, ending with a `wake-at` when something is due later. */
  next(now: number): SchedulerCommand[] {
    const commands: SchedulerCommand[] = [];
    for (const message of this.#messages.values()) this.#expire(message, now);
    for (const message of this.#messages.values()) {
      const bounce = this.#bounces(message);
      if (bounce) commands.push(bounce);
      const warning = this.#delayWarning(message, now);
      if (warning) commands.push(warning);
    }
    for (const message of this.#messages.values()) commands.push(...this.#deliveries(message, now));
    for (const message of [...this.#messages.values()]) {
      if ([...message.recipients.values()].every(isSettled)) {
        this.#messages.delete(message.queueId);
        commands.push({ kind: 'complete', queueId: message.queueId });
      }
    }
    this.#pruneDestinations(now);
    const wake = this.#wakeAt(now);
    if (wake !== undefined) commands.push({ kind: 'wake-at', at: wake });
    return commands;
  }

  /** How many messages are scheduled. */
  get size(): number {
    return this.#messages.size;
  }

  /** How many destinations have state (in-flight deliveries, failures or a throttle). */
  get trackedDestinations(): number {
    return this.#destinations.size;
  }

  #expire(message: MessageEntry, now: number): void {
    if (now < message.expiresAt) return;
    for (const r of message.recipients.values()) {
      if (r.state.phase === 'waiting') r.state = { phase: 'failed', reason: 'expired', reported: false };
    }
  }

  #bounces(message: MessageEntry): SchedulerCommand | undefined {
    const recipients: BouncedRecipient[] = [];
    for (const r of message.recipients.values()) {
      if (r.state.phase !== 'failed' || r.state.reported) continue;
      r.state = { ...r.state, reported: true };
      recipients.push({ recipient: r.recipient, reason: r.state.reason, ...(r.lastReply ? { reply: r.lastReply } : {}) });
    }
    return recipients.length > 0 ? { kind: 'bounce', queueId: message.queueId, recipients } : undefined;
  }

  #delayWarning(message: MessageEntry, now: number): SchedulerCommand | undefined {
    if (this.#o.delayWarningMs <= 0 || message.warned || now < message.arrivalAt + this.#o.delayWarningMs) return undefined;
    const delayed = [...message.recipients.values()].filter((r) => r.state.phase === 'waiting' && r.attempts > 0);
    if (delayed.length === 0) return undefined;
    message.warned = true;
    return {
      kind: 'delay-warning',
      queueId: message.queueId,
      recipients: delayed.map((r) => ({ recipient: r.recipient, ...(r.lastReply ? { reply: r.lastReply } : {}) })),
      willRetryUntil: message.expiresAt,
    };
  }

  #deliveries(message: MessageEntry, now: number): SchedulerCommand[] {
    const batches = new Map<string, string[]>();
    const commands: SchedulerCommand[] = [];
    for (const r of message.recipients.values()) {
      if (r.state.phase !== 'waiting' || r.state.nextAttemptAt > now) continue;
      let batch = batches.get(r.destination);
      if (!batch || batch.length >= this.#o.destinationRecipientLimit) {
        const d = this.#destination(r.destination);
        if (d.blockedUntil > now || d.inFlight >= d.window) continue;
        d.inFlight++;
        batch = [];
        batches.set(r.destination, batch);
        commands.push({ kind: 'deliver', queueId: message.queueId, destination: r.destination, recipients: batch });
      }
      batch.push(r.recipient);
      r.state = { phase: 'in-flight' };
    }
    return commands;
  }

  #wakeAt(now: number): number | undefined {
    let wake = Infinity;
    for (const message of this.#messages.values()) {
      for (const r of message.recipients.values()) {
        if (r.state.phase !== 'waiting') continue;
        const blockedUntil = this.#destinations.get(r.destination)?.blockedUntil ?? 0;
        const due = Math.min(Math.max(r.state.nextAttemptAt, blockedUntil), message.expiresAt);
        if (due > now) wake = Math.min(wake, due);
        if (this.#o.delayWarningMs > 0 && !message.warned) {
          const warnAt = message.arrivalAt + this.#o.delayWarningMs;
          if (warnAt > now && r.attempts > 0) wake = Math.min(wake, warnAt);
        }
      }
    }
    return wake === Infinity ? undefined : wake;
  }

  // Idle, healthy destinations are forgotten (their window restarts at the initial concurrency),
  // so the table holds only destinations with work or a throttle, however many domains we meet.
  #pruneDestinations(now: number): void {
    for (const [name, d] of this.#destinations) {
      if (d.inFlight === 0 && d.blockedUntil <= now && d.failures === 0) this.#destinations.delete(name);
    }
  }

  #destinationFailed(d: DestinationEntry, at: number): void {
    d.failures++;
    d.window = Math.max(1, d.window - 1);
    if (d.failures >= this.#o.destinationFailureLimit) {
      const failures = d.failures - this.#o.destinationFailureLimit + 1;
      d.blockedUntil = at + backoffMs(failures, this.#o.minimalBackoffMs, this.#o.maximalBackoffMs);
    }
  }

  #destination(name: string): DestinationEntry {
    let d = this.#destinations.get(name);
    if (!d) {
      d = { inFlight: 0, window: this.#o.initialDestinationConcurrency, failures: 0, blockedUntil: 0 };
      this.#destinations.set(name, d);
    }
    return d;
  }

  #release(name: string): void {
    const d = this.#destinations.get(name);
    if (d && d.inFlight > 0) d.inFlight--;
  }
}

function isSettled(r: RecipientEntry): boolean {
  return r.state.phase === 'delivered' || (r.state.phase === 'failed' && r.state.reported);
}

function stripUndefined(options: SchedulerOptions): SchedulerOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as SchedulerOptions;
}
