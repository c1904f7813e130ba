/**
 * The sessions a server is serving, and its graceful close (shared by SmtpServer and Pop3Server):
 * each session runs until it ends; close() asks every session to end at its next boundary, waits
 * up to a grace period, then cuts what is left and waits for it to unwind (locks released, files
 * closed).
 */

/** What a server's connection offers to the set. */
export interface ServedSession {
  /** Serve the connection; resolves when it has ended, however it ended. */
  run(): Promise<void>;
  /** End at the next boundary the protocol allows (SMTP 421 4.3.2, POP3 without UPDATE). */
  shutdown(): void;
  /** Cut the connection now. */
  destroy(): void;
}

/** The running sessions of one server. */
export class SessionSet<S extends ServedSession> {
  readonly #sessions = new Set<S>();
  readonly #running = new Set<Promise<void>>();

  /** Sessions being served now. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Run `session` until it ends, then call `ended` (to release its connection slot, say). */
  serve(session: S, ended: () => void): void {
    this.#sessions.add(session);
    const running = session.run().finally(() => {
      this.#sessions.delete(session);
      this.#running.delete(running);
      ended();
    });
    this.#running.add(running);
  }

  /** shutdown() every session; after `graceMs`, destroy() those still running. Resolves when all have ended. */
  async close(graceMs: number): Promise<void> {
    for (const session of this.#sessions) session.shutdown();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), graceMs);
    });
    if ((await Promise.race([Promise.all([...this.#running]), expired])) === 'expired') {
      for (const session of this.#sessions) session.destroy();
      await Promise.all([...this.#running]);
    }
    clearTimeout(timer);
  }
}
