// Relaying through startServer to Postfix's smtp-sink on loopback (via the transport map): AUTH
// on submission allows relay when mynetworks is empty, a 5xx at the sink bounces to the sender's
// Maildir as an RFC 3464 report, and a 4xx is retried with the configured backoff until it works.
import { readFileSync } from 'node:fs';
import { QueueSpool } from '@mailstack/mta';
import { SmtpClient } from '../../src/smtp/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSmtpSink, type SmtpSink } from '../peers/index.js';
import { sendWithSmtplib, splitTrace, startTestServer, type TestServer } from './harness.js';
import { scratchDir } from '../scratch-dir.js';

const BODY = 'From: alice@example.test\r\nTo: x@remote.test\r\nSubject: relay me\r\n\r\nline one\r\n..two dots\r\nlast\r\n';

describe('serve: remote delivery over SMTP', () => {
  let t: TestServer;
  let sink: SmtpSink;
  let hard: SmtpSink;
  let soft: SmtpSink | undefined;
  let softPort: number;
  beforeAll(async () => {
    sink = await startSmtpSink({ dumpDir: scratchDir('serve-sink'), hostname: 'sink.test' });
    hard = await startSmtpSink({ hardReject: ['RCPT'], hardReply: '550 5.1.1 <gone@hard.test>: Recipient address rejected: no such user' });
    softPort = await freePort();
    soft = await startSmtpSink({ port: softPort, softReject: ['RCPT'], softReply: '451 4.3.0 try again later' });
    t = await startTestServer({
      yaml: [
        'mynetworks: []',
        'transport:',
        `  remote.test: "[127.0.0.1]:${sink.port}"`,
        `  hard.test: "[127.0.0.1]:${hard.port}"`,
        `  soft.test: "[127.0.0.1]:${softPort}"`,
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([sink.stop(), hard.stop(), soft?.stop()]);
  });

  it('relays for an authenticated submission client to the transport map next hop, message intact', async () => {
    const result = await sendWithSmtplib({ port: t.port('submission'), from: 'alice@example.test', to: ['x@remote.test'], body: BODY, user: 'alice', password: 'secret' });
    expect(result).toEqual({ ok: true, refused: {} });
    const line = await t.waitForLog(/^smtp: \w+: to=<x@remote\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, delay=[\d.]+, status=sent \(250 /);
    expect(line.queueId).toBeDefined();
    const [dump] = sink.dumpFiles();
    const text = readFileSync(dump!, 'latin1').replace(/\r\n/g, '\n');
    const unfolded = text.replace(/\n[ \t]+/g, ' ');
    expect(text).toContain('X-Rcpt-Args: <x@remote.test>');
    expect(text).toMatch(/^X-Mail-Args: <alice@example\.test> .*BODY=8BITMIME/m); // RFC 6152, offered by the sink
    expect(unfolded).toMatch(/^Received: from client\.test \(unknown \[127\.0\.0\.1\]\) by mail\.example\.test \(mailstack\) with ESMTPA for <x@remote\.test>;/m);
    // smtp-sink -d ends each dump with an empty line of its own.
    expect(text.endsWith(`${BODY.replace(/\r\n/g, '\n')}\n`)).toBe(true);
  });

  it('a 5xx from the next hop bounces: an RFC 3464 report from MAILER-DAEMON in the sender\'s Maildir, sent from <>', async () => {
    const result = await sendWithSmtplib({ port: t.port('submission'), from: 'alice@example.test', to: ['gone@hard.test'], body: BODY, user: 'alice', password: 'secret' });
    expect(result.ok).toBe(true);
    const [dsn] = await t.waitForMail('alice', 1);
    const { trace, rest } = splitTrace(dsn!);
    expect(trace[0]).toBe('Return-Path: <>\n');
    const report = rest.toString('utf8').replace(/\n[ \t]+/g, ' '); // unfolded (RFC 5322 §2.2.3)
    expect(report).toMatch(/^From: MAILER-DAEMON@mail\.example\.test \(Mail Delivery System\)$/m);
    expect(report).toMatch(/^Content-Type: multipart\/report; report-type=delivery-status;/m);
    expect(report).toContain('Final-Recipient: rfc822; gone@hard.test\nAction: failed\nStatus: 5.1.1\n');
    expect(report).toContain('Diagnostic-Code: smtp; 550 5.1.1 <gone@hard.test>: Recipient address rejected: no such user');
    expect(report).toContain('Subject: relay me'); // the returned message
    await t.waitForLog(/^bounce: \w+: sender non-delivery notification: \w+$/);
  });

  it('a 4xx from the next hop is deferred, retried with backoff, and delivered once the hop accepts', async () => {
    const result = await sendWithSmtplib({ port: t.port('submission'), from: 'alice@example.test', to: ['y@soft.test'], body: BODY, user: 'alice', password: 'secret' });
    expect(result.ok).toBe(true);
    const deferred = await t.waitForLog(/^smtp: \w+: to=<y@soft\.test>, .*status=deferred \(451 4\.3\.0 try again later\)/);
    await soft!.stop();
    soft = await startSmtpSink({ port: softPort, dumpDir: scratchDir('serve-soft') });
    const sent = await t.waitForLog(/^smtp: \w+: to=<y@soft\.test>, .*status=sent/, 15_000);
    expect(sent.queueId).toBe(deferred.queueId);
    expect(soft.dumpFiles()).toHaveLength(1);
    expect(t.logs.filter((r) => r.queueId === deferred.queueId && /to=<y@soft\.test>/.test(r.message) && r.component === 'smtp').length).toBeGreaterThanOrEqual(2);
  });
});

describe('serve: expiry', () => {
  let t: TestServer;
  beforeAll(async () => {
    const closed = await freePort(); // nothing listens: every attempt is a destination failure
    t = await startTestServer({ yaml: `transport:\n  dead.test: "[127.0.0.1]:${closed}"`, retry: '{ first: 200ms, max: 400ms, lifetime: 1500ms }' });
  });
  afterAll(() => t.close());

  it('retries an unreachable next hop until the queue lifetime, then bounces to the sender as expired', async () => {
    const result = await sendWithSmtplib({ port: t.port('smtp'), from: 'alice@example.test', to: ['z@dead.test'], body: BODY });
    expect(result.ok).toBe(true);
    const [dsn] = await t.waitForMail('alice', 1, 15_000);
    const report = splitTrace(dsn!).rest.toString('utf8').replace(/\n[ \t]+/g, ' ');
    expect(report).toMatch(/Final-Recipient: rfc822; z@dead\.test\nAction: failed\nStatus: 4\.4\.1\n/);
    expect(report).toMatch(/Diagnostic-Code: smtp; 451 4\.4\.1 connect to 127\.0\.0\.1\[127\.0\.0\.1\]:\d+: /);
    const attempts = t.logs.filter((r) => r.component === 'smtp' && /to=<z@dead\.test>.*status=deferred/.test(r.message));
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    await t.waitForLog(/^smtp: \w+: to=<z@dead\.test>, relay=none, .*status=expired/);
  });
});

describe('serve: a message deleted from the queue while it is being retried', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ yaml: `transport:\n  dead.test: "[127.0.0.1]:${await freePort()}"` });
  });
  afterAll(() => t.close());

  it('is dropped by the queue manager at its next attempt (mailstack queue delete)', async () => {
    const result = await sendWithSmtplib({ port: t.port('smtp'), from: 'alice@example.test', to: ['z@dead.test'], body: BODY });
    expect(result.ok).toBe(true);
    const deferred = await t.waitForLog(/^smtp: \w+: to=<z@dead\.test>, .*status=deferred/);
    const other = await QueueSpool.open(t.config.dataDir); // what the CLI does
    await other.delete(deferred.queueId!);
    await t.waitForLog(new RegExp(`^qmgr: ${deferred.queueId}: removed \\(no longer in the queue\\)$`));
    const attempts = t.logs.filter((r) => r.queueId === deferred.queueId && r.component === 'smtp').length;
    await new Promise((r) => setTimeout(r, 1500)); // longer than the backoff: no further attempt
    expect(t.logs.filter((r) => r.queueId === deferred.queueId && r.component === 'smtp').length).toBe(attempts);
  });
});

describe('serve: SMTPUTF8 next hop requirements', () => {
  let t: TestServer;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink({}); // offers 8BITMIME and DSN, not SMTPUTF8
    t = await startTestServer({ yaml: `transport:\n  utf8.test: "[127.0.0.1]:${sink.port}"` });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('bounces a non-ASCII recipient with 5.6.7 when the next hop does not offer SMTPUTF8 (RFC 6531 §3.2)', async () => {
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: t.port('smtp'), tls: 'none', heloName: 'client.test' });
    const result = await client.send({ from: 'alice@example.test', to: ['jörg@utf8.test'], params: { smtputf8: true }, body: Buffer.from('Subject: grüße\r\n\r\nhi\r\n') });
    await client.quit();
    expect(result.delivered).toBe(true);
    const [dsn] = await t.waitForMail('alice', 1);
    const report = splitTrace(dsn!).rest.toString('utf8').replace(/\n[ \t]+/g, ' ');
    expect(report).toContain('Status: 5.6.7');
    expect(report).toContain('Diagnostic-Code: smtp; 553 5.6.7 SMTPUTF8 is required, but was not offered by host');
  });
});
