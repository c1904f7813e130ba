// The durable queue spool, in the manner of Postfix's queue directories (qmgr(8), postsuper(1)).
//
// A queue file is the envelope line plus the body (queue-file.ts); its folder is its state
// (queue-dirs.ts), so every state change is one rename(2). Enqueue: write incoming/<id>, sync it,
// rename it into active/ and fsync active/ (shared by concurrent enqueues: mailstore's GroupCommit), then
// acknowledge. Delivery progress goes to status/<id> (status-file.ts). Finishing a message removes
// its queue file (the commit point; not synced, see #remove) and then its status file; a file
// finished in active/ is kept as a spare that a later enqueue writes over instead of creating a
// file (spare-files.ts). What a crash leaves at each instant is described in the package README;
// recovery.ts cleans up at start-up.

import { GroupCommit, closeFd, renamePath, unlinkPath, type MessageBytes } from '@mailstack/mailstore';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { Syncer, type SyncStats } from './durability.js';
import { type ClientInfo, type DsnParams, type EnqueueRequest, type StoredEnvelope, type RecipientParams, type RecipientStatus, type StoredStatus, initialStatus, toStoredEnvelope } from './envelope.js';
import { QueueError, asQueueError, errnoCode, ignoreMissing } from './errors.js';
import { pickupMaildrop } from './maildrop.js';
import { QueueDirs, type QueueState, STATES } from './queue-dirs.js';
import { newQueueId } from './queue-id.js';
import type { MemoryBody } from './memory-body.js';
import { type QueueFileHead, bodyFromMemory, openBody, readQueueFileHead, writeQueueFile } from './queue-file.js';
import { type RecoveryReport, recoverSpool } from './recovery.js';
import { type SpareFile, SparePool } from './spare-files.js';
import { type AttemptRecord, applyAttempt, readStatus, writeStatus } from './status-file.js';

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

/** Options of a spool. */
export interface QueueSpoolOptions {
  /** Milliseconds since the epoch (default Date.now): queue ids, arrival and attempt times. */
  clock?: () => number;
  /**
   * Bytes of freshly enqueued messages kept in memory until their first delivery attempt, so that
   * it needs no read of the queue file (default 32 MiB; 0 turns this off). Only files of up to
   * 64 KiB (written in one step) are kept; past the limit messages are read back from disk.
   */
  freshCacheBytes?: number;
  /**
   * Delivered queue files (of up to 64 KiB) kept in incoming/ for later enqueues to write over,
   * instead of an unlink now and a create later (default 64; 0 turns this off). See spare-files.ts.
   */
  spareFiles?: number;
}

/** The on-disk queue of one dataDir. */
export class QueueSpool {
  /** `<dataDir>/queue`. */
  readonly root: string;
  readonly #dirs: QueueDirs;
  readonly #clock: () => number;
  readonly #syncer = new Syncer();
  readonly #commit: GroupCommit<Scratch>;
  readonly #spares: SparePool;
  /** Names in incoming/ being written now (recover() leaves them alone). */
  readonly #writing = new Set<string>();
  readonly #busy = new Map<string, Promise<unknown>>();
  // Messages enqueued by this spool and not yet attempted: their head (and bytes, within
  // #freshLimit) as written. Such a message has no status file (only recordAttempt writes one),
  // which lets a first attempt that delivers everything finish with one unlink(2).
  readonly #fresh = new Map<string, QueueFileHead>();
  readonly #freshLimit: number;
  #freshBytes = 0;

  private constructor(root: string, options: QueueSpoolOptions) {
    this.root = root;
    this.#dirs = new QueueDirs(root);
    this.#clock = options.clock ?? Date.now;
    this.#freshLimit = options.freshCacheBytes ?? 32 * 1024 * 1024;
    this.#commit = new GroupCommit<Scratch>((scratches) => this.#flush(scratches));
    this.#spares = new SparePool(this.#dirs, { limit: options.spareFiles ?? 64 });
  }

  /** Open (creating if needed, mode 0700) the spool under `<dataDir>/queue`. */
  static async open(dataDir: string, options: QueueSpoolOptions = {}): Promise<QueueSpool> {
    const spool = new QueueSpool(join(dataDir, 'queue'), options);
    try {
      await spool.#dirs.create();
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
  async enqueue(request: EnqueueRequest, body: MessageBytes | Readable): Promise<string> {
    const now = this.#clock();
    const envelope = toStoredEnvelope(request, now);
    const id = newQueueId(now);
    const scratch: Scratch = { id, path: this.#dirs.path('incoming', id) };
    try {
      const head = await this.#writeScratch(scratch, envelope, body);
      await this.#commit.commit(scratch);
      if (scratch.spare !== undefined) this.#spares.used();
      this.#keepFresh(id, head);
      return id;
    } catch (error) {
      if (scratch.spare !== undefined) await this.#spares.discard(scratch.spare);
      else await unlinkPath(scratch.path).catch(() => undefined);
      throw asQueueError(error, `cannot enqueue ${id}`);
    } finally {
      this.#writing.delete(basename(scratch.path));
    }
  }

  /** One message; throws QueueError 'not-found' if it is not queued. */
  async get(id: string): Promise<QueueEntry> {
    const { state, fd } = await this.#dirs.openQueued(id);
    try {
      const head = await readQueueFileHead(fd, id);
      return toEntry(id, state, head, await readStatus(this.#dirs, id, head.envelope.recipients.length));
    } finally {
      closeFd(fd);
    }
  }

  /** The queued messages (of one state, or all), in queue-id order. */
  async list(state?: QueueState): Promise<QueueEntry[]> {
    const entries: QueueEntry[] = [];
    for (const s of state ? [state] : STATES) {
      for (const id of await this.#dirs.ids(s)) {
        try {
          entries.push(await this.get(id));
        } catch (error) {
          if (!(error instanceof QueueError && error.code === 'not-found')) throw error; // finished meanwhile
        }
      }
    }
    return entries.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** The message body as received (without the envelope line); in memory for a fresh message. */
  async openMessage(id: string): Promise<Readable | MemoryBody> {
    const fresh = this.#fresh.get(id);
    if (fresh?.contents !== undefined) return bodyFromMemory(fresh.contents, fresh.bodyOffset);
    const { fd } = await this.#dirs.openQueued(id);
    try {
      return openBody(fd, await readQueueFileHead(fd, id));
    } catch (error) {
      closeFd(fd);
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
      const fresh = this.#takeFresh(id);
      if (fresh !== undefined) {
        const finished = await this.#finishFresh(id, fresh, record);
        if (finished !== undefined) return finished;
      }
      const { state, fd } = await this.#dirs.openQueued(id);
      const head = await readQueueFileHead(fd, id).finally(() => closeFd(fd));
      const status = await readStatus(this.#dirs, id, head.envelope.recipients.length);
      applyAttempt(status, record, this.#clock(), id);
      const open = status.recipients.filter((r) => r.status === 'pending' || r.status === 'deferred');
      if (open.length === 0) {
        await this.#remove(id, state, 'delivered', fileBytes(head));
        return toEntry(id, 'done', head, status);
      }
      await writeStatus(this.#dirs, this.#syncer, id, status);
      const toDefer = state === 'active' && status.nextAttemptAt !== undefined && open.every((r) => r.status === 'deferred');
      if (toDefer) await this.#rename(id, 'active', 'deferred');
      return toEntry(id, toDefer ? 'deferred' : state, head, status);
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
      this.#takeFresh(id);
      const { state, fd } = await this.#dirs.openQueued(id);
      closeFd(fd);
      await this.#remove(id, state, 'deleted');
    });
  }

  /**
   * At start-up: remove unacknowledged files from incoming/ (all but those this spool is writing),
   * stray status files, and move queue files whose envelope is unreadable to corrupt/.
   * Resolves with the ids to schedule: active ones now, deferred ones at their nextAttemptAt.
   */
  recover(): Promise<RecoveryReport> {
    this.#spares.forget();
    return recoverSpool(this.#dirs, this.#writing);
  }

  /** Move the complete files of maildrop/ (writeMaildrop) into active/; resolves with their ids. */
  pickupMaildrop(): Promise<string[]> {
    return pickupMaildrop(this.#dirs, this.#syncer, this.#clock());
  }

  // Write the queue file over a usable spare (spare-files.ts), else as a new incoming/<id>, and
  // record in `scratch` which. A spare removed by hand fails at open, before any of `body` is
  // read: then the file is written new.
  async #writeScratch(scratch: Scratch, envelope: StoredEnvelope, body: MessageBytes): Promise<QueueFileHead> {
    const spare = this.#spares.take();
    if (spare !== undefined) {
      scratch.path = spare.path;
      scratch.spare = spare;
      this.#writing.add(basename(spare.path));
      try {
        return await writeQueueFile(spare.path, envelope, body, this.#syncer, spare.bytes);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
        this.#writing.delete(basename(spare.path));
        this.#spares.used();
        scratch.path = this.#dirs.path('incoming', scratch.id);
        delete scratch.spare;
      }
    }
    this.#writing.add(basename(scratch.path));
    return writeQueueFile(scratch.path, envelope, body, this.#syncer);
  }

  #keepFresh(id: string, head: QueueFileHead): void {
    const size = head.contents?.length ?? 0;
    if (this.#freshBytes + size > this.#freshLimit) delete head.contents;
    else this.#freshBytes += size;
    this.#fresh.set(id, head);
  }

  #takeFresh(id: string): QueueFileHead | undefined {
    const head = this.#fresh.get(id);
    if (head === undefined) return undefined;
    this.#fresh.delete(id);
    this.#freshBytes -= head.contents?.length ?? 0;
    return head;
  }

  // The first attempt of a message this spool enqueued: it is in active/ unless another process
  // moved or deleted it, and it has no status file. If the attempt leaves nothing open, retiring
  // the queue file is all there is to do; an ENOENT (moved meanwhile) or an attempt that leaves
  // recipients open resolves undefined: the caller takes the general path, which reads the disk.
  async #finishFresh(id: string, head: QueueFileHead, record: AttemptRecord): Promise<QueueEntry | undefined> {
    const status = initialStatus(head.envelope.recipients.length);
    applyAttempt(status, record, this.#clock(), id);
    if (status.recipients.some((r) => r.status === 'pending' || r.status === 'deferred')) return undefined;
    try {
      await this.#spares.retire(this.#dirs.path('active', id), fileBytes(head));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw asQueueError(error, `cannot remove ${id}`);
    }
    return toEntry(id, 'done', head, status);
  }

  async #flush(scratches: readonly Scratch[]): Promise<readonly unknown[]> {
    const renames = await Promise.allSettled(scratches.map(({ id, path }) => renamePath(path, this.#dirs.path('active', id))));
    this.#syncer.stats.commitBatches++;
    const synced = this.#spares.directorySyncStarting();
    try {
      await this.#syncer.directory(this.#dirs.path('active'));
    } catch (error) {
      synced(false);
      throw error;
    }
    synced(true);
    return renames.map((r) => (r.status === 'rejected' ? r.reason : undefined));
  }

  #move(id: string, from: readonly QueueState[], to: QueueState): Promise<void> {
    return this.#exclusive(id, async () => {
      this.#takeFresh(id);
      const state = await this.#dirs.stateOf(id);
      if (state === null) throw new QueueError('not-found', `${id} is not queued`);
      if (!from.includes(state)) throw new QueueError('wrong-state', `${id} is ${state}, not ${from.join(' or ')}`);
      await this.#rename(id, state, to);
    });
  }

  async #rename(id: string, from: QueueState, to: QueueState): Promise<void> {
    try {
      await renamePath(this.#dirs.path(from, id), this.#dirs.path(to, id));
      await this.#syncer.directory(this.#dirs.path(to));
    } catch (error) {
      throw asQueueError(error, `cannot move ${id} from ${from} to ${to}`);
    }
  }

  // A finished message's unlink (or rename into a spare) is not synced (as Postfix): a crash that
  // loses it can only cause a duplicate delivery (README, crash table). A deletion is synced: the
  // message must not come back. Only files leaving active/ become spares (spare-files.ts).
  async #remove(id: string, state: QueueState, why: 'delivered' | 'deleted', bytes = Infinity): Promise<void> {
    try {
      if (why === 'delivered' && state === 'active') await this.#spares.retire(this.#dirs.path(state, id), bytes);
      else await unlinkPath(this.#dirs.path(state, id));
      if (why === 'deleted') await this.#syncer.directory(this.#dirs.path(state));
      await unlinkPath(this.#dirs.path('status', id)).catch(ignoreMissing);
    } catch (error) {
      throw asQueueError(error, `cannot remove ${id}`);
    }
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

/** A queue file written under `path` in incoming/ (over `spare`, if one was taken), to be renamed to active/<id>. */
interface Scratch {
  readonly id: string;
  path: string;
  spare?: SpareFile;
}

/** The size of a queue file: envelope line and body. */
function fileBytes(head: QueueFileHead): number {
  return head.bodyOffset + head.bodyBytes;
}

function toEntry(id: string, state: QueueEntry['state'], head: QueueFileHead, status: StoredStatus): QueueEntry {
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
