// Group commit (issue 4): many enqueues share one directory fsync.
//
// Each enqueue fsyncs its own file, then calls commit(id). The first caller starts a batch on the
// next turn of the event loop (setImmediate: I/O scheduling, no timer); everyone who arrives while
// a batch is being flushed waits for the next one. A flush renames every file of the batch into
// active/ and fsyncs active/ once; then all of them resolve. Under load the batch grows with the
// fsync latency, as in a database's group commit; alone, a message waits one loop turn.

/**
 * Makes the messages of a batch visible and durable together; resolves with one entry per id:
 * undefined when that id is committed, else its error. A rejection fails the whole batch.
 */
export type FlushBatch = (ids: readonly string[]) => Promise<readonly unknown[]>;

interface Waiter {
  id: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Collects commit requests and flushes them in batches, one flush at a time. */
export class GroupCommit {
  readonly #flush: FlushBatch;
  #waiting: Waiter[] = [];
  #running = false;

  constructor(flush: FlushBatch) {
    this.#flush = flush;
  }

  /** Resolves once `id` has been flushed (renamed and its directory fsync'd). */
  commit(id: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ id, resolve, reject });
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
        const errors = await this.#flush(batch.map((w) => w.id));
        batch.forEach((waiter, i) => (errors[i] === undefined ? waiter.resolve() : waiter.reject(errors[i])));
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.#running = false;
  }
}
