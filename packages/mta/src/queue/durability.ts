// fsync with counters, so tests and benchmarks can see what group commit saves.
// A rename(2) is atomic but durable only once its directory is fsync'd (as Postfix does on Linux).

import { type FileHandle, open } from 'node:fs/promises';

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

  /** fsync an open file. */
  async file(handle: FileHandle): Promise<void> {
    this.stats.fileFsyncs++;
    await handle.sync();
  }

  /** fsync a directory, making the names created/renamed/removed in it durable. */
  async directory(path: string): Promise<void> {
    this.stats.directoryFsyncs++;
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
