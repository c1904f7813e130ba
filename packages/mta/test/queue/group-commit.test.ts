import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueueSpool } from '@mailstack/mta';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mta-group-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function* body(i: number): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(`Subject: message ${i}\r\n\r\n${'x'.repeat(4000)}\r\n`);
}

describe('group commit (issue 4)', () => {
  it('shares directory fsyncs among concurrent enqueues', async () => {
    const spool = await QueueSpool.open(dataDir);
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => spool.enqueue({ sender: 's@x', recipients: ['r@y'] }, body(i))));
    const elapsedMs = performance.now() - started;
    const { fileFsyncs, directoryFsyncs, commitBatches } = spool.stats;
    console.log(`200 concurrent enqueues: ${fileFsyncs} file fsyncs, ${directoryFsyncs} directory fsyncs in ${commitBatches} batches, ${elapsedMs.toFixed(0)} ms`);
    expect(new Set(ids).size).toBe(200);
    expect((await readdir(join(dataDir, 'queue', 'active'))).length).toBe(200);
    expect(fileFsyncs).toBe(200);
    expect(directoryFsyncs).toBe(commitBatches);
    expect(directoryFsyncs).toBeLessThanOrEqual(40);
  });

  it('commits a lone enqueue in one batch of its own', async () => {
    const spool = await QueueSpool.open(dataDir);
    await spool.enqueue({ sender: 's@x', recipients: ['r@y'] }, body(0));
    await spool.enqueue({ sender: 's@x', recipients: ['r@y'] }, body(1));
    expect(spool.stats).toEqual({ fileFsyncs: 2, directoryFsyncs: 2, commitBatches: 2 });
  });
});
