// Lock files shared between processes, the way Dovecot and procmail lock Maildir/mbox files:
// the lock exists while a file exists. It is created complete and atomically: written under a
// unique temporary name, then link(2)ed to the lock name, which fails with EEXIST if another
// holder has it (works on NFS too, unlike O_EXCL on old clients).
//
// Content: "<pid> <process token> <nonce>\n". A lock is stale when its pid is not alive, or when
// the pid is ours but the token is not (a previous incarnation of this service got the same pid,
// common in containers). A stale lock is broken by renaming it aside and checking that what we
// renamed is still the content we judged stale, so two breakers cannot both win.
// Known limit: a pid reused by an unrelated live process keeps a stale lock until that exits.

import { randomBytes } from 'node:crypto';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { errnoCode } from './errors.js';

const PROCESS_TOKEN = randomBytes(8).toString('hex');

/** A held lock file; release() removes it if it is still ours. */
export interface LockHandle {
  readonly path: string;
  release(): Promise<void>;
}

/** Try once to take the lock at `path`; null when a live holder has it. */
export async function tryLockFile(path: string): Promise<LockHandle | null> {
  const content = `${process.pid} ${PROCESS_TOKEN} ${randomBytes(6).toString('hex')}\n`;
  const temp = `${path}.${PROCESS_TOKEN}.${randomBytes(4).toString('hex')}`;
  await writeFile(temp, content, { mode: 0o600 });
  try {
    for (let tries = 0; tries < 3; tries++) {
      try {
        await link(temp, path);
        return handleFor(path, content);
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
      }
      if (!(await breakIfStale(path))) return null;
    }
    return null;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Options for waiting on a lock file that another holder has. */
export interface LockWaitOptions {
  /** How many times to try before giving up (default 10,000). */
  attempts?: number;
  /** Called between attempts; the default yields one event-loop turn. The caller injects a sleep. */
  wait?: (attempt: number) => Promise<void>;
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Take the lock, waiting while a live holder has it; null when `attempts` ran out. */
export async function waitForLockFile(path: string, options: LockWaitOptions = {}): Promise<LockHandle | null> {
  const attempts = options.attempts ?? 10_000;
  const wait = options.wait ?? yieldTurn;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const handle = await tryLockFile(path);
    if (handle) return handle;
    if (attempt < attempts) await wait(attempt);
  }
  return null;
}

function handleFor(path: string, content: string): LockHandle {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      if ((await readOrNull(path)) === content) await unlink(path).catch(ignoreMissing);
    },
  };
}

async function breakIfStale(path: string): Promise<boolean> {
  const content = await readOrNull(path);
  if (content === null) return true; // released meanwhile: try again
  if (!isStale(content)) return false;
  const aside = `${path}.stale.${PROCESS_TOKEN}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    ignoreMissing(error);
    return true; // someone else broke it first
  }
  const renamed = await readOrNull(aside);
  if (renamed === content) {
    await unlink(aside).catch(ignoreMissing);
    return true;
  }
  // We moved a fresh lock that replaced the stale one meanwhile: put it back, it is not ours.
  await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(ignoreMissing);
  return false;
}

function isStale(content: string): boolean {
  const [pidText, token] = content.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0 || token === undefined) return true;
  if (pid === process.pid) return token !== PROCESS_TOKEN;
  return !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM'; // exists, owned by someone else
  }
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    ignoreMissing(error);
    return null;
  }
}

function ignoreMissing(error: unknown): void {
  if (errnoCode(error) !== 'ENOENT') throw error;
}
