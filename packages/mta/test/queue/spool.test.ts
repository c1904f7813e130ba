import { link, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBody, QueueError, QueueSpool, writeMaildrop } from '@mailstack/mta';

let dataDir: string;
let now: number;
let spool: QueueSpool;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mta-queue-'));
  now = 1_700_000_000_000;
  spool = await QueueSpool.open(dataDir, { clock: () => now });
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const enc = (text: string) => new TextEncoder().encode(text);
async function* body(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield enc(part);
}
async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}
const dir = (name: string) => readdir(join(dataDir, 'queue', name));
const MESSAGE = 'Subject: test\r\n\r\nHello\r\n';
const request = { sender: 'alice@example.test', recipients: ['bob@example.test', { address: 'carol@example.test', notify: ['FAILURE' as const], orcpt: 'rfc822;carol@example.test' }] };

describe('enqueue', () => {
  it('makes the message visible in active/ only after it is complete, and only then resolves', async () => {
    async function* watched(): AsyncGenerator<Uint8Array> {
      yield enc('Subject: test\r\n');
      expect(await dir('active')).toEqual([]); // half written: not visible
      expect((await dir('incoming')).length).toBe(1);
      yield enc('\r\nHello\r\n');
    }
    const id = await spool.enqueue(request, watched());
    expect(await dir('active')).toEqual([id]);
    expect(await dir('incoming')).toEqual([]);
    const file = await readFile(join(dataDir, 'queue', 'active', id), 'utf8');
    expect(file.slice(file.indexOf('\n') + 1)).toBe(MESSAGE);
    expect(JSON.parse(file.slice(0, file.indexOf('\n')))).toMatchObject({ v: 1, sender: 'alice@example.test', arrivalAt: now });
    // Just enqueued by this spool: the body comes from memory, its bytes at hand.
    const opened = await spool.openMessage(id);
    expect(opened).toBeInstanceOf(MemoryBody);
    expect(Buffer.from((opened as MemoryBody).bytes).toString('utf8')).toBe(MESSAGE);
    expect(await text(opened)).toBe(MESSAGE);
  });

  it('records the envelope and reports every recipient pending', async () => {
    const id = await spool.enqueue({ ...request, dsn: { ret: 'HDRS', envid: 'QQ314159' }, client: { address: '127.0.0.1', helo: 'client.test', protocol: 'ESMTP' } }, Readable.from([Buffer.from(MESSAGE)]));
    expect(await spool.get(id)).toEqual({
      id,
      state: 'active',
      sender: 'alice@example.test',
      recipients: [
        { address: 'bob@example.test', status: 'pending' },
        { address: 'carol@example.test', notify: ['FAILURE'], orcpt: 'rfc822;carol@example.test', status: 'pending' },
      ],
      arrivalAt: now,
      sizeBytes: MESSAGE.length,
      attempts: 0,
      dsn: { ret: 'HDRS', envid: 'QQ314159' },
      client: { address: '127.0.0.1', helo: 'client.test', protocol: 'ESMTP' },
    });
  });

  it('leaves nothing behind when the body stream fails, and rejects bad envelopes before writing', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield enc('partial');
      throw new Error('connection lost');
    }
    await expect(spool.enqueue(request, failing())).rejects.toMatchObject({ code: 'io' });
    await expect(spool.enqueue({ sender: 'a@b', recipients: [] }, body('x'))).rejects.toMatchObject({ code: 'invalid-envelope' });
    await expect(spool.enqueue({ sender: 'a@b\r\nRCPT TO:<x>', recipients: ['c@d'] }, body('x'))).rejects.toMatchObject({ code: 'invalid-envelope' });
    await expect(spool.enqueue({ sender: '', recipients: [{ address: 'c@d', notify: ['NEVER', 'FAILURE'] }] }, body('x'))).rejects.toMatchObject({ code: 'invalid-envelope' });
    await expect(spool.enqueue(request, Readable.from(['text']))).rejects.toBeInstanceOf(TypeError);
    expect(await dir('incoming')).toEqual([]);
    expect(await spool.list()).toEqual([]);
  });
});

describe('per-recipient status', () => {
  it('defers, then finishes; the status survives reopening', async () => {
    const id = await spool.enqueue(request, body(MESSAGE));
    now += 1000;
    const after1 = await spool.recordAttempt(id, {
      results: [
        { recipient: 0, outcome: 'delivered' },
        { recipient: 1, outcome: 'deferred', diagnostic: '451 4.3.0 try later' },
      ],
      nextAttemptAt: now + 300_000,
    });
    expect(after1).toMatchObject({ state: 'deferred', attempts: 1, lastAttemptAt: now, nextAttemptAt: now + 300_000 });
    expect(after1.recipients.map((r) => [r.status, r.lastError])).toEqual([['delivered', undefined], ['deferred', '451 4.3.0 try later']]);
    expect(await dir('deferred')).toEqual([id]);

    const reopened = await QueueSpool.open(dataDir, { clock: () => now });
    expect(await reopened.get(id)).toEqual(after1);
    await expect(reopened.recordAttempt(id, { results: [{ recipient: 0, outcome: 'failed' }] })).rejects.toMatchObject({ code: 'wrong-state' });
    await reopened.activate(id);
    now += 300_000;
    const done = await reopened.recordAttempt(id, { results: [{ recipient: 1, outcome: 'failed', diagnostic: '550 5.1.1 no such user' }] });
    expect(done).toMatchObject({ state: 'done', attempts: 2 });
    expect(done.recipients.map((r) => r.status)).toEqual(['delivered', 'failed']);
    for (const name of ['active', 'deferred', 'hold', 'status']) expect(await dir(name)).toEqual([]);
    await expect(reopened.get(id)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('keeps a message active while some recipients are still pending', async () => {
    const id = await spool.enqueue(request, body(MESSAGE));
    const entry = await spool.recordAttempt(id, { results: [{ recipient: 1, outcome: 'deferred' }], nextAttemptAt: now + 1 });
    expect(entry.state).toBe('active');
    await expect(spool.recordAttempt(id, { results: [{ recipient: 5, outcome: 'delivered' }] })).rejects.toMatchObject({ code: 'wrong-state' });
  });

  it('serializes concurrent updates of one message', async () => {
    const id = await spool.enqueue({ sender: '', recipients: ['a@x', 'b@x', 'c@x', 'd@x'] }, body(MESSAGE));
    const results = await Promise.all([0, 1, 2].map((i) => spool.recordAttempt(id, { results: [{ recipient: i, outcome: 'delivered' }] })));
    expect(results.map((r) => r.attempts)).toEqual([1, 2, 3]);
    expect((await spool.get(id)).recipients.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'pending']);
  });
});

describe('first attempt of a message this spool enqueued', () => {
  it('finishes a fully delivered message by retiring its queue file, with the entry it had', async () => {
    const id = await spool.enqueue(request, body(MESSAGE));
    now += 500;
    const done = await spool.recordAttempt(id, { results: [{ recipient: 0, outcome: 'delivered' }, { recipient: 1, outcome: 'delivered', diagnostic: '250 ok' }] });
    expect(done).toMatchObject({ id, state: 'done', sender: 'alice@example.test', attempts: 1, lastAttemptAt: now, sizeBytes: MESSAGE.length });
    expect(done.recipients.map((r) => [r.address, r.status, r.lastError])).toEqual([['bob@example.test', 'delivered', undefined], ['carol@example.test', 'delivered', '250 ok']]);
    for (const name of ['active', 'deferred', 'hold', 'status']) expect(await dir(name)).toEqual([]);
    expect(await dir('incoming')).toEqual([expect.stringMatching(/^spare-/)]); // kept for reuse (spares.test.ts)
  });

  it('serves the body from memory until the attempt, and from the file when over freshCacheBytes', async () => {
    const id = await spool.enqueue(request, body(MESSAGE));
    await rm(join(dataDir, 'queue', 'active', id)); // the memory copy answers
    expect(await text(await spool.openMessage(id))).toBe(MESSAGE);

    const small = await QueueSpool.open(dataDir, { clock: () => now, freshCacheBytes: 10 });
    const onDisk = await small.enqueue(request, body(MESSAGE));
    await rm(join(dataDir, 'queue', 'active', onDisk));
    await expect(small.openMessage(onDisk)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('follows a message another process moved to hold/ before the attempt was recorded', async () => {
    const id = await spool.enqueue(request, body(MESSAGE));
    const other = await QueueSpool.open(dataDir, { clock: () => now });
    await other.hold(id);
    const done = await spool.recordAttempt(id, { results: [{ recipient: 0, outcome: 'delivered' }, { recipient: 1, outcome: 'delivered' }] });
    expect(done.state).toBe('done');
    expect(await dir('hold')).toEqual([]);
  });

  it('reports not-found when another process deleted the message', async () => {
    const id = await spool.enqueue(request, body(MESSAGE));
    await (await QueueSpool.open(dataDir, { clock: () => now })).delete(id);
    await expect(spool.recordAttempt(id, { results: [{ recipient: 0, outcome: 'delivered' }, { recipient: 1, outcome: 'delivered' }] })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('reads a large body (several write steps) back from the file', async () => {
    const big = `Subject: big\r\n\r\n${'x'.repeat(99)}\r\n`.repeat(2000);
    const id = await spool.enqueue(request, body(...big.match(/[^]{1,1000}/g)!));
    expect(await text(await spool.openMessage(id))).toBe(big);
  });
});

describe('hold, release, delete, list', () => {
  it('moves messages between folders by rename and lists them', async () => {
    const a = await spool.enqueue(request, body('a'));
    const b = await spool.enqueue(request, body('b'));
    await spool.hold(a);
    await expect(spool.hold(a)).rejects.toMatchObject({ code: 'wrong-state' });
    await expect(spool.activate(b)).rejects.toMatchObject({ code: 'wrong-state' });
    expect((await spool.list()).map((e) => [e.id, e.state])).toEqual([[a, 'hold'], [b, 'active']]);
    expect((await spool.list('hold')).map((e) => e.id)).toEqual([a]);
    await spool.release(a);
    expect(await dir('active')).toEqual([a, b].sort());
    await spool.delete(b);
    await expect(spool.delete(b)).rejects.toBeInstanceOf(QueueError);
    await expect(spool.get('../../etc/passwd')).rejects.toMatchObject({ code: 'not-found' });
    expect((await spool.list()).map((e) => e.id)).toEqual([a]);
  });
});

describe('recover', () => {
  it('removes unacknowledged incoming files and stray status files, and sets corrupt files aside', async () => {
    const kept = await spool.enqueue(request, body(MESSAGE));
    const deferred = await spool.enqueue(request, body(MESSAGE));
    await spool.recordAttempt(deferred, { results: [0, 1].map((i) => ({ recipient: i, outcome: 'deferred' as const })), nextAttemptAt: now + 60_000 });
    const q = (...parts: string[]) => join(dataDir, 'queue', ...parts);
    await writeFile(q('incoming', '0LOYW3V2800010000AA'), '{"v":1,"sender":"x@y","recipi'); // crashed mid-write
    await writeFile(q('status', '0LOYW3V2800020000AA'), '{}'); // its message finished before the crash
    await writeFile(q('status', `${kept}.tmp`), '{"v":1'); // crashed mid-update
    await writeFile(q('active', '0LOYW3V2800030000AA'), 'no envelope line');
    const restarted = await QueueSpool.open(dataDir);
    expect(await restarted.recover()).toEqual({
      removedIncoming: ['0LOYW3V2800010000AA'],
      corrupt: ['0LOYW3V2800030000AA'],
      active: [kept],
      deferred: [deferred],
      hold: [],
    });
    expect(await dir('incoming')).toEqual([]);
    expect(await dir('status')).toEqual([deferred]);
    expect(await dir('corrupt')).toEqual(['0LOYW3V2800030000AA']);
    expect(await text(await restarted.openMessage(kept))).toBe(MESSAGE);
  });
});

describe('recover after a half-journaled rename', () => {
  it('keeps one name of a message found in two folders', async () => {
    const id = await spool.enqueue(request, body(MESSAGE));
    const q = (...parts: string[]) => join(dataDir, 'queue', ...parts);
    await link(q('active', id), q('deferred', id)); // same inode under both names
    const other = await spool.enqueue(request, body('other'));
    await writeFile(q('hold', other), `${JSON.stringify({ v: 1, sender: '', recipients: [{ address: 'x@y' }], arrivalAt: 1 })}\nnot ours`);
    const report = await spool.recover();
    expect(report).toMatchObject({ active: [id, other].sort(), deferred: [], hold: [], corrupt: [`${other}.hold`] });
    expect(await dir('deferred')).toEqual([]);
    expect(await text(await spool.openMessage(other))).toBe('other');
  });
});

describe('maildrop', () => {
  it('writes complete files by rename and is picked up into active/', async () => {
    const id = await writeMaildrop(dataDir, { sender: 'root@localhost', recipients: ['bob@example.test'], client: { protocol: 'local' } }, body(MESSAGE), { clock: () => now });
    expect(await dir('maildrop')).toEqual([id]);
    await writeFile(join(dataDir, 'queue', 'maildrop', '0LOYW3V2800090000AA.tmp'), 'being written');
    await writeFile(join(dataDir, 'queue', 'maildrop', '0LOYW3V2800070000AA.tmp'), 'its writer died');
    const dayAgo = (Date.now() - 25 * 3600 * 1000) / 1000;
    await utimes(join(dataDir, 'queue', 'maildrop', '0LOYW3V2800070000AA.tmp'), dayAgo, dayAgo);
    now = Date.now();
    await writeFile(join(dataDir, 'queue', 'maildrop', '0LOYW3V2800080000AA'), '{"v":2}\nbad');
    expect(await spool.pickupMaildrop()).toEqual([id]);
    expect(await dir('maildrop')).toEqual(['0LOYW3V2800090000AA.tmp']);
    expect(await dir('corrupt')).toEqual(['0LOYW3V2800080000AA']);
    expect(await spool.get(id)).toMatchObject({ state: 'active', sender: 'root@localhost', client: { protocol: 'local' }, arrivalAt: 1_700_000_000_000 });
    expect(await text(await spool.openMessage(id))).toBe(MESSAGE);
  });

  it('lets two concurrent pickups share the work without error', async () => {
    const ids = await Promise.all([1, 2, 3, 4].map((i) => writeMaildrop(dataDir, request, body(`m${i}`))));
    const [a, b] = await Promise.all([spool.pickupMaildrop(), spool.pickupMaildrop()]);
    expect([...a, ...b].sort()).toEqual(ids.sort());
    expect(await dir('active')).toEqual(ids.sort());
  });

  it('drops a maildrop name left beside its queued twin by a crash, and renames a true id clash', async () => {
    const id = await writeMaildrop(dataDir, request, body('one'));
    const q = (...parts: string[]) => join(dataDir, 'queue', ...parts);
    await link(q('maildrop', id), q('active', id)); // the rename's new name survived, the old one too
    expect(await spool.pickupMaildrop()).toEqual([]);
    expect(await dir('maildrop')).toEqual([]);

    const clash = await spool.enqueue(request, body('queued'));
    await writeFile(q('maildrop', clash), `${JSON.stringify({ v: 1, sender: 'x@y', recipients: [{ address: 'z@y' }], arrivalAt: now })}\ndropped`);
    const [renamed] = await spool.pickupMaildrop();
    expect(renamed).not.toBe(clash);
    expect(await text(await spool.openMessage(renamed!))).toBe('dropped');
    expect(await text(await spool.openMessage(clash))).toBe('queued');
  });
});
