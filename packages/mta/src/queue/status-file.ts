// status/<id>: what changes while a message is delivered (per-recipient status, attempts, next
// attempt). Absent until the first attempt; replaced atomically: write status/<id>.tmp,
// fdatasync, rename over status/<id>, fsync status/. A crash leaves the old or the new version.

import { readFile } from 'node:fs/promises';
import { closeFd, openFd, renamePath, writeAllFd } from '@mailstack/mailstore';
import type { Syncer } from './durability.js';
import { type StoredStatus, checkStatus, initialStatus } from './envelope.js';
import { QueueError, asQueueError, errnoCode } from './errors.js';
import type { QueueDirs } from './queue-dirs.js';

/** The outcome of one delivery attempt for one recipient (by index into `recipients`). */
export interface DeliveryResult {
  recipient: number;
  outcome: 'delivered' | 'deferred' | 'failed';
  /** The remote reply or local error, for `queue list` and the DSN. */
  diagnostic?: string;
}

/** One delivery attempt: its per-recipient results and, if anything is deferred, when to retry. */
export interface AttemptRecord {
  results: readonly DeliveryResult[];
  nextAttemptAt?: number;
}

/** Read a message's status (the initial one if it has none yet). */
export async function readStatus(dirs: QueueDirs, id: string, recipientCount: number): Promise<StoredStatus> {
  let text: string;
  try {
    text = await readFile(dirs.path('status', id), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return initialStatus(recipientCount);
    throw asQueueError(error, `cannot read the status of ${id}`);
  }
  try {
    return checkStatus(JSON.parse(text), recipientCount);
  } catch (error) {
    throw new QueueError('corrupt', `the status file of ${id} is damaged`, { cause: error });
  }
}

/** Replace a message's status atomically and durably. */
export async function writeStatus(dirs: QueueDirs, syncer: Syncer, id: string, status: StoredStatus): Promise<void> {
  const path = dirs.path('status', id);
  const temp = `${path}.tmp`;
  try {
    const fd = await openFd(temp, 'w');
    try {
      await writeAllFd(fd, Buffer.from(JSON.stringify(status), 'utf8'));
      await syncer.file(fd);
    } finally {
      closeFd(fd);
    }
    await renamePath(temp, path);
    await syncer.directory(dirs.path('status'));
  } catch (error) {
    throw asQueueError(error, `cannot write the status of ${id}`);
  }
}

/** Apply an attempt's results to a status (in place); only pending/deferred recipients may change. */
export function applyAttempt(status: StoredStatus, record: AttemptRecord, now: number, id: string): void {
  for (const result of record.results) {
    const recipient = status.recipients[result.recipient];
    if (!recipient) throw new QueueError('wrong-state', `${id} has no recipient #${result.recipient}`);
    if (recipient.status === 'delivered' || recipient.status === 'failed') {
      throw new QueueError('wrong-state', `${id} recipient #${result.recipient} is already ${recipient.status}`);
    }
    status.recipients[result.recipient] = {
      status: result.outcome,
      ...(result.diagnostic !== undefined ? { lastError: result.diagnostic } : {}),
      updatedAt: now,
    };
  }
  status.attempts++;
  status.lastAttemptAt = now;
  if (record.nextAttemptAt === undefined) delete status.nextAttemptAt;
  else status.nextAttemptAt = record.nextAttemptAt;
}
