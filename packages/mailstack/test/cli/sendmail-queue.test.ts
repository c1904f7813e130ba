// sendmail into the maildrop with the server down, and queue list/hold/release/delete/flush.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { QueueSpool } from '@mailstack/mta';
import { requireCommand } from '../peers/index.js';
import { CLI, ensureBuilt, runCli } from './built-cli.js';
import { scratchDir } from '../scratch-dir.js';

const tempDir = (): string => scratchDir('mailstack-cli');
// The fields sendmail adds when they are missing; tests of other behaviour include them.
const DATED = 'Date: Thu, 26 Nov 2026 16:00:00 +0000\nMessage-ID: <t@example.test>\n';
const DATED_CRLF = DATED.replace(/\n/g, '\r\n');

beforeAll(ensureBuilt, 300_000);

// A folder with a config naming host and domain, so that addresses do not depend on the machine.
function configured(): { cwd: string; dataDir: string } {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'mailstack.yaml'), 'hostname: mx.example.test\ndomains: [example.test]\ndataDir: ./data\n');
  return { cwd, dataDir: join(cwd, 'data') };
}

// Every local submission starts with a Received field in Postfix pickup's form.
const RECEIVED = /^Received: by mx\.example\.test \(mailstack, from userid \d+\); (\w{3}, [ \d]?\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4})\r\n/;

/** The maildrop files: envelope (first line) and message (after its Received field). */
function maildrop(dataDir: string): { envelope: { sender: string; recipients: { address: string }[] }; message: string }[] {
  const dir = join(dataDir, 'queue', 'maildrop');
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      const lf = text.indexOf('\n');
      const message = text.slice(lf + 1);
      const received = RECEIVED.exec(message);
      expect(received, message).not.toBeNull();
      expect(Math.abs(Date.parse(received![1]!) - Date.now())).toBeLessThan(60_000);
      return { envelope: JSON.parse(text.slice(0, lf)) as { sender: string; recipients: { address: string }[] }, message: message.slice(received![0].length) };
    });
}

describe('sendmail', () => {
  it('queues into the maildrop with CRLF line ends; queue list shows it', async () => {
    const { cwd, dataDir } = configured();
    const result = await runCli(['sendmail', '-f', 'alice@example.test', 'bob@remote.test', 'carol'], { cwd, input: `From: a@example.test\n${DATED}Subject: hello\n\nfirst line\nlast line` });
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const [queued, ...more] = maildrop(dataDir);
    expect(more).toHaveLength(0);
    expect(queued!.envelope.sender).toBe('alice@example.test');
    expect(queued!.envelope.recipients.map((r) => r.address)).toEqual(['bob@remote.test', 'carol@mx.example.test']);
    expect(queued!.message).toBe(`From: a@example.test\r\n${DATED_CRLF}Subject: hello\r\n\r\nfirst line\r\nlast line\r\n`);

    const list = await runCli(['queue', 'list'], { cwd });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^-Queue ID-/);
    expect(list.stdout).toMatch(/^[0-9A-Z]{19}\^ +\d{3} \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d  alice@example\.test$/m);
    expect(list.stdout).toContain('bob@remote.test (waiting for pickup)');
    expect(list.stdout).toContain('carol@mx.example.test (waiting for pickup)');
    expect(list.stdout).toMatch(/-- 1 Kbytes in 1 Request\.\n$/);
  });

  it('without -i a lone "." ends the message; with -i and -oi it is an ordinary line', async () => {
    const input = `From: a@example.test\n${DATED}Subject: dots\n\nbefore\n.\nafter\n`;
    for (const [flags, body] of [[[], 'before\r\n'], [['-i'], 'before\r\n.\r\nafter\r\n'], [['-oi'], 'before\r\n.\r\nafter\r\n']] as const) {
      const { cwd, dataDir } = configured();
      expect((await runCli(['sendmail', ...flags, 'bob@example.test'], { cwd, input })).code).toBe(0);
      expect(maildrop(dataDir)[0]!.message).toBe(`From: a@example.test\r\n${DATED_CRLF}Subject: dots\r\n\r\n${body}`);
    }
    // "..", ". " and a dot line inside the header are not lone dots.
    const { cwd, dataDir } = configured();
    await runCli(['sendmail', 'bob@example.test'], { cwd, input: `From: a@example.test\n${DATED}\n..\n. \nx\r\n.\r\nnot this\n` });
    expect(maildrop(dataDir)[0]!.message).toBe(`From: a@example.test\r\n${DATED_CRLF}\r\n..\r\n. \r\nx\r\n`);
  });

  it('-t takes To/Cc/Bcc recipients (plus the command line ones) and strips Bcc', async () => {
    const { cwd, dataDir } = configured();
    const input = [
      'From: Alice <alice@example.test>',
      'To: Bob <bob@remote.test>, "Team" : carol@example.test, dave@example.test;',
      'Cc: erin@remote.test',
      'BCC: secret@remote.test,',
      '  hidden@remote.test',
      'Subject: -t',
      DATED.trimEnd(),
      '',
      'Bcc: in the body stays',
      '',
    ].join('\n');
    const result = await runCli(['sendmail', '-t', '-oem', '-odi', '-bm', '-F', 'Alice', 'frank@remote.test'], { cwd, input, env: { USER: 'postie' } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [queued] = maildrop(dataDir);
    expect(queued!.envelope.recipients.map((r) => r.address)).toEqual([
      'frank@remote.test',
      'bob@remote.test',
      'carol@example.test',
      'dave@example.test',
      'erin@remote.test',
      'secret@remote.test',
      'hidden@remote.test',
    ]);
    expect(queued!.message).toBe(
      `From: Alice <alice@example.test>\r\nTo: Bob <bob@remote.test>, "Team" : carol@example.test, dave@example.test;\r\nCc: erin@remote.test\r\nSubject: -t\r\n${DATED_CRLF}\r\nBcc: in the body stays\r\n`,
    );
    // The default sender is the invoking user at the host name.
    expect(queued!.envelope.sender).toBe('postie@mx.example.test');
  }, 20_000);

  it('-t with Resent- fields uses Resent-To/Cc/Bcc only; no recipients at all is exit 64', async () => {
    const { cwd, dataDir } = configured();
    const input = 'To: old@example.test\nResent-To: new@example.test\nResent-Bcc: quiet@example.test\n\nbody\n';
    expect((await runCli(['sendmail', '-t'], { cwd, input, env: { USER: 'root' } })).code).toBe(0);
    const [queued] = maildrop(dataDir);
    expect(queued!.envelope.recipients.map((r) => r.address)).toEqual(['new@example.test', 'quiet@example.test']);
    // Resent: the missing Resent-From, Resent-Date and Resent-Message-ID are added (RFC 5322 §3.6.6).
    expect(queued!.message).toMatch(
      /^To: old@example\.test\r\nResent-To: new@example\.test\r\nResent-From: root@mx\.example\.test\r\nResent-Date: \w{3}, [ \d]?\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r\nResent-Message-ID: <\d{14}\.[0-9A-F]{16}@mx\.example\.test>\r\n\r\nbody\r\n$/,
    );
    expect((await runCli(['sendmail', '-t'], { cwd, input: 'Subject: none\n\nx\n' })).code).toBe(64);
    expect((await runCli(['sendmail'], { cwd, input: 'Subject: none\n\nx\n' })).code).toBe(64);
  });

  it('adds From (with -F), Date and Message-ID when missing, before the body', async () => {
    const { cwd, dataDir } = configured();
    const before = Date.now();
    expect((await runCli(['sendmail', '-F', 'Backup Job', '-f', 'backup@example.test', 'bob@example.test'], { cwd, input: 'no header here\n' })).code).toBe(0);
    const { message } = maildrop(dataDir)[0]!;
    const match = /^From: Backup Job <backup@example\.test>\r\nDate: (.+)\r\nMessage-ID: <\d{14}\.[0-9A-F]{16}@mx\.example\.test>\r\n\r\nno header here\r\n$/.exec(message);
    expect(match, message).not.toBeNull();
    expect(Math.abs(Date.parse(match![1]!) - before)).toBeLessThan(5_000);
    // Nothing is added when the fields are there; the null sender gets no From.
    const other = configured();
    await runCli(['sendmail', '-f', '<>', 'bob@example.test'], { cwd: other.cwd, input: `${DATED}Subject: s\n\nx\n` });
    expect(maildrop(other.dataDir)[0]!.message).toBe(`${DATED_CRLF}Subject: s\r\n\r\nx\r\n`);
  });

  it('a long body streams through unchanged apart from line ends', async () => {
    const { cwd, dataDir } = configured();
    const long = 'x'.repeat(200_000); // longer than one line piece
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'y'.repeat(i % 300)}`);
    const input = `From: a@example.test\n${DATED}Subject: big\n\n${long}\n${lines.join('\r\n')}\n`;
    expect((await runCli(['sendmail', 'bob@example.test'], { cwd, input })).code).toBe(0);
    expect(maildrop(dataDir)[0]!.message).toBe(`From: a@example.test\r\n${DATED_CRLF}Subject: big\r\n\r\n${long}\r\n${lines.join('\r\n')}\r\n`);
  });

  it('mutt sends through it (sendmail -oem -oi -f FROM -- RCPT...)', async () => {
    const { cwd, dataDir } = configured();
    const muttrc = join(cwd, 'muttrc');
    writeFileSync(
      muttrc,
      `set sendmail="${process.execPath} ${CLI} sendmail"\nset from=alice@example.test\nset use_from=yes\nset envelope_from=yes\nset record=""\n`,
    );
    const mutt = spawnSync(requireCommand('mutt', 'mutt'), ['-n', '-F', muttrc, '-s', 'from mutt', '-b', 'hidden@example.test', '--', 'bob@example.test'], {
      cwd,
      input: 'hello from mutt\n',
      env: { ...process.env, HOME: cwd },
      encoding: 'utf8',
    });
    expect(mutt.status, mutt.stderr).toBe(0);
    const [queued] = maildrop(dataDir);
    expect(queued!.envelope.sender).toBe('alice@example.test');
    expect(queued!.envelope.recipients.map((r) => r.address)).toEqual(['bob@example.test', 'hidden@example.test']);
    expect(queued!.message).toMatch(/^Date: .*\r\nFrom: .*<alice@example\.test>\r\nTo: bob@example\.test\r\nSubject: from mutt\r\n/);
    expect(queued!.message).not.toContain('hidden');
    expect(queued!.message).toMatch(/\r\n\r\nhello from mutt\r\n$/);
  });

  it('exits 75 when the message cannot be queued (dataDir under a regular file)', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'file'), 'not a folder');
    writeFileSync(join(cwd, 'mailstack.yaml'), 'hostname: mx.example.test\ndataDir: ./file/data\n');
    const result = await runCli(['sendmail', 'bob@example.test'], { cwd, input: 'Subject: x\n\ny\n' });
    expect(result.code).toBe(75);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('message not queued');
  });

  it('bad flags and addresses are usage errors', async () => {
    const { cwd } = configured();
    for (const args of [['-x', 'bob'], ['-f'], ['bob smith'], ['--bogus']]) {
      expect((await runCli(['sendmail', ...args], { cwd, input: 'x\n' })).code, args.join(' ')).toBe(64);
    }
  });
});

describe('queue', () => {
  it('hold, release, flush and delete act on the spool (server down)', async () => {
    const { cwd, dataDir } = configured();
    const spool = await QueueSpool.open(dataDir);
    const id = await spool.enqueue({ sender: 'alice@example.test', recipients: ['bob@remote.test', 'carol@remote.test'] }, Readable.from([Buffer.from('Subject: q\r\n\r\nx\r\n')]));
    await spool.recordAttempt(id, {
      results: [
        { recipient: 0, outcome: 'deferred', diagnostic: '451 4.4.1 no answer from host' },
        { recipient: 1, outcome: 'delivered', diagnostic: '250 2.0.0 ok' },
      ],
      nextAttemptAt: Date.now() + 3_600_000,
    });
    expect((await spool.get(id)).state).toBe('deferred');

    const list = await runCli(['queue'], { cwd });
    expect(list.stdout).toMatch(new RegExp(`^${id}  +\\d+ .*  alice@example\\.test$`, 'm'));
    expect(list.stdout).toContain('bob@remote.test (deferred: 451 4.4.1 no answer from host)');
    expect(list.stdout).toContain('carol@remote.test (delivered: 250 2.0.0 ok)');

    expect(await runCli(['queue', 'hold', id], { cwd })).toMatchObject({ code: 0, stdout: `${id}: on hold\n` });
    expect((await spool.get(id)).state).toBe('hold');
    expect((await runCli(['queue', 'list'], { cwd })).stdout).toContain(`${id}!`);
    expect((await runCli(['queue', 'hold', id], { cwd })).code).toBe(1);
    expect(await runCli(['queue', 'release', id], { cwd })).toMatchObject({ code: 0, stdout: `${id}: released\n` });
    expect((await spool.get(id)).state).toBe('active');

    await spool.recordAttempt(id, { results: [{ recipient: 0, outcome: 'deferred', diagnostic: '451 again' }], nextAttemptAt: Date.now() + 3_600_000 });
    expect((await spool.get(id)).state).toBe('deferred');
    // With no server running, flush leaves the request for the next start (the trigger file).
    expect((await runCli(['queue', 'flush'], { cwd })).stdout).toMatch(/^flush requested/);
    expect(readFileSync(join(dataDir, 'queue', 'flush'), 'utf8')).toMatch(/^\d+\n$/);
    expect((await spool.get(id)).state).toBe('deferred');

    expect(await runCli(['queue', 'delete', id], { cwd })).toMatchObject({ code: 0, stdout: `${id}: deleted\n` });
    expect(await runCli(['queue', 'list'], { cwd })).toMatchObject({ code: 0, stdout: 'Mail queue is empty\n' });
    const missing = await runCli(['queue', 'delete', id], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${id} is not queued`);
    expect((await runCli(['queue', 'delete'], { cwd })).code).toBe(64);
    expect((await runCli(['queue', 'purge'], { cwd })).code).toBe(64);
  });
});
