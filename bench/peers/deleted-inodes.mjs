// Keeps one benchmark target from paying for the file deletions of another.
//
// ext4 mounted without a journal (this VM's root file system: /sys/fs/ext4/vda/journal_task
// reads "<none>") will not hand out an inode freed in the last 30 seconds (35 while its inode table
// block is dirty) if it can help it: fs/ext4/ialloc.c find_inode_bit() calls recently_deleted()
// on every free inode it meets, in order, and skips the recent ones. After tens of thousands of
// deletions (a queue that delivers, or a spool removed between runs) every create() in that
// block group scans past them all while holding the directory lock. Measured here
// (`perf record -a -g` around smtp/fsync-ceiling.mjs): right after removing 40,000 files, the same
// open/write/fsync/close loop ran at 1,500-2,300 files/s with 600-900 us of system CPU per file,
// most of it in recently_deleted() and in spinning on the directory's rwsem; 40 s later it ran at
// 7,000-10,000 files/s with 110-160 us. That is the "disk that varies from 760 to 10,800 files/s".
//
// A server pays for its own queue's deletions in any case (Postfix and ours alike). What this
// prevents is a target measured within 35 s of the previous target's (or the previous run's)
// deletions: call wait() before each timed run and mark() after anything that deleted files.
import { setTimeout as sleep } from 'node:timers/promises';

/** ext4's window (30 s, plus 5 s while the inode table block is dirty) and a margin. */
export const RECENTLY_DELETED_MS = 36_000;

/**
 * A clock of the last deletion. It starts marked: a benchmark run that just ended may have
 * removed its work directory a moment ago.
 */
export function deletedInodesWindow({ log = (text) => console.error(text) } = {}) {
  let lastDeletion = Date.now();
  return {
    /** Something (a target that delivers, a removed directory) deleted files just now. */
    mark() {
      lastDeletion = Date.now();
    },
    /** Resolves once no inode freed since the last mark() is "recently deleted" any more. */
    async wait() {
      const left = lastDeletion + RECENTLY_DELETED_MS - Date.now();
      if (left <= 0) return;
      log(`waiting ${(left / 1000).toFixed(0)} s for ext4 to stop skipping recently deleted inodes (bench/peers/deleted-inodes.mjs)`);
      await sleep(left);
    },
  };
}
