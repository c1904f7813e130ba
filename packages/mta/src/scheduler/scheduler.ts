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
 * Cost: `next` does not scan the queue. Next attempts, expiries and delay warnings sit in time
 * heaps; due recipients wait in per-destination ready lists; only messages touched since the
 * last call are examined for bounces and completion. A call costs O(log n) per event plus the
 * number of destinations with a backlog, so a large queue does not slow every step down.
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
import { TimeHeap } from './heap.js';

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
  /**
   * Limits of particular destinations instead of destinationConcurrencyLimit (Postfix's
   * <transport>_destination_concurrency_limit), e.g. `{ local: 2 }` as Postfix's local(8).
   */
  destinationConcurrencyLimits?: Readonly<Record<string, number>>;
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
  | { phase: 'waiting'; nextAttemptAt: number } // in the attempt heap
  | { phase: 'ready' } // due, in its destination's ready list
  | { phase: 'in-flight' }
  | { phase: 'delivered' }
  | { phase: 'failed'; reason: 'failed' | 'expired'; reported: boolean };

interface RecipientEntry {
  message: MessageEntry;
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
  /** The most the window may grow to. */
  limit: number;
  failures: number;
  blockedUntil: number;
  /** Due recipients by message, in the order they became due. */
  ready: Map<string, RecipientEntry[]>;
}

/** Pure retry scheduler: outcomes in, commands out, time as an argument. */
export class RetryScheduler {
  readonly #messages = new Map<string, MessageEntry>();
  readonly #destinations = new Map<string, DestinationEntry>();
  #attempts = new TimeHeap<RecipientEntry>();
  #expiries = new TimeHeap<MessageEntry>();
  #warnings = new TimeHeap<MessageEntry>();
  #recipientCount = 0;
  readonly #touched = new Set<MessageEntry>();
  readonly #o: Required<SchedulerOptions>;

  constructor(options: SchedulerOptions = {}) {
    this.#o = {
      ...BACKOFF_DEFAULTS,
      delayWarningMs: 0,
      initialDestinationConcurrency: 5,
      destinationConcurrencyLimit: 20,
      destinationRecipientLimit: 50,
      destinationFailureLimit: 1,
      destinationConcurrencyLimits: {},
      ...stripUndefined(options),
    };
    for (const [name, limit] of Object.entries(this.#o.destinationConcurrencyLimits)) {
      if (!Number.isInteger(limit) || limit < 1) throw new MtaUsageError('invalid-value', `concurrency limit of ${name} must be a positive integer, not ${limit}`);
    }
  }

  /** Start scheduling a message; its recipients are due at once unless nextAttemptAt says later. */
  add(message: ScheduledMessage): void {
    if (this.#messages.has(message.queueId)) {
      throw new MtaUsageError('wrong-state', `message ${message.queueId} is already scheduled`);
    }
    const expiresAt = message.arrivalAt + this.#o.maximalQueueLifetimeMs;
    const entry: MessageEntry = { queueId: message.queueId, arrivalAt: message.arrivalAt, expiresAt, warned: false, recipients: new Map() };
    this.#messages.set(message.queueId, entry);
    for (const r of message.recipients) {
      const recipient: RecipientEntry = {
        message: entry,
        recipient: r.recipient,
        destination: r.destination,
        attempts: r.attempts ?? 0,
        ...(r.lastReply ? { lastReply: r.lastReply } : {}),
        state: { phase: 'delivered' },
      };
      entry.recipients.set(r.recipient, recipient);
      this.#wait(recipient, Math.min(r.nextAttemptAt ?? message.arrivalAt, expiresAt));
    }
    this.#recipientCount += entry.recipients.size;
    this.#expiries.push(expiresAt, entry);
    if (this.#o.delayWarningMs > 0) this.#warnings.push(message.arrivalAt + this.#o.delayWarningMs, entry);
    this.#touched.add(entry);
  }

  /** Forget a message (deleted or put on hold); its deliveries in flight stop counting. */
  remove(queueId: string): void {
    const message = this.#messages.get(queueId);
    if (!message) return;
    for (const r of message.recipients.values()) {
      if (r.state.phase === 'in-flight') this.#release(r.destination);
      if (r.state.phase === 'ready') this.#destinations.get(r.destination)?.ready.delete(queueId);
    }
    this.#forget(message);
    this.#touched.delete(message);
  }

  /** `queue flush`: every waiting recipient is due at `now`, throttled destinations are retried. */
  flush(now: number): void {
    for (const d of this.#destinations.values()) d.blockedUntil = Math.min(d.blockedUntil, now);
    for (const m of this.#messages.values()) {
      for (const r of m.recipients.values()) if (r.state.phase === 'waiting') this.#wait(r, now);
    }
  }

  /** Record the outcome of a delivery that `next` handed out. */
  record(outcome: DeliveryOutcome): void {
    const message = this.#messages.get(outcome.queueId);
    const entry = message?.recipients.get(outcome.recipient);
    if (!message || !entry || entry.state.phase !== 'in-flight') {
      throw new MtaUsageError('wrong-state', `no delivery in flight for ${outcome.recipient} of ${outcome.queueId}`);
    }
    this.#release(entry.destination);
    this.#touched.add(message);
    entry.attempts++;
    if (outcome.reply) entry.lastReply = outcome.reply;
    const destination = this.#destination(entry.destination);
    switch (outcome.outcome) {
      case 'delivered':
        destination.failures = 0;
        destination.window = Math.min(destination.limit, destination.window + 1);
        entry.state = { phase: 'delivered' };
        return;
      case 'permanent':
        entry.state = { phase: 'failed', reason: 'failed', reported: false };
        return;
      case 'transient':
        if (outcome.scope === 'destination') this.#destinationFailed(destination, outcome.at);
        if (outcome.at >= message.expiresAt) {
          entry.state = { phase: 'failed', reason: 'expired', reported: false };
          return;
        }
        this.#wait(
          entry,
          Math.min(outcome.at + backoffMs(entry.attempts, this.#o.minimalBackoffMs, this.#o.maximalBackoffMs), message.expiresAt),
        );
        return;
    }
  }

  /** The commands due at `now`, ending with a `wake-at` when something is due later. Call again after `record`. */
  next(now: number): SchedulerCommand[] {
    this.#expire(now);
    this.#collectDue(now);
    for (let e = this.#warnings.peek(); e && e.at <= now; e = this.#warnings.peek()) this.#touched.add(this.#warnings.pop()!.value);
    const commands: SchedulerCommand[] = [];
    const touched = [...this.#touched].filter((m) => this.#messages.get(m.queueId) === m);
    this.#touched.clear();
    for (const message of touched) {
      const bounce = this.#bounces(message);
      if (bounce) commands.push(bounce);
      const warning = this.#delayWarning(message, now);
      if (warning) commands.push(warning);
    }
    commands.push(...this.#dispatch(now));
    for (const message of touched) {
      if ([...message.recipients.values()].every(isSettled)) {
        this.#forget(message);
        commands.push({ kind: 'complete', queueId: message.queueId });
      }
    }
    this.#pruneDestinations(now);
    this.#compactHeaps();
    const wake = this.#wakeAt(now);
    if (wake !== undefined) commands.push({ kind: 'wake-at', at: wake });
    return commands;
  }

  /** How many messages are scheduled. */
  get size(): number {
    return this.#messages.size;
  }

  /** How many destinations have state (in-flight deliveries, backlog, failures or a throttle). */
  get trackedDestinations(): number {
    return this.#destinations.size;
  }

  /** Timer entries held (attempts, expiries, warnings; stale ones included until compacted). */
  get pendingTimers(): number {
    return this.#attempts.size + this.#expiries.size + this.#warnings.size;
  }

  #forget(message: MessageEntry): void {
    this.#messages.delete(message.queueId);
    this.#recipientCount -= message.recipients.size;
  }

  // Heap entries of finished messages are dropped lazily; when they outnumber the live ones, the
  // heaps are rebuilt so memory follows the queue, not the history (amortised O(1) per entry).
  #compactHeaps(): void {
    const slack = 1024;
    if (this.#attempts.size > 2 * this.#recipientCount + slack) {
      const heap = new TimeHeap<RecipientEntry>();
      for (const m of this.#messages.values()) {
        for (const r of m.recipients.values()) if (r.state.phase === 'waiting') heap.push(r.state.nextAttemptAt, r);
      }
      this.#attempts = heap;
    }
    if (this.#expiries.size > 2 * this.#messages.size + slack) {
      this.#expiries = new TimeHeap<MessageEntry>();
      for (const m of this.#messages.values()) this.#expiries.push(m.expiresAt, m);
    }
    if (this.#warnings.size > 2 * this.#messages.size + slack) {
      this.#warnings = new TimeHeap<MessageEntry>();
      for (const m of this.#messages.values()) if (!m.warned) this.#warnings.push(m.arrivalAt + this.#o.delayWarningMs, m);
    }
  }

  #wait(entry: RecipientEntry, at: number): void {
    entry.state = { phase: 'waiting', nextAttemptAt: at };
    this.#attempts.push(at, entry);
  }

  // Messages past their lifetime: recipients not in flight fail as expired (in-flight ones expire
  // when their outcome comes back transient).
  #expire(now: number): void {
    for (let e = this.#expiries.peek(); e && e.at <= now; e = this.#expiries.peek()) {
      const message = this.#expiries.pop()!.value;
      if (this.#messages.get(message.queueId) !== message) continue;
      for (const r of message.recipients.values()) {
        if (r.state.phase === 'ready') this.#destinations.get(r.destination)?.ready.delete(message.queueId);
        if (r.state.phase === 'waiting' || r.state.phase === 'ready') r.state = { phase: 'failed', reason: 'expired', reported: false };
      }
      this.#touched.add(message);
    }
  }

  // Move recipients whose next attempt has come into their destination's ready list.
  #collectDue(now: number): void {
    for (let e = this.#attempts.peek(); e && e.at <= now; e = this.#attempts.peek()) {
      const { at, value: r } = this.#attempts.pop()!;
      if (r.state.phase !== 'waiting' || r.state.nextAttemptAt !== at || this.#messages.get(r.message.queueId) !== r.message) continue;
      r.state = { phase: 'ready' };
      const ready = this.#destination(r.destination).ready;
      const list = ready.get(r.message.queueId);
      if (list) list.push(r);
      else ready.set(r.message.queueId, [r]);
    }
  }

  // One deliver command per free concurrency slot: a message's ready recipients for the
  // destination, at most destinationRecipientLimit per command, messages in the order they came due.
  #dispatch(now: number): SchedulerCommand[] {
    const commands: SchedulerCommand[] = [];
    for (const [name, d] of this.#destinations) {
      if (d.blockedUntil > now) continue;
      for (const [queueId, list] of d.ready) {
        while (list.length > 0 && d.inFlight < d.window) {
          const batch = list.splice(0, this.#o.destinationRecipientLimit);
          for (const r of batch) r.state = { phase: 'in-flight' };
          d.inFlight++;
          commands.push({ kind: 'deliver', queueId, destination: name, recipients: batch.map((r) => r.recipient) });
        }
        if (list.length > 0) break;
        d.ready.delete(queueId);
      }
    }
    return commands;
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
    const delayed = [...message.recipients.values()].filter((r) => (r.state.phase === 'waiting' || r.state.phase === 'ready') && r.attempts > 0);
    if (delayed.length === 0) return undefined;
    message.warned = true;
    return {
      kind: 'delay-warning',
      queueId: message.queueId,
      recipients: delayed.map((r) => ({ recipient: r.recipient, ...(r.lastReply ? { reply: r.lastReply } : {}) })),
      willRetryUntil: message.expiresAt,
    };
  }

  // The earliest future time with work: a next attempt, a delay warning, or, for a throttled
  // destination with a backlog, the end of the throttle or the expiry of a waiting message,
  // whichever is first. Stale heap tops are dropped on the way. Expiries of messages whose
  // recipients are all waiting need no wake-up of their own: next attempts never lie past them.
  #wakeAt(now: number): number | undefined {
    let wake = Infinity;
    const attempt = this.#cleanTop(this.#attempts, (r) => r.state.phase === 'waiting' && this.#messages.get(r.message.queueId) === r.message);
    if (attempt !== undefined) wake = attempt;
    const warning = this.#cleanTop(this.#warnings, (m) => this.#messages.get(m.queueId) === m && !m.warned);
    if (warning !== undefined) wake = Math.min(wake, warning);
    for (const d of this.#destinations.values()) {
      if (d.ready.size === 0 || d.blockedUntil <= now) continue;
      wake = Math.min(wake, d.blockedUntil);
      for (const list of d.ready.values()) wake = Math.min(wake, list[0]?.message.expiresAt ?? Infinity);
    }
    return wake === Infinity || wake <= now ? undefined : wake;
  }

  #cleanTop<T>(heap: TimeHeap<T>, current: (value: T) => boolean): number | undefined {
    for (let e = heap.peek(); e; e = heap.peek()) {
      if (current(e.value)) return e.at;
      heap.pop();
    }
    return undefined;
  }

  // Idle, healthy destinations are forgotten (their window restarts at the initial concurrency),
  // so the table holds only destinations with work or a throttle, however many domains we meet.
  #pruneDestinations(now: number): void {
    for (const [name, d] of this.#destinations) {
      if (d.inFlight === 0 && d.ready.size === 0 && d.blockedUntil <= now && d.failures === 0) this.#destinations.delete(name);
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
      const limit = Object.hasOwn(this.#o.destinationConcurrencyLimits, name) ? this.#o.destinationConcurrencyLimits[name]! : this.#o.destinationConcurrencyLimit;
      d = { inFlight: 0, window: Math.min(this.#o.initialDestinationConcurrency, limit), limit, failures: 0, blockedUntil: 0, ready: new Map() };
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
