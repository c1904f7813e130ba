/**
 * SmtpServer: listeners (smtp, submission, submissions) over node:net, connection limits, and
 * graceful shutdown; each accepted socket is served by an SmtpConnection. Usable on its own in any
 * Node application: the MTA plugs in through SmtpServerHandlers.
 */
import type { Socket } from 'node:net';
import { MailError, type Reply } from '@mailstack/smtp-core';
import { TcpService, type AcceptedClient } from '../net/tcp-service.js';
import { Ticker } from '../net/ticker.js';
import { SmtpConnection, type SmtpConnectionDeps } from './connection.js';
import type { SmtpListenOptions, SmtpRole, SmtpServerHandlers, SmtpServerOptions } from './types.js';

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
  readonly #service: TcpService<SmtpConnection>;
  #seq = 0;

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
    this.#service = new TcpService({
      limits: { total: options.maxConnections ?? 100, perIp: options.maxConnectionsPerIp ?? 20 },
      tls: options.tls,
      tlsHandshakeMs: this.#deps.tlsHandshakeMs,
      ListenError: SmtpServerError,
    });
  }

  /** Connections being served now. */
  get connections(): number {
    return this.#service.connections;
  }

  /** Start a listener; resolves with the bound address (port 0 picks a free one). */
  async listen(options: SmtpListenOptions): Promise<SmtpListening> {
    const implicitTls = options.implicitTls ?? false;
    const role = options.role ?? 'smtp';
    const address = await this.#service.listen(options.host, options.port, implicitTls, (socket, client) => this.#connection(socket, client, role));
    return { host: address.address, port: address.port, role, implicitTls };
  }

  #connection(socket: Socket, client: AcceptedClient, role: SmtpRole): SmtpConnection {
    const { ip, refused } = client;
    const refusal: Reply | undefined =
      refused === undefined
        ? undefined
        : {
            code: 421,
            enhanced: '4.7.0',
            text: refused === 'per-ip' ? `${this.#options.hostname} Error: too many connections from ${ip}` : `${this.#options.hostname} Error: too many connections`,
          };
    const info = { id: `c${++this.#seq}`, remoteAddress: ip, remotePort: client.remotePort, localPort: client.localPort, role };
    return new SmtpConnection(socket, info, this.#deps, { tls: client.tls, ...(refusal === undefined ? {} : { refusal }) });
  }

  /**
   * Stop accepting, let open transactions finish, end every session with 421 4.3.2, and after
   * `graceMs` (default 30000, config timeouts.shutdown) cut whatever is still running.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    await this.#service.close(options.graceMs ?? 30_000);
  }
}
