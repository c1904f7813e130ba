import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaildirFolder, StoreError, UIDLIST_NAME, pop3Uidl } from '@mailstack/mailstore';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailstore-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const enc = (text: string) => new TextEncoder().encode(text);
async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield enc(part);
}
async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('latin1');
}
const open = (options = {}) => MaildirFolder.open(join(root, 'Maildir'), { host: 'mx.test', pid: 4711, ...options });

describe('delivery', () => {
  it('creates tmp/ new/ cur/ with mode 0700 and writes the message into new/', async () => {
    const folder = await open({ clock: () => 1_700_000_000_000 });
    for (const sub of ['tmp', 'new', 'cur']) expect((await stat(join(folder.path, sub))).mode & 0o777).toBe(0o700);
    const unique = await folder.deliver(chunks('Subject: hi\r\n', '\r\nbody\r\n'));
    expect(unique).toMatch(/^1700000000\.M0P4711Q\d+\.mx\.test,S=18,W=21$/);
    expect(await readdir(join(folder.path, 'new'))).toEqual([unique]);
    expect(await readdir(join(folder.path, 'tmp'))).toEqual([]);
    expect(await readFile(join(folder.path, 'new', unique), 'latin1')).toBe('Subject: hi\n\nbody\n');
  });

  it('accepts the whole message as one buffer, and gathers a large stream into few writes intact', async () => {
    const folder = await open();
    const one = await folder.deliver(Buffer.from('Subject: one\r\n\r\nx\r\n'));
    expect(one).toMatch(/,S=16,W=19$/);
    expect(await readFile(join(folder.path, 'new', one), 'latin1')).toBe('Subject: one\n\nx\n');
    const line = `${'y'.repeat(78)}\r\n`;
    const big = await folder.deliver(chunks(...Array.from({ length: 3000 }, () => line)));
    expect(await readFile(join(folder.path, 'new', big), 'latin1')).toBe(`${'y'.repeat(78)}\n`.repeat(3000));
    expect(big).toMatch(/,S=237000,W=240000$/);
  });

  it('accepts the parts of a message already in memory, a CRLF split between two of them', async () => {
    const folder = await open();
    const unique = await folder.deliver([Buffer.from('Delivered-To: a@b.test\r'), Buffer.from('\nSubject: hi\r\n\r\nbody\r\n')]);
    expect(await readFile(join(folder.path, 'new', unique), 'latin1')).toBe('Delivered-To: a@b.test\nSubject: hi\n\nbody\n');
    expect(unique).toMatch(/,S=41,W=45$/);
  });

  it('accepts a Readable and gives exact sizes for LF input too', async () => {
    const folder = await open();
    await folder.deliver(Readable.from([Buffer.from('a\nbb\n'), Buffer.from('c')]));
    const [message] = (await folder.snapshot()).messages;
    expect(message).toMatchObject({ sizeBytes: 6, crlfSizeBytes: 8, isNew: true, flags: '' });
  });

  it('gives concurrent deliveries unique names', async () => {
    const folder = await open({ clock: () => 1_700_000_000_000 });
    const names = await Promise.all(Array.from({ length: 50 }, (_, i) => folder.deliver(chunks(`m${i}\n`))));
    expect(new Set(names).size).toBe(50);
    expect((await readdir(join(folder.path, 'new'))).length).toBe(50);
  });

  it('removes its tmp/ file and reports when the body stream fails', async () => {
    const folder = await open();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield enc('partial');
      throw new Error('client went away');
    }
    await expect(folder.deliver(failing())).rejects.toMatchObject({ code: 'io' });
    expect(await readdir(join(folder.path, 'tmp'))).toEqual([]);
    expect((await folder.snapshot()).messages).toEqual([]);
  });

  it('never shows a crashed delivery (a file left in tmp/), and cleans it after 36 hours', async () => {
    let now = 1_700_000_000_000;
    const folder = await open({ clock: () => now });
    await writeFile(join(folder.path, 'tmp', '1699999999.M1P99Q1.mx.test'), 'half a mess');
    expect((await folder.snapshot()).messages).toEqual([]);
    const seconds = now / 1000;
    await utimes(join(folder.path, 'tmp', '1699999999.M1P99Q1.mx.test'), seconds, seconds);
    now += 35 * 3600 * 1000;
    expect(await folder.cleanupTmp()).toEqual([]);
    now += 2 * 3600 * 1000;
    expect(await folder.cleanupTmp()).toEqual(['1699999999.M1P99Q1.mx.test']);
  });
});

describe('UIDs', () => {
  it('survive reopening and only grow, also after an expunge of the highest UID', async () => {
    const first = await open({ clock: () => 1_700_000_000_000 });
    await first.deliver(chunks('one\n'));
    await first.deliver(chunks('two\n'));
    const before = await first.snapshot();
    expect(before.uidValidity).toBe(1_700_000_000);
    expect(before.messages.map((m) => m.uid)).toEqual([1, 2]);
    expect(await first.expunge([2])).toBe(1);

    const reopened = await open({ clock: () => 1_800_000_000_000 });
    await reopened.deliver(chunks('three\n'));
    const after = await reopened.snapshot();
    expect(after.uidValidity).toBe(1_700_000_000);
    expect(after.messages.map((m) => [m.uid, m.unique])).toEqual([
      [1, before.messages[0]!.unique],
      [3, expect.stringMatching(/^1800000000\./)],
    ]);
    expect(after.messages[1]!.uidl).toBe(pop3Uidl(1_700_000_000, 3));
    expect(pop3Uidl(1_700_000_000, 3)).toBe('000000036553F100');
  });

  it('keeps UIDs unique when compaction drops expunged lines', async () => {
    const folder = await open();
    for (let i = 0; i < 70; i++) await folder.deliver(chunks(`m${i}\n`));
    const { messages } = await folder.snapshot();
    await folder.expunge(messages.slice(0, 69).map((m) => m.uid));
    const uidlist = await readFile(join(folder.path, UIDLIST_NAME), 'utf8');
    expect(uidlist.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^mailstack-uidlist 1 V\d+ N71$/), `70 ${messages[69]!.unique}`]);
    await folder.deliver(chunks('next\n'));
    expect((await folder.snapshot()).messages.map((m) => m.uid)).toEqual([70, 71]);
  });

  it('gives a message that another tool dropped into new/ a UID and computes its sizes', async () => {
    const folder = await open();
    await writeFile(join(folder.path, 'new', '1700000000.foreign'), 'a\r\nb\nc');
    const [message] = (await folder.snapshot()).messages;
    expect(message).toMatchObject({ uid: 1, unique: '1700000000.foreign', sizeBytes: 6, crlfSizeBytes: 7 });
    expect(await text(folder.readMessageCrlf(1))).toBe('a\r\nb\r\nc');
  });
});

describe('reading, flags, expunge', () => {
  it('reads raw and CRLF forms, follows renames and tolerates expunged UIDs', async () => {
    const folder = await open();
    await folder.deliver(chunks('Subject: x\r\n\r\nhello\r\n'));
    const { messages } = await folder.snapshot();
    const uid = messages[0]!.uid;
    expect(await text(await folder.openMessage(uid))).toBe('Subject: x\n\nhello\n');
    await folder.markSeen([uid]);
    await folder.setFlags(uid, 'FR');
    await folder.markSeen([uid]);
    expect(await readdir(join(folder.path, 'cur'))).toEqual([`${messages[0]!.unique}:2,FRS`]);
    expect(await readdir(join(folder.path, 'new'))).toEqual([]);
    expect(await text(folder.readMessageCrlf(uid))).toBe('Subject: x\r\n\r\nhello\r\n');
    expect((await folder.snapshot()).messages[0]).toMatchObject({ uid, flags: 'FRS', isNew: false });
    expect(await folder.expunge([uid, uid, 99])).toBe(1);
    await expect(folder.openMessage(uid)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('finds a message that another process renamed since the last snapshot', async () => {
    const folder = await open();
    await folder.deliver(chunks('x\n'));
    const other = await open();
    const { messages } = await folder.snapshot();
    await other.setFlags(messages[0]!.uid, 'S');
    expect(await text(folder.readMessageCrlf(messages[0]!.uid))).toBe('x\r\n');
  });

  it('rejects text streams instead of guessing an encoding', async () => {
    const folder = await open();
    await expect(folder.deliver(Readable.from(['text']))).rejects.toBeInstanceOf(TypeError);
    await expect(folder.deliver(['text'] as unknown as Uint8Array[])).rejects.toBeInstanceOf(TypeError);
    expect(await readdir(join(folder.path, 'new'))).toEqual([]);
  });
});

describe('property: deliver then read CRLF', () => {
  it('gives the canonical CRLF form of any bytes', async () => {
    const folder = await open();
    const arbBytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(fc.constantFrom(13, 10, 46, 65, 0, 255), { maxLength: 300 }).map((a) => Uint8Array.from(a)),
    );
    await fc.assert(
      fc.asyncProperty(arbBytes, fc.nat({ max: 300 }), async (bytes, cut) => {
        const unique = await folder.deliver((async function* () {
          yield bytes.subarray(0, cut);
          yield bytes.subarray(cut);
        })());
        const { messages } = await folder.snapshot();
        const message = messages.find((m) => m.unique === unique)!;
        const canonical = Buffer.from(bytes).toString('latin1').replace(/\r*\n/g, '\r\n');
        expect(await text(folder.readMessageCrlf(message.uid))).toBe(canonical);
        expect(message.crlfSizeBytes).toBe(canonical.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('errors', () => {
  it('are StoreErrors with a code', async () => {
    const folder = await open();
    const error = await folder.openMessage(5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ name: 'StoreError', code: 'not-found' });
  });
});

describe('concurrent UID assignment', () => {
  it('gives one UID per message when two openers of the folder snapshot at once', async () => {
    const a = await open();
    const b = await open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).deliver(chunks(`m${i}\n`))));
    const [sa, sb] = await Promise.all([a.snapshot(), b.snapshot()]);
    const uidsOf = (s: typeof sa) => Object.fromEntries(s.messages.map((m) => [m.unique, m.uid]));
    expect(uidsOf(sa)).toEqual(uidsOf(sb));
    expect(new Set(sa.messages.map((m) => m.uid)).size).toBe(20);
    expect(Math.max(...sa.messages.map((m) => m.uid))).toBe(20);
  });
});

describe('damaged UID list', () => {
  it('is set aside and replaced with a new, higher UIDVALIDITY', async () => {
    const folder = await open({ clock: () => 1_700_000_000_000 });
    await folder.deliver(chunks('one\n'));
    const before = await folder.snapshot();
    await writeFile(join(folder.path, UIDLIST_NAME), 'mailstack-uidlist 1 V1700000000 N2\ngarbage line\n');
    const after = await folder.snapshot();
    expect(after.uidValidity).toBe(before.uidValidity + 1);
    expect(after.messages.map((m) => [m.uid, m.unique])).toEqual([[1, before.messages[0]!.unique]]);
    expect(await readdir(folder.path)).toContain(`${UIDLIST_NAME}.corrupt`);
  });
});
