// Start-up recovery of the spool (what Postfix's postsuper -s and qmgr do after a crash).

import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { ignoreMissing } from './errors.js';
import { type QueueDirs, type QueueState, STATES } from './queue-dirs.js';

/** What recover() found at start-up. */
export interface RecoveryReport {
  /** Unacknowledged files removed from incoming/. */
  removedIncoming: string[];
  /** Queue files moved to corrupt/ because their envelope did not parse (or a foreign twin). */
  corrupt: string[];
  active: string[];
  deferred: string[];
  hold: string[];
}

/**
 * Remove unacknowledged files from incoming/ (except `writing`), stray status files, and move
 * queue files whose envelope is unreadable to corrupt/. Reports the ids of each state.
 */
export async function recoverSpool(dirs: QueueDirs, writing: ReadonlySet<string>): Promise<RecoveryReport> {
  const report: RecoveryReport = { removedIncoming: [], corrupt: [], active: [], deferred: [], hold: [] };
  for (const name of await readdir(dirs.path('incoming'))) {
    if (writing.has(name)) continue;
    await unlink(dirs.path('incoming', name)).catch(ignoreMissing);
    report.removedIncoming.push(name);
  }
  const queued = new Map<string, QueueState>();
  for (const state of STATES) {
    for (const id of await dirs.ids(state)) {
      const first = queued.get(id);
      if (first !== undefined) {
        await dropTwin(dirs, id, first, state, report);
      } else if (await dirs.isReadable(dirs.path(state, id), id)) {
        report[state].push(id);
        queued.set(id, state);
      } else {
        await rename(dirs.path(state, id), dirs.path('corrupt', id)).catch(ignoreMissing);
        report.corrupt.push(id);
      }
    }
  }
  for (const name of await readdir(dirs.path('status'))) {
    if (!queued.has(name)) await unlink(dirs.path('status', name)).catch(ignoreMissing);
  }
  return report;
}

// The same id in two state folders: a rename whose old name survived a crash on a file system
// that does not journal renames as one step. Both names are the same inode: drop the later one.
// (Different inodes cannot come from our renames; keep the second file in corrupt/.)
async function dropTwin(dirs: QueueDirs, id: string, first: QueueState, state: QueueState, report: RecoveryReport): Promise<void> {
  const path = dirs.path(state, id);
  const [a, b] = await Promise.all([stat(dirs.path(first, id)), stat(path)]);
  if (a.ino === b.ino && a.dev === b.dev) {
    await unlink(path);
  } else {
    await rename(path, dirs.path('corrupt', `${id}.${state}`));
    report.corrupt.push(`${id}.${state}`);
  }
}
