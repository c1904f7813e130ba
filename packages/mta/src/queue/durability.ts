// fsync with counters, so tests and benchmarks can see what group commit saves.
// A rename(2) is atomic but durable only once its directory is fsync'd (as Postfix does on Linux).

import { fsyncDirectory, syncFd } from '@mailstack/mailstore';

/** How many fsyncs the spool has issued. */
export interface SyncStats {
  fileFsyncs: number;
  directoryFsyncs: number;
  /** Group-commit batches (each one directory fsync of active/). */
  commitBatches: number;
}

/** Issues fsyncs and counts them. */
export class Syncer {
  readonly stats: SyncStats = { fileFsyncs: 0, directoryFsyncs: 0, commitBatches: 0 };

  /**
   * Make an open file's data durable. fdatasync(2) suffices: it also writes the metadata needed to
   * read the data back (the size), and the name is made durable by the directory fsync.
   */
  async file(fd: number): Promise<void> {
    this.stats.fileFsyncs++;
    await syncFd(fd, true);
  }

  /** fsync a directory, making the names created/renamed/removed in it durable. */
  async directory(path: string): Promise<void> {
    this.stats.directoryFsyncs++;
    await fsyncDirectory(path);
  }
}
