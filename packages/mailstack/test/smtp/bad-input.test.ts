// Hostile and broken clients over real sockets: overlong lines, NUL bytes, bare LF, commands out
// of order, 10,000 RCPTs, a connection dropped mid-DATA, early talkers, throwing handlers. The
// server answers each at the protocol level and keeps serving; an unhandled error fails the run.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpBodyAbortedError } from 'mailstack';
import { LineSocket } from '../peers/index.js';
import { startTestServer, type TestServer } from './harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({}, { smtp: {} }, {
    onRcptTo: (path) => (path.localPart === 'throw' ? Promise.reject(new Error('lookup failed')) : path.localPart === 'unknown' ? { code: 550, enhanced: '5.1.1', text: 'User unknown' } : undefined),
  });
});
afterAll(() => t.stop());

/** Open a connection, send `bytes` after the greeting, collect everything until the server closes or `untilReplies` final lines. */
function exchange(bytes: string | Buffer, untilReplies = Infinity): Promise<{ replies: string[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: t.ports.smtp! });
    let text = '';
    let closed = false;
    const finals = (): string[] => text.split('\r\n').filter((l) => /^\d{3} /.test(l));
    socket.once('data', () => socket.write(bytes));
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (finals().length >= untilReplies) socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      closed = true;
      resolve({ replies: finals(), closed });
    });
  });
}

const codes = (replies: string[]): string[] => replies.map((r) => /^\d{3}(?: [245]\.\d{1,3}\.\d{1,3})?/.exec(r)![0]);

describe('bad input', () => {
  it('answers an overlong line with 500 5.5.2 and goes on', async () => {
    const { replies } = await exchange(`EHLO ${'a'.repeat(5000)}\r\nNOOP\r\nQUIT\r\n`);
    expect(codes(replies)).toEqual(['220', '500 5.5.2', '250 2.0.0', '221 2.0.0']);
  });

  it('refuses NUL bytes in a command line', async () => {
    const { replies } = await exchange('EHLO a\0b\r\nNOOP\r\nQUIT\r\n');
    expect(replies[1]).toMatch(/^50[01] 5\.5\.2 /);
    expect(codes(replies).slice(2)).toEqual(['250 2.0.0', '221 2.0.0']);
  });

  it('never ends DATA at a bare-LF dot (SMTP smuggling); bare LF is stored as CRLF', async () => {
    const before = t.rec.messages.length;
    const smuggle = 'Subject: a\r\n\r\nx\n.\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<v@example.test>\r\nDATA\r\nevil\r\n';
    const { replies } = await exchange(`EHLO c\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n${smuggle}.\r\nQUIT\r\n`);
    expect(codes(replies)).toEqual(['220', '250', '250 2.1.0', '250 2.1.5', '354', '250 2.0.0', '221 2.0.0']);
    expect(t.rec.messages.length).toBe(before + 1);
    // The smuggled commands stay content. Bare LF ends a body line as in Postfix ≥ 3.9 "normalize",
    // so the "." line between bare LFs is an (unstuffed) empty line, never the end of DATA.
    expect(t.rec.messages[before]!.body.toString()).toBe(smuggle.replace('x\n.\n', 'x\r\n\r\n'));
  });

  it('answers commands out of order with 503 5.5.1', async () => {
    const { replies } = await exchange('MAIL FROM:<a@x.test>\r\nEHLO c\r\nRCPT TO:<b@example.test>\r\nDATA\r\nMAIL FROM:<a@x.test>\r\nDATA\r\nQUIT\r\n');
    expect(codes(replies)).toEqual(['220', '503 5.5.1', '250', '503 5.5.1', '503 5.5.1', '250 2.1.0', '554 5.5.1', '221 2.0.0']);
  });

  it('survives 10,000 RCPTs: 1000 accepted, then 452 4.5.3, then 421 for too many errors', async () => {
    const rcpts = Array.from({ length: 10_000 }, (_, i) => `RCPT TO:<r${i}@example.test>\r\n`).join('');
    const { replies, closed } = await exchange(`EHLO c\r\nMAIL FROM:<a@x.test>\r\n${rcpts}`);
    const rcptReplies = replies.slice(3);
    expect(rcptReplies.slice(0, 1000).every((r) => r === '250 2.1.5 Ok')).toBe(true);
    expect(rcptReplies[1000]).toBe('452 4.5.3 Too many recipients');
    expect(rcptReplies.at(-1)).toBe('421 4.7.0 mx.example.test Too many errors');
    expect(rcptReplies.length).toBeLessThan(2100); // the connection ended long before 10,000
    expect(closed).toBe(true);
    const c = await LineSocket.connect(t.ports.smtp!);
    expect((await c.readSmtpReply()).code).toBe(220); // still serving
    await c.close();
  });

  it('hands onData an aborted body when the client drops mid-DATA, and nothing is stored', async () => {
    const before = { stored: t.rec.messages.length, aborted: t.rec.aborted.length };
    await new Promise<void>((resolve) => {
      const socket: Socket = connect({ host: '127.0.0.1', port: t.ports.smtp! });
      let seen = '';
      socket.on('data', (d) => {
        seen += d.toString();
        if (seen.startsWith('220 ') && !seen.includes('354')) socket.write('EHLO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n');
        if (seen.includes('354 ')) {
          socket.write('Subject: partial\r\n\r\nhalf a message\r\n');
          setTimeout(() => socket.destroy(), 50);
        }
      });
      socket.on('close', () => resolve());
    });
    for (let i = 0; i < 50 && t.rec.aborted.length === before.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(t.rec.aborted.length).toBe(before.aborted + 1);
    expect(t.rec.aborted.at(-1)).toBeInstanceOf(SmtpBodyAbortedError);
    expect(t.rec.messages.length).toBe(before.stored);
  });

  it('rejects an early talker with 554 5.5.1 and closes', async () => {
    const { replies, closed } = await new Promise<{ replies: string[]; closed: boolean }>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: t.ports.smtp! }, () => socket.write('EHLO eager\r\nQUIT\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve({ replies: text.split('\r\n').filter(Boolean), closed: true }));
    });
    // Either the bytes arrived before our greeting (554) or just after it (normal EHLO): both are
    // legal races; a 554 must be the first and only reply.
    if (replies[0]!.startsWith('554')) expect(replies).toEqual(['554 5.5.1 mx.example.test Protocol error: talked before the greeting']);
    else expect(replies[0]).toBe('220 mx.example.test ESMTP mailstack');
    expect(closed).toBe(true);
  });

  it('answers a throwing handler with 451 4.3.0 and carries on', async () => {
    const { replies } = await exchange('EHLO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<throw@example.test>\r\nRCPT TO:<unknown@example.test>\r\nRCPT TO:<ok@example.test>\r\nQUIT\r\n');
    expect(replies.slice(3)).toEqual(['451 4.3.0 Error: local error in processing', '550 5.1.1 User unknown', '250 2.1.5 Ok', '221 2.0.0 Bye']);
    expect(t.rec.logs.some((l) => l.event === 'error' && l.message.includes('lookup failed'))).toBe(true);
  });
});
