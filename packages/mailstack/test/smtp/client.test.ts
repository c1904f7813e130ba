// SmtpClient over real sockets: against our SmtpServer (STARTTLS, implicit TLS, every AUTH
// mechanism, BDAT, several messages per connection), against Postfix smtpd (STARTTLS with and
// without certificate checks) and against smtp-sink (per-recipient results under fault injection).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpClient, SmtpClientError } from 'mailstack';
import { startPostfix, startSmtpSink, type PostfixInstance } from '../peers/index.js';
import { startTestServer, testAuth, testCert, type TestServer } from './harness.js';
import { scratchDir } from '../scratch-dir.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('SmtpClient against our server', () => {
  let t: TestServer;
  let ca: string;
  beforeAll(async () => {
    ca = (await testCert()).pem;
    t = await startTestServer({ auth: await testAuth() }, { smtp: {}, submission: { role: 'submission' }, submissions: { role: 'submission', implicitTls: true } });
  });
  afterAll(() => t.stop());

  it('STARTTLS with the CA, AUTH with each mechanism, two messages on one connection', async () => {
    for (const mechanism of ['SCRAM-SHA-256', 'CRAM-MD5', 'PLAIN', 'LOGIN'] as const) {
      const c = await SmtpClient.connect({ host: '127.0.0.1', port: t.ports.submission!, tls: 'starttls', ca, servername: 'localhost', heloName: 'client.test' });
      expect(c.tls).toBe(true);
      await c.auth({ user: 'alice', password: 'secret', mechanism });
      const before = t.rec.messages.length;
      const r1 = await c.send({ from: 'alice@example.test', to: ['x@remote.test'], body: enc(`Subject: ${mechanism}\r\n\r\none\r\n`) });
      const r2 = await c.send({ from: 'alice@example.test', to: ['y@remote.test'], body: enc('Subject: 2\r\n\r\n.two\r\n') });
      expect([r1.delivered, r2.delivered]).toEqual([true, true]);
      await c.quit();
      expect(t.rec.messages.slice(before).map((m) => [m.session.user, m.session.tls, m.body.toString()])).toEqual([
        ['alice', true, `Subject: ${mechanism}\r\n\r\none\r\n`],
        ['alice', true, 'Subject: 2\r\n\r\n.two\r\n'],
      ]);
    }
  });

  it('fails AUTH with a wrong password with the 535 reply', async () => {
    const c = await SmtpClient.connect({ host: '127.0.0.1', port: t.ports.submissions!, tls: 'implicit', rejectUnauthorized: false });
    const error = await c.auth({ user: 'alice', password: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpClientError);
    expect((error as SmtpClientError).reply).toMatchObject({ code: 535, enhanced: '5.7.8' });
    await c.quit();
  });

  it('refuses an unverified certificate by default', async () => {
    const error = await SmtpClient.connect({ host: '127.0.0.1', port: t.ports.smtp!, tls: 'starttls' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'tls-failed' });
  });

  it('streams an async-iterable body as BDAT chunks', async () => {
    const c = await SmtpClient.connect({ host: '127.0.0.1', port: t.ports.smtp!, tls: 'none' });
    expect(c.capabilities.chunking && c.capabilities.pipelining).toBe(true);
    async function* body(): AsyncGenerator<Uint8Array> {
      yield enc('Subject: stream\r\n\r\n');
      for (let i = 0; i < 100; i++) yield enc(`line ${i}\r\n`);
    }
    const before = t.rec.messages.length;
    const r = await c.send({ from: null, to: ['a@example.test', 'b@example.test'], body: body() });
    expect(r.recipients.map((x) => x.accepted)).toEqual([true, true]);
    expect(t.rec.messages[before]!.from).toBe('<>');
    expect(t.rec.messages[before]!.body.toString()).toMatch(/^Subject: stream\r\n\r\nline 0\r\n[^]*line 99\r\n$/);
    await c.quit();
  });
});

describe('SmtpClient against Postfix smtpd', () => {
  let postfix: PostfixInstance;
  let ca: string;
  beforeAll(async () => {
    const cert = await testCert();
    ca = cert.pem;
    postfix = await startPostfix({ tls: cert.files, mynetworks: ['192.0.2.1/32'] }); // we are not a relay client
  }, 60_000);
  afterAll(() => postfix.stop(), 30_000);

  it('delivers over STARTTLS with certificate checks off and with the CA', async () => {
    for (const check of [{ rejectUnauthorized: false }, { ca, servername: 'localhost' }]) {
      const c = await SmtpClient.connect({ host: '127.0.0.1', port: postfix.port, tls: 'starttls', heloName: 'client.test', ...check });
      expect(c.tls).toBe(true);
      const r = await c.send({ from: 'sender@client.test', to: [postfix.mailbox, 'someone@elsewhere.test'], body: enc('Subject: via postfix\r\n\r\nhello\r\n') });
      expect(r.recipients.map((x) => x.reply?.code)).toEqual([250, 554]); // 554 5.7.1 Relay access denied
      expect(r.delivered).toBe(true);
      await c.quit();
    }
    await postfix.waitForQueueEmpty();
    const delivered = postfix.newMessages().map((f) => readFileSync(f, 'latin1'));
    expect(delivered).toHaveLength(2);
    // Postfix adds trace and missing headers (Date, Message-Id, ...); "ESMTPS" records the TLS.
    for (const m of delivered) expect(m).toMatch(/^Return-Path: <sender@client\.test>\n[^]*\nReceived: from client\.test [^]*with ESMTPS id [^]*\nSubject: via postfix\n[^]*\n\nhello\n$/);
  }, 60_000);
});

describe('SmtpClient against smtp-sink', () => {
  it('reports per-recipient results when RCPT is refused', async () => {
    const sink = await startSmtpSink({ hardReject: ['RCPT'], hardReply: '550 5.1.1 No such user' });
    try {
      const c = await SmtpClient.connect({ host: '127.0.0.1', port: sink.port, tls: 'opportunistic' });
      const r = await c.send({ from: 'a@client.test', to: ['b@sink.test', 'c@sink.test'], body: enc('Subject: x\r\n\r\ny\r\n') });
      expect(r.recipients.map((x) => [x.accepted, x.reply?.code, x.reply?.enhanced])).toEqual([
        [false, 550, '5.1.1'],
        [false, 550, '5.1.1'],
      ]);
      expect(r.delivered).toBe(false);
      await c.quit();
    } finally {
      await sink.stop();
    }
  });

  it('delivers several messages per connection and sees a 421 at DATA as a failure', async () => {
    const sink = await startSmtpSink({ dumpDir: scratchDir('sink'), disconnect421: ['DATA'] });
    try {
      const c = await SmtpClient.connect({ host: '127.0.0.1', port: sink.port, tls: 'none' });
      const r = await c.send({ from: 'a@client.test', to: ['b@sink.test'], body: enc('Subject: x\r\n\r\ny\r\n') });
      expect(r.delivered).toBe(false);
      expect(r.recipients[0]!.accepted).toBe(true);
      expect(r.data?.code).toBe(421);
      c.close();
    } finally {
      await sink.stop();
    }
  });
});
