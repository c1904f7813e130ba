// The durable queue spool, in the manner of Postfix's queue directories (qmgr(8), postsuper(1)).
//
//   <dataDir>/queue/incoming/<id>   being written by enqueue() in this process; never acknowledged
//                   active/<id>     queued, to be delivered now
//                   deferred/<id>   queued, waiting for its next attempt
//                   hold/<id>       queued, not scheduled until released
//                   status/<id>     per-recipient status, attempts, next attempt (absent = untried)
//                   maildrop/<id>   local submissions written while the server was down
//                   corrupt/<name>  files that failed validation, kept for the postmaster
//
// A queue file is the envelope line plus the body (queue-file.ts). Its folder is its state, so
// every state change is one rename(2). Enqueue: write incoming/<id>, fsync it, rename it into
// active/ and fsync active/ (shared by concurrent enqueues: group-commit.ts), then acknowledge.
// A status update writes status/<id>.tmp, fsyncs it and renames it over status/<id>.
// Finishing a message unlinks its queue file (the commit point) and then its status file.
// What a crash leaves at each instant is described in the package README.

import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Syncer, type SyncStats } from './durability.js';
import {
  type ClientInfo,
  type DsnParams,
  type EnqueueRequest,
  type RecipientParams,
  type RecipientStatus,
  type StoredStatus,
  checkStatus,
  initialStatus,
  toStoredEnvelope,
} from './envelope.js';
import { QueueError, errnoCode } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { isQueueId, newQueueId } from './queue-id.js';
import { type QueueFileHead, openBody, readQueueFileHead, writeQueueFile } from './queue-file.js';

/** The folder a queued message is in. */
export type QueueState = 'active' | 'deferred' | 'hold';
const STATES: readonly QueueState[] = ['active', 'deferred', 'hold'];
const DIRS = ['incoming', ...STATES, 'status', 'maildrop', 'corrupt'] as const;
type QueueDir = (typeof DIRS)[number];
// A maildrop '.tmp' file this old belongs to a writer that died (a live one takes seconds).
const STALE_MAILDROP_TEMP_MS = 24 * 3600 * 1000;

/** A recipient with where it stands. */
export interface QueueRecipient extends RecipientParams {
  status: RecipientStatus;
  lastError?: string;
  updatedAt?: number;
}

/** Everything the spool knows about one message; state 'done' once it has left the queue. */
export interface QueueEntry {
  id: string;
  state: QueueState | 'done';
  sender: string;
  recipients: QueueRecipient[];
  arrivalAt: number;
  /** Octets of the message body as received. */
  sizeBytes: number;
  attempts: number;
  lastAttemptAt?: number;
  nextAttemptAt?: number;
  dsn?: DsnParams;
  client?: ClientInfo;
}

/** The outcome of one delivery attempt for one recipient (by index into `recipients`). */
export interface DeliveryResult {
  recipient: number;
  outcome: 'delivered' | 'deferred' | 'failed';
  /** The remote reply or local error, for `queue list` and the DSN. */
  diagnostic?: string;
}

/** One delivery attempt: its per-recipient results and, if anything is deferred, when to retry. */
export interface AttemptRecord {
  results: readonly DeliveryResult[];
  nextAttemptAt?: number;
}

/** What recover() found at start-up. */
export interface RecoveryReport {
  /** Unacknowledged files removed from incoming/. */
  removedIncoming: string[];
  /** Queue files moved to corrupt/ because their envelope did not parse. */
  corrupt: string[];
  active: string[];
  deferred: string[];
  hold: string[];
}

/** Options of a spool. */
export interface QueueSpoolOptions {
  /** Milliseconds since the epoch (default Date.now): queue ids, arrival and attempt times. */
  clock?: () => number;
}

/** The on-disk queue of one dataDir. */
export class QueueSpool {
  /** `<dataDir>/queue`. */
  readonly root: string;
  readonly #clock: () => number;
  readonly #syncer = new Syncer();
  readonly #commit: GroupCommit;
  readonly #writing = new Set<string>();
  readonly #busy = new Map<string, Promise<unknown>>();

  private constructor(root: string, options: QueueSpoolOptions) {
    this.root = root;
    this.#clock = options.clock ?? Date.now;
    this.#commit = new GroupCommit((ids) => this.#flush(ids));
  }

  /** Open (creating if needed, mode 0700) the spool under `<dataDir>/queue`. */
  static async open(dataDir: string, options: QueueSpoolOptions = {}): Promise<QueueSpool> {
    const spool = new QueueSpool(join(dataDir, 'queue'), options);
    try {
      for (const dir of DIRS) await mkdir(spool.#dir(dir), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new QueueError('io', `cannot create the queue under ${dataDir}`, { cause: error });
    }
    return spool;
  }

  /** fsync counters (group commit shows as directoryFsyncs far below the number of enqueues). */
  get stats(): Readonly<SyncStats> {
    return this.#syncer.stats;
  }

  /** Stream a message into the queue; resolves with its queue id once it is durably in active/. */
  async enqueue(request: EnqueueRequest, body: AsyncIterable<Uint8Array> | Readable): Promise<string> {
    const now = this.#clock();
    const envelope = toStoredEnvelope(request, now);
    const id = newQueueId(now);
    const path = join(this.#dir('incoming'), id);
    this.#writing.add(id);
    try {
      await writeQueueFile(path, envelope, body, this.#syncer);
      await this.#commit.commit(id);
      return id;
    } catch (error) {
      await unlink(path).catch(() => undefined);
      throw asQueueError(error, `cannot enqueue ${id}`);
    } finally {
      this.#writing.delete(id);
    }
  }

  /** One message; throws QueueError 'not-found' if it is not queued. */
  async get(id: string): Promise<QueueEntry> {
    const { state, handle } = await this.#openQueued(id);
    try {
      return await this.#entry(id, state, await readQueueFileHead(handle, id));
    } finally {
      await handle.close();
    }
  }

  /** The queued messages (of one state, or all), in queue-id order. */
  async list(state?: QueueState): Promise<QueueEntry[]> {
    const entries: QueueEntry[] = [];
    for (const s of state ? [state] : STATES) {
      for (const id of await this.#ids(s)) {
        try {
          entries.push(await this.get(id));
        } catch (error) {
          if (!(error instanceof QueueError && error.code === 'not-found')) throw error; // finished meanwhile
        }
      }
    }
    return entries.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** The message body as received (without the envelope line). */
  async openMessage(id: string): Promise<Readable> {
    const { handle } = await this.#openQueued(id);
    try {
      return openBody(handle, await readQueueFileHead(handle, id));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Record a delivery attempt. When no recipient is left pending or deferred the message leaves
   * the queue (the returned entry has state 'done'); when some are deferred and none pending and
   * `nextAttemptAt` is given, an active message moves to deferred/.
   */
  recordAttempt(id: string, record: AttemptRecord): Promise<QueueEntry> {
    return this.#exclusive(id, async () => {
      const { state, handle } = await this.#openQueued(id);
      const head = await readQueueFileHead(handle, id).finally(() => handle.close());
      const status = await this.#readStatus(id, head.envelope.recipients.length);
      applyAttempt(status, record, this.#clock(), id);
      const open = status.recipients.filter((r) => r.status === 'pending' || r.status === 'deferred');
      if (open.length === 0) {
        await this.#remove(id, state);
        return this.#combine(id, 'done', head, status);
      }
      await this.#writeStatus(id, status);
      const toDefer = state === 'active' && status.nextAttemptAt !== undefined && open.every((r) => r.status === 'deferred');
      if (toDefer) await this.#rename(id, 'active', 'deferred');
      return this.#combine(id, toDefer ? 'deferred' : state, head, status);
    });
  }

  /** Put a message on hold (postsuper -h). */
  hold(id: string): Promise<void> {
    return this.#move(id, ['active', 'deferred'], 'hold');
  }

  /** Release a held message for delivery now (postsuper -H). */
  release(id: string): Promise<void> {
    return this.#move(id, ['hold'], 'active');
  }

  /** Make a deferred message due now (the scheduler's wake-up, `queue flush`). */
  activate(id: string): Promise<void> {
    return this.#move(id, ['deferred'], 'active');
  }

  /** Remove a message from the queue without delivering it (postsuper -d). */
  delete(id: string): Promise<void> {
    return this.#exclusive(id, async () => {
      const { state, handle } = await this.#openQueued(id);
      await handle.close();
      await this.#remove(id, state);
    });
  }

  /**
   * At start-up: remove unacknowledged files from incoming/ (all but those this spool is writing),
   * stray status files, and move queue files whose envelope is unreadable to corrupt/.
   * Resolves with the ids to schedule: active ones now, deferred ones at their nextAttemptAt.
   */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { removedIncoming: [], corrupt: [], active: [], deferred: [], hold: [] };
    for (const name of await readdir(this.#dir('incoming'))) {
      if (this.#writing.has(name)) continue;
      await unlink(join(this.#dir('incoming'), name)).catch(ignoreMissing);
      report.removedIncoming.push(name);
    }
    const queued = new Set<string>();
    for (const state of STATES) {
      for (const id of await this.#ids(state)) {
        if (queued.has(id)) {
          await this.#dropTwin(id, state, report);
        } else if (await this.#isReadable(join(this.#dir(state), id), id)) {
          report[state].push(id);
          queued.add(id);
        } else {
          await rename(join(this.#dir(state), id), join(this.#dir('corrupt'), id)).catch(ignoreMissing);
          report.corrupt.push(id);
        }
      }
    }
    for (const name of await readdir(this.#dir('status'))) {
      if (!queued.has(name)) await unlink(join(this.#dir('status'), name)).catch(ignoreMissing);
    }
    return report;
  }

  // The same id in two state folders: a rename whose old name survived a crash on a file system
  // that does not journal renames as one step. Both names are the same inode: drop the later one.
  // (Different inodes cannot come from our renames; keep the second file in corrupt/.)
  async #dropTwin(id: string, state: QueueState, report: RecoveryReport): Promise<void> {
    const first = STATES.find((s) => report[s].includes(id))!;
    const path = join(this.#dir(state), id);
    const [a, b] = await Promise.all([stat(join(this.#dir(first), id)), stat(path)]);
    if (a.ino === b.ino && a.dev === b.dev) await unlink(path);
    else {
      await rename(path, join(this.#dir('corrupt'), `${id}.${state}`));
      report.corrupt.push(`${id}.${state}`);
    }
  }

  /**
   * Move the complete files of maildrop/ (writeMaildrop) into active/; a file whose envelope does
   * not parse goes to corrupt/. Resolves with the queue ids picked up.
   */
  async pickupMaildrop(): Promise<string[]> {
    const picked: string[] = [];
    const maildrop = this.#dir('maildrop');
    await this.#removeStaleMaildropTemps();
    for (const name of (await readdir(maildrop)).filter(isQueueId).sort()) {
      try {
        const id = await this.#pickupOne(join(maildrop, name), name);
        if (id !== null) picked.push(id);
      } catch (error) {
        ignoreMissing(error); // another pickup took it first
      }
    }
    if (picked.length > 0) {
      await this.#syncer.directory(this.#dir('active'));
      await this.#syncer.directory(maildrop);
    }
    return picked;
  }

  // A writer that died before its rename (sendmail then exited non-zero) leaves '<id>.tmp'.
  async #removeStaleMaildropTemps(): Promise<void> {
    const maildrop = this.#dir('maildrop');
    for (const name of await readdir(maildrop)) {
      if (!name.endsWith('.tmp')) continue;
      const info = await stat(join(maildrop, name)).catch(() => undefined);
      if (info && this.#clock() - info.mtimeMs > STALE_MAILDROP_TEMP_MS) await unlink(join(maildrop, name)).catch(ignoreMissing);
    }
  }

  // Resolves with the queue id the file now has, or null if it went to corrupt/ or was a twin.
  async #pickupOne(path: string, name: string): Promise<string | null> {
    if (!(await this.#isReadable(path, name))) {
      await rename(path, join(this.#dir('corrupt'), name));
      return null;
    }
    const id = await this.#pickupId(path, name);
    if (id !== null) await rename(path, join(this.#dir('active'), id));
    return id;
  }

  // The id a maildrop file gets in the queue: its own, unless that is taken. If the queued file
  // with that id is the same inode, an earlier pickup's rename survived a crash only half (both
  // names): drop the maildrop name. Resolves null when nothing is left to move.
  async #pickupId(path: string, name: string): Promise<string | null> {
    const queued = await this.#stateOf(name);
    if (queued === null) return name;
    const [a, b] = await Promise.all([stat(path), stat(join(this.#dir(queued), name))]);
    if (a.ino === b.ino && a.dev === b.dev) {
      await unlink(path);
      return null;
    }
    return newQueueId(this.#clock());
  }

  async #flush(ids: readonly string[]): Promise<readonly unknown[]> {
    const renames = await Promise.allSettled(
      ids.map((id) => rename(join(this.#dir('incoming'), id), join(this.#dir('active'), id))),
    );
    this.#syncer.stats.commitBatches++;
    await this.#syncer.directory(this.#dir('active'));
    return renames.map((r) => (r.status === 'rejected' ? r.reason : undefined));
  }

  #move(id: string, from: readonly QueueState[], to: QueueState): Promise<void> {
    return this.#exclusive(id, async () => {
      const state = await this.#stateOf(id);
      if (state === null) throw new QueueError('not-found', `${id} is not queued`);
      if (!from.includes(state)) throw new QueueError('wrong-state', `${id} is ${state}, not ${from.join(' or ')}`);
      await this.#rename(id, state, to);
    });
  }

  async #rename(id: string, from: QueueState, to: QueueState): Promise<void> {
    try {
      await rename(join(this.#dir(from), id), join(this.#dir(to), id));
      await this.#syncer.directory(this.#dir(to));
    } catch (error) {
      throw asQueueError(error, `cannot move ${id} from ${from} to ${to}`);
    }
  }

  async #remove(id: string, state: QueueState): Promise<void> {
    try {
      await unlink(join(this.#dir(state), id));
      await this.#syncer.directory(this.#dir(state));
      await unlink(join(this.#dir('status'), id)).catch(ignoreMissing);
    } catch (error) {
      throw asQueueError(error, `cannot remove ${id}`);
    }
  }

  async #readStatus(id: string, recipientCount: number): Promise<StoredStatus> {
    let text: string;
    try {
      text = await readFile(join(this.#dir('status'), id), 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return initialStatus(recipientCount);
      throw asQueueError(error, `cannot read the status of ${id}`);
    }
    try {
      return checkStatus(JSON.parse(text), recipientCount);
    } catch (error) {
      throw new QueueError('corrupt', `the status file of ${id} is damaged`, { cause: error });
    }
  }

  async #writeStatus(id: string, status: StoredStatus): Promise<void> {
    const path = join(this.#dir('status'), id);
    const temp = `${path}.tmp`;
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, 'w', 0o600);
      await writeFile(handle, JSON.stringify(status));
      await this.#syncer.file(handle);
      await handle.close();
      handle = undefined;
      await rename(temp, path);
      await this.#syncer.directory(this.#dir('status'));
    } catch (error) {
      await handle?.close();
      throw asQueueError(error, `cannot write the status of ${id}`);
    }
  }

  async #entry(id: string, state: QueueState, head: QueueFileHead): Promise<QueueEntry> {
    return this.#combine(id, state, head, await this.#readStatus(id, head.envelope.recipients.length));
  }

  #combine(id: string, state: QueueEntry['state'], head: QueueFileHead, status: StoredStatus): QueueEntry {
    const { envelope } = head;
    const entry: QueueEntry = {
      id,
      state,
      sender: envelope.sender,
      recipients: envelope.recipients.map((r, i) => ({ ...r, ...status.recipients[i]! })),
      arrivalAt: envelope.arrivalAt,
      sizeBytes: head.bodyBytes,
      attempts: status.attempts,
    };
    if (status.lastAttemptAt !== undefined) entry.lastAttemptAt = status.lastAttemptAt;
    if (status.nextAttemptAt !== undefined) entry.nextAttemptAt = status.nextAttemptAt;
    if (envelope.dsn) entry.dsn = envelope.dsn;
    if (envelope.client) entry.client = envelope.client;
    return entry;
  }

  // Open the queue file wherever it is. A file that moves between two folders while we look could
  // be missed in one pass, so look three times before saying it is not queued.
  async #openQueued(id: string): Promise<{ state: QueueState; handle: FileHandle }> {
    if (!isQueueId(id)) throw new QueueError('not-found', `${JSON.stringify(id)} is not a queue id`);
    for (let pass = 0; pass < 3; pass++) {
      for (const state of STATES) {
        try {
          return { state, handle: await open(join(this.#dir(state), id), 'r') };
        } catch (error) {
          if (errnoCode(error) !== 'ENOENT') throw asQueueError(error, `cannot open ${id}`);
        }
      }
    }
    throw new QueueError('not-found', `${id} is not queued`);
  }

  async #stateOf(id: string): Promise<QueueState | null> {
    try {
      const { state, handle } = await this.#openQueued(id);
      await handle.close();
      return state;
    } catch (error) {
      if (error instanceof QueueError && error.code === 'not-found') return null;
      throw error;
    }
  }

  async #isReadable(path: string, name: string): Promise<boolean> {
    const handle = await open(path, 'r');
    try {
      await readQueueFileHead(handle, name);
      return true;
    } catch (error) {
      if (error instanceof QueueError && error.code === 'corrupt') return false;
      throw error;
    } finally {
      await handle.close();
    }
  }

  async #ids(state: QueueState): Promise<string[]> {
    return (await readdir(this.#dir(state))).filter(isQueueId).sort();
  }

  #dir(dir: QueueDir): string {
    return join(this.root, dir);
  }

  /** Run `work` after every earlier operation on the same id in this process. */
  #exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#busy.get(id) ?? Promise.resolve();
    const result = previous.then(work, work);
    const settled = result.catch(() => undefined);
    this.#busy.set(id, settled);
    void settled.then(() => {
      if (this.#busy.get(id) === settled) this.#busy.delete(id);
    });
    return result;
  }
}

function applyAttempt(status: StoredStatus, record: AttemptRecord, now: number, id: string): void {
  for (const result of record.results) {
    const recipient = status.recipients[result.recipient];
    if (!recipient) throw new QueueError('wrong-state', `${id} has no recipient #${result.recipient}`);
    if (recipient.status === 'delivered' || recipient.status === 'failed') {
      throw new QueueError('wrong-state', `${id} recipient #${result.recipient} is already ${recipient.status}`);
    }
    status.recipients[result.recipient] = {
      status: result.outcome,
      ...(result.diagnostic !== undefined ? { lastError: result.diagnostic } : {}),
      updatedAt: now,
    };
  }
  status.attempts++;
  status.lastAttemptAt = now;
  if (record.nextAttemptAt === undefined) delete status.nextAttemptAt;
  else status.nextAttemptAt = record.nextAttemptAt;
}

function asQueueError(error: unknown, message: string): Error {
  if (error instanceof QueueError || error instanceof TypeError) return error;
  return new QueueError('io', message, { cause: error });
}

function ignoreMissing(error: unknown): void {
  if (errnoCode(error) !== 'ENOENT') throw error;
}
