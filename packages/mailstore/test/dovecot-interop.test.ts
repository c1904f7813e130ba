// Interop: Dovecot (doveadm, no daemon) opens the Maildir we deliver into and sees the same
// messages, flags and sizes (its size.virtual is the CRLF size, our W= field); the flags it sets
// are the flags we read. Needs Dovecot (apt-get install dovecot-core).
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaildirFolder } from '@mailstack/mailstore';

const run = promisify(execFile);
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailstore-dovecot-'));
  await chmod(root, 0o755);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

// Dovecot refuses to touch mail as root: as root, hand the Maildir to 'nobody'.
const asRoot = process.getuid?.() === 0;
const mailUser = asRoot ? { name: 'nobody', group: 'nogroup' } : { name: userInfo().username, group: String(process.getgid?.()) };

async function doveadm(maildir: string, ...args: string[]): Promise<string> {
  const config = join(root, 'dovecot.conf');
  await writeFile(
    config,
    [
      `base_dir = ${join(root, 'run')}`,
      `state_dir = ${join(root, 'state')}`,
      `log_path = ${join(root, 'dovecot.log')}`,
      `mail_location = maildir:${maildir}`,
      `mail_uid = ${mailUser.name}`,
      `mail_gid = ${mailUser.group}`,
      'ssl = no',
      '',
    ].join('\n'),
  );
  if (asRoot) await chownTree(maildir, 65534, 65534);
  try {
    const { stdout } = await run('doveadm', [...(args[0] === '-f' ? args.slice(0, 2) : []), '-c', config, ...(args[0] === '-f' ? args.slice(2) : args)], { env: { ...process.env, USER: 'tester', HOME: root } });
    return stdout;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') throw new Error('doveadm is missing: apt-get install dovecot-core', { cause: error });
    throw error;
  }
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isDirectory()) await chownTree(join(path, entry.name), uid, gid);
    else await chown(join(path, entry.name), uid, gid);
  }
}


async function* body(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

describe('Dovecot reads our Maildir', () => {
  it('sees our messages with our flags and CRLF sizes, and we see the flags it sets', async () => {
    const folder = await MaildirFolder.open(join(root, 'Maildir'), { host: 'mx.test' });
    await folder.deliver(body('Subject: one\r\n\r\nfirst body\r\n'));
    await folder.deliver(body('Subject: two\n\nsecond\nbody\n'));
    const ours = await folder.snapshot();
    await folder.setFlags(ours.messages[1]!.uid, 'FS');

    const seen: Record<string, string>[] = JSON.parse(await doveadm(folder.path, '-f', 'json', 'fetch', 'flags size.physical size.virtual hdr.subject', 'ALL'));
    expect(seen.map((r) => [r['hdr.subject'], r['size.physical'], r['size.virtual'], r.flags])).toEqual([
      ['one', String(ours.messages[0]!.sizeBytes), String(ours.messages[0]!.crlfSizeBytes), '\\Recent'],
      ['two', String(ours.messages[1]!.sizeBytes), String(ours.messages[1]!.crlfSizeBytes), '\\Flagged \\Seen \\Recent'],
    ]);

    await doveadm(folder.path, 'flags', 'add', '\\Answered', 'ALL');
    const after = await folder.snapshot();
    expect(after.messages.map((m) => [m.uid, m.flags])).toEqual([
      [ours.messages[0]!.uid, 'R'],
      [ours.messages[1]!.uid, 'FRS'],
    ]);
  });
});
