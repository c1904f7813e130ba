import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LineSocket, isAlive, makePeerDir, selfSignedCert, startPostfix, startSmtpSink,
  type PostfixInstance, type SmtpSink,
} from './index.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
function track<T extends PostfixInstance | SmtpSink>(peer: T): T {
  stops.push(() => peer.stop());
  return peer;
}

async function sendMessage(client: LineSocket, from: string, to: string, subject: string): Promise<number> {
  expect((await client.smtp(`MAIL FROM:<${from}>`)).code).toBe(250);
  const rcpt = await client.smtp(`RCPT TO:<${to}>`);
  if (rcpt.code !== 250) return rcpt.code;
  expect((await client.smtp('DATA')).code).toBe(354);
  return (await client.smtp(`From: <${from}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n.`)).code;
}

describe('startPostfix', () => {
  it('speaks ESMTP with STARTTLS on its own port, delivers to its Maildir, and stops', async () => {
    const certDir = makePeerDir('postfix-cert-test');
    const tls = await selfSignedCert(certDir);
    const postfix = track(await startPostfix({ tls }));
    const client = await LineSocket.connect(postfix.port);
    expect((await client.readSmtpReply()).lines[0]).toMatch(/^mx\.peer\.test ESMTP/);
    const ehlo = await client.smtp('EHLO client.test');
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines).toContain('STARTTLS');
    expect((await client.smtp('STARTTLS')).code).toBe(220);
    await client.upgradeToTls();
    expect(client.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    const secured = await client.smtp('EHLO client.test');
    expect(secured.code).toBe(250);
    expect(secured.lines).not.toContain('STARTTLS');
    expect(await sendMessage(client, 'a@client.test', postfix.mailbox, 'over tls')).toBe(250);
    expect((await client.smtp('QUIT')).code).toBe(221);
    await client.close();

    expect(await postfix.waitForQueueEmpty()).toBe(true);
    const delivered = postfix.newMessages();
    expect(delivered).toHaveLength(1);
    const text = readFileSync(delivered[0]!, 'utf8');
    expect(text).toContain('Subject: over tls');
    expect(text).toMatch(/with ESMTPS id/); // Received: records the TLS session (RFC 3848)

    await postfix.stop();
    expect(isAlive(postfix.pid)).toBe(false);
    expect(existsSync(postfix.dir)).toBe(false);
    rmSync(certDir, { recursive: true });
  });

  it('relays a transport-map domain to the given next hop and refuses other relaying', async () => {
    const dumpDir = makePeerDir('postfix-relay-test');
    stops.push(async () => rmSync(dumpDir, { recursive: true, force: true }));
    const sink = track(await startSmtpSink({ dumpDir }));
    const postfix = track(await startPostfix({
      mynetworks: [],
      relayDomains: ['remote.test'],
      transport: { 'remote.test': `smtp:[127.0.0.1]:${sink.port}` },
    }));
    const client = await LineSocket.connect(postfix.port);
    await client.readSmtpReply();
    await client.smtp('EHLO client.test');
    expect(await sendMessage(client, 'a@client.test', 'someone@remote.test', 'relayed')).toBe(250);
    // RFC 5321 §3.6.2: not an open relay; 554 5.7.1 from reject_unauth_destination.
    expect(await sendMessage(client, 'a@client.test', 'x@elsewhere.test', 'refused')).toBe(554);
    await client.close();

    expect(await postfix.waitForQueueEmpty()).toBe(true);
    const dumps = sink.dumpFiles();
    expect(dumps).toHaveLength(1);
    const dump = readFileSync(dumps[0]!, 'utf8');
    expect(dump).toContain('X-Rcpt-Args: <someone@remote.test>');
    expect(dump).toContain('Subject: relayed');
    expect(readFileSync(postfix.logFile, 'utf8')).toMatch(/to=<someone@remote\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+.*status=sent/);
  });

  it('runs two private instances side by side; stopping one leaves the other serving', async () => {
    const [first, second] = await Promise.all([startPostfix({ domain: 'one.test' }), startPostfix({ domain: 'two.test' })]);
    track(first);
    track(second);
    expect(first.port).not.toBe(second.port);
    for (const [postfix, name] of [[first, 'one.test'], [second, 'two.test']] as const) {
      const client = await LineSocket.connect(postfix.port);
      expect((await client.readSmtpReply()).lines[0]).toBe(`mx.${name} ESMTP Postfix`);
      await client.close();
    }
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);
    const client = await LineSocket.connect(second.port);
    expect((await client.readSmtpReply()).code).toBe(220);
    expect((await client.smtp('QUIT')).code).toBe(221);
    await client.close();
  });
});
