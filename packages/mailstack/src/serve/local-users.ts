/**
 * The router asks "is this a local user?" synchronously at RCPT time; the UserDirectory answers
 * asynchronously (it re-reads the users file when it changed). This keeps the current set of
 * names, refreshed before each RCPT check (a stat when nothing changed).
 */
import type { UserDirectory } from '../auth/user-directory.js';

/** The names of the local users, lower case. */
export class LocalUserNames {
  readonly #directory: UserDirectory;
  #names = new Set<string>();

  constructor(directory: UserDirectory) {
    this.#directory = directory;
  }

  /** Re-read the names if the users file changed. */
  async refresh(): Promise<void> {
    this.#names = new Set((await this.#directory.list()).map((u) => u.name.toLowerCase()));
  }

  /** Whether `name` (a local part without extension) is a user. */
  has(name: string): boolean {
    return this.#names.has(name.toLowerCase());
  }
}
