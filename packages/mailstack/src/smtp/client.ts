/**
 * SmtpClient: an SMTP client over node:net/tls driving SmtpClientSession and
 * SmtpClientTransaction (the driver loop of STYLE.md §2, client side).
 *
 * How this works: socket bytes go into the core as they come; `#event()` pulls the next event and
 * waits (resuming the socket) only when the core needs data, so a flood of replies is never read
 * ahead. One interval ticks the core's clock: the RFC 5321 §4.5.3.2 timeouts (greeting, command,
 * DATA initiation and termination) are the core's rule. STARTTLS hands the socket to tls.connect
 * and re-sends EHLO (RFC 3207 §4.2). AUTH picks the strongest mechanism both sides have.
 */
import { once } from 'node:events';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { SASL_MECHANISMS, createSaslClient, type SaslClientExchange, type SaslMechanismName } from '@mailstack/sasl';
import {
  MailError,
  SmtpClientSession,
  SmtpClientTransaction,
  heloFallback,
  parseMailbox,
  type Mailbox,
  type MailParams,
  type RcptParams,
  type Reply,
  type SmtpCapabilities,
  type SmtpClientEvent,
  type SmtpClientTimeouts,
  type TransactionResult,
} from '@mailstack/smtp-core';
import { writeBytes } from '../net/io.js';
import { waitForHandshake } from '../net/starttls.js';

/** What went wrong on the client side; `reply` is the server's answer when there was one. */
export class SmtpClientError extends MailError<
  'connect-failed' | 'timeout' | 'closed' | 'protocol' | 'rejected' | 'tls-unavailable' | 'tls-failed' | 'auth-unavailable' | 'auth-failed' | 'invalid-address'
> {
  constructor(code: SmtpClientError['code'], message: string, readonly reply?: Reply, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/**
 * TLS use: 'implicit' (RFC 8314, TLS from the first byte), 'starttls' (required: fail when not
 * offered), 'opportunistic' (STARTTLS when offered), 'none'.
 */
export type SmtpClientTlsMode = 'starttls' | 'implicit' | 'none' | 'opportunistic';

/** How to reach a server. */
export interface SmtpClientConnectOptions {
  readonly host: string;
  readonly port: number;
  /** Default 'opportunistic'. */
  readonly tls?: SmtpClientTlsMode;
  /** Check the server certificate (default true). */
  readonly rejectUnauthorized?: boolean;
  /** Trusted CA certificates (PEM) instead of the system store. */
  readonly ca?: string | readonly string[];
  /** SNI and certificate name; default `host` when it is a name (an IP address sends no SNI). */
  readonly servername?: string;
  /** EHLO argument; default the OS host name. */
  readonly heloName?: string;
  /** RFC 5321 §4.5.3.2 timeouts plus the TCP/TLS connect time (default 30000). */
  readonly timeouts?: Partial<SmtpClientTimeouts> & { readonly connectMs?: number };
}

/** One message: envelope, DSN parameters (RFC 3461) and the body (CRLF lines; dot-stuffing is ours). */
export interface SmtpSendOptions {
  /** Reverse-path as "user@domain", or null for the null path <> (bounces). */
  readonly from: string | null;
  readonly to: readonly string[];
  /** MAIL parameters (BODY, SMTPUTF8, RET, ENVID, ...); SIZE is added when known. */
  readonly params?: MailParams;
  /** RCPT parameters for every recipient (NOTIFY, ORCPT). */
  readonly dsn?: RcptParams;
  readonly body: AsyncIterable<Uint8Array> | Uint8Array;
}

/** Credentials for AUTH (RFC 4954). */
export interface SmtpAuthCredentials {
  readonly user: string;
  readonly password: string;
  /** Use this mechanism (it must be offered); default: the strongest offered. */
  readonly mechanism?: SaslMechanismName;
  /** Send PLAIN/LOGIN over a connection without TLS (default false). */
  readonly allowPlaintext?: boolean;
}

// Strongest first; OAUTHBEARER needs a token, not a password.
const PASSWORD_MECHANISMS: readonly SaslMechanismName[] = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'CRAM-MD5', 'PLAIN', 'LOGIN'];
const CRLF = new Uint8Array([13, 10]);

function mailbox(address: string): Mailbox {
  const r = parseMailbox(address, true);
  if (!r.ok) throw new SmtpClientError('invalid-address', `not an address: ${JSON.stringify(address)} (${r.error})`);
  return r.value;
}

const describe = (r: Reply): string => `${r.code}${r.enhanced === undefined ? '' : ` ${r.enhanced}`} ${typeof r.text === 'string' ? r.text : r.text.join(' / ')}`;

/** An SMTP client connection. */
export class SmtpClient {
  readonly #core: SmtpClientSession;
  readonly #options: SmtpClientConnectOptions;
  #socket: Socket;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout;
  #closed = false;

  private constructor(socket: Socket, options: SmtpClientConnectOptions, implicitTls: boolean) {
    this.#options = options;
    this.#core = new SmtpClientSession({ tls: implicitTls, ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }) });
    this.#socket = socket;
    this.#attach(socket);
    this.#timer = setInterval(() => {
      this.#core.tick(Date.now());
      this.#wake?.();
    }, 250);
    this.#timer.unref();
  }

  /** Connect, read the greeting, EHLO (HELO if refused), and STARTTLS as `tls` asks. */
  static async connect(options: SmtpClientConnectOptions): Promise<SmtpClient> {
    const mode = options.tls ?? 'opportunistic';
    const connectMs = options.timeouts?.connectMs ?? 30_000;
    const socket: Socket =
      mode === 'implicit'
        ? tlsConnect({ host: options.host, port: options.port, ...tlsOptions(options) })
        : netConnect({ host: options.host, port: options.port });
    socket.on('error', () => undefined); // reported through 'close' and the core
    try {
      await connected(socket, mode === 'implicit' ? 'secureConnect' : 'connect', connectMs);
    } catch (error) {
      socket.destroy();
      throw error;
    }
    const client = new SmtpClient(socket, options, mode === 'implicit');
    try {
      const greeting = await client.#reply();
      if (greeting.code !== 220) throw new SmtpClientError('rejected', `greeting: ${describe(greeting)}`, greeting);
      await client.#hello();
      if ((mode === 'starttls' || mode === 'opportunistic') && !client.tls) {
        if (client.capabilities.starttls) await client.#startTls(mode === 'starttls');
        else if (mode === 'starttls') throw new SmtpClientError('tls-unavailable', 'the server does not offer STARTTLS');
      }
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** What the server offered in its last EHLO. */
  get capabilities(): SmtpCapabilities {
    return this.#core.capabilities;
  }

  /** Whether the connection is encrypted. */
  get tls(): boolean {
    return this.#core.tls;
  }

  #attach(socket: Socket): void {
    socket.on('data', (chunk: Uint8Array) => {
      this.#core.receive(chunk);
      if (this.#wake === undefined) socket.pause(); // read on only when the next event is wanted
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#core.receiveEof();
      this.#wake?.();
    });
  }

  /** The next event from the core, waiting for bytes or a tick when it needs them. */
  async #event(): Promise<Exclude<SmtpClientEvent, { type: 'need-data' }>> {
    for (;;) {
      const event = this.#core.nextEvent();
      if (event.type !== 'need-data') return event;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#socket.resume();
      });
      this.#wake = undefined;
    }
  }

  /** The next reply; throws when the connection ended, timed out or broke instead. */
  async #reply(): Promise<Reply> {
    const event = await this.#event();
    if (event.type === 'reply') return event.reply;
    throw eventError(event);
  }

  async #write(bytes: Uint8Array): Promise<void> {
    if (this.#closed || this.#socket.destroyed) throw new SmtpClientError('closed', 'the connection is closed');
    await writeBytes(this.#socket, bytes);
  }

  async #hello(): Promise<void> {
    const domain = this.#options.heloName ?? osHostname();
    await this.#write(this.#core.send({ verb: 'EHLO', domain }));
    const event = await this.#event();
    const helo = heloFallback(event);
    if (helo !== undefined) {
      await this.#write(this.#core.send(helo));
      const reply = await this.#reply();
      if (reply.code !== 250) throw new SmtpClientError('rejected', `HELO: ${describe(reply)}`, reply);
      return;
    }
    if (event.type !== 'reply') throw eventError(event);
    if (event.reply.code !== 250) throw new SmtpClientError('rejected', `EHLO: ${describe(event.reply)}`, event.reply);
  }

  async #startTls(required: boolean): Promise<void> {
    await this.#write(this.#core.send({ verb: 'STARTTLS' }));
    const reply = await this.#reply();
    if (reply.code !== 220) {
      if (required) throw new SmtpClientError('tls-unavailable', `STARTTLS: ${describe(reply)}`, reply);
      return; // opportunistic: go on in plaintext (RFC 3207 §4.1)
    }
    const plain = this.#socket;
    plain.removeAllListeners('data').removeAllListeners('close');
    const secure: TLSSocket = tlsConnect({ socket: plain, ...tlsOptions(this.#options) });
    secure.on('error', () => undefined);
    try {
      await waitForHandshake(secure, 'secureConnect', this.#options.timeouts?.connectMs ?? 30_000);
    } catch (error) {
      throw new SmtpClientError('tls-failed', (error as Error).message, undefined, { cause: error });
    }
    this.#socket = secure;
    this.#attach(secure);
    this.#core.tlsStarted();
    await this.#hello();
  }

  /** Authenticate with the strongest offered mechanism we can use (RFC 4954); throws on failure. */
  async auth(credentials: SmtpAuthCredentials): Promise<void> {
    const offered = this.capabilities.auth;
    const usable = (m: SaslMechanismName): boolean => offered.includes(m) && (this.tls || credentials.allowPlaintext === true || !SASL_MECHANISMS[m].plaintext);
    const mechanism = credentials.mechanism ?? PASSWORD_MECHANISMS.find(usable);
    if (mechanism === undefined || !usable(mechanism)) {
      throw new SmtpClientError('auth-unavailable', `no usable mechanism (offered: ${offered.join(' ') || 'none'}${this.tls ? '' : ', no TLS'})`);
    }
    const creds = { username: credentials.user, password: credentials.password };
    const exchange: SaslClientExchange = mechanism.startsWith('SCRAM-')
      ? createSaslClient(mechanism as 'SCRAM-SHA-256', { ...creds, nonce: randomBytes(18).toString('base64') })
      : createSaslClient(mechanism as 'PLAIN', creds);
    const initial = SASL_MECHANISMS[mechanism].clientFirst ? exchange.start() : undefined;
    await this.#write(this.#core.send({ verb: 'AUTH', mechanism, ...(initial === undefined ? {} : { initialResponse: initial }) }));
    for (;;) {
      // Replies to SASL response lines reach the core with no command pending ('unsolicited'):
      // the session core has no API for continuation lines, so they are written here directly.
      const reply = await this.#reply();
      if (reply.code === 235) {
        const outcome = exchange.finish();
        if (outcome.type === 'failure') throw new SmtpClientError('auth-failed', `${mechanism}: ${outcome.detail}`, reply);
        return;
      }
      if (reply.code !== 334) throw new SmtpClientError('auth-failed', `${mechanism}: ${describe(reply)}`, reply);
      const challenge = Buffer.from(typeof reply.text === 'string' ? reply.text : reply.text.join(''), 'base64');
      const step = exchange.step(challenge);
      // RFC 4954 §4: "*" cancels the exchange; the server answers 501.
      const line = step.type === 'response' ? Buffer.from(step.data).toString('base64') : '*';
      await this.#write(Buffer.concat([Buffer.from(line, 'latin1'), CRLF]));
      if (step.type === 'failure') {
        await this.#reply();
        throw new SmtpClientError('auth-failed', `${mechanism}: ${step.detail}`);
      }
    }
  }

  /**
   * Send one message: MAIL, RCPTs and the body (pipelined, DATA or BDAT as offered). Resolves
   * with each recipient's reply and the data verdict; several messages may follow on one connection.
   */
  async send(message: SmtpSendOptions): Promise<TransactionResult> {
    const knownSize = message.body instanceof Uint8Array && this.capabilities.sizeBytes !== undefined ? { sizeBytes: message.body.length } : {};
    const tx = new SmtpClientTransaction(this.#core, {
      reversePath: message.from === null ? null : mailbox(message.from),
      params: { ...knownSize, ...message.params },
      recipients: message.to.map((to) => ({ forwardPath: mailbox(to), params: message.dsn ?? {} })),
    });
    await this.#write(tx.begin());
    while (tx.phase !== 'done') {
      if (tx.phase === 'body') {
        const body = message.body instanceof Uint8Array ? [message.body] : message.body;
        for await (const chunk of body) await this.#write(tx.writeBody(chunk));
        await this.#write(tx.endBody());
        continue;
      }
      const event = await this.#event();
      const out = tx.handle(event);
      if (out.length > 0) await this.#write(out);
    }
    return tx.result;
  }

  /** Say QUIT, wait for the answer (briefly) and close. */
  async quit(): Promise<void> {
    if (!this.#closed && !this.#socket.destroyed) {
      try {
        await this.#write(this.#core.send({ verb: 'QUIT' }));
        await this.#reply();
      } catch {
        // The server may close first; QUIT's answer is a courtesy (RFC 5321 §4.1.1.10).
      }
    }
    this.close();
  }

  /** Close the connection without QUIT. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#socket.destroy();
    this.#wake?.();
  }
}

function tlsOptions(o: SmtpClientConnectOptions): ConnectionOptions {
  return {
    // RFC 6066 §3: SNI carries host names only, never an address literal.
    ...(o.servername !== undefined ? { servername: o.servername } : isIP(o.host) === 0 ? { servername: o.host } : {}),
    rejectUnauthorized: o.rejectUnauthorized ?? true,
    minVersion: 'TLSv1.2', // SPEC.md §6
    ...(o.ca === undefined ? {} : { ca: typeof o.ca === 'string' ? o.ca : [...o.ca] }),
  };
}

async function connected(socket: Socket, event: 'connect' | 'secureConnect', timeoutMs: number): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    await Promise.race([once(socket, event, { signal: ac.signal }), once(socket, 'error', { signal: ac.signal }).then(([e]) => Promise.reject(e as Error))]);
  } catch (error) {
    if (ac.signal.aborted) throw new SmtpClientError('timeout', `no connection within ${timeoutMs} ms`);
    const code = event === 'secureConnect' ? 'tls-failed' : 'connect-failed';
    throw new SmtpClientError(code, (error as Error).message, undefined, { cause: error });
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

function eventError(event: Exclude<SmtpClientEvent, { type: 'reply' | 'need-data' }>): SmtpClientError {
  switch (event.type) {
    case 'timed-out':
      return new SmtpClientError('timeout', `no reply in time (waiting for ${event.waitingFor.kind})`);
    case 'protocol-error':
      return new SmtpClientError('protocol', event.detail);
    case 'closed':
      return new SmtpClientError('closed', 'the server closed the connection');
    default:
      return event satisfies never;
  }
}
