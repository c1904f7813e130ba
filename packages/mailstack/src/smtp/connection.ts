/**
 * One SMTP connection: the driver loop of STYLE.md §2 around an SmtpServerSession.
 *
 * How this works: the socket is read through 'data' events, paused while an answer has to wait
 * (a handler's promise, a write waiting for `drain`), so reading stops while a handler works
 * (backpressure both ways). Each chunk goes into the core and `pump()` answers events until the
 * core needs data; a chunk answered synchronously (most commands) costs no promise. Replies are
 * collected and written in one write when the core needs more input (RFC 2920 §3.1 lets a server
 * batch pipelined replies) or before a wait on the application. The read loop, the shared clock,
 * shutdown and the STARTTLS upgrade (in place, reading on from the TLSSocket) are the
 * SocketSession's (net/socket-session.ts), through whose PumpGate input, clock and shutdown enter
 * the core one at a time.
 * The message body streams to `onData` through an SmtpBodyStream opened at the 354 (or the first
 * BDAT chunk); a transaction that ends any other way than by its end-of-data aborts that stream.
 */
import type { Socket } from 'node:net';
import {
  SmtpServerSession,
  type Envelope,
  type Reply,
  type SmtpCommand,
  type SmtpServerEvent,
} from '@mailstack/smtp-core';
import { isLoopback } from '../net/address.js';
import { writeBytes } from '../net/io.js';
import { after } from '../net/pump-gate.js';
import { SocketSession, type PumpResult as SessionPumpResult } from '../net/socket-session.js';
import type { Ticker } from '../net/ticker.js';
import { AUTH_REPLIES, SmtpAuthExchange, offeredMechanisms } from './auth.js';
import { SmtpBodyAbortedError, SmtpBodyStream } from './body.js';
import { CommandCounts, ConnectionLog } from './log.js';
import type { SmtpConnectionInfo, SmtpServerHandlers, SmtpServerOptions, SmtpSessionInfo } from './types.js';

/** Everything a connection shares with its server. */
export interface SmtpConnectionDeps {
  readonly options: SmtpServerOptions;
  readonly handlers: SmtpServerHandlers;
  readonly ticker: Ticker;
  readonly idleMs: number;
  readonly tlsHandshakeMs: number;
}

type PumpResult = SessionPumpResult<'starttls'>;
type MaybePromise<T> = T | PromiseLike<T>;

const isPromiseLike = <T>(value: MaybePromise<T>): value is PromiseLike<T> =>
  typeof (value as PromiseLike<T> | null)?.then === 'function';

/** `f(value)` now if `value` is there, else once it settles. */
const then = <T, U>(value: MaybePromise<T>, f: (value: T) => U): MaybePromise<U> => (isPromiseLike(value) ? value.then(f) : f(value));

/** A message being received: its envelope, body stream and the handler's pending verdict. */
interface OpenBody {
  readonly envelope: Envelope;
  readonly stream: SmtpBodyStream;
  readonly verdict: Promise<Reply>;
}

const REPLIES = {
  ok: { code: 250, enhanced: '2.0.0', text: 'Ok' },
  mailOk: { code: 250, enhanced: '2.1.0', text: 'Ok' },
  rcptOk: { code: 250, enhanced: '2.1.5', text: 'Ok' },
  data: { code: 354, text: 'End data with <CR><LF>.<CR><LF>' },
  bye: { code: 221, enhanced: '2.0.0', text: 'Bye' },
  // RFC 5321 §3.5.3: 252 when the server will not verify but will accept mail for the address.
  vrfy: { code: 252, enhanced: '2.1.5', text: 'Cannot VRFY user, but will accept message and attempt delivery' },
  help: { code: 214, enhanced: '2.0.0', text: 'See RFC 5321' },
  startTls: { code: 220, enhanced: '2.0.0', text: 'Ready to start TLS' },
  notImplemented: { code: 502, enhanced: '5.5.1', text: 'Command not implemented' },
  badSequence: { code: 503, enhanced: '5.5.1', text: 'Bad sequence of commands' },
  // Postfix: "451 4.3.0 Error: queue file write error" when the cleanup service fails.
  localError: { code: 451, enhanced: '4.3.0', text: 'Error: local error in processing' },
} as const satisfies Record<string, Reply>;

const TRANSACTION_PHASES: ReadonlySet<string> = new Set(['envelope', 'data', 'chunking', 'bdat']);
const BODY_PHASES: ReadonlySet<string> = new Set(['data', 'chunking', 'bdat']);

/** Drives one accepted socket until it closes. */
export class SmtpConnection {
  readonly #deps: SmtpConnectionDeps;
  readonly #info: SmtpConnectionInfo;
  readonly #core: SmtpServerSession;
  readonly #log: ConnectionLog;
  readonly #socketSession: SocketSession<'starttls'>;
  readonly #counts = new CommandCounts();
  readonly #out: Uint8Array[] = [];
  readonly #loopback: boolean;
  /** Set when the server refuses the connection before it starts (limits). */
  readonly #refusal: Reply | undefined;
  #user: string | undefined;
  #auth: { exchange: SmtpAuthExchange; mechanism: string } | undefined;
  #authFailures = 0;
  #body: OpenBody | undefined;
  #sessionInfo: SmtpSessionInfo | undefined;

  constructor(socket: Socket, info: SmtpConnectionInfo, deps: SmtpConnectionDeps, init: { tls: boolean; refusal?: Reply }) {
    this.#info = info;
    this.#deps = deps;
    this.#refusal = init.refusal;
    this.#loopback = isLoopback(info.remoteAddress);
    this.#log = new ConnectionLog(deps.options.logger, info);
    const o = deps.options;
    this.#core = new SmtpServerSession({
      hostname: o.hostname,
      maxMessageBytes: o.maxMessageBytes ?? 52_428_800,
      maxRecipients: o.maxRecipients ?? 1000,
      ...(o.maxLineBytes === undefined ? {} : { maxLineBytes: o.maxLineBytes }),
      idleTimeoutMs: deps.idleMs,
      tls: init.tls,
      extensions: { starttls: o.tls !== undefined && !init.tls, auth: this.#mechanisms(init.tls) },
    });
    const sessionOptions = { ticker: deps.ticker, tls: o.tls, tlsHandshakeMs: deps.tlsHandshakeMs, upgrade: 'starttls', eofReason: 'client closed' } as const;
    this.#socketSession = new SocketSession(socket, sessionOptions, {
      core: this.#core,
      pump: () => this.#pump(),
      tlsStarted: (tls) => {
        this.#user = undefined;
        this.#core.tlsStarted({ auth: this.#mechanisms(true) });
        this.#log.tls(tls.getProtocol(), tls.getCipher().name);
      },
      finish: () => {
        this.#abortBody('connection closed');
        this.#log.disconnect(this.#counts, this.#socketSession.endReason);
      },
    });
  }

  #mechanisms(tls: boolean): string[] {
    return offeredMechanisms(this.#deps.options.auth, { role: this.#info.role, tls, loopback: this.#loopback });
  }

  /** Serve the connection; resolves when it has closed. Never rejects. */
  run(): Promise<void> {
    return this.#socketSession.run();
  }

  /** The server is stopping: end now if no transaction is open, else after it (421 4.3.2). */
  shutdown(): void {
    this.#socketSession.shutdown();
  }

  /** The grace period is over: abort whatever is in flight and close. */
  destroy(): void {
    this.#socketSession.endReason = 'server shutdown';
    this.#abortBody('server shutdown');
    const socket = this.#socketSession.socket;
    if (!socket.destroyed) socket.write(this.#shutdownBytes());
    socket.destroy();
  }

  #shutdownBytes(): Uint8Array {
    // RFC 5321 §3.8: a server that must shut down answers with 421 and closes. The core has no
    // event to answer here, so these bytes go out directly; the session ends right after them.
    const reply: Reply = { code: 421, enhanced: '4.3.2', text: `${this.#deps.options.hostname} Service shutting down, closing transmission channel` };
    return new TextEncoder().encode(`${reply.code} ${reply.enhanced} ${String(reply.text)}\r\n`);
  }

  /** Write what is pending in one write; a promise only when it has to wait for `drain`. */
  #flush(): Promise<void> | undefined {
    const out = this.#out;
    if (out.length === 0) return undefined;
    const bytes = out.length === 1 ? out[0]! : Buffer.concat(out);
    out.length = 0;
    return writeBytes(this.#socketSession.socket, bytes, this.#deps.idleMs);
  }

  /**
   * Answer events until the core needs input, closes, or hands over for STARTTLS. Synchronous
   * while every answer is; from the first answer that has to wait, a promise, and the rest of the
   * events are answered after it.
   */
  #pump(): PumpResult | Promise<PumpResult> {
    for (;;) {
      const event = this.#core.nextEvent();
      if (event.type === 'need-data') {
        if (this.#socketSession.draining && !TRANSACTION_PHASES.has(this.#core.state.phase) && this.#core.state.phase !== 'closed') {
          this.#out.push(this.#shutdownBytes());
          this.#socketSession.endReason = 'server shutdown';
          return after(this.#flush(), 'closed');
        }
        return after(this.#flush(), 'open');
      }
      if (event.type === 'closed') return after(this.#flush(), 'closed');
      const answer = this.#answer(event);
      if (isPromiseLike(answer)) return Promise.resolve(answer).then((reply) => this.#reply(reply) ?? this.#pump());
      const stop = this.#reply(answer);
      if (stop !== undefined) return stop;
    }
  }

  /** Sends `reply` (none: the event needs no answer); returns the pump's result when the pump stops here. */
  #reply(reply: Reply | undefined): PumpResult | Promise<PumpResult> | undefined {
    if (reply === undefined) return undefined;
    this.#out.push(this.#core.send(reply));
    this.#afterReply();
    if (this.#core.state.phase === 'starttls') return after(this.#flush(), 'starttls');
    return undefined;
  }

  /** A transaction that ended without its end-of-data (RSET, EHLO, a refused chunk) drops its body. */
  #afterReply(): void {
    if (this.#body !== undefined && !BODY_PHASES.has(this.#core.state.phase)) this.#abortBody('transaction ended before the end of data');
  }

  #abortBody(why: string): void {
    const body = this.#body;
    if (body === undefined) return;
    this.#body = undefined;
    body.stream.abort(new SmtpBodyAbortedError('aborted', why));
  }

  #answer(event: Exclude<SmtpServerEvent, { type: 'need-data' | 'closed' }>): MaybePromise<Reply | undefined> {
    switch (event.type) {
      case 'greeting':
        return this.#greet();
      case 'command': {
        const verb = event.command.verb;
        return then(this.#command(event.command), (reply) => {
          this.#counts.add(verb, reply.code < 400);
          return reply;
        });
      }
      case 'auth-response':
        return event.cancelled ? this.#authFailed(event.reply, 'cancelled by the client') : this.#authStep(event.response);
      case 'data-chunk': {
        const wait = this.#openBody().stream.push(event.bytes);
        if (wait === undefined) return undefined;
        const flushed = this.#flush();
        return (flushed === undefined ? wait : flushed.then(() => wait)).then(() => undefined);
      }
      case 'data-end':
        return this.#dataEnd(event.sizeBytes, event.last);
      case 'rejected':
        if (event.code === 'too-many-errors') this.#socketSession.endReason = 'too many errors';
        return event.reply;
      case 'timed-out':
        this.#socketSession.endReason = 'timeout';
        return event.reply;
      case 'aborted':
        this.#socketSession.endReason = 'lost connection in a mail transaction';
        this.#abortBody('client disconnected before the end of data');
        return undefined;
      default:
        return event satisfies never;
    }
  }

  #greet(): MaybePromise<Reply> {
    const refusal = this.#refusal;
    const verdict = refusal ?? this.#callHandler(() => this.#deps.handlers.onConnect?.(this.#info), undefined);
    return then(verdict, (chosen) => {
      const reply = chosen ?? { code: 220, text: `${this.#deps.options.hostname} ${this.#deps.options.banner ?? 'ESMTP mailstack'}` };
      this.#log.connect(reply);
      if (reply.code !== 220) this.#socketSession.endReason = 'refused';
      return reply;
    });
  }

  /**
   * Run a handler; a throw becomes `fallback` (or 451 4.3.0) and a log line, never a crash. A
   * handler that answers synchronously is answered without a promise.
   */
  #callHandler<T>(call: () => MaybePromise<T>, fallback: T): MaybePromise<T> {
    const failed = (error: unknown): T => {
      // A handler that gave up on an aborted body did the right thing; that is no error to log.
      if (!(error instanceof SmtpBodyAbortedError)) this.#log.error(`handler failed: ${(error as Error).message}`);
      return fallback;
    };
    try {
      const result = call();
      return isPromiseLike(result) ? Promise.resolve(result).then(undefined, failed) : result;
    } catch (error) {
      return failed(error);
    }
  }

  /** The session as handlers see it; one object reused until TLS, HELO or the user changes. */
  #session(): SmtpSessionInfo {
    const s = this.#core.state;
    const ctx = 'ctx' in s ? s.ctx : undefined;
    const tls = ctx?.tls ?? false;
    const helo = ctx?.helo;
    const last = this.#sessionInfo;
    if (last !== undefined && last.tls === tls && last.helo === helo && last.user === this.#user) return last;
    const info = this.#info;
    this.#sessionInfo = {
      id: info.id,
      remoteAddress: info.remoteAddress,
      remotePort: info.remotePort,
      localPort: info.localPort,
      role: info.role,
      tls,
      helo,
      user: this.#user,
    };
    return this.#sessionInfo;
  }

  #command(cmd: SmtpCommand): MaybePromise<Reply> {
    const hostname = this.#deps.options.hostname;
    const h = this.#deps.handlers;
    switch (cmd.verb) {
      case 'EHLO':
      case 'HELO':
        return { code: 250, text: hostname };
      case 'MAIL':
        // RFC 6409 §4.3 / RFC 4954 §6: submission requires AUTH first.
        if (this.#info.role === 'submission' && this.#user === undefined) return AUTH_REPLIES.required;
        return then(this.#callHandler(() => h.onMailFrom?.(cmd.reversePath, cmd.params, this.#session()), REPLIES.localError), (r) => r ?? REPLIES.mailOk);
      case 'RCPT':
        return then(this.#callHandler(() => h.onRcptTo?.(cmd.forwardPath, cmd.params, this.#session()), REPLIES.localError), (r) => r ?? REPLIES.rcptOk);
      case 'DATA':
        return REPLIES.data;
      case 'RSET':
      case 'NOOP':
        return REPLIES.ok;
      case 'QUIT':
        this.#socketSession.endReason ||= '';
        return REPLIES.bye;
      case 'VRFY':
        return REPLIES.vrfy;
      case 'HELP':
        return REPLIES.help;
      case 'STARTTLS':
        return REPLIES.startTls;
      case 'AUTH':
        return this.#authStart(cmd.mechanism, cmd.initialResponse);
      case 'EXPN':
        return REPLIES.notImplemented;
      case 'BDAT':
        return REPLIES.badSequence; // the core reads BDAT itself and never hands it over
      default:
        return cmd satisfies never;
    }
  }

  async #authStart(mechanism: string, initialResponse: Uint8Array | undefined): Promise<Reply> {
    const auth = this.#deps.options.auth;
    const started = auth === undefined ? undefined : SmtpAuthExchange.start(auth, this.#deps.options.hostname, mechanism, initialResponse);
    if (started === undefined) return { code: 504, enhanced: '5.5.4', text: 'Unrecognized authentication type' };
    const { exchange, result } = await started;
    this.#auth = { exchange, mechanism };
    return this.#authResult(result);
  }

  async #authStep(response: Uint8Array): Promise<Reply> {
    const auth = this.#auth;
    if (auth === undefined) return REPLIES.badSequence;
    return this.#authResult(await auth.exchange.step(response));
  }

  async #authResult(result: Awaited<ReturnType<SmtpAuthExchange['step']>>): Promise<Reply> {
    const mechanism = this.#auth?.mechanism ?? '';
    switch (result.kind) {
      case 'challenge':
        return result.reply;
      case 'success':
        this.#auth = undefined;
        this.#user = result.user;
        this.#deps.options.auth?.failureDelay?.recordSuccess({ ip: this.#info.remoteAddress, user: result.user });
        this.#log.auth(true, mechanism, `sasl_username=${result.user}`);
        return result.reply;
      case 'failure':
        this.#log.auth(false, mechanism, result.detail);
        return this.#authFailed(result.reply, result.detail);
      default:
        return result satisfies never;
    }
  }

  /** Count a failed AUTH, wait the failure delay, close after the per-connection limit. */
  async #authFailed(reply: Reply, detail: string): Promise<Reply> {
    this.#auth = undefined;
    this.#authFailures++;
    const auth = this.#deps.options.auth;
    const delay = auth?.failureDelay;
    if (delay !== undefined) {
      const attempt = { ip: this.#info.remoteAddress };
      const now = Date.now();
      delay.recordFailure(attempt, now);
      const ms = delay.delayMs(attempt, now);
      if (ms > 0) {
        await this.#flush();
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
    }
    if (this.#authFailures >= (auth?.maxFailures ?? 5)) {
      this.#socketSession.endReason = `too many failed authentications (${detail})`;
      return { code: 421, enhanced: '4.7.0', text: `${this.#deps.options.hostname} Error: too many failed authentication attempts` };
    }
    return reply;
  }

  #openBody(): OpenBody {
    if (this.#body !== undefined) return this.#body;
    const s = this.#core.state;
    if (!('envelope' in s) || s.envelope === undefined) throw new Error(`body without an envelope in phase ${s.phase}`);
    const envelope = s.envelope;
    const stream = new SmtpBodyStream(this.#deps.options.bodyHighWaterBytes);
    const session = this.#session();
    const verdict = Promise.resolve(this.#callHandler(() => this.#deps.handlers.onData(envelope, stream, session), REPLIES.localError)).finally(() =>
      stream.detach(),
    );
    this.#body = { envelope, stream, verdict };
    return this.#body;
  }

  async #dataEnd(sizeBytes: number, last: boolean): Promise<Reply> {
    const body = this.#openBody();
    // RFC 3030 §2: each BDAT chunk but the last is acknowledged on its own.
    if (!last) return { code: 250, enhanced: '2.0.0', text: `${sizeBytes} octets received` };
    this.#body = undefined;
    body.stream.end();
    await this.#flush();
    const reply = await body.verdict;
    if (this.#core.state.phase === 'bdat') this.#counts.add('BDAT', reply.code < 400);
    this.#log.transaction(body.envelope, sizeBytes, reply);
    return reply;
  }
}
