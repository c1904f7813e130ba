import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { requestFlush, startServer, streamLogger } from 'mailstack';

it('exports startServer, requestFlush and streamLogger from the package root', async () => {
  expect(typeof startServer).toBe('function');
  const dataDir = await mkdtemp(join(tmpdir(), 'mailstack-exports-'));
  try {
    await mkdir(join(dataDir, 'queue')); // the spool a server has created
    await requestFlush(dataDir);
    // The trigger is a file in the spool that the running queue manager consumes.
    await expect(readFile(join(dataDir, 'queue', 'flush'))).resolves.toBeDefined();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const lines: string[] = [];
  streamLogger({ write: (text: string) => lines.push(text) }, () => Date.UTC(2026, 10, 26, 12, 0, 0))({
    component: 'smtpd',
    level: 'info',
    message: 'connect from localhost[127.0.0.1]',
  });
  // Records of one event-loop turn are written together, after the turn.
  await new Promise((resolve) => setImmediate(resolve));
  expect(lines.join('')).toContain('connect from localhost[127.0.0.1]');
});
