import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueSpool } from '@mailstack/mta';

let dataDir: string;
let spool: QueueSpool;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mta-props-'));
  spool = await QueueSpool.open(dataDir);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

// Bodies biased toward what trips line-oriented code: CR, LF, '.', NUL, 8-bit.
const arbBody = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc.array(fc.constantFrom(13, 10, 46, 0, 0xff, 65), { maxLength: 2000 }).map((a) => Uint8Array.from(a)),
);
const arbAddress = fc.tuple(fc.stringMatching(/^[a-z0-9.+_-]{1,20}$/), fc.stringMatching(/^[a-z0-9-]{1,12}\.test$/)).map(([l, d]) => `${l}@${d}`);

describe('queue properties', () => {
  it('openMessage gives back exactly the enqueued bytes and get() the envelope, however the body was chunked', async () => {
    await fc.assert(
      fc.asyncProperty(arbBody, fc.array(fc.nat({ max: 2000 }), { maxLength: 5 }), fc.oneof(fc.constant(''), arbAddress), fc.array(arbAddress, { minLength: 1, maxLength: 4 }), async (bytes, cuts, sender, recipients) => {
        const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length))), bytes.length].sort((a, b) => a - b);
        const id = await spool.enqueue({ sender, recipients }, (async function* () {
          let from = 0;
          for (const point of points) {
            yield bytes.subarray(from, point);
            from = point;
          }
        })());
        const parts: Buffer[] = [];
        for await (const chunk of await spool.openMessage(id)) parts.push(chunk as Buffer);
        expect(Buffer.concat(parts).equals(Buffer.from(bytes))).toBe(true);
        const entry = await spool.get(id);
        expect(entry).toMatchObject({ sender, sizeBytes: bytes.length, recipients: recipients.map((address) => ({ address, status: 'pending' })) });
        await spool.delete(id);
      }),
      { numRuns: 60 },
    );
  });
});
