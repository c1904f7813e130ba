/**
 * The listening side that SmtpServer and Pop3Server share: TCP listeners, the connection limits
 * (total and per IP), implicit TLS (the handshake before the protocol starts: SMTP submissions,
 * RFC 8314 §3.3; pop3s, RFC 8314 §3.1), the running sessions and the graceful close. The protocol
 * supplies its session: `accept` gets the socket (TLS already on for an implicit-TLS listener) and
 * what is known of the client, including the limit it is over, which the session answers before
 * it closes (SMTP 421 4.7.0, POP3 -ERR [SYS/TEMP]).
 */
import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { normalizeIp } from './address.js';
import { ConnectionLimiter, type ConnectionLimits } from './limiter.js';
import { listenTcp } from './listener.js';
import { SessionSet, type ServedSession } from './sessions.js';
import { upgradeToTls } from './starttls.js';

/** What a listener knows of a client when it hands the connection to the protocol. */
export interface AcceptedClient {
  /** The client's address, normalized (`::ffff:192.0.2.1` is `192.0.2.1`). */
  readonly ip: string;
  readonly remotePort: number;
  /** The listener's port. */
  readonly localPort: number;
  /** TLS is already on (an implicit-TLS listener and an admitted client). */
  readonly tls: boolean;
  /** The limit the connection is over, if any: the session refuses it and closes. */
  readonly refused?: 'total' | 'per-ip';
}

/** Why listen() failed; each server throws its own error class with these codes. */
export type ListenFailure = 'closed' | 'no-tls' | 'listen-failed';

/** Options of a TcpService. */
export interface TcpServiceOptions {
  readonly limits: ConnectionLimits;
  /** For implicit-TLS listeners. */
  readonly tls: SecureContext | undefined;
  /** How long a client gets to finish an implicit-TLS handshake. */
  readonly tlsHandshakeMs: number;
  /** The server's error class, thrown by a failed listen(). */
  readonly ListenError: new (code: ListenFailure, message: string, options?: ErrorOptions) => Error;
}

/** Listeners, limits and sessions of one server. */
export class TcpService<S extends ServedSession> {
  readonly #options: TcpServiceOptions;
  readonly #limiter: ConnectionLimiter;
  readonly #servers: Server[] = [];
  readonly #sessions = new SessionSet<S>();
  #closing = false;

  constructor(options: TcpServiceOptions) {
    this.#options = options;
    this.#limiter = new ConnectionLimiter(options.limits);
  }

  /** Sessions being served now. */
  get connections(): number {
    return this.#sessions.size;
  }

  /**
   * Listen on host:port (0 picks a free one) and serve each connection with the session `accept`
   * makes; resolves with the bound address. Rejects with the server's error: after close(),
   * implicit TLS without a certificate, or the listen error (EADDRINUSE, ...) as its cause.
   */
  async listen(host: string, port: number, implicitTls: boolean, accept: (socket: Socket, client: AcceptedClient) => S): Promise<AddressInfo> {
    const { ListenError } = this.#options;
    if (this.#closing) throw new ListenError('closed', 'listen() after close()');
    if (implicitTls && this.#options.tls === undefined) throw new ListenError('no-tls', 'implicit TLS needs the tls option');
    // An accepted socket's local port is the listener's: known once, no getsockname(2) per connection.
    let localPort = 0;
    let server: Server;
    try {
      server = await listenTcp(host, port, (socket) => void this.#accept(socket, localPort, implicitTls, accept));
    } catch (cause) {
      throw new ListenError('listen-failed', `cannot listen on ${host}:${port}: ${(cause as Error).message}`, { cause });
    }
    const address = server.address() as AddressInfo;
    localPort = address.port;
    this.#servers.push(server);
    return address;
  }

  async #accept(raw: Socket, localPort: number, implicitTls: boolean, accept: (socket: Socket, client: AcceptedClient) => S): Promise<void> {
    raw.on('error', () => undefined); // read errors end the session's read loop; no unhandled 'error'
    const ip = normalizeIp(raw.remoteAddress);
    const admitted = this.#limiter.admit(ip);
    let socket: Socket = raw;
    if (implicitTls && admitted.ok) {
      try {
        socket = await upgradeToTls(raw, this.#options.tls!, this.#options.tlsHandshakeMs);
        socket.on('error', () => undefined);
      } catch {
        this.#limiter.release(ip);
        raw.destroy();
        return;
      }
    }
    const client: AcceptedClient = {
      ip,
      remotePort: raw.remotePort ?? 0,
      localPort,
      tls: implicitTls && admitted.ok,
      ...(admitted.ok ? {} : { refused: admitted.reason }),
    };
    const session = accept(socket, client);
    this.#sessions.serve(session, () => {
      if (admitted.ok) this.#limiter.release(ip);
    });
    if (this.#closing) session.shutdown();
  }

  /** Stop accepting, shutdown() every session, and after `graceMs` destroy() what is still running. */
  async close(graceMs: number): Promise<void> {
    this.#closing = true;
    const stopped = Promise.all(this.#servers.map((s) => (s.listening ? once(s.close(), 'close') : undefined)));
    await this.#sessions.close(graceMs);
    await stopped;
  }
}
