// swaks/smtplib → startServer → the user's Maildir: bytes, trace fields, RCPT/MAIL policy replies.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWithSmtplib, splitTrace, startTestServer, type TestServer } from './harness.js';
import { scratchDir } from '../scratch-dir.js';

const run = promisify(execFile);

// CRLF on the wire; 8-bit text, a leading-dot line, a From_ line and trailing white space.
const BODY =
  'From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: hello\r\nMessage-ID: <t1@example.test>\r\n\r\n' +
  'Grüße aus Köln\r\n.leading dot\r\nFrom the start of a line\r\ntrailing space \r\n\r\nend\r\n';
const lf = (s: string): Buffer => Buffer.from(s.replace(/\r\n/g, '\n'), 'utf8');

describe('serve: local delivery', () => {
  let t: TestServer;
  const out = scratchDir('serve-alias-out');
  beforeAll(async () => {
    t = await startTestServer({
      aliases: `team: alice, bob\narchive: ${out}/archive.mbox\npiped: "|cat > ${out}/piped.txt; echo \\"$SENDER $RECIPIENT\\" > ${out}/env.txt"\nbroken: "|echo no such mailbox >&2; exit 67"\n`,
    });
  });
  afterAll(() => t.close());

  it('delivers a message from smtplib byte for byte with Return-Path, Delivered-To and Received prepended', async () => {
    const result = await sendWithSmtplib({ port: t.port('smtp'), from: 'alice@example.test', to: ['bob@example.test'], body: BODY });
    expect(result).toEqual({ ok: true, refused: {} });
    const [message] = await t.waitForMail('bob', 1);
    const { trace, rest } = splitTrace(message!);
    expect(rest).toEqual(lf(BODY));
    expect(trace[0]).toBe('Return-Path: <alice@example.test>\n');
    expect(trace[1]).toBe('Delivered-To: bob@example.test\n');
    const received = trace[2]!.replace(/\n[ \t]+/g, ' '); // unfold (RFC 5322 §2.2.3)
    expect(received).toMatch(/^Received: from client\.test \(unknown \[127\.0\.0\.1\]\) by mail\.example\.test \(mailstack\) with ESMTP for <bob@example\.test>; \w{3}, \d+ \w{3} \d{4} [\d:]{8} \+0000\n$/);
    expect(trace).toHaveLength(3);
    await t.waitForLog(/^local: \w+: to=<bob@example\.test>, relay=local, delay=[\d.]+, status=sent \(250 2\.0\.0 delivered to maildir/);
  });

  it('expands an alias to several users, one copy each, with their own Delivered-To', async () => {
    const result = await sendWithSmtplib({ port: t.port('smtp'), from: 'carol@elsewhere.test', to: ['team@example.test'], body: BODY });
    expect(result.ok).toBe(true);
    const alice = await t.waitForMail('alice', 1);
    const bob = await t.waitForMail('bob', 2);
    expect(splitTrace(alice[0]!).trace.slice(0, 2)).toEqual(['Return-Path: <carol@elsewhere.test>\n', 'Delivered-To: alice@example.test\n']);
    expect(splitTrace(bob[1]!).trace[1]).toBe('Delivered-To: bob@example.test\n');
    expect(splitTrace(alice[0]!).rest).toEqual(lf(BODY));
  });

  it('delivers to a "|command" alias (message on stdin, SENDER/RECIPIENT set) and a /file alias (mbox, From_ quoted)', async () => {
    const result = await sendWithSmtplib({ port: t.port('smtp'), from: 'carol@elsewhere.test', to: ['piped@example.test', 'archive@example.test'], body: BODY });
    expect(result.ok).toBe(true);
    await t.waitForLog(/to=<archive@example\.test>, relay=local, .*status=sent/);
    await t.waitForLog(/to=<piped@example\.test>, relay=local, .*status=sent/);
    const piped = readFileSync(join(out, 'piped.txt'));
    expect(splitTrace(piped).rest).toEqual(Buffer.from(BODY, 'utf8'));
    expect(readFileSync(join(out, 'env.txt'), 'utf8')).toBe('carol@elsewhere.test piped@example.test\n');
    const mbox = readFileSync(join(out, 'archive.mbox'), 'utf8');
    expect(mbox).toMatch(/^From carol@elsewhere\.test \w{3} \w{3} +\d+ [\d:]{8} \d{4}\nReturn-Path: <carol@elsewhere\.test>\nDelivered-To: archive@example\.test\nReceived: /);
    expect(mbox).toContain('\n\nGrüße aus Köln\n.leading dot\n>From the start of a line\ntrailing space \n\nend\n\n');
  });

  it('a "|command" alias that fails with a non-temporary status bounces with its stderr as the reason', async () => {
    const result = await sendWithSmtplib({ port: t.port('smtp'), from: '', to: ['broken@example.test'], body: BODY });
    expect(result.ok).toBe(true);
    const line = await t.waitForLog(/^local: \w+: to=<broken@example\.test>/);
    expect(line.message).toMatch(/status=bounced \(550 5\.3\.0 command exited with status 67: no such mailbox\)/);
    await t.waitForLog(new RegExp(`^qmgr: ${line.queueId}: removed$`));
    expect(t.logs.filter((r) => r.component === 'bounce')).toEqual([]); // never a DSN to <> (RFC 5321 §6.1)
  });

  it('swaks: unknown local user gets 550 5.1.1 at RCPT and nothing is queued', async () => {
    const r = await run('swaks', ['--server', '127.0.0.1', '--port', String(t.port('smtp')), '--from', 'alice@example.test', '--to', 'nobody@example.test', '--quit-after', 'RCPT'], { timeout: 20_000 }).catch(
      (e: { stdout: string }) => e,
    );
    expect(r.stdout).toMatch(/^<\*\* 550 5\.1\.1 <nobody@example\.test>/m);
  });

  it('submission without AUTH gets 530 5.7.0 at MAIL', async () => {
    const result = await sendWithSmtplib({ port: t.port('submission'), from: 'alice@example.test', to: ['bob@example.test'], body: BODY });
    expect(result).toMatchObject({ ok: false, error: 'SMTPSenderRefused', code: 530 });
    expect(result.message).toMatch(/^5\.7\.0 /);
  });

  it('submission with AUTH: another user\'s sender address is refused 553 5.7.1', async () => {
    const result = await sendWithSmtplib({ port: t.port('submission'), from: 'bob@example.test', to: ['alice@example.test'], body: BODY, user: 'alice', password: 'secret' });
    expect(result).toMatchObject({ ok: false, error: 'SMTPSenderRefused', code: 553 });
  });

  it('a queue flush request file is consumed by the running server', async () => {
    const { requestFlush } = await import('../../src/delivery/flush-trigger.js');
    await requestFlush(t.config.dataDir);
    await t.waitForLog(/^qmgr: flush: every deferred message is due now$/);
    expect(existsSync(join(t.config.dataDir, 'queue', 'flush'))).toBe(false);
  });

  it('says on start-up where everything is', () => {
    const text = t.logs.filter((r) => r.component === 'serve').map((r) => r.message).join('\n');
    expect(text).toContain(`queue ${join(t.config.dataDir, 'queue')}`);
    expect(text).toContain('mailstack user add NAME');
    expect(text).toMatch(/listening: smtp on 127\.0\.0\.1:\d+/);
    expect(text).toMatch(/TLS certificate .*cert\.pem \(generated, self-signed\)/);
  });

  it('leaves the spool empty once everything is delivered', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const active = readdirSync(join(t.config.dataDir, 'queue', 'active'));
    expect(active).toEqual([]);
    expect(readFileSync(join(t.dir, 'users'), 'utf8')).toContain('alice:');
  });
});

describe('serve: relay policy and limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ yaml: 'mynetworks: []\nlimits:\n  messageSize: 2000' });
  });
  afterAll(() => t.close());

  it('relay without AUTH from outside mynetworks gets 554 5.7.1 at RCPT', async () => {
    const result = await sendWithSmtplib({ port: t.port('smtp'), from: 'x@elsewhere.test', to: ['someone@remote.test'], body: BODY });
    expect(result.ok).toBe(false);
    expect(result.refused?.['someone@remote.test']).toEqual([554, '5.7.1 <someone@remote.test>: Relay access denied']);
  });

  it('an oversized message gets 552 5.3.4 and is not delivered', async () => {
    const big = `Subject: big\r\n\r\n${'x'.repeat(76)}\r\n`.repeat(40);
    const result = await sendWithSmtplib({ port: t.port('smtp'), from: 'x@elsewhere.test', to: ['bob@example.test'], body: big });
    expect(result).toMatchObject({ ok: false, code: 552 });
    await new Promise((r) => setTimeout(r, 300));
    expect(t.maildir('bob')).toEqual([]);
    expect(readdirSync(join(t.config.dataDir, 'queue', 'active'))).toEqual([]);
    expect(readdirSync(join(t.config.dataDir, 'queue', 'incoming'))).toEqual([]);
  });
});

describe('serve: first start with an empty users file', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ users: '' });
  });
  afterAll(() => t.close());

  it('creates postmaster with a random password, logs it once, stores only a hash, and the password works', async () => {
    const lines = t.logs.filter((r) => /created user postmaster/.test(r.message));
    expect(lines).toHaveLength(1);
    const password = /with password (\S+)/.exec(lines[0]!.message)![1]!;
    const users = readFileSync(join(t.dir, 'users'), 'utf8');
    expect(users).toMatch(/^postmaster:\{SHA512-CRYPT\}\$6\$/);
    expect(users).not.toContain(password);
    const result = await sendWithSmtplib({ port: t.port('submission'), from: 'postmaster@example.test', to: ['postmaster@example.test'], body: 'Subject: hi\r\n\r\nfirst\r\n', user: 'postmaster', password });
    expect(result).toEqual({ ok: true, refused: {} });
    await t.waitForMail('postmaster', 1);
  });
});
