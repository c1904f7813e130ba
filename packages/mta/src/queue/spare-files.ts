// Delivered queue files kept for reuse ("spares"): the next enqueue overwrites one instead of
// creating a file, and a delivered message's file is renamed aside instead of unlinked.
//
// Why: a queue that delivers as fast as it accepts creates and deletes one inode per message. On
// ext4 that costs an inode and block allocation at open(O_CREAT), a free (and, with the `discard`
// mount option, a discard request) at unlink(2), and without a journal every create also scans
// past the inodes freed in the last 30 s (fs/ext4/ialloc.c recently_deleted(); see
// bench/peers/deleted-inodes.mjs). Measured here: a loop doing what the queue does per message
// (20 at a time, 4 KB: write a queue file, rename it into active/, write a Maildir file, finish)
// ran at 1,966-2,561 msgs/s and 445-674 µs of CPU per message creating and unlinking queue
// files, 3,072-3,421 msgs/s and 331-366 µs reusing them; bench/mta without connection reuse went
// from 524-649 to 751-777 msgs/s (package README, "Spare files").
//
// Safety: a spare lives in incoming/ under a name that is not a queue id, so recover() removes it
// like any unacknowledged file, and a reader never sees it. A file retired from active/ becomes
// usable only after a later fsync of active/ has completed: until then a power loss could bring
// back its old name in active/, and that name must not point at bytes of a new message. Files
// leaving deferred/ or hold/ are unlinked (no fsync of those folders follows in the hot path), as
// are files larger than `maxBytes` (a spare should not pin a big message's blocks).

import { renamePath, unlinkPath } from '@mailstack/mailstore';
import { ignoreMissing } from './errors.js';
import type { QueueDirs } from './queue-dirs.js';
import { newQueueId } from './queue-id.js';

/** A spare: its path in incoming/ and the size of what it holds (to cut a shorter message to). */
export interface SpareFile {
  path: string;
  bytes: number;
}

/** Options of a spare pool. */
export interface SparePoolOptions {
  /** At most this many spares (default 64; 0 turns reuse off). */
  limit?: number;
  /** Files larger than this are unlinked, not kept (default 64 KiB). */
  maxBytes?: number;
}

/** The spares of one spool. */
export class SparePool {
  readonly #dirs: QueueDirs;
  readonly #limit: number;
  readonly #maxBytes: number;
  /** Usable now. */
  #ready: SpareFile[] = [];
  /** Renamed out of active/ since the last fsync of active/ began. */
  #retired: SpareFile[] = [];
  /** How many were renamed out of active/ before a fsync of active/ that is running now. */
  #syncing = 0;
  /** Taken and not yet used() or discarded. */
  #inUse = 0;
  /** Being renamed out of active/ now. */
  #renaming = 0;
  /** Bumped by forget(), so that a sync that ends afterwards does not bring removed spares back. */
  #generation = 0;

  constructor(dirs: QueueDirs, options: SparePoolOptions = {}) {
    this.#dirs = dirs;
    this.#limit = options.limit ?? 64;
    this.#maxBytes = options.maxBytes ?? 64 * 1024;
  }

  /** A spare to overwrite, if one is usable. It counts against the limit until used() or discard(). */
  take(): SpareFile | undefined {
    const spare = this.#ready.pop();
    if (spare !== undefined) this.#inUse++;
    return spare;
  }

  /** A taken spare was renamed into the queue (it is a queued message now) or is gone. */
  used(): void {
    this.#inUse--;
  }

  /**
   * The queue file at `activePath` (`bytes` long) is finished: rename it into incoming/ as a spare,
   * or unlink it when the pool is full or the file is large. Not synced (as an unlink is not).
   */
  async retire(activePath: string, bytes: number): Promise<void> {
    // Counted from the start of the rename, so concurrent retirements cannot pass the limit.
    const held = this.#inUse + this.#ready.length + this.#retired.length + this.#syncing + this.#renaming;
    if (held >= this.#limit || bytes > this.#maxBytes) {
      await unlinkPath(activePath);
      return;
    }
    const spare = { path: this.#dirs.path('incoming', `spare-${newQueueId(Date.now())}`), bytes };
    this.#renaming++;
    try {
      await renamePath(activePath, spare.path);
    } finally {
      this.#renaming--;
    }
    this.#retired.push(spare);
  }

  /**
   * An fsync of active/ is about to start. Returns what to call when it has ended: on success the
   * spares retired before it become usable; on failure they wait for the next one.
   */
  directorySyncStarting(): (synced: boolean) => void {
    const covered = this.#retired;
    this.#retired = [];
    this.#syncing += covered.length;
    const generation = this.#generation;
    return (synced) => {
      if (generation !== this.#generation) return;
      this.#syncing -= covered.length;
      (synced ? this.#ready : this.#retired).push(...covered);
    };
  }

  /** recover() removes every spare with the rest of incoming/: forget them. */
  forget(): void {
    this.#ready = [];
    this.#retired = [];
    this.#syncing = 0;
    this.#generation++;
  }

  /** Remove a spare that cannot be used (it failed to open or to be written). */
  async discard(spare: SpareFile): Promise<void> {
    this.#inUse--;
    await unlinkPath(spare.path).catch(ignoreMissing);
  }
}
