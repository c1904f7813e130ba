// Real clients against our Pop3Server: Debian's fetchmail (keep and nokeep, plain, STLS and
// pop3s, delivering through an mda into files) and curl's pop3:// and pop3s:// URLs.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCommand } from '../peers/index.js';
import { message, run, startTestServer, USERS, type TestServer } from './harness.js';
import { scratchDir } from '../scratch-dir.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

interface FetchResult {
  /** Each delivered message with fetchmail's own Received field removed. */
  messages: string[];
  log: string;
}

/** One fetchmail run with its own rcfile and HOME; the mda writes each message to its own file. */
async function fetchmail(options: { port: number; user: string; keep: boolean; tls: 'none' | 'stls' | 'ssl' }): Promise<FetchResult> {
  const fetchmailBin = requireCommand('fetchmail', 'fetchmail');
  const home = scratchDir('mailstack-fetchmail');
  const out = join(home, 'out');
  mkdirSync(out);
  const tls = {
    none: 'sslproto ""',
    stls: `sslproto tls1.2+ sslcertck sslcertfile "${t.cert.certFile}" sslcommonname localhost`,
    ssl: 'ssl no sslcertck',
  }[options.tls];
  const rc = join(home, 'fetchmailrc');
  writeFileSync(
    rc,
    `set no bouncemail\npoll 127.0.0.1 with proto POP3 port ${options.port} auth password\n` +
      `  user "${options.user}" there with password "${USERS[options.user as keyof typeof USERS]}" is "${options.user}" here\n` +
      `  ${options.keep ? 'keep' : 'nokeep'} fetchall ${tls}\n` +
      `  mda "sh -c 'cat > ${out}/msg.$$'"\n`,
    { mode: 0o600 },
  );
  const env = { ...process.env, HOME: home, FETCHMAILHOME: home };
  const log = await run(fetchmailBin, ['-f', rc, '-N', '-d0', '-v', '--nosyslog'], env).catch((error: Error) => `FAILED ${error.message}`);
  const messages = readdirSync(out)
    .map((name) => readFileSync(join(out, name), 'latin1'))
    // fetchmail prepends a Received field (possibly folded) of its own.
    .map((text) => text.replace(/^Received: [^\n]*\n(?:[ \t][^\n]*\n)*/, ''))
    .sort();
  return { messages, log };
}

describe('fetchmail', () => {
  it('keep: fetches every message as stored (LF line ends for the mda) and leaves them', async () => {
    await t.deliver('alice', message(1).lf);
    await t.deliver('alice', message(2).lf);
    const result = await fetchmail({ port: t.port, user: 'alice', keep: true, tls: 'none' });
    expect(result.messages, result.log).toEqual([message(1).lf, message(2).lf]);
    expect(t.files('alice')).toHaveLength(2);
  });

  it('nokeep over STLS with the certificate checked: fetches and deletes', async () => {
    const result = await fetchmail({ port: t.port, user: 'alice', keep: false, tls: 'stls' });
    expect(result.messages, result.log).toEqual([message(1).lf, message(2).lf]);
    expect(result.log).toMatch(/STLS/);
    expect(t.files('alice')).toHaveLength(0);
  });

  it('pop3s (ssl, sslcertck off) for a crypt user, nokeep', async () => {
    await t.deliver('bob', message(3).lf);
    const result = await fetchmail({ port: t.pop3sPort, user: 'bob', keep: false, tls: 'ssl' });
    expect(result.messages, result.log).toEqual([message(3).lf]);
    expect(t.files('bob')).toHaveLength(0);
  });
});

describe('curl', () => {
  it('pop3:// and pop3s:// (-k) retrieve message 1 with CRLF line ends', async () => {
    requireCommand('curl', 'curl');
    await t.deliver('alice', message(4).lf);
    const plain = await run('curl', ['-sS', '--max-time', '20', `pop3://alice:${USERS.alice}@127.0.0.1:${t.port}/1`]);
    expect(plain).toBe(message(4).crlf);
    const secure = await run('curl', ['-sS', '-k', '--max-time', '20', `pop3s://alice:${USERS.alice}@127.0.0.1:${t.pop3sPort}/1`]);
    expect(secure).toBe(message(4).crlf);
    const list = await run('curl', ['-sS', '--max-time', '20', `pop3://alice:${USERS.alice}@127.0.0.1:${t.port}/`]);
    expect(list).toBe(`1 ${message(4).crlf.length}\r\n`);
  });
});
