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

/**
 * Write bytes; resolves at once unless the socket's buffer is full, then on `drain` or close. A
 * peer that reads nothing for `timeoutMs` while we wait gets its socket destroyed (it would
 * otherwise hold the connection forever: the idle clock only runs while we wait for input).
 */
export async function writeBytes(socket: Duplex, bytes: Uint8Array, timeoutMs = Infinity): Promise<void> {
  if (bytes.length === 0 || socket.destroyed || socket.writableEnded) return;
  if (socket.write(bytes)) return;
  const timer = Number.isFinite(timeoutMs) ? setTimeout(() => socket.destroy(), timeoutMs) : undefined;
  const ac = new AbortController(); // removes the listener of whichever event did not come
  try {
    await Promise.race([once(socket, 'drain', { signal: ac.signal }), once(socket, 'close', { signal: ac.signal })]);
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
