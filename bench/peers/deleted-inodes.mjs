// Keeps one benchmark target from paying for the file deletions of another.
//
// ext4 mounted without a journal (this VM's root file system: /sys/fs/ext4/vda/journal_task
// reads "<none>") avoids handing out an inode freed recently: fs/ext4/ialloc.c find_inode_bit()
// calls recently_deleted() on every free inode it meets, in order, and skips the recent ones.
// "Recent" is 60 s after the deletion (RECENTCY_MIN), and 360 s while the inode table block
// holding the inode is dirty (RECENTCY_DIRTY adds 300) — and a run's own creates dirty exactly
// those blocks. After tens of thousands of deletions (a queue that delivers, a spool removed
// between runs) every create() in that block group scans past them all while holding the
// directory lock. Measured here (`perf record -a -g`): a create/write/fsync/close loop right after
// 40,000 deletions ran at 1,500-2,300 files/s with 600-900 us of system CPU per file, most of it
// in recently_deleted() and spinning on the directory's rwsem, against 7,000-10,000 files/s with
// 110-160 us when nothing was deleted before; on a fresh loop-mounted ext4 of the same kind,
// deleting 5,000 files and creating 5,000 more took the rate from ~4,200 to 1,460 files/s
// (92 -> 760 us of system CPU per file).
//
// A server pays for its own deletions (Postfix's queue removes a file per message, in production
// as here). What this prevents is a target that deletes nothing paying for another target's
// deletions, or for a previous bench run's cleanup: call wait() before a target's first timed run
// and mark() after anything that deleted files. The clock is a file's modification time, so that
// one bench run sees the cleanup of the run before it.
import { statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** ext4's longest window (60 s + 300 s while the inode table block is dirty) and a margin. */
export const RECENTLY_DELETED_MS = 361_000;
const CLOCK_FILE = '/var/tmp/mailstack-bench-last-deletion';

function lastDeletion() {
  try {
    return statSync(CLOCK_FILE).mtimeMs;
  } catch {
    return 0; // no bench run has deleted anything on this machine yet
  }
}

/** A clock of the last deletion any bench run made. */
export function deletedInodesWindow({ log = (text) => console.error(text) } = {}) {
  return {
    /** Something (a target that delivers, a removed directory) deleted files just now. */
    mark() {
      writeFileSync(CLOCK_FILE, `${new Date().toISOString()}\n`); // the write sets the mtime
    },
    /** Resolves once no inode freed before the last mark() is "recently deleted" any more. */
    async wait() {
      const left = lastDeletion() + RECENTLY_DELETED_MS - Date.now();
      if (left <= 0) return;
      log(`waiting ${(left / 1000).toFixed(0)} s for ext4 to stop skipping recently deleted inodes (bench/peers/deleted-inodes.mjs)`);
      await sleep(left);
    },
  };
}
