/**
 * One POP3 connection: the driver loop of STYLE.md §2 around a Pop3ServerSession.
 *
 * How this works: the socket is read through 'data' events and paused while an answer has to
 * wait (a login, a RETR waiting for `drain`). Each chunk goes into the core and `pump()` answers
 * events until the core needs data. Replies are collected and written in one write when
 * the core needs more input (RFC 2449 §6.6: pipelined answers may be batched), before a wait on
 * the outside world, and whenever a message being streamed has buffered 64 KiB (backpressure:
 * the write waits for `drain`). The read loop, the shared clock, shutdown and the STLS upgrade
 * (in place, RFC 2595 §4, reading on from the TLSSocket) are the SocketSession's
 * (net/socket-session.ts), through whose PumpGate a pump that has to wait, and every pump queued
 * behind it, go one at a time. The maildrop lock is released when the session finishes, whatever
 * way it ends: QUIT, EOF, error, autologout, shutdown.
 */
import type { Socket } from 'node:net';
import { StoreError } from '@mailstack/mailstore';
import { REPLY_FOR, topFilter, Pop3ServerSession, formatApopTimestamp, type Pop3Reply, type Pop3ServerEvent } from '@mailstack/pop3-core';
import { isLoopback } from '../net/address.js';
import { after } from '../net/pump-gate.js';
import { SocketSession, type PumpResult as SessionPumpResult } from '../net/socket-session.js';
import type { Ticker } from '../net/ticker.js';
import { LOGIN_REPLIES, Pop3AuthExchange, plaintextAllowed, pop3Mechanisms, type LoginContext, type Pop3AuthStep } from './auth.js';
import { SessionMaildrop, type MaildirCache } from './maildrop.js';
import { readSlab, SlabHold, writeSlab } from './slab.js';
import type { Pop3ServerOptions } from './types.js';

/** Everything a connection shares with its server. */
export interface Pop3ConnectionDeps {
  readonly options: Pop3ServerOptions;
  readonly ticker: Ticker;
  readonly maildirs: MaildirCache;
  readonly idleMs: number;
  readonly tlsHandshakeMs: number;
}

/** The connection as the server accepted it. */
export interface Pop3ConnectionInfo {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly tls: boolean;
  /** Set when the server refuses the connection (limits): the greeting becomes this -ERR. */
  readonly refusal?: Pop3Reply;
}

type PumpResult = SessionPumpResult<'stls'>;
type MessageEvent = Extract<Pop3ServerEvent, { type: 'retr' | 'top' }>;
type Answerable = Exclude<Pop3ServerEvent, { type: 'need-data' | 'closed' | 'timed-out' } | MessageEvent>;
/** A RETR/TOP body waiting for its next chunk (an async reader) or for the socket (a full buffer). */
type BodyWait = Promise<IteratorResult<Uint8Array>> | IteratorResult<Uint8Array>;
const DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };

const FLUSH_BYTES = 65_536;
const MAX_BUFFERED_BYTES = 262_144;
const SHUTDOWN_LINE = new TextEncoder().encode('-ERR [SYS/TEMP] Server shutting down.\r\n');
let timestampSeq = 0;

/** Counters for the session's log line. */
interface Tally {
  count: number;
  bytes: number;
}

/** Drives one accepted socket until it closes. */
export class Pop3Connection {
  readonly #deps: Pop3ConnectionDeps;
  readonly #info: Pop3ConnectionInfo;
  readonly #core: Pop3ServerSession;
  readonly #socketSession: SocketSession<'stls'>;
  readonly #out: Uint8Array[] = [];
  readonly #readHold = new SlabHold(readSlab);
  readonly #writeHold = new SlabHold(writeSlab);
  #outBytes = 0;
  readonly #loopback: boolean;
  #tls: boolean;
  #closeAfterReply = false;
  #user: string | undefined;
  #maildrop: SessionMaildrop | undefined;
  #auth: Pop3AuthExchange | undefined;
  #authFailures = 0;
  readonly #retrieved: Tally = { count: 0, bytes: 0 };
  #deleted: Tally = { count: 0, bytes: 0 };

  constructor(socket: Socket, info: Pop3ConnectionInfo, deps: Pop3ConnectionDeps) {
    this.#info = info;
    this.#deps = deps;
    this.#tls = info.tls;
    this.#loopback = isLoopback(info.remoteAddress);
    this.#core = new Pop3ServerSession({
      // RFC 1939 §7: unique per greeting; pid and clock as the RFC's example, plus a counter.
      apopTimestamp: formatApopTimestamp(process.pid, Date.now() * 1000 + (++timestampSeq % 1000), deps.options.hostname),
      greetingText: 'mailstack POP3 server ready',
      tls: info.tls,
      idleTimeoutMs: deps.idleMs,
    });
    const sessionOptions = { ticker: deps.ticker, tls: deps.options.tls, tlsHandshakeMs: deps.tlsHandshakeMs, upgrade: 'stls', eofReason: 'Disconnected' } as const;
    this.#socketSession = new SocketSession(socket, sessionOptions, {
      core: this.#core,
      pump: () => this.#pump(),
      tlsStarted: (tls, plain) => {
        this.#releaseSlabsWhenSent(plain);
        this.#tls = true;
        this.#log('tls', `TLS started: ${tls.getProtocol() ?? 'unknown'} with cipher ${tls.getCipher().name}`);
      },
      finish: async () => {
        await this.#releaseMaildrop();
        this.#logDisconnect();
        this.#releaseSlabsWhenSent(this.#socketSession.socket);
      },
    });
  }

  get #at(): LoginContext {
    return { tls: this.#tls, loopback: this.#loopback };
  }

  /** Serve the connection; resolves when it has closed. Never rejects. */
  run(): Promise<void> {
    return this.#socketSession.run();
  }

  /** The server is stopping: end at the next command boundary (a RETR being sent finishes first). */
  shutdown(): void {
    this.#socketSession.shutdown();
  }

  /** The grace period is over: cut the connection. */
  destroy(): void {
    this.#socketSession.endReason = 'Server shutting down';
    this.#socketSession.socket.destroy();
  }

  #push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
  }

  /**
   * Write what is pending with one socket.write: several pieces (a RETR's status line, body and
   * terminator; a batch of pipelined answers) are first copied into one slab buffer. Copying at
   * most FLUSH_BYTES plus a chunk costs less than the stream's per-piece work for a corked writev
   * (a buffered request, a callback and an iovec each), and it is one write(2) either way. A
   * promise only when it has to wait for `drain` (no microtask per flush otherwise). The slab
   * holds are given back when the socket took everything; the read slab's stays while `midBody`
   * (the body's next chunk is already read into it).
   */
  #flush(midBody = false): Promise<void> | undefined {
    const out = this.#out;
    if (out.length === 0) return undefined;
    const socket = this.#socketSession.socket;
    let bytes = out[0]!;
    if (out.length > 1) {
      bytes = writeSlab.join(out, this.#outBytes);
      this.#writeHold.take(); // after the join: a slab that has to start over for it may
    }
    const room = socket.write(bytes);
    out.length = 0;
    this.#outBytes = 0;
    this.#writeHold.releaseIfSent(socket);
    if (!midBody) this.#readHold.releaseIfSent(socket);
    // Backpressure once a quarter MiB waits in the socket, not at its 16 KiB high-water mark:
    // a wait per 64 KiB flush stalled pipelined RETRs for no gain.
    return !room && socket.writableLength >= MAX_BUFFERED_BYTES ? drained(socket) : undefined;
  }

  #end(reason: string): PumpResult | Promise<PumpResult> {
    this.#socketSession.endReason ||= reason;
    return after(this.#flush(), 'closed');
  }

  /**
   * Answer events until the core needs input, closes, or hands over for STLS. Synchronous while
   * every answer is (a RETR from the page cache is); from the first answer that has to wait, a
   * promise, and the rest of the events are answered after it.
   */
  #pump(): PumpResult | Promise<PumpResult> {
    for (;;) {
      const event = this.#core.nextEvent();
      switch (event.type) {
        case 'need-data':
          if (this.#socketSession.draining) {
            this.#push(SHUTDOWN_LINE); // RFC 1939 has no shutdown reply; Dovecot sends this -ERR and closes
            return this.#end('Server shutting down');
          }
          return after(this.#flush(), 'open');
        case 'closed':
          return this.#end('');
        case 'timed-out':
          // RFC 1939 §3: autologout closes without a response and without UPDATE.
          return this.#end('Disconnected for inactivity');
        case 'retr':
        case 'top': {
          const sending = this.#sendMessage(event);
          if (sending !== undefined) return sending.then(() => this.#pump());
          continue;
        }
        default: {
          const answer = this.#answer(event);
          if (answer instanceof Promise) return answer.then((reply) => this.#reply(event, reply) ?? this.#pump());
          const stop = this.#reply(event, answer);
          if (stop !== undefined) return stop;
        }
      }
    }
  }

  /** Sends `reply` to `event`; returns the pump's result when the pump stops here. */
  #reply(event: Answerable, reply: Pop3Reply): PumpResult | Promise<PumpResult> | undefined {
    this.#push(this.#core.send(reply));
    if (this.#closeAfterReply) return this.#end(this.#socketSession.endReason);
    if (event.type === 'stls' && reply.type === 'ok') return after(this.#flush(), 'stls');
    return undefined;
  }

  #answer(event: Answerable): Pop3Reply | Promise<Pop3Reply> {
    switch (event.type) {
      case 'connected':
        if (this.#info.refusal !== undefined) this.#socketSession.endReason = 'refused';
        this.#log('connect', `connect from ${this.#info.remoteAddress}:${this.#info.remotePort}${this.#info.refusal ? ' refused' : ''}`);
        return this.#info.refusal ?? event.reply;
      case 'user':
        return plaintextAllowed(this.#deps.options, this.#at) ? event.reply : LOGIN_REPLIES.plaintextDisallowed;
      case 'pass':
        return this.#verified(this.#deps.options.users.verifyPassword(event.name, event.password), event.name, 'USER');
      case 'apop':
        return this.#verified(this.#deps.options.users.verifyApop(event.name, event.timestamp, event.digest), event.name, 'APOP');
      case 'auth':
        return this.#authStart(event.mechanism, event.initialResponse);
      case 'auth-response':
        return this.#authStep(event.data);
      case 'stls':
        return this.#deps.options.tls === undefined ? { type: 'err', text: 'STLS not available' } : { type: 'ok', text: 'Begin TLS negotiation now.' };
      case 'capa':
        return { type: 'lines', text: 'Capability list follows', lines: this.#capabilities(event.phase) };
      case 'update':
        return this.#update(event.deleted, event.reply);
      case 'rejected':
        if (event.code === 'too-many-errors') this.#socketSession.endReason = 'Too many invalid commands';
        if (event.code === 'auth-cancelled') this.#auth = undefined;
        return event.reply;
      case 'quit':
        this.#socketSession.endReason = 'Logged out';
        return event.reply;
      case 'stat':
      case 'list':
      case 'uidl':
      case 'dele':
      case 'rset':
      case 'noop':
        return event.reply;
      default:
        return event satisfies never;
    }
  }

  /** RFC 2449 §5; what is listed is what works on this connection now. */
  #capabilities(phase: 'authorization' | 'transaction'): string[] {
    const lines = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
    if (phase === 'authorization') {
      if (plaintextAllowed(this.#deps.options, this.#at)) lines.push('USER');
      const mechanisms = pop3Mechanisms(this.#deps.options, this.#at);
      if (mechanisms.length > 0) lines.push(`SASL ${mechanisms.join(' ')}`);
      if (this.#deps.options.tls !== undefined && !this.#tls) lines.push('STLS');
    }
    // EXPIRE NEVER: the server never deletes mail on its own; LOGIN-DELAY 0: no login rate limit.
    lines.push('EXPIRE NEVER', 'LOGIN-DELAY 0', 'IMPLEMENTATION mailstack');
    return lines;
  }

  async #verified(check: Promise<boolean>, name: string, method: string): Promise<Pop3Reply> {
    return (await check) ? this.#login(name, method) : this.#loginFailed(LOGIN_REPLIES.failed, method, name);
  }

  async #login(name: string, method: string): Promise<Pop3Reply> {
    const user = await this.#deps.options.users.find(name);
    if (user === undefined) return this.#loginFailed(LOGIN_REPLIES.failed, method, name); // removed meanwhile
    this.#deps.options.failureDelay?.recordSuccess({ ip: this.#info.remoteAddress, user: user.name });
    await this.#flush();
    try {
      this.#maildrop = await SessionMaildrop.open(this.#deps.maildirs, `${user.home}/Maildir`);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'locked') {
        this.#log('auth', `${method} login user=<${user.name}> refused: maildrop in use`);
        return REPLY_FOR['in-use'];
      }
      this.#log('error', `cannot open the maildrop of ${user.name}: ${(error as Error).message}`);
      return REPLY_FOR['sys-temp'];
    }
    this.#user = user.name;
    this.#log('auth', `${method} login user=<${user.name}>`);
    return { type: 'login-ok', maildrop: this.#maildrop.listing, text: 'Logged in.' };
  }

  async #authStart(mechanism: string, initialResponse: Uint8Array | undefined): Promise<Pop3Reply> {
    const started = await Pop3AuthExchange.start(this.#deps.options, pop3Mechanisms(this.#deps.options, this.#at), mechanism, initialResponse);
    if (started === undefined) return LOGIN_REPLIES.unsupportedMechanism;
    this.#auth = started.exchange;
    return this.#authResult(started.step);
  }

  async #authStep(data: Uint8Array): Promise<Pop3Reply> {
    const auth = this.#auth;
    if (auth === undefined) return LOGIN_REPLIES.malformed; // cannot happen: the core frames the exchange
    return this.#authResult(await auth.step(data));
  }

  async #authResult(step: Pop3AuthStep): Promise<Pop3Reply> {
    const method = `AUTH ${this.#auth?.mechanism ?? ''}`;
    switch (step.kind) {
      case 'challenge':
        return { type: 'challenge', data: step.data };
      case 'success':
        this.#auth = undefined;
        return this.#login(step.user, method);
      case 'failure':
        this.#auth = undefined;
        return this.#loginFailed(step.reply, method, step.detail);
      default:
        return step satisfies never;
    }
  }

  /** Count a failed login, wait the failure delay, and close after the per-connection limit. */
  async #loginFailed(reply: Pop3Reply, method: string, detail: string): Promise<Pop3Reply> {
    this.#authFailures++;
    this.#log('auth', `${method} failed (${detail})`);
    const delay = this.#deps.options.failureDelay;
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
    if (this.#authFailures >= (this.#deps.options.maxAuthFailures ?? 5)) {
      this.#closeAfterReply = true;
      this.#socketSession.endReason = 'Too many authentication failures';
      return LOGIN_REPLIES.tooManyFailures;
    }
    return reply;
  }

  /**
   * RETR/TOP: the +OK, the stuffed body streamed from disk, the terminator (RFC 1939 §7). All of
   * it synchronous (undefined) while the reader is synchronous and less than FLUSH_BYTES wait to
   * be written: no promise per message; a promise once it has to wait for the reader or the socket.
   */
  #sendMessage(event: MessageEvent): Promise<void> | undefined {
    const maildrop = this.#maildrop!; // TRANSACTION state implies a maildrop
    const filter = event.type === 'top' ? topFilter(event.lines) : undefined;
    let chunks: Iterator<Uint8Array> | AsyncIterator<Uint8Array>;
    let first: BodyWait;
    try {
      chunks = maildrop.read(event.message.msg, filter === undefined);
      first = chunks.next(); // a file that cannot be read gets -ERR, not a broken +OK
    } catch (error) {
      this.#unreadable(event, error);
      return undefined;
    }
    this.#readHold.take(); // the chunks are read-slab slices until copied or sent
    if (!(first instanceof Promise)) return this.#startBody(event, chunks, first, filter);
    return first.then(
      (next) => this.#startBody(event, chunks, next, filter),
      (error: unknown) => this.#unreadable(event, error),
    );
  }

  /** The +OK, then the body from its first chunk on. */
  #startBody(event: MessageEvent, chunks: Iterator<Uint8Array> | AsyncIterator<Uint8Array>, first: IteratorResult<Uint8Array>, filter: ReturnType<typeof topFilter> | undefined): Promise<void> | undefined {
    this.#push(this.#core.send(event.reply));
    const wait = this.#streamBody(event, chunks, first, filter);
    return wait === undefined ? undefined : this.#resumeBody(event, chunks, wait, filter);
  }

  #unreadable(event: MessageEvent, error: unknown): void {
    this.#log('error', `cannot read message ${event.message.msg}: ${(error as Error).message}`);
    this.#push(this.#core.send(REPLY_FOR['sys-temp']));
  }

  /** Chunks from `next` on, then the terminator; returns what to wait for when it cannot go on synchronously. */
  #streamBody(event: MessageEvent, chunks: Iterator<Uint8Array> | AsyncIterator<Uint8Array>, next: IteratorResult<Uint8Array>, filter: ReturnType<typeof topFilter> | undefined): BodyWait | undefined {
    while (!next.done) {
      this.#push(this.#core.sendMessageChunk(filter === undefined ? next.value : filter.push(next.value)));
      if (filter?.done) {
        const closing = chunks.return?.();
        if (closing instanceof Promise) return closing.then(() => DONE);
        break;
      }
      const result = chunks.next();
      if (result instanceof Promise || this.#outBytes >= FLUSH_BYTES) return result;
      next = result;
    }
    this.#push(this.#core.endMessage());
    if (filter === undefined) {
      this.#retrieved.count++;
      this.#retrieved.bytes += event.message.sizeBytes;
    }
    return undefined;
  }

  /** The body after a wait: flush when the buffer is full (backpressure), then go on. */
  async #resumeBody(event: MessageEvent, chunks: Iterator<Uint8Array> | AsyncIterator<Uint8Array>, wait: BodyWait, filter: ReturnType<typeof topFilter> | undefined): Promise<void> {
    for (let pending: BodyWait | undefined = wait; pending !== undefined; ) {
      if (this.#outBytes >= FLUSH_BYTES) {
        await this.#flush(true);
        if (this.#socketSession.socket.destroyed) {
          await chunks.return?.(); // the client is gone: stop reading the file
          throw new Error(`connection lost during ${event.type.toUpperCase()} ${event.message.msg}`);
        }
      }
      pending = this.#streamBody(event, chunks, await pending, filter);
    }
  }

  /** This socket is done with (the session ends, or STLS wraps it): the slabs are free once it has sent the rest. */
  #releaseSlabsWhenSent(socket: Socket): void {
    this.#readHold.releaseWhenSent(socket);
    this.#writeHold.releaseWhenSent(socket);
  }

  /** RFC 1939 §6 UPDATE; the lock is released before the answer, so a client that logs in again at once finds the maildrop free. */
  async #update(deleted: readonly number[], reply: Pop3Reply): Promise<Pop3Reply> {
    this.#socketSession.endReason = 'QUIT';
    const maildrop = this.#maildrop!;
    let answer = reply;
    try {
      this.#deleted = { ...(await maildrop.update(deleted)) };
    } catch (error) {
      this.#log('error', `UPDATE failed for ${this.#user ?? '?'}: ${(error as Error).message}`);
      answer = { type: 'err', code: 'SYS/TEMP', text: 'Some deleted messages were not removed' };
    }
    await this.#releaseMaildrop();
    return answer;
  }

  async #releaseMaildrop(): Promise<void> {
    const maildrop = this.#maildrop;
    this.#maildrop = undefined;
    try {
      await maildrop?.release();
    } catch (error) {
      this.#log('error', `cannot release the maildrop lock: ${(error as Error).message}`);
    }
  }

  #log(event: 'connect' | 'auth' | 'tls' | 'error', text: string): void {
    const { id, remoteAddress } = this.#info;
    this.#deps.options.logger?.({ event, connection: id, remoteAddress, message: `${id}: ${text}`, ...(this.#user === undefined ? {} : { user: this.#user }) });
  }

  #logDisconnect(): void {
    const logger = this.#deps.options.logger;
    if (logger === undefined) return;
    const { id, remoteAddress } = this.#info;
    const r = this.#retrieved;
    const d = this.#deleted;
    const who = this.#user === undefined ? '' : `user=<${this.#user}> `;
    const message = `${id}: disconnect ${who}rip=${remoteAddress} retr=${r.count}/${r.bytes} del=${d.count}/${d.bytes} (${this.#socketSession.endReason || 'Disconnected'})`;
    logger({ event: 'disconnect', connection: id, remoteAddress, message, ...(this.#user === undefined ? {} : { user: this.#user }), retrieved: { ...r }, deleted: { ...d } });
  }
}

/**
 * Resolves on `drain` or `close`, removing both listeners either way (a long RETR waits for drain
 * hundreds of times; a listener left behind per wait would pile up on the socket).
 */
function drained(socket: Socket): Promise<void> {
  if (socket.destroyed || socket.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
