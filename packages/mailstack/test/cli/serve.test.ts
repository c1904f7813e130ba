// `mailstack serve` as a child process: start-up, SMTP banner, graceful SIGTERM, the embedded
// default's postmaster, sendmail and queue flush against the running server (end to end).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueSpool } from '@mailstack/mta';
import { UserDirectory } from 'mailstack';
import { LineSocket, isListening } from '../peers/index.js';
import { CLI, type RunningCli, ensureBuilt, runCli, startCli } from './built-cli.js';
import { scratchDir } from '../scratch-dir.js';

const tempDir = (): string => scratchDir('mailstack-cli');
const running: RunningCli[] = [];

beforeAll(ensureBuilt, 300_000);
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.signal('SIGKILL');
    await server.exited;
  }
});

// A folder with a config on ephemeral ports and one user, bob (password "bobpw").
function configured(extra = ''): { cwd: string; dataDir: string } {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'users'), 'bob:{PLAIN}bobpw\n');
  writeFileSync(
    join(cwd, 'mailstack.yaml'),
    `hostname: mx.example.test\ndomains: [example.test]\ndataDir: ./data\nusers: ./users\nlisten:\n  smtp: 127.0.0.1:0\n  submission: 127.0.0.1:0\n  pop3: 127.0.0.1:0\n${extra}`,
  );
  return { cwd, dataDir: join(cwd, 'data') };
}

async function serve(cwd: string): Promise<{ server: RunningCli; smtpPort: number }> {
  const server = startCli(['serve'], { cwd });
  running.push(server);
  await server.waitFor(/listening: pop3 on /);
  const smtpPort = Number((await server.waitFor(/listening: smtp on 127\.0\.0\.1:(\d+)/))[1]);
  return { server, smtpPort };
}

async function waitForFiles(dir: string, count: number, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(dir, e.name)) : [];
    if (files.length >= count || Date.now() > deadline) return files;
    await sleep(100);
  }
}

describe('serve', () => {
  it('starts the configured listeners, answers 220 on SMTP, and exits 0 on SIGTERM', async () => {
    const { cwd } = configured();
    const { server, smtpPort } = await serve(cwd);
    expect(server.stderr()).not.toContain('postmaster'); // the users file has a user already
    const client = await LineSocket.connect(smtpPort);
    const banner = await client.readSmtpReply();
    expect(banner.code).toBe(220);
    expect(banner.lines[0]).toMatch(/^mx\.example\.test /);
    expect((await client.smtp('QUIT')).code).toBe(221);
    await client.close();
    server.signal('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toMatch(/SIGTERM: stopping/);
    expect(await isListening(smtpPort)).toBe(false);
  });

  it("runs node without V8's memory reducer, from the bin's #! line (src/cli.ts)", async () => {
    const { cwd } = configured();
    const { server } = await serve(cwd);
    // env(1) replaced itself with node: same pid, and node's own command line has the flag.
    const argv = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0');
    expect(argv[0]).toMatch(/(^|\/)node$/);
    expect(argv.slice(1, argv.indexOf('serve'))).toEqual(['--no-memory-reducer', CLI]);
  });

  it('a second signal during the shutdown wait exits at once with 1', async () => {
    const { cwd } = configured('timeouts:\n  shutdown: 60s\n');
    const { server, smtpPort } = await serve(cwd);
    const client = await LineSocket.connect(smtpPort);
    await client.readSmtpReply();
    await client.smtp('EHLO client.test');
    await client.smtp('MAIL FROM:<alice@example.test>');
    await client.smtp('RCPT TO:<bob@example.test>');
    expect((await client.smtp('DATA')).code).toBe(354);
    client.writeLine('Subject: unfinished'); // the transaction stays open
    server.signal('SIGTERM');
    await server.waitFor(/SIGTERM: stopping/);
    await sleep(300);
    const started = Date.now();
    server.signal('SIGINT');
    expect(await server.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.stderr()).toMatch(/SIGINT: exiting without waiting/);
  });

  it('a listener that cannot bind is a one-line error and exit 1', async () => {
    const { cwd } = configured();
    const { smtpPort } = await serve(cwd);
    const other = configured();
    writeFileSync(join(other.cwd, 'mailstack.yaml'), `hostname: mx.example.test\ndataDir: ./data\nusers: ./users\nlisten:\n  smtp: 127.0.0.1:${smtpPort}\n`);
    const result = await runCli(['serve'], { cwd: other.cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/mailstack serve: cannot start: .*(EADDRINUSE|in use)/);
  });

  it('a bad users or aliases file stops the start with exit 78 naming file:line', async () => {
    const { cwd } = configured();
    writeFileSync(join(cwd, 'users'), '# users\nbob:{PLAIN}bobpw\ncarol:{MD5-CRYPT}$1$x$y\n');
    const result = await runCli(['serve'], { cwd });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${join(cwd, 'users')}:3:`);
    expect(result.stderr).toContain('MD5-CRYPT');
    // The aliases file too.
    const other = configured('aliases: ./aliases\n');
    writeFileSync(join(other.cwd, 'aliases'), 'postmaster: bob\nthis line is not an alias\n');
    const aliases = await runCli(['serve'], { cwd: other.cwd });
    expect(aliases.code).toBe(78);
    expect(aliases.stderr).toContain(`${join(other.cwd, 'aliases')}:2`);
  });

  it('the embedded default: postmaster with a password printed once, SMTP on 2525', async () => {
    const cwd = tempDir();
    const ports = [2525, 2587, 2465, 2110, 2995];
    const busy = (await Promise.all(ports.map(isListening))).some(Boolean);
    if (busy) {
      // Another program holds a default port: serve must say so and fail, not half-start.
      const result = await runCli(['serve'], { cwd });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/mailstack serve: cannot start: /);
      return;
    }
    const first = startCli(['serve'], { cwd });
    running.push(first);
    const [, password] = await first.waitFor(/created user postmaster with password (\S+)/);
    await first.waitFor(/listening: pop3s on 127\.0\.0\.1:2995/);
    expect(first.stderr()).toContain(join(cwd, 'mailstack-data'));
    expect(first.stderr()).toContain('mailstack user add NAME');
    const users = await UserDirectory.open({ file: join(cwd, 'mailstack-data', 'users'), domains: ['localhost'], dataDir: join(cwd, 'mailstack-data') });
    expect(await users.verifyPassword('postmaster@localhost', password!)).toBe(true);
    const client = await LineSocket.connect(2525);
    expect((await client.readSmtpReply()).code).toBe(220);
    await client.close();
    first.signal('SIGINT');
    expect(await first.exited).toBe(0);

    const second = startCli(['serve'], { cwd });
    running.push(second);
    await second.waitFor(/listening: pop3s on /);
    expect(second.stderr()).not.toContain('password');
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);
});

describe('sendmail and queue against a running server', () => {
  it('sendmail while serve runs: the message arrives in the Maildir', async () => {
    const { cwd, dataDir } = configured();
    await serve(cwd);
    const message = 'From: alice@example.test\nTo: bob@example.test\nDate: Thu, 26 Nov 2026 16:00:00 +0000\nMessage-ID: <e2e@example.test>\nSubject: end to end\n\nhello bob\n.leading dot\n';
    expect((await runCli(['sendmail', '-t', '-i', '-f', 'alice@example.test'], { cwd, input: message })).code).toBe(0);
    const [file] = await waitForFiles(join(dataDir, 'home', 'bob', 'Maildir', 'new'), 1);
    expect(file).toBeDefined();
    const delivered = readFileSync(file!, 'utf8').replace(/\r\n/g, '\n');
    expect(delivered.startsWith('Return-Path: <alice@example.test>\n')).toBe(true);
    expect(delivered).toContain('Delivered-To: bob@example.test\n');
    expect(delivered.endsWith(message)).toBe(true);
    expect(await runCli(['queue'], { cwd })).toMatchObject({ code: 0, stdout: 'Mail queue is empty\n' });
  });

  it('a user added while serve runs gets sendmail mail at once, not a bounce for an unknown user', async () => {
    const { cwd, dataDir } = configured();
    await serve(cwd);
    // The server has looked at the users file (at start); carol is added after that and mailed
    // straight away, well inside the RCPT-side cache age of one second.
    expect((await runCli(['user', 'add', 'carol', '--password-stdin'], { cwd, input: 'carolpw\n' })).code).toBe(0);
    const message = 'From: alice@example.test\nTo: carol@example.test\nDate: Thu, 26 Nov 2026 16:00:00 +0000\nMessage-ID: <new-user@example.test>\nSubject: welcome\n\nhello carol\n';
    expect((await runCli(['sendmail', '-t', '-i', '-f', 'alice@example.test'], { cwd, input: message })).code).toBe(0);
    const [file] = await waitForFiles(join(dataDir, 'home', 'carol', 'Maildir', 'new'), 1);
    expect(file).toBeDefined();
    expect(readFileSync(file!, 'utf8').replace(/\r\n/g, '\n').endsWith(message)).toBe(true);
    expect(await runCli(['queue'], { cwd })).toMatchObject({ code: 0, stdout: 'Mail queue is empty\n' });
  });

  it('queue flush makes the running server retry a deferred message now', async () => {
    const { cwd, dataDir } = configured();
    const spool = await QueueSpool.open(dataDir);
    const id = await spool.enqueue({ sender: 'alice@example.test', recipients: ['bob@example.test'] }, Readable.from([Buffer.from('Subject: deferred\r\n\r\nlater\r\n')]));
    await spool.recordAttempt(id, { results: [{ recipient: 0, outcome: 'deferred', diagnostic: '451 4.3.0 try again' }], nextAttemptAt: Date.now() + 3_600_000 });
    await serve(cwd);
    const maildir = join(dataDir, 'home', 'bob', 'Maildir', 'new');
    await sleep(1_500);
    expect((await runCli(['queue'], { cwd })).stdout).toContain('bob@example.test (deferred: 451 4.3.0 try again)');
    expect((await runCli(['queue', 'flush'], { cwd })).code).toBe(0);
    const files = await waitForFiles(maildir, 1);
    expect(files).toHaveLength(1);
    expect(readFileSync(files[0]!, 'utf8')).toContain('later');
  });
});
