// Scratch directories for tests: made under the OS temp dir (traversable by unprivileged peer
// processes, as makePeerDir's) and removed when the test file that made them has finished. The
// afterAll hook is registered on the file's root suite when this module is first imported; with
// vitest's stacked after-hooks it runs after the file's own hooks have stopped its servers.
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { makePeerDir } from './peers/index.js';

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory `<tmp>/<prefix>-XXXXXX`, removed after the current test file. */
export function scratchDir(prefix: string): string {
  const dir = makePeerDir(prefix);
  made.push(dir);
  return dir;
}
