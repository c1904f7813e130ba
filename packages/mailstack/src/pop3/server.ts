/**
 * Pop3Server: pop3 and pop3s listeners over node:net, connection limits and graceful shutdown;
 * each accepted socket is served by a Pop3Connection over the users' Maildirs (mailstore).
 */
import type { Socket } from 'node:net';
import { MailError, type Pop3Reply } from '@mailstack/pop3-core';
import { TcpService, type AcceptedClient } from '../net/tcp-service.js';
import { Ticker } from '../net/ticker.js';
import { Pop3Connection, type Pop3ConnectionDeps } from './connection.js';
import { MaildirCache } from './maildrop.js';
import type { Pop3Listening, Pop3ListenOptions, Pop3ServerOptions } from './types.js';

/** Thrown for misuse of the server API (listen after close, pop3s without a certificate, a bad option). */
export class Pop3ServerError extends MailError<'closed' | 'no-tls' | 'listen-failed' | 'invalid-option'> {}

// RFC 1939 §3: "an autologout timer MUST be of at least 10 minutes' duration".
const MIN_IDLE_MS = 600_000;

/** A POP3 server with any number of listeners. */
export class Pop3Server {
  readonly #deps: Pop3ConnectionDeps;
  readonly #service: TcpService<Pop3Connection>;
  #seq = 0;

  constructor(options: Pop3ServerOptions) {
    const t = options.timeouts ?? {};
    if (t.idleMs !== undefined && !(t.idleMs >= MIN_IDLE_MS)) throw new Pop3ServerError('invalid-option', `timeouts.idleMs must be at least ${MIN_IDLE_MS} (RFC 1939 §3), got ${t.idleMs}`);
    this.#deps = {
      options,
      ticker: new Ticker(t.tickMs ?? 1000),
      maildirs: new MaildirCache(),
      idleMs: t.idleMs ?? 600_000,
      tlsHandshakeMs: t.tlsHandshakeMs ?? 30_000,
    };
    this.#service = new TcpService({
      limits: { total: options.maxConnections ?? 100, perIp: options.maxConnectionsPerIp ?? 20 },
      tls: options.tls,
      tlsHandshakeMs: this.#deps.tlsHandshakeMs,
      ListenError: Pop3ServerError,
    });
  }

  /** Connections being served now. */
  get connections(): number {
    return this.#service.connections;
  }

  /** Start a listener; resolves with the bound address (port 0 picks a free one). */
  async listen(options: Pop3ListenOptions): Promise<Pop3Listening> {
    const implicitTls = options.implicitTls ?? false;
    const address = await this.#service.listen(options.host, options.port, implicitTls, (socket, client) => this.#connection(socket, client));
    return { host: address.address, port: address.port, implicitTls };
  }

  #connection(socket: Socket, client: AcceptedClient): Pop3Connection {
    const { ip, refused } = client;
    // RFC 2449 §8 / RFC 3206 §4: [SYS/TEMP], the client may try again later.
    const refusal: Pop3Reply | undefined =
      refused === undefined ? undefined : { type: 'err', code: 'SYS/TEMP', text: refused === 'per-ip' ? `Too many connections from ${ip}` : 'Too many connections' };
    const info = { id: `p${++this.#seq}`, remoteAddress: ip, remotePort: client.remotePort, tls: client.tls, ...(refusal === undefined ? {} : { refusal }) };
    return new Pop3Connection(socket, info, this.#deps);
  }

  /**
   * Stop accepting, end every session at its next command boundary (nothing is deleted: no
   * UPDATE without QUIT), and after `graceMs` (default 30000) cut whatever is still running.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    await this.#service.close(options.graceMs ?? 30_000);
  }
}
