/**
 * `mailstack queue flush` while `serve` runs: the command creates `<dataDir>/queue/flush` and the
 * queue manager (which watches that folder, and looks at least once a second) removes it and makes
 * every deferred message due now. A file rather than a socket: it works across users with access
 * to the dataDir, needs no running-server discovery, and a flush requested while the server is
 * down simply happens at its next start.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The trigger file's name inside `<dataDir>/queue/`. */
export const FLUSH_TRIGGER = 'flush';

/** The trigger file's path for a dataDir. */
export function flushTriggerPath(dataDir: string): string {
  return join(dataDir, 'queue', FLUSH_TRIGGER);
}

/** Ask the running server of `dataDir` to retry every deferred message now. */
export async function requestFlush(dataDir: string): Promise<void> {
  await writeFile(flushTriggerPath(dataDir), `${process.pid}\n`, { mode: 0o600 });
}
