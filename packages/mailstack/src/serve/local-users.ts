/**
 * The router asks "is this a local user?" synchronously at RCPT time; the UserDirectory answers
 * asynchronously (it re-reads the users file when it changed). This keeps the current set of
 * names, refreshed before RCPT checks at most once per `maxAgeMs` (a stat when nothing changed),
 * so a user added with `mailstack user add` is known within a second. Local delivery uses the
 * same age limit (at most one stat of the users file per second, however many deliveries) and
 * asks for a check without it (`refreshNow`) only when a recipient turns out unknown: a maildrop
 * message for a user added a moment ago would otherwise bounce.
 */
import type { UserDirectory } from '../auth/user-directory.js';

/** The names of the local users, lower case. */
export class LocalUserNames {
  readonly #directory: UserDirectory;
  readonly #maxAgeMs: number;
  #names = new Set<string>();
  #checkedAt = -Infinity;

  constructor(directory: UserDirectory, maxAgeMs = 1000) {
    this.#directory = directory;
    this.#maxAgeMs = maxAgeMs;
  }

  /**
   * Re-read the names if the users file changed and the last check is older than maxAgeMs; a
   * promise only when it checks, so that a RCPT between checks is answered without one.
   */
  refresh(now: number = Date.now()): Promise<void> | undefined {
    if (now - this.#checkedAt < this.#maxAgeMs) return undefined;
    this.#checkedAt = now;
    return this.refreshNow();
  }

  /** Re-read the names if the users file changed (a stat when it did not). */
  async refreshNow(): Promise<void> {
    this.#names = new Set((await this.#directory.list()).map((u) => u.name.toLowerCase()));
  }

  /** Whether `name` (a local part without extension) is a user. */
  has(name: string): boolean {
    return this.#names.has(name.toLowerCase());
  }
}
