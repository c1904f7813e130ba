// Spare queue files (src/queue/spare-files.ts): a delivered message's file is renamed aside and a
// later enqueue writes over it, instead of an unlink now and a create later.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueueSpool, type QueueSpoolOptions } from '@mailstack/mta';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mta-spares-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const q = (...parts: string[]) => join(dataDir, 'queue', ...parts);
const incoming = () => readdir(q('incoming'));
async function* body(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}
const request = { sender: 'alice@example.test', recipients: ['bob@example.test'] };
const delivered = { results: [{ recipient: 0, outcome: 'delivered' as const }] };
const inode = async (path: string) => (await stat(path)).ino;

async function openSpool(options: QueueSpoolOptions = {}): Promise<QueueSpool> {
  return QueueSpool.open(dataDir, options);
}

/** Enqueue `text` and deliver it at once; resolves with the inode its queue file had. */
async function deliverOne(spool: QueueSpool, text: string): Promise<number> {
  const id = await spool.enqueue(request, body(text));
  const ino = await inode(q('active', id));
  await spool.recordAttempt(id, delivered);
  return ino;
}

/** The body stored in active/<id>, read from disk. */
async function storedBody(id: string): Promise<string> {
  const file = await readFile(q('active', id), 'utf8');
  return file.slice(file.indexOf('\n') + 1);
}

describe('spare queue files', () => {
  it('reuses a delivered file only after a later fsync of active/, and cuts it to the new message', async () => {
    const spool = await openSpool();
    const long = `Subject: long\r\n\r\n${'x'.repeat(10_000)}\r\n`;
    const retiredIno = await deliverOne(spool, long);
    expect(await incoming()).toEqual([expect.stringMatching(/^spare-/)]);

    // No fsync of active/ has followed the retirement yet: a power loss could bring back the old
    // name, so this enqueue must create a new file.
    const first = await spool.enqueue(request, body('Subject: one\r\n\r\n1\r\n'));
    expect(await inode(q('active', first))).not.toBe(retiredIno);

    // first's commit fsync'd active/: the spare is usable now, and a shorter message is cut to size.
    const second = await spool.enqueue(request, body('Subject: two\r\n\r\n2\r\n'));
    expect(await inode(q('active', second))).toBe(retiredIno);
    expect(await incoming()).toEqual([]);
    expect(await storedBody(second)).toBe('Subject: two\r\n\r\n2\r\n');
    expect((await spool.get(second)).sizeBytes).toBe('Subject: two\r\n\r\n2\r\n'.length);

    // And a reader that knows nothing of spares (a restarted server) sees the same message.
    const restarted = await openSpool();
    expect((await restarted.recover()).active.sort()).toEqual([first, second].sort());
    expect((await restarted.get(second)).sender).toBe('alice@example.test');
  });

  it('keeps at most spareFiles spares, and none with spareFiles 0', async () => {
    const two = await openSpool({ spareFiles: 2 });
    const ids = await Promise.all([1, 2, 3, 4].map((n) => two.enqueue(request, body(`Subject: ${n}\r\n\r\n${n}\r\n`))));
    for (const id of ids) await two.recordAttempt(id, delivered);
    expect(await incoming()).toHaveLength(2);

    await rm(dataDir, { recursive: true, force: true });
    const none = await openSpool({ spareFiles: 0 });
    await deliverOne(none, 'Subject: x\r\n\r\nx\r\n');
    expect(await incoming()).toEqual([]);
    expect(await readdir(q('active'))).toEqual([]);
  });

  it('unlinks files over 64 KiB instead of keeping them', async () => {
    const spool = await openSpool();
    await deliverOne(spool, `Subject: big\r\n\r\n${'y'.repeat(70 * 1024)}\r\n`);
    expect(await incoming()).toEqual([]);
  });

  it('removes spares at recovery, and an enqueue whose spare was removed writes a new file', async () => {
    const spool = await openSpool();
    await deliverOne(spool, 'Subject: a\r\n\r\na\r\n');
    await spool.enqueue(request, body('Subject: b\r\n\r\nb\r\n')); // makes the spare usable
    const [spare] = await incoming();
    await rm(q('incoming', spare!)); // gone behind the spool's back
    const id = await spool.enqueue(request, body('Subject: c\r\n\r\nc\r\n'));
    expect(await storedBody(id)).toBe('Subject: c\r\n\r\nc\r\n');

    await spool.recordAttempt(id, delivered);
    expect(await incoming()).toHaveLength(1);
    expect((await spool.recover()).removedIncoming).toEqual([expect.stringMatching(/^spare-/)]);
    expect(await incoming()).toEqual([]);
    const after = await spool.enqueue(request, body('Subject: d\r\n\r\nd\r\n'));
    expect(await storedBody(after)).toBe('Subject: d\r\n\r\nd\r\n');
  });

  it('keeps files finished outside active/ out of the pool', async () => {
    const spool = await openSpool();
    const id = await spool.enqueue(request, body('Subject: d\r\n\r\nd\r\n'));
    await spool.recordAttempt(id, { results: [{ recipient: 0, outcome: 'deferred' }], nextAttemptAt: Date.now() + 60_000 });
    expect(await readdir(q('deferred'))).toEqual([id]);
    await spool.recordAttempt(id, delivered);
    expect(await readdir(q('deferred'))).toEqual([]);
    expect(await incoming()).toEqual([]);
  });
});
