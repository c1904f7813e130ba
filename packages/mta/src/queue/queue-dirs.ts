// The folders of the spool and how to find a message in them.
//
//   <dataDir>/queue/incoming/<id>   being written by enqueue() in this process; never acknowledged
//                   active/<id>     queued, to be delivered now
//                   deferred/<id>   queued, waiting for its next attempt
//                   hold/<id>       queued, not scheduled until released
//                   status/<id>     per-recipient status, attempts, next attempt (absent = untried)
//                   maildrop/<id>   local submissions written while the server was down
//                   corrupt/<name>  files that failed validation, kept for the postmaster

import { mkdir, readdir } from 'node:fs/promises';
import { closeFd, openFd } from '@mailstack/mailstore';
import { join, sep } from 'node:path';
import { QueueError, asQueueError, errnoCode } from './errors.js';
import { isQueueId } from './queue-id.js';
import { readQueueFileHead } from './queue-file.js';

/** The folder a queued message is in. */
export type QueueState = 'active' | 'deferred' | 'hold';
/** The visible states, in the order they are searched. */
export const STATES: readonly QueueState[] = ['active', 'deferred', 'hold'];
const DIRS = ['incoming', ...STATES, 'status', 'maildrop', 'corrupt'] as const;
/** A folder of the spool. */
export type QueueDir = (typeof DIRS)[number];

/** Paths and lookups under `<dataDir>/queue`. */
export class QueueDirs {
  /** `<root>/<dir>/` for each folder: a file's path is that plus its name (no join per call). */
  readonly #prefixes: ReadonlyMap<QueueDir, string>;

  constructor(readonly root: string) {
    this.#prefixes = new Map(DIRS.map((dir) => [dir, `${join(root, dir)}${sep}`]));
  }

  /** Create every folder (mode 0700). */
  async create(): Promise<void> {
    for (const dir of DIRS) await mkdir(this.path(dir), { recursive: true, mode: 0o700 });
  }

  /** The path of a folder, or of a file in it (`name` is one path component: an id or a file name we made). */
  path(dir: QueueDir, name?: string): string {
    return name === undefined ? join(this.root, dir) : this.#prefixes.get(dir)! + name;
  }

  /** The queue ids in a state folder, sorted. */
  async ids(state: QueueState): Promise<string[]> {
    return (await readdir(this.path(state))).filter(isQueueId).sort();
  }

  // A file that moves between two folders while we look could be missed in one pass, so look
  // three times before saying it is not queued.
  /** Open the queue file wherever it is; QueueError 'not-found' if it is nowhere. */
  async openQueued(id: string): Promise<{ state: QueueState; fd: number }> {
    if (!isQueueId(id)) throw new QueueError('not-found', `${JSON.stringify(id)} is not a queue id`);
    for (let pass = 0; pass < 3; pass++) {
      for (const state of STATES) {
        try {
          return { state, fd: await openFd(this.path(state, id), 'r') };
        } catch (error) {
          if (errnoCode(error) !== 'ENOENT') throw asQueueError(error, `cannot open ${id}`);
        }
      }
    }
    throw new QueueError('not-found', `${id} is not queued`);
  }

  /** The state a message is in, or null if it is not queued. */
  async stateOf(id: string): Promise<QueueState | null> {
    try {
      const { state, fd } = await this.openQueued(id);
      closeFd(fd);
      return state;
    } catch (error) {
      if (error instanceof QueueError && error.code === 'not-found') return null;
      throw error;
    }
  }

  /** True if the file at `path` has a valid envelope line. */
  async isReadable(path: string, name: string): Promise<boolean> {
    const fd = await openFd(path, 'r');
    try {
      await readQueueFileHead(fd, name);
      return true;
    } catch (error) {
      if (error instanceof QueueError && error.code === 'corrupt') return false;
      throw error;
    } finally {
      closeFd(fd);
    }
  }
}
