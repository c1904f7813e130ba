/**
 * Socket I/O for protocol drivers (STYLE.md §2): reading that stops while the driver works, and
 * writing that waits for `drain` (backpressure).
 */
import { once } from 'node:events';
import type { Duplex } from 'node:stream';

/**
 * The socket's chunks, pulled one at a time. Leaving the loop does not destroy the socket, so a
 * driver can stop reading the plaintext socket and hand it to a TLSSocket (STARTTLS).
 */
export function readChunks(socket: Duplex): AsyncIterable<Uint8Array> {
  return socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
}

/** Write bytes; resolves at once unless the socket's buffer is full, then on `drain` or close. */
export async function writeBytes(socket: Duplex, bytes: Uint8Array): Promise<void> {
  if (bytes.length === 0 || socket.destroyed || socket.writableEnded) return;
  if (socket.write(bytes)) return;
  await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
}
