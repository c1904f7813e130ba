// Interop with a private Postfix on loopback, both ways: Postfix relays mail for example.test to
// our server (transport map), and our server relays mail for peer.test to Postfix (our transport),
// with opportunistic STARTTLS in both directions; the messages arrive intact.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, selfSignedCert, startPostfix, type PostfixInstance } from '../peers/index.js';
import { sendWithSmtplib, splitTrace, startTestServer, type TestServer } from './harness.js';
import { scratchDir } from '../scratch-dir.js';

// Complete headers (Date, Message-ID, qualified To), so that Postfix's cleanup(8) adds none of its own.
const body = (subject: string): string =>
  `From: alice@example.test\r\nTo: someone@example.test\r\nDate: Thu, 26 Nov 2026 12:00:00 +0000\r\nMessage-ID: <${subject.replace(/ /g, '.')}@example.test>\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nÄrger über Öl\r\n.\r\n..\r\nend\r\n`;

describe('serve: interop with Postfix', () => {
  let t: TestServer;
  let postfix: PostfixInstance;
  beforeAll(async () => {
    const postfixPort = await freePort();
    t = await startTestServer({ yaml: `transport:\n  peer.test: "[127.0.0.1]:${postfixPort}"` });
    postfix = await startPostfix({
      port: postfixPort,
      tls: await selfSignedCert(scratchDir('serve-postfix-cert')),
      outboundTls: 'encrypt', // Postfix must use our STARTTLS
      relayDomains: ['example.test'],
      transport: { 'example.test': `smtp:[127.0.0.1]:${t.port('smtp')}` },
    });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await postfix.stop();
  });

  it('Postfix relays to our server: the message lands in the Maildir intact, after both Received fields', async () => {
    const result = await sendWithSmtplib({ port: postfix.port, from: 'carol@client.test', to: ['bob@example.test'], body: body('via postfix') });
    expect(result.ok).toBe(true);
    const [message] = await t.waitForMail('bob', 1, 20_000);
    const { trace, rest } = splitTrace(message!);
    expect(rest.toString('utf8')).toBe(body('via postfix').replace(/\r\n/g, '\n'));
    expect(trace.slice(0, 2)).toEqual(['Return-Path: <carol@client.test>\n', 'Delivered-To: bob@example.test\n']);
    const ours = trace[2]!.replace(/\n[ \t]+/g, ' ');
    expect(ours).toMatch(/^Received: from mx\.peer\.test \(unknown \[127\.0\.0\.1\]\) by mail\.example\.test \(mailstack\) with ESMTPS/);
    expect(trace[3]).toMatch(/^Received: from client\.test/); // Postfix's own
  });

  it('our server relays to Postfix over STARTTLS: the message lands in Postfix\'s Maildir intact', async () => {
    const result = await sendWithSmtplib({ port: t.port('smtp'), from: 'alice@example.test', to: [postfix.mailbox], body: body('via mailstack') });
    expect(result.ok).toBe(true);
    await t.waitForLog(/^smtp: \w+: to=<mstest@peer\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*status=sent \(250 /, 20_000);
    expect(await postfix.waitForQueueEmpty()).toBe(true);
    const [file] = postfix.newMessages();
    const text = readFileSync(file!, 'utf8');
    // Postfix's local(8) prepends Return-Path, X-Original-To, Delivered-To and its Received; the rest is ours.
    expect(text.slice(text.indexOf('From: alice@example.test\n'))).toBe(body('via mailstack').replace(/\r\n/g, '\n'));
    expect(text.replace(/\n[ \t]+/g, ' ')).toMatch(/Received: from mail\.example\.test \(localhost \[127\.0\.0\.1\]\) .*by mx\.peer\.test \(Postfix\) with ESMTPS/);
  });
});
