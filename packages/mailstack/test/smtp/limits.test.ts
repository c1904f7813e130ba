// Connection limits, the AUTH failure limit, idle timeout, graceful shutdown and memory use of a
// 50 MB message, over real sockets.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SmtpClient, type SmtpServerHandlers } from 'mailstack';
import { LineSocket } from '../peers/index.js';
import { startTestServer, testAuth } from './harness.js';

describe('connection limits', () => {
  it('answers 421 4.7.0 at the greeting over the per-IP limit, and admits again after a close', async () => {
    const t = await startTestServer({ maxConnectionsPerIp: 2 });
    try {
      const a = await LineSocket.connect(t.ports.smtp!);
      const b = await LineSocket.connect(t.ports.smtp!);
      expect([(await a.readSmtpReply()).code, (await b.readSmtpReply()).code]).toEqual([220, 220]);
      const c = await LineSocket.connect(t.ports.smtp!);
      expect(await c.readSmtpReply()).toEqual({ code: 421, lines: ['mx.example.test Error: too many connections from 127.0.0.1'] });
      await expect(c.readLine()).rejects.toThrow(/closed/);
      await a.smtp('QUIT');
      await a.close();
      for (let i = 0; i < 50 && t.server.connections > 1; i++) await new Promise((r) => setTimeout(r, 10));
      const d = await LineSocket.connect(t.ports.smtp!);
      expect((await d.readSmtpReply()).code).toBe(220);
      await Promise.all([b.close(), d.close()]);
    } finally {
      await t.stop();
    }
  });

  it('applies the total limit across listeners', async () => {
    const t = await startTestServer({ maxConnections: 1 }, { smtp: {}, submission: { role: 'submission' } });
    try {
      const a = await LineSocket.connect(t.ports.smtp!);
      expect((await a.readSmtpReply()).code).toBe(220);
      const b = await LineSocket.connect(t.ports.submission!);
      expect(await b.readSmtpReply()).toEqual({ code: 421, lines: ['mx.example.test Error: too many connections'] });
      await a.close();
    } finally {
      await t.stop();
    }
  });
});

describe('AUTH failure limit', () => {
  it('closes with 421 4.7.0 at the third failure, after a delay each time', async () => {
    const t = await startTestServer({ auth: await testAuth(3) }, { submission: { role: 'submission' } });
    try {
      const c = await LineSocket.connect(t.ports.submission!);
      await c.readSmtpReply();
      await c.smtp('EHLO c');
      const bad = `AUTH PLAIN ${Buffer.from('\0alice\0bad').toString('base64')}`;
      expect((await c.smtp(bad)).code).toBe(535);
      expect((await c.smtp('AUTH LOGIN')).code).toBe(334);
      expect((await c.smtp('*')).code).toBe(501); // a cancelled exchange counts too
      expect(await c.smtp(bad)).toEqual({ code: 421, lines: ['4.7.0 mx.example.test Error: too many failed authentication attempts'] });
      await expect(c.readLine()).rejects.toThrow(/closed/);
      expect(t.rec.logs.filter((l) => l.event === 'auth').length).toBe(2);
    } finally {
      await t.stop();
    }
  });
});

describe('timeouts and shutdown', () => {
  it('closes an idle connection with 421 4.4.2', async () => {
    const t = await startTestServer({ timeouts: { idleMs: 200, tickMs: 20 } });
    try {
      const c = await LineSocket.connect(t.ports.smtp!);
      await c.readSmtpReply();
      await c.smtp('EHLO c');
      const started = Date.now();
      expect(await c.readSmtpReply()).toEqual({ code: 421, lines: ['4.4.2 mx.example.test Error: timeout exceeded'] });
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      await expect(c.readLine()).rejects.toThrow(/closed/);
    } finally {
      await t.stop();
    }
  });

  it('close() ends idle sessions with 421 4.3.2 at once and lets an open transaction finish', async () => {
    const t = await startTestServer();
    const idle = await LineSocket.connect(t.ports.smtp!);
    await idle.readSmtpReply();
    const busy = await LineSocket.connect(t.ports.smtp!);
    await busy.readSmtpReply();
    await busy.smtp('EHLO c');
    await busy.smtp('MAIL FROM:<a@x.test>');
    await busy.smtp('RCPT TO:<b@example.test>');
    expect((await busy.smtp('DATA')).code).toBe(354);
    busy.writeLine('Subject: in flight');
    const closing = t.server.close({ graceMs: 5000 });
    expect(await idle.readSmtpReply()).toEqual({ code: 421, lines: ['4.3.2 mx.example.test Service shutting down, closing transmission channel'] });
    // New connections are refused once close() has begun.
    await expect(LineSocket.connect(t.ports.smtp!)).rejects.toThrow(/ECONNREFUSED/);
    expect(await busy.smtp('\r\nbody\r\n.')).toMatchObject({ code: 250 });
    expect((await busy.readSmtpReply()).code).toBe(421);
    await closing;
    expect(t.rec.messages.at(-1)!.body.toString()).toBe('Subject: in flight\r\n\r\nbody\r\n');
  });

  it('close() cuts a transaction that outlives the grace period; the handler sees an aborted body', async () => {
    const t = await startTestServer();
    const c = await LineSocket.connect(t.ports.smtp!);
    await c.readSmtpReply();
    for (const cmd of ['EHLO c', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@example.test>', 'DATA']) await c.smtp(cmd);
    c.writeLine('Subject: never finished');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await t.server.close({ graceMs: 200 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await c.readSmtpReply()).toMatchObject({ code: 421 });
    expect(t.rec.aborted).toHaveLength(1);
    expect(t.rec.messages).toHaveLength(0);
  });
});

describe('memory', () => {
  it('streams a 50 MB DATA to a discarding handler with small RSS growth', async () => {
    let received = 0;
    const handlers: Partial<SmtpServerHandlers> = {
      async onData(_envelope, body) {
        for await (const chunk of body) received += chunk.length;
        return { code: 250, enhanced: '2.0.0', text: 'Ok: discarded' };
      },
    };
    const t = await startTestServer({ maxMessageBytes: 64 * 1024 * 1024 }, { smtp: {} }, handlers);
    try {
      const line = `${'x'.repeat(998)}\r\n`;
      const chunk = new TextEncoder().encode(line.repeat(64)); // 64,000 bytes
      const total = 50 * 1024 * 1024;
      const count = Math.ceil(total / chunk.length);
      global.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      let receivedBeforeLast = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const c = await SmtpClient.connect({ host: '127.0.0.1', port: t.ports.smtp!, tls: 'none' });
      async function* body(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < count - 1; i++) yield chunk;
        receivedBeforeLast = received;
        yield chunk;
      }
      const r = await c.send({ from: 'a@x.test', to: ['b@example.test'], body: body() });
      clearInterval(sampler);
      await c.quit();
      expect(r.delivered).toBe(true);
      expect(received).toBe(count * chunk.length);
      // Client and server share this process; both stream, so growth is buffers, not the message.
      // Streaming, not buffering: the handler had read nearly all of it before the client sent
      // the last chunk (only socket buffers and the body stream's high-water mark in between).
      expect(receivedBeforeLast).toBeGreaterThan(count * chunk.length - 8 * 1024 * 1024);
      // Client and server share this process; the growth is uncollected 64 KB chunks, not the
      // message (measured: ~35 MB peak for 50 MB). Holding the message would add its 50 MB on top.
      expect(peak - base).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await t.stop();
    }
  }, 30_000);
});

describe('early close of a socket that never speaks', () => {
  it('a client that connects and disconnects at once is logged, not an error', async () => {
    const t = await startTestServer();
    try {
      await new Promise<void>((resolve) => connect({ host: '127.0.0.1', port: t.ports.smtp! }, function (this: import('node:net').Socket) {
        this.destroy();
        resolve();
      }));
      for (let i = 0; i < 50 && !t.rec.logs.some((l) => l.event === 'disconnect'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(t.rec.logs.find((l) => l.event === 'disconnect')?.message).toMatch(/disconnect from \[127\.0\.0\.1\] commands=0/);
    } finally {
      await t.stop();
    }
  });
});
