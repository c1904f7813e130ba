// Group commit: many writers share one fsync (issue 4), used by the Maildir's new/ directory
// (folder.ts) and by the mta queue spool's active/ directory.
//
// Each writer makes its own file durable, then calls commit(item). The first caller starts a batch
// on the next turn of the event loop (setImmediate: I/O scheduling, no timer); everyone who arrives
// while a batch is being flushed waits for the next one. One flush serves the whole batch; then all
// of its callers resolve. Under load the batch grows with the fsync latency, as in a database's
// group commit; alone, a writer waits one loop turn.

import { fsyncDirectory } from './fsync.js';

/**
 * Makes the items of a batch durable together; resolves with one entry per item: undefined when
 * that item is committed, else its error. A rejection fails the whole batch.
 */
export type FlushBatch<T> = (items: readonly T[]) => Promise<readonly unknown[]>;

interface Waiter<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Collects commit requests and flushes them in batches, one flush at a time. */
export class GroupCommit<T> {
  readonly #flush: FlushBatch<T>;
  #waiting: Waiter<T>[] = [];
  #running = false;

  constructor(flush: FlushBatch<T>) {
    this.#flush = flush;
  }

  /** Resolves once a flush that includes `item` has succeeded for it. */
  commit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (!this.#running) {
        this.#running = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      try {
        const errors = await this.#flush(batch.map((w) => w.item));
        batch.forEach((waiter, i) => (errors[i] === undefined ? waiter.resolve() : waiter.reject(errors[i])));
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.#running = false;
  }
}

/**
 * A directory fsync shared by everyone who creates or renames a name in it during the same
 * event-loop turn (and by those arriving while it runs).
 */
export class GroupDirectorySync {
  readonly #group: GroupCommit<null>;

  constructor(path: string) {
    this.#group = new GroupCommit<null>(async (items) => {
      await fsyncDirectory(path);
      return items.map(() => undefined);
    });
  }

  /** Resolves once a directory fsync that started after this call has completed. */
  sync(): Promise<void> {
    return this.#group.commit(null);
  }
}
