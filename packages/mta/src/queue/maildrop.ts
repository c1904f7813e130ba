// Local submission while the server is down (`mailstack sendmail`, Postfix's postdrop(1)):
// write maildrop/<id>.tmp, fsync, rename to maildrop/<id>, fsync maildrop/. QueueSpool's
// pickupMaildrop() moves each complete file into active/ with one rename.

import { mkdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Syncer } from './durability.js';
import { type EnqueueRequest, toStoredEnvelope } from './envelope.js';
import { QueueError } from './errors.js';
import { newQueueId } from './queue-id.js';
import { writeQueueFile } from './queue-file.js';

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
