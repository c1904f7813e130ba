// writeBytes over a real socket pair: backpressure, and the write timeout for a peer that never reads.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { writeBytes } from '../../src/net/io.js';

async function pair(): Promise<{ client: Socket; server: Socket; close: () => void }> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  const accepted = once(srv, 'connection');
  const client = connect({ host: '127.0.0.1', port });
  const [server] = (await accepted) as [Socket];
  return { client, server, close: () => { client.destroy(); server.destroy(); srv.close(); } };
}

it('destroys the socket when the peer reads nothing for the timeout, leaving no listeners behind', async () => {
  const { client, server, close } = await pair();
  client.pause(); // never reads
  const chunk = new Uint8Array(1024 * 1024);
  const started = Date.now();
  for (let i = 0; i < 64 && !server.destroyed; i++) await writeBytes(server, chunk, 300);
  expect(server.destroyed).toBe(true);
  expect(Date.now() - started).toBeLessThan(5000);
  expect(server.listenerCount('drain')).toBe(0);
  close();
});

it('waits for drain while the peer reads, and delivers everything', async () => {
  const { client, server, close } = await pair();
  let received = 0;
  client.on('data', (d: Buffer) => (received += d.length));
  const chunk = new Uint8Array(1024 * 1024);
  for (let i = 0; i < 20; i++) await writeBytes(server, chunk, 5000);
  expect(server.listenerCount('close')).toBeLessThanOrEqual(1);
  server.end();
  await once(client, 'end');
  expect(received).toBe(20 * 1024 * 1024);
  close();
});
