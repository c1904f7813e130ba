// Loopback ports for private peer instances. Peers such as Postfix and Dovecot take their
// ports from a config file, so a free port is found by binding port 0 and closing again; the
// window in which another process could take it is closed by startOnFreePort's retry.
import { createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOOPBACK = '127.0.0.1';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from listen(0)');
  return address.port;
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Waits until every port accepts connections. `stillRunning` is asked between attempts so a
 * peer that died on start-up fails at once instead of after the timeout.
 */
export async function waitForPorts(
  ports: readonly number[],
  stillRunning: () => boolean,
  timeoutMs = 20_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await isListening(port))) {
      if (!stillRunning() || Date.now() > deadline) return false;
      await sleep(50);
    }
  }
  return true;
}

/**
 * Runs start with `count` free ports, trying again with new ports when it fails: a port can be
 * taken by another process between our probe and the peer's bind.
 */
export async function onFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    try {
      return await start(ports);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}
