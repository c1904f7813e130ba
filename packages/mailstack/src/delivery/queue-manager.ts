/**
 * The queue manager (Postfix qmgr(8)): the runtime around the pure RetryScheduler. It feeds the
 * scheduler every queued message (at start-up from recover(), then from SMTP, from the maildrop
 * and from its own bounces and forwards), runs the deliveries the scheduler asks for through the
 * local and SMTP agents, records each outcome twice (durably in the spool by recipient index,
 * and in the scheduler by address), turns bounces into DSNs, and owns the only timers:
 *
 *   wake      one setTimeout at the scheduler's next wake-at (re-armed after every step)
 *   scan      every `scanIntervalMs`: maildrop pickup and the flush trigger, in case fs.watch
 *             missed an event (it can: overflow, network file systems)
 *   watchers  fs.watch on queue/maildrop and queue/ for prompt pickup and flush
 *
 * Driver contract of the scheduler: after recording outcomes call next() again (a freed slot
 * yields commands and no wake-at, so sleeping would stall); only sleep on a wake-at.
 */
import { watch, type FSWatcher } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  QueueError,
  RetryScheduler,
  backoffMs,
  formatDeliveredTo,
  type BouncedRecipient,
  type DeliveryResult,
  type EnqueueRequest,
  type QueueEntry,
  type QueueSpool,
  type Router,
  type SchedulerCommand,
} from '@mailstack/mta';
import type { QueueConfig } from '../config/types.js';
import { deliveryRecord, logRecord, type Logger } from '../log/maillog.js';
import { buildBounce } from './bounce.js';
import { FLUSH_TRIGGER } from './flush-trigger.js';
import type { LocalDeliveryAgent } from './local-agent.js';
import { type QueuedMessage, type RecipientOutcome, describeReply, withPrefix } from './outcome.js';
import type { RemoteDeliveryAgent, RemoteMessage } from './remote-agent.js';

/** What the queue manager runs on. */
export interface QueueManagerOptions {
  readonly spool: QueueSpool;
  readonly router: Router;
  readonly local: LocalDeliveryAgent;
  readonly remote: RemoteDeliveryAgent;
  readonly hostname: string;
  readonly retry: QueueConfig['retry'];
  readonly logger: Logger;
  /** Maildrop and flush-trigger scan period; default 1000 ms. */
  readonly scanIntervalMs?: number;
  /**
   * Concurrent local deliveries (Postfix local_destination_concurrency_limit); default
   * LOCAL_CONCURRENCY. Deliveries to remote destinations keep the scheduler's window (up to 20).
   */
  readonly localConcurrency?: number;
}

/** Default concurrency of local delivery, as Postfix's local_destination_concurrency_limit. */
export const LOCAL_CONCURRENCY = 20;

/** What the manager keeps about a message it scheduled (the spool has the rest). */
type Tracked = Pick<QueueEntry, 'id' | 'sender' | 'recipients' | 'arrivalAt' | 'dsn' | 'attempts'>;

/** Runs deliveries for one spool. */
export class QueueManager {
  readonly #o: QueueManagerOptions;
  readonly #scheduler: RetryScheduler;
  readonly #messages = new Map<string, Tracked>();
  readonly #running = new Set<Promise<void>>();
  readonly #watchers: FSWatcher[] = [];
  #wakeTimer: NodeJS.Timeout | undefined;
  #wakeAt = Infinity;
  #scanTimer: NodeJS.Timeout | undefined;
  #pumpQueued = false;
  #scanning: Promise<void> | undefined;
  #rescan = false;
  #closed = false;

  constructor(options: QueueManagerOptions) {
    this.#o = options;
    this.#scheduler = new RetryScheduler({
      minimalBackoffMs: options.retry.firstMs,
      maximalBackoffMs: options.retry.maxMs,
      maximalQueueLifetimeMs: options.retry.lifetimeMs,
      destinationConcurrencyLimits: { local: options.localConcurrency ?? LOCAL_CONCURRENCY },
    });
  }

  /** Messages being delivered or waiting for a retry. */
  get size(): number {
    return this.#messages.size;
  }

  /**
   * Recover the spool (once, before serving: it removes unacknowledged files), schedule what it
   * holds, pick up the maildrop and start the timers and watchers.
   */
  async start(): Promise<{ active: number; deferred: number; hold: number }> {
    const report = await this.#o.spool.recover();
    for (const id of [...report.active, ...report.deferred]) await this.#scheduleStored(id);
    this.#watch(join(this.#o.spool.root, 'maildrop'));
    this.#watch(this.#o.spool.root);
    this.#scanTimer = setInterval(() => this.#scan(), this.#o.scanIntervalMs ?? 1000);
    this.#scanTimer.unref();
    this.#scan();
    this.#pump();
    return { active: report.active.length, deferred: report.deferred.length, hold: report.hold.length };
  }

  /** A message just enqueued by this process (SMTP): schedule it without reading it back. */
  queued(id: string, request: EnqueueRequest, arrivalAt: number): void {
    const recipients = request.recipients.map((r) => (typeof r === 'string' ? { address: r } : r)).map((r) => ({ ...r, status: 'pending' as const }));
    this.#schedule({ id, sender: request.sender, recipients, arrivalAt, attempts: 0, ...(request.dsn ? { dsn: request.dsn } : {}) });
  }

  /** `queue flush`: every deferred message is due now; messages put back by `queue release` are picked up. */
  async flush(): Promise<void> {
    for (const entry of await this.#o.spool.list()) {
      // A message finished or deleted since list() is simply no longer there to activate.
      if (entry.state === 'deferred') await this.#o.spool.activate(entry.id).catch(() => undefined);
      if (entry.state !== 'hold' && !this.#messages.has(entry.id)) this.#track(entry);
    }
    this.#scheduler.flush(Date.now());
    this.#o.logger(logRecord('qmgr', 'flush: every deferred message is due now'));
    this.#pump();
  }

  /** Stop the timers and watchers; wait (at most `graceMs`) for deliveries in progress. */
  async close(graceMs = 30_000): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#wakeTimer);
    clearInterval(this.#scanTimer);
    for (const watcher of this.#watchers) watcher.close();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all([...this.#running, this.#scanning]), expired]);
    clearTimeout(timer);
  }

  #watch(dir: string): void {
    try {
      const watcher = watch(dir, () => this.#scan());
      watcher.on('error', () => watcher.close()); // the periodic scan still runs
      this.#watchers.push(watcher);
    } catch {
      // No inotify (limits, some file systems): the periodic scan is enough.
    }
  }

  // Pickup and flush trigger, one scan at a time; an event during a scan runs one more.
  #scan(): void {
    if (this.#closed) return;
    if (this.#scanning) {
      this.#rescan = true;
      return;
    }
    this.#scanning = this.#scanOnce()
      .catch((error: unknown) => this.#o.logger(logRecord('pickup', `scan failed: ${(error as Error).message}`, { level: 'warning' })))
      .finally(() => {
        this.#scanning = undefined;
        if (this.#rescan) {
          this.#rescan = false;
          this.#scan();
        }
      });
  }

  async #scanOnce(): Promise<void> {
    for (const id of await this.#o.spool.pickupMaildrop()) {
      this.#o.logger(logRecord('pickup', 'uid=local from maildrop', { queueId: id }));
      await this.#scheduleStored(id);
    }
    const trigger = join(this.#o.spool.root, FLUSH_TRIGGER);
    const requested = await rm(trigger).then(
      () => true,
      () => false,
    );
    if (requested) await this.flush();
  }

  async #scheduleStored(id: string): Promise<void> {
    try {
      this.#track(await this.#o.spool.get(id));
    } catch (error) {
      this.#o.logger(logRecord('qmgr', `cannot read queued message: ${(error as Error).message}`, { queueId: id, level: 'warning' }));
    }
  }

  #track(entry: QueueEntry): void {
    if (entry.state === 'done' || entry.state === 'hold') return;
    this.#schedule(entry);
  }

  #schedule(entry: Tracked & { nextAttemptAt?: number }): void {
    if (this.#messages.has(entry.id)) return;
    const open = entry.recipients.filter((r) => r.status === 'pending' || r.status === 'deferred');
    if (open.length === 0) return;
    this.#messages.set(entry.id, entry);
    const seen = new Set<string>();
    this.#scheduler.add({
      queueId: entry.id,
      arrivalAt: entry.arrivalAt,
      recipients: open
        .filter((r) => !seen.has(r.address) && seen.add(r.address))
        .map((r) => ({
          recipient: r.address,
          destination: this.#o.router.destinationOf(r.address),
          attempts: entry.attempts,
          ...(r.status === 'deferred' && entry.nextAttemptAt !== undefined ? { nextAttemptAt: entry.nextAttemptAt } : {}),
        })),
    });
    this.#o.logger(logRecord('qmgr', `from=<${entry.sender}>, nrcpt=${entry.recipients.length} (queue active)`, { queueId: entry.id }));
    this.#pump();
  }

  // Coalesce: many outcomes in one turn cost one next() call.
  #pump(): void {
    if (this.#pumpQueued || this.#closed) return;
    this.#pumpQueued = true;
    setImmediate(() => {
      this.#pumpQueued = false;
      if (!this.#closed) this.#step();
    });
  }

  #step(): void {
    const now = Date.now();
    let wake: number | undefined;
    for (const command of this.#scheduler.next(now)) {
      if (command.kind === 'wake-at') wake = command.at;
      else this.#run(command);
    }
    if (wake !== undefined && wake < this.#wakeAt) {
      clearTimeout(this.#wakeTimer);
      this.#wakeAt = wake;
      this.#wakeTimer = setTimeout(() => {
        this.#wakeAt = Infinity;
        this.#pump();
      }, Math.max(0, wake - now));
    }
  }

  #run(command: Exclude<SchedulerCommand, { kind: 'wake-at' }>): void {
    let work: Promise<void>;
    switch (command.kind) {
      case 'deliver':
        work = this.#deliver(command.queueId, command.destination, command.recipients);
        break;
      case 'bounce':
        work = this.#bounce(command.queueId, command.recipients);
        break;
      case 'delay-warning': // not configured (Postfix delay_warning_time 0h)
        return;
      case 'complete':
        this.#messages.delete(command.queueId);
        this.#o.logger(logRecord('qmgr', 'removed', { queueId: command.queueId }));
        return;
    }
    const tracked = work
      .catch((error: unknown) => this.#o.logger(logRecord('qmgr', `internal error: ${(error as Error).stack ?? String(error)}`, { level: 'error', queueId: command.queueId })))
      .finally(() => {
        this.#running.delete(tracked);
        this.#pump();
      });
    this.#running.add(tracked);
  }

  #message(entry: Tracked): RemoteMessage {
    return {
      queueId: entry.id,
      sender: entry.sender,
      openBody: () => this.#o.spool.openMessage(entry.id),
      ...(entry.dsn?.ret ? { ret: entry.dsn.ret } : {}),
      ...(entry.dsn?.envid ? { envid: entry.dsn.envid } : {}),
    };
  }

  async #deliver(queueId: string, destination: string, recipients: readonly string[]): Promise<void> {
    const entry = this.#messages.get(queueId);
    if (entry === undefined) return;
    const message = this.#message(entry);
    const outcomes =
      destination === 'local'
        ? await Promise.all(recipients.map((r) => this.#o.local.deliver(message, r)))
        : await this.#o.remote.deliver(message, recipients.map((address) => entry.recipients.find((r) => r.address === address)!));
    await this.#record(entry, outcomes);
  }

  // Spool first (durable), then the scheduler. A permanent failure is written by the bounce, after
  // its DSN is queued, so a crash in between re-tries the recipient rather than losing the report.
  async #record(entry: Tracked, outcomes: readonly RecipientOutcome[]): Promise<void> {
    const now = Date.now();
    entry.attempts++;
    const nextAttemptAt = now + backoffMs(entry.attempts, this.#o.retry.firstMs, this.#o.retry.maxMs);
    const results: DeliveryResult[] = [];
    for (const o of outcomes) {
      if (o.outcome === 'permanent') continue;
      for (const index of indicesOf(entry, o.recipient)) {
        results.push({ recipient: index, outcome: o.outcome === 'delivered' ? 'delivered' : 'deferred', diagnostic: describeReply(o.reply) });
      }
    }
    let recorded = outcomes;
    if (results.length > 0) {
      try {
        await this.#o.spool.recordAttempt(entry.id, { results, nextAttemptAt });
        for (const r of results) entry.recipients[r.recipient]!.status = r.outcome;
      } catch (error) {
        if (this.#forget(entry.id, error)) return;
        // The delivery happened but could not be written: retry later (a duplicate, never a loss).
        const reply = { code: 451, enhanced: '4.3.0', text: `queue file write error: ${(error as Error).message}` };
        recorded = outcomes.map((o) => (o.outcome === 'permanent' ? o : { ...o, outcome: 'transient', reply }));
      }
    }
    for (const o of recorded) {
      const component = o.relay === 'local' ? 'local' : 'smtp';
      const status = o.outcome === 'delivered' ? 'sent' : o.outcome === 'transient' ? 'deferred' : 'bounced';
      this.#o.logger(deliveryRecord(component, { queueId: entry.id, to: o.recipient, relay: o.relay, delayMs: now - entry.arrivalAt, status, detail: describeReply(o.reply) }));
      this.#scheduler.record({
        queueId: entry.id,
        recipient: o.recipient,
        outcome: o.outcome,
        at: now,
        reply: o.reply,
        ...(o.scope === 'destination' ? { scope: 'destination' as const } : {}),
      });
    }
  }

  // `mailstack queue delete` removed the message while it was scheduled: stop retrying it.
  #forget(queueId: string, error: unknown): boolean {
    if (!(error instanceof QueueError && error.code === 'not-found')) return false;
    this.#scheduler.remove(queueId);
    this.#messages.delete(queueId);
    this.#o.logger(logRecord('qmgr', 'removed (no longer in the queue)', { queueId }));
    return true;
  }

  async #bounce(queueId: string, bounced: readonly BouncedRecipient[]): Promise<void> {
    const entry = this.#messages.get(queueId);
    if (entry === undefined) return;
    const now = new Date();
    let stored: QueueEntry;
    try {
      stored = await this.#o.spool.get(queueId);
    } catch (error) {
      if (this.#forget(queueId, error)) return;
      throw error;
    }
    const dsn = await buildBounce(stored, bounced, await this.#o.spool.openMessage(queueId), { reportingMta: this.#o.hostname, now });
    if (dsn !== undefined) {
      const request: EnqueueRequest = { sender: '', recipients: [entry.sender], client: { protocol: 'local' } };
      const id = await this.#o.spool.enqueue(request, Readable.from([dsn]));
      this.#o.logger(logRecord('bounce', `sender non-delivery notification: ${id}`, { queueId }));
      this.queued(id, request, now.getTime());
    }
    const results: DeliveryResult[] = bounced.flatMap((b) =>
      indicesOf(entry, b.recipient).map((index) => ({
        recipient: index,
        outcome: 'failed' as const,
        diagnostic: b.reply ? describeReply(b.reply) : b.reason,
      })),
    );
    await this.#o.spool.recordAttempt(queueId, { results });
    for (const b of bounced) {
      if (b.reason === 'expired') {
        this.#o.logger(deliveryRecord('smtp', { queueId, to: b.recipient, relay: 'none', delayMs: now.getTime() - entry.arrivalAt, status: 'expired', detail: 'message expired in the queue' }));
      }
    }
  }

  /** Queue a copy for remote alias members (the local agent's `forward`). */
  async forward(message: QueuedMessage, sender: string, recipients: readonly string[], deliveredTo: string): Promise<string> {
    const request: EnqueueRequest = { sender, recipients, client: { protocol: 'local' } };
    const id = await this.#o.spool.enqueue(request, withPrefix(formatDeliveredTo(deliveredTo), await message.openBody()));
    this.#o.logger(logRecord('local', `forwarded as ${id} to ${recipients.map((r) => `<${r}>`).join(', ')}`, { queueId: message.queueId }));
    this.queued(id, request, Date.now());
    return id;
  }
}

function indicesOf(entry: Tracked, address: string): number[] {
  const indices: number[] = [];
  entry.recipients.forEach((r, i) => {
    if (r.address === address && (r.status === 'pending' || r.status === 'deferred')) indices.push(i);
  });
  return indices;
}
