/**
 * SmtpServer: listeners (smtp, submission, submissions) over node:net, connection limits, and
 * graceful shutdown; each accepted socket is served by an SmtpConnection. Usable on its own in any
 * Node application: the MTA plugs in through SmtpServerHandlers.
 */
import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';
import { MailError, type Reply } from '@mailstack/smtp-core';
import { normalizeIp } from '../net/address.js';
import { ConnectionLimiter } from '../net/limiter.js';
import { listenTcp } from '../net/listener.js';
import { SessionSet } from '../net/sessions.js';
import { upgradeToTls } from '../net/starttls.js';
import { Ticker } from '../net/ticker.js';
import { SmtpConnection, type SmtpConnectionDeps } from './connection.js';
import type { SmtpConnectionInfo, SmtpListenOptions, SmtpRole, SmtpServerHandlers, SmtpServerOptions } from './types.js';

/** Thrown for misuse of the server API (listen after close, implicit TLS without a certificate). */
export class SmtpServerError extends MailError<'closed' | 'no-tls' | 'listen-failed'> {}

/** A listener that is accepting connections. */
export interface SmtpListening {
  readonly host: string;
  readonly port: number;
  readonly role: SmtpRole;
  readonly implicitTls: boolean;
}

/** An SMTP server with any number of listeners. */
export class SmtpServer {
  readonly #options: SmtpServerOptions;
  readonly #deps: SmtpConnectionDeps;
  readonly #limiter: ConnectionLimiter;
  readonly #servers: Server[] = [];
  readonly #sessions = new SessionSet<SmtpConnection>();
  #seq = 0;
  #closing = false;

  constructor(options: SmtpServerOptions, handlers: SmtpServerHandlers) {
    this.#options = options;
    const t = options.timeouts ?? {};
    this.#deps = {
      options,
      handlers,
      ticker: new Ticker(t.tickMs ?? 1000),
      idleMs: t.idleMs ?? 300_000,
      tlsHandshakeMs: t.tlsHandshakeMs ?? 30_000,
    };
    this.#limiter = new ConnectionLimiter({ total: options.maxConnections ?? 100, perIp: options.maxConnectionsPerIp ?? 20 });
  }

  /** Connections being served now. */
  get connections(): number {
    return this.#sessions.size;
  }

  /** Start a listener; resolves with the bound address (port 0 picks a free one). */
  async listen(options: SmtpListenOptions): Promise<SmtpListening> {
    if (this.#closing) throw new SmtpServerError('closed', 'listen() after close()');
    const implicitTls = options.implicitTls ?? false;
    if (implicitTls && this.#options.tls === undefined) throw new SmtpServerError('no-tls', 'implicit TLS needs the tls option');
    const role = options.role ?? 'smtp';
    // An accepted socket's local port is the listener's: known once, no getsockname(2) per connection.
    let localPort = 0;
    let server: Server;
    try {
      server = await listenTcp(options.host, options.port, (socket) => void this.#accept(socket, role, implicitTls, localPort));
    } catch (error) {
      throw new SmtpServerError('listen-failed', `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`, { cause: error });
    }
    const address = server.address() as AddressInfo;
    localPort = address.port;
    this.#servers.push(server);
    return { host: address.address, port: localPort, role, implicitTls };
  }

  async #accept(raw: Socket, role: SmtpRole, implicitTls: boolean, localPort: number): Promise<void> {
    raw.on('error', () => undefined); // read errors end the read loop; no unhandled 'error'
    const ip = normalizeIp(raw.remoteAddress);
    const info: SmtpConnectionInfo = { id: `c${++this.#seq}`, remoteAddress: ip, remotePort: raw.remotePort ?? 0, localPort, role };
    const admitted = this.#limiter.admit(ip);
    const refusal: Reply | undefined = admitted.ok
      ? undefined
      : {
          code: 421,
          enhanced: '4.7.0',
          text: admitted.reason === 'per-ip' ? `${this.#options.hostname} Error: too many connections from ${ip}` : `${this.#options.hostname} Error: too many connections`,
        };
    let socket: Socket = raw;
    if (implicitTls && refusal === undefined) {
      try {
        socket = await upgradeToTls(raw, this.#options.tls!, this.#deps.tlsHandshakeMs);
        socket.on('error', () => undefined);
      } catch {
        this.#limiter.release(ip);
        raw.destroy();
        return;
      }
    }
    const connection = new SmtpConnection(socket, info, this.#deps, { tls: implicitTls, ...(refusal === undefined ? {} : { refusal }) });
    this.#sessions.serve(connection, () => {
      if (admitted.ok) this.#limiter.release(ip);
    });
    if (this.#closing) connection.shutdown();
  }

  /**
   * Stop accepting, let open transactions finish, end every session with 421 4.3.2, and after
   * `graceMs` (default 30000, config timeouts.shutdown) cut whatever is still running.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing = true;
    const stopped = Promise.all(this.#servers.map((s) => (s.listening ? once(s.close(), 'close') : undefined)));
    await this.#sessions.close(options.graceMs ?? 30_000);
    await stopped;
  }
}
