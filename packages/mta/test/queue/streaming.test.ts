import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueueSpool } from '@mailstack/mta';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mta-stream-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const TOTAL_BYTES = 50 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

describe('streaming', () => {
  it('enqueues a 50 MB body without holding it in memory', async () => {
    const spool = await QueueSpool.open(dataDir);
    const sent = createHash('sha256');
    const baseline = process.memoryUsage().rss;
    let peakRss = baseline;
    // One buffer, refilled with different bytes each time: allocation garbage does not blur the
    // RSS figure, and a spool that kept references instead of writing would fail the hash check.
    const chunk = Buffer.alloc(CHUNK_BYTES);
    async function* generated(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < TOTAL_BYTES; offset += CHUNK_BYTES) {
        chunk.fill(`line ${offset} of a large message\r\n`);
        sent.update(chunk);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        yield chunk;
      }
    }
    const id = await spool.enqueue({ sender: 's@x', recipients: ['r@y'] }, generated());
    const growthMb = (peakRss - baseline) / 2 ** 20;
    console.log(`50 MB enqueue: peak RSS growth ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(16);
    expect((await spool.get(id)).sizeBytes).toBe(TOTAL_BYTES);
    const read = createHash('sha256');
    for await (const chunk of await spool.openMessage(id)) read.update(chunk as Buffer);
    expect(read.digest('hex')).toBe(sent.digest('hex'));
  });
});
