// SmtpServer over real sockets, spoken to by hand: greeting, EHLO, a transaction delivered byte
// for byte, pipelining, BDAT, STARTTLS, AUTH on submission, logging.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpServer } from 'mailstack';
import { LineSocket } from '../peers/index.js';
import { startTestServer, testAuth, type TestServer } from './harness.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ auth: await testAuth() }, { smtp: {}, submission: { role: 'submission' } });
});
afterAll(() => t.stop());

/** Send raw bytes and read until the server has sent `replies` final reply lines or closed. */
async function raw(port: number, bytes: string | Buffer, replies: number): Promise<string[]> {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  const lines = (): string[] => text.split('\r\n').filter((l) => /^\d{3} /.test(l));
  return new Promise((resolve, reject) => {
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (lines().length >= replies) {
        socket.end();
        resolve(text.split('\r\n').filter(Boolean));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\r\n').filter(Boolean)));
    socket.once('data', () => socket.write(bytes));
  });
}

describe('SmtpServer basics', () => {
  it('greets at once and lists the extensions in EHLO', async () => {
    const c = await LineSocket.connect(t.ports.smtp!);
    expect(await c.readSmtpReply()).toEqual({ code: 220, lines: ['mx.example.test ESMTP mailstack'] });
    const ehlo = await c.smtp('EHLO client.test');
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines).toEqual(expect.arrayContaining(['PIPELINING', 'SIZE 52428800', '8BITMIME', 'CHUNKING', 'STARTTLS', 'ENHANCEDSTATUSCODES']));
    // Loopback without TLS on the smtp role: no AUTH (allowPlaintextAuth is off).
    expect(ehlo.lines.some((l) => l.startsWith('AUTH'))).toBe(false);
    expect((await c.smtp('QUIT')).code).toBe(221);
    await c.close();
  });

  it('hands the message to onData byte for byte (dot-unstuffed)', async () => {
    const body = 'Subject: hi\r\n\r\n..leading dot\r\nline two\r\n';
    const before = t.rec.messages.length;
    const lines = await raw(
      t.ports.smtp!,
      `EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\nDATA\r\n${body}.\r\nQUIT\r\n`,
      7,
    );
    expect(lines.filter((l) => /^\d{3} /.test(l)).map((l) => l.slice(0, 3))).toEqual(['220', '250', '250', '250', '250', '354', '250', '221'].slice(0, 8));
    const m = t.rec.messages[before]!;
    expect(m.body.toString('latin1')).toBe('Subject: hi\r\n\r\n.leading dot\r\nline two\r\n');
    expect(m.from).toBe('<a@x.test>');
    expect(m.to).toEqual(['<b@example.test>', '<c@example.test>']);
    // The local port is the listener's (taken from it, not asked of each socket).
    expect(m.session).toMatchObject({ remoteAddress: '127.0.0.1', localPort: t.ports.smtp, role: 'smtp', tls: false });
  });

  it('batches pipelined replies into one write', async () => {
    const socket = connect({ host: '127.0.0.1', port: t.ports.smtp! });
    const writes: string[] = [];
    await new Promise<void>((resolve) => {
      socket.on('data', (d) => {
        writes.push(d.toString('latin1'));
        if (writes.length === 1) socket.write('EHLO c.test\r\n');
        else if (writes.length === 2) socket.write('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\nDATA\r\n');
        else resolve();
      });
    });
    expect(writes[2]).toBe('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n');
    socket.destroy();
  });

  it('receives BDAT chunks into one body', async () => {
    const before = t.rec.messages.length;
    const chunk1 = 'Subject: bdat\r\n\r\n';
    const chunk2 = '.no stuffing\r\nbinary \x00 ok\r\n';
    const lines = await raw(
      t.ports.smtp!,
      Buffer.from(`EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@example.test>\r\nBDAT ${chunk1.length}\r\n${chunk1}BDAT ${chunk2.length} LAST\r\n${chunk2}QUIT\r\n`, 'latin1'),
      7,
    );
    expect(lines.slice(-3)).toEqual([`250 2.0.0 ${chunk1.length} octets received`, '250 2.0.0 Ok: queued as T' + String(before + 1), '221 2.0.0 Bye']);
    expect(t.rec.messages[before]!.body.toString('latin1')).toBe(chunk1 + chunk2);
  });

  it('upgrades to TLS in place after STARTTLS and forgets the old greeting', async () => {
    const c = await LineSocket.connect(t.ports.smtp!);
    await c.readSmtpReply();
    await c.smtp('EHLO c.test');
    expect(await c.smtp('STARTTLS')).toEqual({ code: 220, lines: ['2.0.0 Ready to start TLS'] });
    await c.upgradeToTls();
    expect(c.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect((await c.smtp('MAIL FROM:<a@x.test>')).code).toBe(503); // RFC 3207 §4.2: EHLO again
    const ehlo = await c.smtp('EHLO c.test');
    expect(ehlo.lines).not.toContain('STARTTLS');
    expect(ehlo.lines).toContain('AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256'); // smtp role: AUTH after TLS
    expect((await c.smtp('QUIT')).code).toBe(221);
    await c.close();
  });

  it('discards plaintext pipelined after STARTTLS (CVE-2011-0411)', async () => {
    const c = await LineSocket.connect(t.ports.smtp!);
    await c.readSmtpReply();
    await c.smtp('EHLO c.test');
    c.writeLine('STARTTLS\r\nMAIL FROM:<evil@x.test>'); // one segment: the MAIL rides along
    expect((await c.readSmtpReply()).code).toBe(220);
    await c.upgradeToTls();
    // Had the MAIL been replayed inside TLS it would be answered first (503: no EHLO yet).
    expect(await c.smtp('NOOP')).toEqual({ code: 250, lines: ['2.0.0 Ok'] });
    await c.close();
  });

  it('requires AUTH before MAIL on submission and accepts AUTH PLAIN', async () => {
    const c = await LineSocket.connect(t.ports.submission!);
    await c.readSmtpReply();
    const ehlo = await c.smtp('EHLO c.test');
    expect(ehlo.lines).toContain('AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256');
    expect(await c.smtp('MAIL FROM:<alice@example.test>')).toEqual({ code: 530, lines: ['5.7.0 Authentication required'] });
    const bad = Buffer.from('\0alice\0wrong').toString('base64');
    expect(await c.smtp(`AUTH PLAIN ${bad}`)).toEqual({ code: 535, lines: ['5.7.8 Authentication credentials invalid'] });
    const good = Buffer.from('\0alice\0secret').toString('base64');
    expect(await c.smtp(`AUTH PLAIN ${good}`)).toEqual({ code: 235, lines: ['2.7.0 Authentication successful'] });
    expect((await c.smtp('MAIL FROM:<alice@example.test>')).code).toBe(250);
    await c.smtp('QUIT');
    await c.close();
  });

  it('logs one line per connection and per transaction', () => {
    const connects = t.rec.logs.filter((l) => l.event === 'connect');
    const disconnects = t.rec.logs.filter((l) => l.event === 'disconnect');
    expect(connects.length).toBeGreaterThan(3);
    expect(connects[0]!.message).toMatch(new RegExp(`^c\\d+: connect from \\[127\\.0\\.0\\.1\\]:\\d+ to smtp port ${t.ports.smtp}$`));
    expect(disconnects.some((l) => /ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=6/.test(l.message))).toBe(true);
    expect(t.rec.logs.some((l) => l.event === 'transaction' && /from=<a@x\.test>, to=<b@example\.test>,<c@example\.test>, size=\d+, nrcpt=2 status=sent \(250 2\.0\.0 Ok: queued as T\d+\)/.test(l.message))).toBe(true);
  });
});

describe('SmtpServer misuse (net/tcp-service.ts, shared with Pop3Server)', () => {
  it('SmtpServerError: implicit TLS without a certificate, a port in use, listen after close', async () => {
    const handlers = { onData: async () => ({ code: 250, text: 'Ok' }) };
    const server = new SmtpServer({ hostname: 'mx.example.test' }, handlers);
    await expect(server.listen({ host: '127.0.0.1', port: 0, implicitTls: true })).rejects.toMatchObject({ name: 'SmtpServerError', code: 'no-tls' });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const clash = new SmtpServer({ hostname: 'mx.example.test' }, handlers);
    const failed = clash.listen({ host: '127.0.0.1', port });
    await expect(failed).rejects.toMatchObject({ name: 'SmtpServerError', code: 'listen-failed' });
    await expect(failed).rejects.toHaveProperty('cause.code', 'EADDRINUSE');
    await server.close();
    await expect(server.listen({ host: '127.0.0.1', port: 0 })).rejects.toMatchObject({ code: 'closed' });
  });
});
