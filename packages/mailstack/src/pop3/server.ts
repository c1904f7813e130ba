/**
 * Pop3Server: pop3 and pop3s listeners over node:net, connection limits and graceful shutdown;
 * each accepted socket is served by a Pop3Connection over the users' Maildirs (mailstore).
 */
import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';
import { MailError, type Pop3Reply } from '@mailstack/pop3-core';
import { normalizeIp } from '../net/address.js';
import { ConnectionLimiter } from '../net/limiter.js';
import { listenTcp } from '../net/listener.js';
import { SessionSet } from '../net/sessions.js';
import { upgradeToTls } from '../net/starttls.js';
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
  readonly #options: Pop3ServerOptions;
  readonly #deps: Pop3ConnectionDeps;
  readonly #limiter: ConnectionLimiter;
  readonly #servers: Server[] = [];
  readonly #sessions = new SessionSet<Pop3Connection>();
  #seq = 0;
  #closing = false;

  constructor(options: Pop3ServerOptions) {
    this.#options = options;
    const t = options.timeouts ?? {};
    if (t.idleMs !== undefined && !(t.idleMs >= MIN_IDLE_MS)) throw new Pop3ServerError('invalid-option', `timeouts.idleMs must be at least ${MIN_IDLE_MS} (RFC 1939 §3), got ${t.idleMs}`);
    this.#deps = {
      options,
      ticker: new Ticker(t.tickMs ?? 1000),
      maildirs: new MaildirCache(),
      idleMs: t.idleMs ?? 600_000,
      tlsHandshakeMs: t.tlsHandshakeMs ?? 30_000,
    };
    this.#limiter = new ConnectionLimiter({ total: options.maxConnections ?? 100, perIp: options.maxConnectionsPerIp ?? 20 });
  }

  /** Connections being served now. */
  get connections(): number {
    return this.#sessions.size;
  }

  /** Start a listener; resolves with the bound address (port 0 picks a free one). */
  async listen(options: Pop3ListenOptions): Promise<Pop3Listening> {
    if (this.#closing) throw new Pop3ServerError('closed', 'listen() after close()');
    const implicitTls = options.implicitTls ?? false;
    if (implicitTls && this.#options.tls === undefined) throw new Pop3ServerError('no-tls', 'pop3s needs the tls option');
    let server: Server;
    try {
      server = await listenTcp(options.host, options.port, (socket) => void this.#accept(socket, implicitTls));
    } catch (error) {
      throw new Pop3ServerError('listen-failed', `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`, { cause: error });
    }
    this.#servers.push(server);
    const address = server.address() as AddressInfo;
    return { host: address.address, port: address.port, implicitTls };
  }

  async #accept(raw: Socket, implicitTls: boolean): Promise<void> {
    raw.on('error', () => undefined); // read errors end the read loop; no unhandled 'error'
    const ip = normalizeIp(raw.remoteAddress);
    const admitted = this.#limiter.admit(ip);
    // RFC 2449 §8 / RFC 3206 §4: [SYS/TEMP], the client may try again later.
    const refusal: Pop3Reply | undefined = admitted.ok
      ? undefined
      : { type: 'err', code: 'SYS/TEMP', text: admitted.reason === 'per-ip' ? `Too many connections from ${ip}` : 'Too many connections' };
    let socket: Socket = raw;
    if (implicitTls && admitted.ok) {
      try {
        socket = await upgradeToTls(raw, this.#options.tls!, this.#deps.tlsHandshakeMs);
        socket.on('error', () => undefined);
      } catch {
        this.#limiter.release(ip);
        raw.destroy();
        return;
      }
    }
    const info = { id: `p${++this.#seq}`, remoteAddress: ip, remotePort: raw.remotePort ?? 0, tls: implicitTls && admitted.ok, ...(refusal === undefined ? {} : { refusal }) };
    const connection = new Pop3Connection(socket, info, this.#deps);
    this.#sessions.serve(connection, () => {
      if (admitted.ok) this.#limiter.release(ip);
    });
    if (this.#closing) connection.shutdown();
  }

  /**
   * Stop accepting, end every session at its next command boundary (nothing is deleted: no
   * UPDATE without QUIT), and after `graceMs` (default 30000) cut whatever is still running.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing = true;
    const stopped = Promise.all(this.#servers.map((s) => (s.listening ? once(s.close(), 'close') : undefined)));
    await this.#sessions.close(options.graceMs ?? 30_000);
    await stopped;
  }
}
