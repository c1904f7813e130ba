/**
 * In-place TLS upgrade of an accepted plaintext socket (STARTTLS, RFC 3207 §4; STLS, RFC 2595 §4).
 * Call it after the "go ahead" reply has been flushed and reading has stopped. Bytes the client
 * sent after its command that are already buffered are fed to the TLS layer (Node does this), so
 * plaintext injected after STARTTLS can only break the handshake, never reach the new session.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { MailError } from '@mailstack/smtp-core';

/** Thrown when a TLS handshake fails or takes too long. */
export class TlsHandshakeError extends MailError<'handshake-failed' | 'handshake-timeout'> {}

/** Wrap `socket` in a server-side TLSSocket and wait for the handshake (at most `timeoutMs`). */
export async function upgradeToTls(socket: Socket, secureContext: SecureContext, timeoutMs: number): Promise<TLSSocket> {
  const tls = new TLSSocket(socket, { isServer: true, secureContext });
  await waitForHandshake(tls, 'secure', timeoutMs);
  return tls;
}

/** Wait for `event` ('secure' on servers, 'secureConnect' on clients) or fail on error, close or time-out. */
export async function waitForHandshake(tls: TLSSocket, event: 'secure' | 'secureConnect', timeoutMs: number): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    await Promise.race([
      once(tls, event, { signal: ac.signal }),
      once(tls, 'close', { signal: ac.signal }).then(() => {
        throw new TlsHandshakeError('handshake-failed', 'connection closed during the TLS handshake');
      }),
    ]);
  } catch (error) {
    tls.destroy();
    if (error instanceof TlsHandshakeError) throw error;
    if (ac.signal.aborted) throw new TlsHandshakeError('handshake-timeout', `no TLS handshake within ${timeoutMs} ms`);
    throw new TlsHandshakeError('handshake-failed', `TLS handshake failed: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
