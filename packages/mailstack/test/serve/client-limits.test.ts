// limits.connectionRate and limits.messageRate (docs/config.md): per-client rates in the manner of
// Postfix anvil(8), over a real socket against `serve`; mynetworks is exempt.
import { afterEach, describe, expect, it } from 'vitest';
import { LineSocket } from '../peers/index.js';
import { startTestServer, type TestServer } from './harness.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(yaml: string): Promise<TestServer> {
  const server = await startTestServer({ yaml });
  servers.push(server);
  return server;
}

async function greeted(port: number): Promise<LineSocket> {
  const client = await LineSocket.connect(port);
  expect((await client.readSmtpReply()).code).toBe(220);
  expect((await client.smtp('EHLO client.test')).code).toBe(250);
  return client;
}

describe('per-client rate limits', () => {
  it('a client over limits.messageRate gets 450 4.7.1 at MAIL; the session stays usable', async () => {
    const server = await start('mynetworks: []\nlimits:\n  messageRate: 2\n  connectionRate: 0');
    const client = await greeted(server.port('smtp'));
    for (let i = 0; i < 2; i++) {
      expect((await client.smtp('MAIL FROM:<a@remote.test>')).code).toBe(250);
      expect((await client.smtp('RSET')).code).toBe(250);
    }
    const refused = await client.smtp('MAIL FROM:<a@remote.test>');
    expect(refused.code).toBe(450);
    expect(refused.lines[0]).toBe('4.7.1 Error: too much mail from 127.0.0.1');
    expect((await client.smtp('NOOP')).code).toBe(250);
    expect((await client.smtp('QUIT')).code).toBe(221);
    await client.close();
  });

  it('a client over limits.connectionRate is refused with 421 4.7.0 before the greeting', async () => {
    const server = await start('mynetworks: []\nlimits:\n  connectionRate: 3\n  messageRate: 0');
    for (let i = 0; i < 3; i++) {
      const client = await greeted(server.port('smtp'));
      await client.smtp('QUIT');
      await client.close();
    }
    const client = await LineSocket.connect(server.port('smtp'));
    const reply = await client.readSmtpReply();
    expect(reply.code).toBe(421);
    // Before EHLO no enhanced status code (RFC 2034 §3: they follow the EHLO negotiation).
    expect(reply.lines[0]).toBe('Error: too many connections from 127.0.0.1');
    await client.close();
  });

  it('clients in mynetworks are exempt', async () => {
    const server = await start('mynetworks: [127.0.0.0/8]\nlimits:\n  messageRate: 1\n  connectionRate: 1');
    for (let i = 0; i < 3; i++) {
      const client = await greeted(server.port('smtp'));
      for (let j = 0; j < 3; j++) {
        expect((await client.smtp('MAIL FROM:<a@example.test>')).code).toBe(250);
        expect((await client.smtp('RSET')).code).toBe(250);
      }
      await client.smtp('QUIT');
      await client.close();
    }
  });
});
