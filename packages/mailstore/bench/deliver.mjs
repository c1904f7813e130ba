// Maildir delivery and snapshot rate: `pnpm --filter @mailstack/mailstore bench` (builds first).
// Delivers 4 KiB messages one at a time and 20 at a time (each: write, fsync, rename, fsync new/),
// then times snapshot() (first: assigns UIDs under the lock; second: names only).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaildirFolder } from '../dist/index.js';

const body = Buffer.alloc(4096, 'x\r\n');
async function* message() {
  yield body;
}

for (const [concurrency, total] of [[1, 300], [20, 2000]]) {
  const dir = await mkdtemp(join(tmpdir(), 'mailstore-bench-'));
  try {
    const folder = await MaildirFolder.open(join(dir, 'Maildir'));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < total) await folder.deliver(message());
      }),
    );
    const perSecond = total / ((performance.now() - started) / 1000);
    const t1 = performance.now();
    await folder.snapshot();
    const firstMs = performance.now() - t1;
    const t2 = performance.now();
    await folder.snapshot();
    const secondMs = performance.now() - t2;
    console.log(
      `${concurrency} at a time: ${total} deliveries, ${perSecond.toFixed(0)}/s; snapshot ${firstMs.toFixed(0)} ms (new UIDs), ${secondMs.toFixed(0)} ms (again)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
