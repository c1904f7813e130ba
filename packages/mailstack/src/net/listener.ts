/**
 * A TCP listener as every mail listener here wants it: TCP_NODELAY on accepted sockets (replies
 * are whole lines, written once), and accept errors after listen() (EMFILE under a flood) ignored
 * rather than fatal: the server keeps listening.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** Listen on host:port; resolves once listening, rejects with the listen error (EADDRINUSE, ...). */
export async function listenTcp(host: string, port: number, onSocket: (socket: Socket) => void): Promise<Server> {
  const server = createServer({ noDelay: true }, onSocket);
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
