// Local submission while the server is down (`mailstack sendmail`, Postfix's postdrop(1) and
// pickup(8)). The writer: maildrop/<id>.tmp, fdatasync, rename to maildrop/<id>, fsync maildrop/.
// The pickup moves each complete file into active/ with one rename; a file whose envelope does not
// parse goes to corrupt/.

import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Syncer } from './durability.js';
import { type EnqueueRequest, toStoredEnvelope } from './envelope.js';
import { QueueError, ignoreMissing } from './errors.js';
import type { QueueDirs } from './queue-dirs.js';
import { isQueueId, newQueueId } from './queue-id.js';
import { writeQueueFile } from './queue-file.js';

// A maildrop '.tmp' file this old belongs to a writer that died (a live one takes seconds).
const STALE_TEMP_MS = 24 * 3600 * 1000;

/** Options of writeMaildrop. */
export interface MaildropOptions {
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
}

/** Durably drop a message into `<dataDir>/queue/maildrop/`; resolves with its id (exit 0 after this). */
export async function writeMaildrop(
  dataDir: string,
  request: EnqueueRequest,
  body: AsyncIterable<Uint8Array> | Readable,
  options: MaildropOptions = {},
): Promise<string> {
  const now = (options.clock ?? Date.now)();
  const envelope = toStoredEnvelope(request, now);
  const dir = join(dataDir, 'queue', 'maildrop');
  const id = newQueueId(now);
  const temp = join(dir, `${id}.tmp`);
  const syncer = new Syncer();
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeQueueFile(temp, envelope, body, syncer);
    await rename(temp, join(dir, id));
    await syncer.directory(dir);
    return id;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (error instanceof TypeError) throw error;
    throw new QueueError('io', `cannot write to ${dir}`, { cause: error });
  }
}

/** Move the complete maildrop files into active/; resolves with their queue ids. */
export async function pickupMaildrop(dirs: QueueDirs, syncer: Syncer, now: number): Promise<string[]> {
  await removeStaleTemps(dirs, now);
  const picked: string[] = [];
  for (const name of (await readdir(dirs.path('maildrop'))).filter(isQueueId).sort()) {
    try {
      const id = await pickupOne(dirs, name, now);
      if (id !== null) picked.push(id);
    } catch (error) {
      ignoreMissing(error); // another pickup took it first
    }
  }
  if (picked.length > 0) {
    await syncer.directory(dirs.path('active'));
    await syncer.directory(dirs.path('maildrop'));
  }
  return picked;
}

// A writer that died before its rename (sendmail then exited non-zero) leaves '<id>.tmp'.
async function removeStaleTemps(dirs: QueueDirs, now: number): Promise<void> {
  for (const name of await readdir(dirs.path('maildrop'))) {
    if (!name.endsWith('.tmp')) continue;
    const info = await stat(dirs.path('maildrop', name)).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_TEMP_MS) await unlink(dirs.path('maildrop', name)).catch(ignoreMissing);
  }
}

// Resolves with the queue id the file now has, or null if it went to corrupt/ or was a twin.
async function pickupOne(dirs: QueueDirs, name: string, now: number): Promise<string | null> {
  const path = dirs.path('maildrop', name);
  if (!(await dirs.isReadable(path, name))) {
    await rename(path, dirs.path('corrupt', name));
    return null;
  }
  const id = await queueIdFor(dirs, path, name, now);
  if (id !== null) await rename(path, dirs.path('active', id));
  return id;
}

// The id a maildrop file gets in the queue: its own, unless that is taken. If the queued file
// with that id is the same inode, an earlier pickup's rename survived a crash only half (both
// names): drop the maildrop name and resolve null.
async function queueIdFor(dirs: QueueDirs, path: string, name: string, now: number): Promise<string | null> {
  const queued = await dirs.stateOf(name);
  if (queued === null) return name;
  const [a, b] = await Promise.all([stat(path), stat(dirs.path(queued, name))]);
  if (a.ino === b.ino && a.dev === b.dev) {
    await unlink(path);
    return null;
  }
  return newQueueId(now);
}
