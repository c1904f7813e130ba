// SmtpClient timeouts (RFC 5321 §4.5.3.2) against servers that go silent at a chosen point.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { SmtpClient, SmtpClientError } from 'mailstack';

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets) s.destroy();
  server?.close();
});

/** A server that answers with `script(line)` (undefined = stays silent); greets unless `greet` is false. */
async function silentServer(greet: boolean, script: (line: string) => string | undefined): Promise<number> {
  server = createServer((socket) => {
    sockets.push(socket);
    if (greet) socket.write('220 silent.test ESMTP\r\n');
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const reply = script(buf.slice(0, i));
        buf = buf.slice(i + 2);
        if (reply !== undefined) socket.write(reply);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

it('gives up on a missing greeting after greetingMs', async () => {
  const port = await silentServer(false, () => undefined);
  const started = Date.now();
  const error = await SmtpClient.connect({ host: '127.0.0.1', port, tls: 'none', timeouts: { greetingMs: 300 } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SmtpClientError);
  expect((error as SmtpClientError).code).toBe('timeout');
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
});

it('gives up on a missing reply to MAIL after commandMs; the recipients get no reply', async () => {
  const port = await silentServer(true, (line) => (line.startsWith('EHLO') ? '250 silent.test\r\n' : undefined));
  const c = await SmtpClient.connect({ host: '127.0.0.1', port, tls: 'none', timeouts: { commandMs: 300 } });
  const started = Date.now();
  const r = await c.send({ from: 'a@x.test', to: ['b@y.test'], body: new TextEncoder().encode('x\r\n') });
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  expect([r.mail, r.recipients[0]!.reply, r.delivered]).toEqual([undefined, undefined, false]);
  c.close();
});
