import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaildirFolder } from '@mailstack/mailstore';

let root: string;
let folder: MaildirFolder;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailstore-lock-'));
  folder = await MaildirFolder.open(join(root, 'Maildir'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const lockPath = () => join(folder.path, 'mailstack-pop3.lock');

describe('acquireLock (POP3 maildrop lock)', () => {
  it('refuses a second holder until the first releases', async () => {
    const first = await folder.acquireLock('pop3');
    await expect(folder.acquireLock('pop3')).rejects.toMatchObject({ code: 'locked' });
    const other = await MaildirFolder.open(folder.path);
    await expect(other.acquireLock('pop3')).rejects.toMatchObject({ code: 'locked' });
    await first.release();
    await first.release(); // twice is harmless
    const second = await other.acquireLock('pop3');
    await second.release();
    expect((await readdir(folder.path)).filter((n) => n.includes('lock'))).toEqual([]);
  });

  it('refuses while a live process holds it', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(lockPath(), `${child.pid} othertoken nonce\n`);
      await expect(folder.acquireLock('pop3')).rejects.toMatchObject({ code: 'locked' });
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    const handle = await folder.acquireLock('pop3'); // its holder died: the lock is stale now
    await handle.release();
  });

  it('breaks the lock of a process that is gone, and one left by an earlier process with our pid', async () => {
    const child = spawn('true');
    await once(child, 'exit');
    await writeFile(lockPath(), `${child.pid} deadtoken nonce\n`);
    const first = await folder.acquireLock('pop3');
    await first.release();
    await writeFile(lockPath(), `${process.pid} previous-incarnation nonce\n`);
    const second = await folder.acquireLock('pop3');
    await second.release();
    expect((await readdir(folder.path)).filter((n) => n.includes('lock'))).toEqual([]);
  });

  it('does not remove a lock that someone else took after it was broken', async () => {
    const handle = await folder.acquireLock('pop3');
    await writeFile(lockPath(), `1 init-holds-it nonce\n`); // pid 1 is alive
    await handle.release();
    await expect(folder.acquireLock('pop3')).rejects.toMatchObject({ code: 'locked' });
  });

  it('rejects lock kinds that are not simple names', async () => {
    await expect(folder.acquireLock('../x')).rejects.toMatchObject({ code: 'invalid-name' });
  });
});
