import { open } from 'node:fs/promises';

/**
 * fsync a directory so that the names created, renamed or removed in it survive a crash
 * (rename(2) is atomic but only durable once its directory is synced; Linux, as Postfix does).
 */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
