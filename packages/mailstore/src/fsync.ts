import { closeFd, openFd, syncFd } from './fs-calls.js';

/**
 * fsync a directory so that the names created, renamed or removed in it survive a crash
 * (rename(2) is atomic but only durable once its directory is synced; Linux, as Postfix does).
 */
export async function fsyncDirectory(path: string): Promise<void> {
  const fd = await openFd(path, 'r');
  try {
    await syncFd(fd);
  } finally {
    closeFd(fd);
  }
}
