/**
 * Pop3Client: a POP3 client over node:net/tls driving a Pop3ClientSession (STYLE.md §2), for
 * `mailstack fetch` and for applications.
 *
 * How this works: one operation at a time holds the connection (a small lock); each sends its
 * command(s) through the core and pulls events, reading the socket only when the core needs
 * data, so a message being retrieved is never read faster than its consumer takes it
 * (backpressure reaches the server through TCP). RETR and TOP bodies come out as they arrive,
 * unstuffed; a consumer that stops early has the rest read and dropped, so the session stays in
 * step. `retrMany` keeps up to `window` RETRs in flight when the server advertises PIPELINING
 * (RFC 2449 §6.6). STLS (RFC 2595 §4) stops reading the plain socket, wraps it in TLS and asks
 * CAPA again, since capabilities learnt before TLS are not to be trusted.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { createSaslClient, type SaslClientExchange, type SaslMechanismName } from '@mailstack/sasl';
import {
  MailError,
  Pop3ClientSession,
  apopDigest,
  type Pop3Capabilities,
  type Pop3ClientCommand,
  type Pop3ClientEvent,
  type Pop3Command,
  type Pop3Response,
  type SaslClient,
  type ScanListing,
  type UidListing,
} from '@mailstack/pop3-core';
import { writeBytes } from '../net/io.js';
import { waitForHandshake } from '../net/starttls.js';

/** What went wrong; `response` is the server's -ERR where there was one. */
export type Pop3ClientErrorCode = 'connect-failed' | 'tls-failed' | 'command-failed' | 'auth-failed' | 'no-auth-method' | 'protocol' | 'closed' | 'timeout';

/** Thrown by Pop3Client operations. */
export class Pop3ClientError extends MailError<Pop3ClientErrorCode> {
  constructor(
    code: Pop3ClientErrorCode,
    message: string,
    readonly response?: Pop3Response,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** How the connection is secured: none, STLS after the greeting (RFC 2595), or pop3s (RFC 8314). */
export type Pop3TlsMode = 'none' | 'stls' | 'implicit';

/** Where and how to connect. */
export interface Pop3ClientConnectOptions {
  readonly host: string;
  readonly port: number;
  /** Default 'none'. */
  readonly tls?: Pop3TlsMode;
  /** Check the server certificate (default true); false for self-signed test servers. */
  readonly rejectUnauthorized?: boolean;
  /** Trusted CA certificates (PEM) instead of the system's, e.g. a self-signed server's own. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Name to verify the certificate against (SNI); default `host`. */
  readonly servername?: string;
  /** Socket inactivity before the connection is dropped; default 60000. */
  readonly timeoutMs?: number;
}

/** How to log in: 'auto' picks the best the server offers (SCRAM-SHA-256, CRAM-MD5, APOP, PLAIN, USER). */
export type Pop3LoginMethod = 'auto' | 'user' | 'apop' | SaslMechanismName;

/** One message of `retrMany`: its number and its body, to be read before the next message. */
export interface Pop3RetrievedMessage {
  readonly msg: number;
  readonly body: AsyncIterable<Uint8Array>;
}

/** Every command but AUTH (which goes with its SASL client). */
type PlainCommand = Exclude<Pop3Command, { verb: 'AUTH' }>;

const AUTO_ORDER: readonly SaslMechanismName[] = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'CRAM-MD5'];

/** A connected POP3 client. */
export class Pop3Client {
  readonly #core: Pop3ClientSession;
  readonly #options: Pop3ClientConnectOptions;
  #socket: Socket;
  #reader: AsyncIterator<Uint8Array>;
  #tail: Promise<void> = Promise.resolve();
  #greeting: Pop3Response | undefined;

  private constructor(socket: Socket, options: Pop3ClientConnectOptions, tls: boolean) {
    this.#socket = socket;
    this.#options = options;
    this.#core = new Pop3ClientSession({ tls });
    this.#reader = this.#iterate();
  }

  /** Connect, read the greeting, upgrade with STLS if asked, and read CAPA. */
  static async connect(options: Pop3ClientConnectOptions): Promise<Pop3Client> {
    const mode = options.tls ?? 'none';
    const socket = await openSocket(options, mode === 'implicit');
    const client = new Pop3Client(socket, options, mode === 'implicit');
    try {
      const greeting = await client.#event();
      if (greeting.type !== 'greeting' || !greeting.response.ok) throw new Pop3ClientError('connect-failed', `server refused the connection: ${describe(greeting)}`);
      client.#greeting = greeting.response;
      await client.capa().catch((error: unknown) => {
        if (!(error instanceof Pop3ClientError && error.code === 'command-failed')) throw error; // RFC 1939-only servers have no CAPA
      });
      if (mode === 'stls') await client.#startTls();
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** The greeting's status line. */
  get greeting(): Pop3Response | undefined {
    return this.#greeting;
  }

  /** The last CAPA answer (after STLS: the one under TLS). */
  get capabilities(): Pop3Capabilities | undefined {
    return this.#core.capabilities;
  }

  /** Whether the connection is under TLS now. */
  get tls(): boolean {
    return 'encrypted' in this.#socket;
  }

  /** RFC 2449 §5 CAPA. */
  capa(): Promise<Pop3Capabilities> {
    return this.#exclusive(async () => {
      const ev = await this.#command({ verb: 'CAPA' });
      if (ev.type !== 'capabilities') throw unexpected('CAPA', ev);
      return ev.capabilities;
    });
  }

  /** Log in (RFC 1939 §7 USER/PASS and APOP, RFC 5034 AUTH); resolves with the method used. */
  login(user: string, password: string, method: Pop3LoginMethod = 'auto'): Promise<Pop3LoginMethod> {
    return this.#exclusive(async () => {
      const chosen = method === 'auto' ? this.#bestMethod() : method;
      if (chosen === 'user') {
        await this.#ok({ verb: 'USER', name: user }, 'auth-failed');
        await this.#ok({ verb: 'PASS', password }, 'auth-failed');
      } else if (chosen === 'apop') {
        const timestamp = this.#core.apopTimestamp;
        if (timestamp === undefined) throw new Pop3ClientError('no-auth-method', 'the server does not offer APOP (no timestamp in the greeting)');
        await this.#ok({ verb: 'APOP', name: user, digest: apopDigest(timestamp, password) }, 'auth-failed');
      } else {
        await this.#sasl(chosen, user, password);
      }
      return chosen;
    });
  }

  #bestMethod(): Exclude<Pop3LoginMethod, 'auto'> {
    const sasl = new Set(this.#core.capabilities?.get('SASL') ?? []);
    const strong = AUTO_ORDER.find((m) => sasl.has(m));
    if (strong !== undefined) return strong;
    if (this.#core.apopTimestamp !== undefined) return 'apop';
    if (sasl.has('PLAIN')) return 'PLAIN';
    return 'user';
  }

  async #sasl(mechanism: SaslMechanismName, username: string, password: string): Promise<void> {
    if (mechanism === 'OAUTHBEARER') throw new Pop3ClientError('no-auth-method', 'OAUTHBEARER needs a token, not a password');
    const exchange = mechanism.startsWith('SCRAM-')
      ? createSaslClient(mechanism as 'SCRAM-SHA-256', { username, password, nonce: randomNonce() })
      : createSaslClient(mechanism as 'PLAIN', { username, password });
    let ev = await this.#send({ verb: 'AUTH', mechanism, sasl: saslAdapter(exchange) });
    let failure: Error | undefined;
    while (ev.type === 'challenge') {
      failure ??= ev.failure;
      ev = await this.#send(ev.next);
    }
    if (ev.type !== 'reply') throw unexpected('AUTH', ev);
    if (!ev.response.ok) throw new Pop3ClientError('auth-failed', `AUTH ${mechanism} failed: ${failure?.message ?? formatResponse(ev.response)}`, ev.response);
    const outcome = exchange.finish();
    // RFC 5802 §5: a SCRAM server that cannot prove it knows the password is not the real one.
    if (outcome.type === 'failure') {
      this.close();
      throw new Pop3ClientError('auth-failed', `AUTH ${mechanism}: ${outcome.detail}`);
    }
  }

  /** RFC 1939 §5 STAT. */
  stat(): Promise<{ count: number; sizeBytes: number }> {
    return this.#exclusive(async () => {
      const ev = await this.#command({ verb: 'STAT' });
      if (ev.type !== 'stat') throw unexpected('STAT', ev);
      return { count: ev.count, sizeBytes: ev.sizeBytes };
    });
  }

  /** RFC 1939 §5 LIST: every message, or one. */
  list(msg?: number): Promise<ScanListing[]> {
    return this.#exclusive(async () => {
      const ev = await this.#command(msg === undefined ? { verb: 'LIST' } : { verb: 'LIST', msg });
      if (ev.type !== 'scan-listing') throw unexpected('LIST', ev);
      return ev.entries;
    });
  }

  /** RFC 1939 §7 UIDL: every message, or one. */
  uidl(msg?: number): Promise<UidListing[]> {
    return this.#exclusive(async () => {
      const ev = await this.#command(msg === undefined ? { verb: 'UIDL' } : { verb: 'UIDL', msg });
      if (ev.type !== 'uid-listing') throw unexpected('UIDL', ev);
      return ev.entries;
    });
  }

  /** RFC 1939 §5 RETR: the message, unstuffed, streamed as it arrives. */
  retr(msg: number): AsyncIterable<Uint8Array> {
    return this.#body({ verb: 'RETR', msg });
  }

  /** RFC 1939 §7 TOP: the header, the blank line and `lines` lines of the body. */
  top(msg: number, lines: number): AsyncIterable<Uint8Array> {
    return this.#body({ verb: 'TOP', msg, lines });
  }

  async *#body(command: Extract<Pop3Command, { verb: 'RETR' | 'TOP' }>): AsyncGenerator<Uint8Array> {
    const release = await this.#acquire();
    try {
      const start = await this.#command(command);
      if (start.type !== 'message-start') throw unexpected(command.verb, start);
      const progress = { ended: false };
      try {
        yield* this.#messageChunks(progress);
      } finally {
        await this.#skipRest(progress);
      }
    } finally {
      release();
    }
  }

  /**
   * RETR several messages, keeping up to `window` commands in flight when the server advertises
   * PIPELINING (one at a time otherwise). Read each body before asking for the next message.
   * A message the server refuses (-ERR) throws, after the ones before it were delivered.
   */
  async *retrMany(msgs: readonly number[], window = 32): AsyncGenerator<Pop3RetrievedMessage> {
    const release = await this.#acquire();
    try {
      const inFlight = this.#core.capabilities?.has('PIPELINING') ? Math.max(1, window) : 1;
      let sent = 0;
      const sendMore = async (): Promise<void> => {
        const batch: Uint8Array[] = [];
        while (sent < msgs.length && this.#core.outstanding < inFlight) batch.push(this.#core.send({ verb: 'RETR', msg: msgs[sent++]! }));
        if (batch.length > 0) await writeBytes(this.#socket, batch.length === 1 ? batch[0]! : Buffer.concat(batch));
      };
      for (const msg of msgs) {
        await sendMore();
        const start = await this.#event();
        if (start.type !== 'message-start') {
          await this.#drainOutstanding();
          throw unexpected(`RETR ${msg}`, start);
        }
        const progress = { ended: false };
        try {
          yield { msg, body: this.#messageChunks(progress) };
        } finally {
          await this.#skipRest(progress); // drops whatever the consumer left unread
        }
      }
    } finally {
      release();
    }
  }

  /** Message chunks up to message-end (then `progress.ended`). */
  async *#messageChunks(progress: { ended: boolean }): AsyncGenerator<Uint8Array> {
    while (!progress.ended) {
      const ev = await this.#event();
      if (ev.type === 'message-end') progress.ended = true;
      else if (ev.type === 'message-chunk') yield ev.bytes;
      else throw unexpected('message', ev);
    }
  }

  /** A consumer that stopped early: read the rest of the message and drop it, so the session stays in step. */
  async #skipRest(progress: { ended: boolean }): Promise<void> {
    while (!progress.ended) progress.ended = (await this.#event()).type === 'message-end';
  }

  /** Answers of pipelined commands after a failure, read and dropped so the session stays in step. */
  async #drainOutstanding(): Promise<void> {
    while (this.#core.outstanding > 0) await this.#event();
  }

  /** RFC 1939 §5 DELE (applied at QUIT). */
  dele(msg: number): Promise<void> {
    return this.#exclusive(() => this.#ok({ verb: 'DELE', msg }, 'command-failed'));
  }

  /** RFC 1939 §5 RSET. */
  rset(): Promise<void> {
    return this.#exclusive(() => this.#ok({ verb: 'RSET' }, 'command-failed'));
  }

  /** RFC 1939 §5 NOOP. */
  noop(): Promise<void> {
    return this.#exclusive(() => this.#ok({ verb: 'NOOP' }, 'command-failed'));
  }

  /** RFC 1939 §6 QUIT: the server applies the DELEs (UPDATE) and closes; then the socket is closed. */
  quit(): Promise<void> {
    return this.#exclusive(async () => {
      try {
        await this.#ok({ verb: 'QUIT' }, 'command-failed');
      } finally {
        this.close();
      }
    });
  }

  /** Drop the connection without QUIT (the server deletes nothing, RFC 1939 §6). */
  close(): void {
    this.#socket.destroy();
  }

  async #startTls(): Promise<void> {
    await this.#exclusive(() => this.#ok({ verb: 'STLS' }, 'tls-failed'));
    await this.#reader.return?.(); // stop reading the plain socket; TLS reads it from now on
    const plain = this.#socket;
    const tls = tlsConnect({ socket: plain, ...tlsOptions(this.#options) });
    tls.on('error', () => undefined); // surfaced by reads and writes
    try {
      await waitForHandshake(tls, 'secureConnect', this.#options.timeoutMs ?? 60_000);
    } catch (error) {
      throw new Pop3ClientError('tls-failed', `STLS: ${(error as Error).message}`, undefined, { cause: error });
    }
    this.#socket = tls;
    armTimeout(tls, this.#options.timeoutMs);
    this.#reader = this.#iterate();
    await this.capa(); // RFC 2595 §4: capabilities may differ under TLS
  }

  #iterate(): AsyncIterator<Uint8Array> {
    return (this.#socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  }

  async #acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = this.#tail;
    this.#tail = new Promise((resolve) => (release = resolve));
    await previous;
    return release;
  }

  async #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const release = await this.#acquire();
    try {
      return await operation();
    } finally {
      release();
    }
  }

  /** Send one command and return the first event answering it. */
  #command(command: PlainCommand): Promise<Pop3ClientEvent> {
    return this.#send(command);
  }

  async #send(command: Pop3ClientCommand): Promise<Pop3ClientEvent> {
    await writeBytes(this.#socket, this.#core.send(command));
    return this.#event();
  }

  async #ok(command: PlainCommand, code: Pop3ClientErrorCode): Promise<void> {
    const ev = await this.#command(command);
    if (ev.type !== 'reply') throw unexpected(command.verb, ev);
    if (!ev.response.ok) throw new Pop3ClientError(code, `${command.verb} failed: ${formatResponse(ev.response)}`, ev.response);
  }

  /** The next event, reading the socket while the core needs data; -ERR replies are events, protocol breaks throw. */
  async #event(): Promise<Pop3ClientEvent> {
    for (;;) {
      const ev = this.#core.nextEvent();
      switch (ev.type) {
        case 'need-data': {
          let read: IteratorResult<Uint8Array>;
          try {
            read = await this.#reader.next();
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? 'timeout' : 'closed';
            throw new Pop3ClientError(code, `connection lost: ${(error as Error).message}`, undefined, { cause: error });
          }
          if (read.done) this.#core.receiveEof();
          else this.#core.receive(read.value);
          continue;
        }
        case 'rejected':
          this.close();
          throw new Pop3ClientError('protocol', `server broke the protocol (${ev.code}): ${ev.detail}`);
        case 'closed':
          throw new Pop3ClientError('closed', 'the connection is closed');
        default:
          return ev;
      }
    }
  }
}

function tlsOptions(options: Pop3ClientConnectOptions): { servername?: string; rejectUnauthorized: boolean; ca?: string | Buffer | Array<string | Buffer>; minVersion: 'TLSv1.2' } {
  const servername = options.servername ?? (/^[0-9.:]+$/.test(options.host) ? undefined : options.host);
  return {
    ...(servername === undefined ? {} : { servername }),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    ...(options.ca === undefined ? {} : { ca: typeof options.ca === 'string' || Buffer.isBuffer(options.ca) ? options.ca : [...options.ca] }),
    minVersion: 'TLSv1.2', // RFC 8996
  };
}

function armTimeout(socket: Socket, timeoutMs = 60_000): void {
  socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`no data for ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
}

async function openSocket(options: Pop3ClientConnectOptions, implicitTls: boolean): Promise<Socket> {
  const socket: Socket | TLSSocket = implicitTls
    ? tlsConnect({ host: options.host, port: options.port, ...tlsOptions(options) })
    : netConnect({ host: options.host, port: options.port, noDelay: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once(implicitTls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
      armTimeout(socket, options.timeoutMs);
      socket.once('timeout', () => reject(new Error('connect timed out')));
    });
  } catch (error) {
    socket.destroy();
    throw new Pop3ClientError(implicitTls ? 'tls-failed' : 'connect-failed', `cannot connect to ${options.host}:${options.port}: ${(error as Error).message}`, undefined, { cause: error });
  }
  socket.on('error', () => undefined); // surfaced by reads
  return socket;
}

/** pop3-core's SaslClient over a @mailstack/sasl exchange: a failed step throws (the core then cancels). */
function saslAdapter(exchange: SaslClientExchange): SaslClient {
  return {
    start: () => exchange.start(),
    step: (challenge) => {
      const step = exchange.step(challenge);
      if (step.type === 'failure') throw new Pop3ClientError('auth-failed', `${step.reason}: ${step.detail}`);
      return step.data;
    },
  };
}

function randomNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64');
}

function formatResponse(r: Pop3Response): string {
  return `${r.ok ? '+OK' : '-ERR'}${r.code === undefined ? '' : ` [${r.code}]`} ${r.text}`;
}

function describe(ev: Pop3ClientEvent): string {
  return 'response' in ev ? formatResponse(ev.response) : ev.type;
}

function unexpected(what: string, ev: Pop3ClientEvent): Pop3ClientError {
  if (ev.type === 'reply' && !ev.response.ok) return new Pop3ClientError('command-failed', `${what} failed: ${formatResponse(ev.response)}`, ev.response);
  return new Pop3ClientError('protocol', `unexpected answer to ${what}: ${describe(ev)}`);
}
