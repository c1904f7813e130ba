// Real clients against our SmtpServer: swaks (STARTTLS, AUTH PLAIN/LOGIN/CRAM-MD5, pipelining),
// Python smtplib (starttls, login, sendmail), nodemailer (STARTTLS + AUTH), and Postfix's smtp
// client relaying to us. Postfix's smtp(8) client never sends BDAT (only its smtpd speaks
// CHUNKING; `strings /usr/lib/postfix/sbin/smtp` has no BDAT), so the relay arrives by DATA; BDAT
// interop is covered by our SmtpClient against Postfix smtpd (client.test.ts) and raw BDAT tests.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpClient } from 'mailstack';
import { requireCommand, startPostfix } from '../peers/index.js';
import { startTestServer, testAuth, type TestServer } from './harness.js';
import { scratchDir } from '../scratch-dir.js';

const run = promisify(execFile);
let t: TestServer;
const dir = scratchDir('smtp-interop');

beforeAll(async () => {
  t = await startTestServer({ auth: await testAuth(10) }, { smtp: {}, submission: { role: 'submission' } });
});
afterAll(() => t.stop());

/** Wait until the handler has `n` messages (relays deliver asynchronously). */
async function messages(n: number, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (t.rec.messages.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

describe('swaks', () => {
  const swaks = requireCommand('swaks', 'swaks');
  const body = 'Subject: swaks test\r\nFrom: <alice@example.test>\r\n\r\nfirst line\r\n.dot line\r\nlast line\r\n';
  const bodyFile = join(dir, 'swaks.eml');
  // swaks always adds CRLF before the final dot, so the file holds the body without its last CRLF.
  writeFileSync(bodyFile, body.slice(0, -2));

  it.each(['PLAIN', 'LOGIN', 'CRAM-MD5'])('STARTTLS + AUTH %s + pipelining delivers the body byte for byte', async (mech) => {
    const before = t.rec.messages.length;
    const { stdout } = await run(swaks, [
      '--server', `127.0.0.1:${t.ports.submission}`, '--from', 'alice@example.test', '--to', 'bob@remote.test',
      '--tls', '--auth', mech, '--auth-user', 'alice', '--auth-password', 'secret', '--pipeline', '--data', bodyFile, '--helo', 'swaks.test',
    ]);
    expect(stdout).toMatch(/<~ +235 2\.7\.0 Authentication successful/);
    expect(stdout).toMatch(/<~ +250 2\.0\.0 Ok: queued as T\d+/);
    const m = t.rec.messages[before]!;
    expect(m.body.toString('latin1')).toBe(body);
    expect([m.from, m.to, m.session.user, m.session.tls]).toEqual(['<alice@example.test>', ['<bob@remote.test>'], 'alice', true]);
  });

  it('a wrong password fails with 535 5.7.8', async () => {
    const result = await run(swaks, [
      '--server', `127.0.0.1:${t.ports.submission}`, '--from', 'alice@example.test', '--to', 'bob@remote.test',
      '--tls', '--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'wrong', '--quit-after', 'AUTH',
    ]).catch((e: { stdout: string }) => e);
    expect(result.stdout).toMatch(/<~\* 535 5\.7\.8 Authentication credentials invalid/);
  });
});

describe('Python smtplib', () => {
  it('starttls, login, sendmail', async () => {
    const python = requireCommand('python3', 'python3');
    const before = t.rec.messages.length;
    const script = `
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='py.test')
s.starttls(context=ctx); s.ehlo()
s.login('bob', 'hunter2')
refused = s.sendmail('bob@example.test', ['x@remote.test', 'y@remote.test'], b'Subject: py\\r\\n\\r\\nbody \\xc3\\xa9\\r\\n')
print('refused', refused)
s.quit()
`;
    const { stdout } = await run(python, ['-c', script, String(t.ports.submission)]);
    expect(stdout.trim()).toBe('refused {}');
    const m = t.rec.messages[before]!;
    expect(m.body.toString('utf8')).toBe('Subject: py\r\n\r\nbody é\r\n');
    expect(m.to).toEqual(['<x@remote.test>', '<y@remote.test>']);
    expect(m.session.user).toBe('bob');
  });
});

describe('nodemailer', () => {
  it('sends with STARTTLS and AUTH', async () => {
    const before = t.rec.messages.length;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1', port: t.ports.submission, secure: false, requireTLS: true, name: 'nm.test',
      tls: { rejectUnauthorized: false }, auth: { user: 'alice', pass: 'secret' },
    });
    const raw = 'Subject: nodemailer\r\nFrom: alice@example.test\r\n\r\nhello from nodemailer\r\n';
    const info = await transport.sendMail({ envelope: { from: 'alice@example.test', to: ['z@remote.test'] }, raw });
    transport.close();
    expect(info.accepted).toEqual(['z@remote.test']);
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as T\d+$/);
    expect(t.rec.messages[before]!.body.toString()).toBe(raw);
    expect(t.rec.messages[before]!.session.tls).toBe(true);
  });
});

describe('Postfix relays to our server', () => {
  it('over STARTTLS, by DATA', async () => {
    const postfix = await startPostfix({ relayDomains: ['ours.test'], transport: { 'ours.test': `smtp:[127.0.0.1]:${t.ports.smtp}` } });
    try {
      const before = t.rec.messages.length;
      const c = await SmtpClient.connect({ host: '127.0.0.1', port: postfix.port, tls: 'none' });
      const r = await c.send({ from: 'sender@client.test', to: ['rcpt@ours.test'], body: new TextEncoder().encode('Subject: relayed\r\n\r\nvia postfix\r\n') });
      await c.quit();
      expect(r.delivered).toBe(true);
      await messages(before + 1);
      const m = t.rec.messages[before]!;
      expect(m.to).toEqual(['<rcpt@ours.test>']);
      expect(m.session.tls).toBe(true); // Postfix smtp_tls_security_level = may
      expect(m.body.toString()).toMatch(/^Received: from \S+ \(localhost \[127\.0\.0\.1\]\)[^]*\r\nSubject: relayed\r\n[^]*\r\n\r\nvia postfix\r\n$/);
      // The disconnect line comes once Postfix has sent QUIT, just after the 250.
      const disconnectOf = () => t.rec.logs.find((l) => l.event === 'disconnect' && l.connection === m.session.id);
      for (let i = 0; i < 100 && disconnectOf() === undefined; i++) await new Promise((r) => setTimeout(r, 50));
      const line = disconnectOf();
      expect(line?.message).toMatch(/ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7$/);
    } finally {
      await postfix.stop();
    }
  }, 60_000);
});
