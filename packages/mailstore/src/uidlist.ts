// The UID list of one Maildir folder: `mailstack-uidlist`, after Dovecot's dovecot-uidlist.
//
//   mailstack-uidlist 1 V<uidValidity> N<nextUid>     header
//   <uid> <unique>                                    one line per message, in UID order
//
// New UIDs are given under the folder's lock file and appended (append-only; the header's N can
// lag behind, so the next UID is max(N, highest listed UID + 1)). Compaction rewrites the file
// without expunged messages (temporary file, fsync, rename, fsync the folder) and writes the
// true next UID into N, so a UID is never given twice within one UIDVALIDITY (RFC 9051 §2.3.1.1).
// Readers without the lock ignore a last line that has no LF yet (an append in progress).

import { appendFile, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError, errnoCode } from './errors.js';
import { fsyncDirectory } from './fsync.js';
import { waitForLockFile, type LockWaitOptions } from './lockfile.js';

/** The file name of the UID list inside a Maildir folder. */
export const UIDLIST_NAME = 'mailstack-uidlist';
const MAGIC = 'mailstack-uidlist';

/** What the UID list says at one moment. */
export interface UidlistState {
  uidValidity: number;
  nextUid: number;
  uids: Map<string, number>;
}

/**
 * The POP3 UIDL of a message: Dovecot's default pop3_uidl_format `%08Xu%08Xv`, the UID then the
 * UIDVALIDITY as 8 upper-case hex digits each, so POP3 and IMAP share the identity
 * (RFC 1939 §7: 1 to 70 characters in 0x21..0x7E).
 */
export function pop3Uidl(uidValidity: number, uid: number): string {
  const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return `${hex8(uid)}${hex8(uidValidity)}`;
}

/** Reads and updates one folder's UID list; one instance serializes its own callers. */
export class Uidlist {
  readonly #path: string;
  readonly #dir: string;
  readonly #clock: () => number;
  readonly #lockWait: LockWaitOptions;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(dir: string, clock: () => number, lockWait: LockWaitOptions = {}) {
    this.#dir = dir;
    this.#path = join(dir, UIDLIST_NAME);
    this.#clock = clock;
    this.#lockWait = lockWait;
  }

  /** The current list, or null when no UID was ever given in this folder. */
  async read(): Promise<UidlistState | null> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return null;
      throw new StoreError('io', `cannot read ${this.#path}`, { cause: error });
    }
    return parseUidlist(text, this.#path);
  }

  /** Give UIDs to the names that have none yet (in the order given) and return the new state. */
  assign(uniques: readonly string[]): Promise<UidlistState> {
    return this.#locked(async () => {
      const state = (await this.#readOrSetAside()) ?? (await this.#create());
      const lines: string[] = [];
      for (const unique of uniques) {
        if (state.uids.has(unique)) continue;
        state.uids.set(unique, state.nextUid);
        lines.push(`${state.nextUid} ${unique}\n`);
        state.nextUid++;
      }
      if (lines.length > 0) await appendDurably(this.#path, lines.join(''));
      return state;
    });
  }

  /**
   * Rewrite the list keeping only the names `scanLive` finds; returns the number of lines dropped.
   * The scan runs under the lock: a message delivered after it has no UID yet, so no UID that a
   * client has seen can be dropped.
   */
  compact(scanLive: () => Promise<ReadonlySet<string>>): Promise<number> {
    return this.#locked(async () => {
      const state = await this.read();
      if (!state) return 0;
      const live = await scanLive();
      const kept = [...state.uids].filter(([unique]) => live.has(unique));
      await this.#write({ ...state, uids: new Map(kept) });
      return state.uids.size - kept.length;
    });
  }

  // A damaged list cannot be trusted to map names to UIDs any more: keep it as '<name>.corrupt'
  // for the postmaster and start a new UIDVALIDITY, which tells IMAP clients to forget their
  // cached UIDs (RFC 9051 §2.3.1.1) and makes POP3 UIDLs new, as Dovecot does.
  async #readOrSetAside(): Promise<UidlistState | null> {
    try {
      return await this.read();
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 'corrupt')) throw error;
      await rename(this.#path, `${this.#path}.corrupt`);
      return null;
    }
  }

  async #create(): Promise<UidlistState> {
    // Time-based, and above any earlier value we can still read, so it never repeats.
    const previous = /^mailstack-uidlist 1 V(\d+)/.exec(await readFile(`${this.#path}.corrupt`, 'utf8').catch(() => ''));
    const uidValidity = Math.max(1, Math.floor(this.#clock() / 1000), previous ? Number(previous[1]) + 1 : 0);
    const state: UidlistState = { uidValidity, nextUid: 1, uids: new Map() };
    await this.#write(state);
    return state;
  }

  async #write(state: UidlistState): Promise<void> {
    const body = [...state.uids].sort((a, b) => a[1] - b[1]).map(([unique, uid]) => `${uid} ${unique}\n`);
    const text = `${MAGIC} 1 V${state.uidValidity} N${state.nextUid}\n${body.join('')}`;
    const temp = `${this.#path}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.#path);
    await fsyncDirectory(this.#dir);
  }

  /** Run `work` holding both the in-process queue and the cross-process lock file. */
  #locked<T>(work: () => Promise<T>): Promise<T> {
    const run = async () => {
      const lock = await waitForLockFile(`${this.#path}.lock`, this.#lockWait);
      if (!lock) throw new StoreError('locked', `${this.#path} is locked by another process`);
      try {
        return await work();
      } finally {
        await lock.release();
      }
    };
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

async function appendDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await appendFile(handle, text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function parseUidlist(text: string, path: string): UidlistState {
  const lines = text.split('\n');
  lines.pop(); // '' after the last LF, or an append in progress
  const header = /^mailstack-uidlist 1 V(\d+) N(\d+)$/.exec(lines[0] ?? '');
  if (!header) throw new StoreError('corrupt', `${path}: bad header`);
  const state: UidlistState = { uidValidity: Number(header[1]), nextUid: Number(header[2]), uids: new Map() };
  for (const line of lines.slice(1)) {
    const space = line.indexOf(' ');
    const uid = Number(line.slice(0, space));
    if (space < 1 || !Number.isSafeInteger(uid) || uid < 1) throw new StoreError('corrupt', `${path}: bad line ${JSON.stringify(line)}`);
    state.uids.set(line.slice(space + 1), uid);
    state.nextUid = Math.max(state.nextUid, uid + 1);
  }
  return state;
}
