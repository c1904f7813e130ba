// Pop3ServerSession: the server side of RFC 1939 with CAPA, RESP-CODES, PIPELINING (RFC 2449),
// STLS (RFC 2595) and AUTH (RFC 5034), sans-I/O (STYLE.md §2).
//
// How it works: `receive()` queues bytes; `nextEvent()` reads one line and turns it into one
// event; every event except `need-data`, `timed-out` and `closed` waits for exactly one `send()`
// (events the core can answer carry a suggested `reply`), and `send()` applies the state change
// that the answer implies (DELE marks only on +OK, login only on `login-ok`). Commands are handled
// strictly in order, one at a time, which is all PIPELINING (RFC 2449 §6.6) asks of a server;
// the driver feeds more bytes only after `need-data`, so the buffer holds at most one read plus
// one partial line. After a +OK to RETR/TOP the message body goes out through
// `sendMessageChunk()` and `endMessage()`.
import { parseApopTimestamp } from './apop.js';
import { decodeBase64Strict } from './base64.js';
import { decodeLine, parseCommand, MAX_COMMAND_BYTES, type Pop3Command } from './command.js';
import { assertNever, LocalProtocolError, redact, REPLY_FOR, type Pop3ErrorCode } from './errors.js';
import { LineReader } from './framing.js';
import type { ListingEntry, MarkedMaildrop } from './maildrop.js';
import { MultilineEncoder } from './multiline.js';
import { encodeReply, type Pop3Reply } from './reply.js';
import { CLOSED, greeted, LEGAL, loggedIn, quit, tlsStarted, withLogin, type Pop3ServerState } from './state.js';

/** Limits and greeting of a server session; every field has a default. */
export interface Pop3ServerOptions {
  /** The APOP timestamp `<pid.clock@host>` for the greeting (RFC 1939 §7); without it APOP is refused. */
  apopTimestamp?: string;
  /** Greeting text before the timestamp. Default `POP3 server ready`. */
  greetingText?: string;
  /** The connection is already under TLS (pop3s, RFC 8314): STLS is then refused. Default false. */
  tls?: boolean;
  /** Longest command line, CRLF included. Default 255 (RFC 2449 §4, the minimum a server must take). */
  maxCommandBytes?: number;
  /** Longest line inside an AUTH exchange (RFC 5034 §4: SASL responses may exceed 255). Default 16384. */
  maxAuthLineBytes?: number;
  /** Protocol errors (unknown command, bad syntax, wrong state, long line) before the session closes. Default 20. */
  maxErrors?: number;
  /** Autologout after this long without a command (RFC 1939 §3: at least 10 minutes). Default 600000. */
  idleTimeoutMs?: number;
}

/** What happened on the connection; see the README for which `send()` each event expects. */
export type Pop3ServerEvent =
  | { type: 'connected'; reply: Pop3Reply } // send the greeting (or an -ERR to turn the client away)
  | { type: 'user'; name: string; reply: Pop3Reply } // RFC 1939 §7 USER; +OK for any name (SPEC.md §7)
  | { type: 'pass'; name: string; password: string } // answer `login-ok` or -ERR
  | { type: 'apop'; name: string; digest: string; timestamp: string } // check with apopMatches()
  | { type: 'auth'; mechanism: string; initialResponse?: Uint8Array } // RFC 5034: challenge, login-ok or -ERR
  | { type: 'auth-response'; mechanism: string; data: Uint8Array } // the client's answer to a challenge
  | { type: 'stls' } // RFC 2595 §4: +OK, then start TLS on the socket; or -ERR
  | { type: 'capa'; phase: 'authorization' | 'transaction'; tls: boolean } // RFC 2449 §5: send `lines`
  | { type: 'stat'; reply: Pop3Reply }
  | { type: 'list'; msg?: number; reply: Pop3Reply }
  | { type: 'uidl'; msg?: number; reply: Pop3Reply }
  | { type: 'retr'; message: ListingEntry; reply: Pop3Reply } // +OK, then the body via sendMessageChunk()
  | { type: 'top'; message: ListingEntry; lines: number; reply: Pop3Reply } // as retr, through topFilter()
  | { type: 'dele'; msg: number; reply: Pop3Reply } // marked on +OK only
  | { type: 'rset'; reply: Pop3Reply }
  | { type: 'noop'; reply: Pop3Reply }
  | { type: 'quit'; reply: Pop3Reply } // QUIT in AUTHORIZATION: nothing to update (RFC 1939 §6)
  | { type: 'update'; deleted: readonly number[]; reply: Pop3Reply } // QUIT in TRANSACTION: remove these, then answer
  | { type: 'rejected'; code: Pop3ErrorCode; detail: string; reply: Pop3Reply } // the peer erred: send the reply
  | { type: 'timed-out' } // RFC 1939 §3 autologout: close without a response and without UPDATE
  | { type: 'closed' } // returned again on every later call
  | { type: 'need-data' };

// What the next send() answers.
type Awaiting =
  | { kind: 'greeting' }
  | { kind: 'command'; command: Pop3Command }
  | { kind: 'auth-response'; mechanism: string }
  | { kind: 'rejected'; fatal: boolean }
  | { kind: 'message'; body: MultilineEncoder };

type TransactionCommand = Extract<Pop3Command, { verb: 'STAT' | 'LIST' | 'UIDL' | 'RETR' | 'TOP' | 'DELE' | 'RSET' | 'NOOP' }>;

// The protocol errors that count toward maxErrors (a missing message is not a protocol error).
const COUNTED: ReadonlySet<Pop3ErrorCode> = new Set<Pop3ErrorCode>(['unknown-command', 'syntax', 'wrong-state', 'line-too-long', 'bad-base64']);
const MIN_IDLE_TIMEOUT_MS = 10 * 60 * 1000; // RFC 1939 §3

// Module functions, not closures inside the command handlers: no function objects per command.
function okReply(text?: string): Pop3Reply {
  return { type: 'ok', text };
}

function isEvent(x: ListingEntry | Pop3ServerEvent): x is Pop3ServerEvent {
  return 'type' in x;
}

function allowedReplies(awaiting: Exclude<Awaiting, { kind: 'message' }>): readonly Pop3Reply['type'][] {
  switch (awaiting.kind) {
    case 'greeting':
      return ['ok', 'err'];
    case 'rejected':
      return ['err'];
    case 'auth-response':
      return ['challenge', 'login-ok', 'err'];
    case 'command': {
      const { command } = awaiting;
      switch (command.verb) {
        case 'PASS': case 'APOP':
          return ['login-ok', 'err'];
        case 'AUTH':
          return ['challenge', 'login-ok', 'err'];
        case 'CAPA':
          return ['lines', 'err'];
        case 'LIST': case 'UIDL':
          return command.msg === undefined ? ['lines', 'err'] : ['ok', 'err'];
        default:
          return ['ok', 'err'];
      }
    }
  }
}

/** A POP3 server session: bytes in, events out, the application's answers back as bytes. */
export class Pop3ServerSession {
  readonly #options: Required<Omit<Pop3ServerOptions, 'apopTimestamp'>> & { apopTimestamp: string | undefined };
  #state: Pop3ServerState;
  #reader = new LineReader();
  #awaiting: Awaiting | undefined;
  #eof = false;
  #errors = 0;
  #timeout: 'none' | 'due' | 'reported' = 'none';
  #lastActiveMs: number | undefined;
  #active = false;

  constructor(options: Pop3ServerOptions = {}) {
    this.#options = {
      apopTimestamp: options.apopTimestamp,
      greetingText: options.greetingText ?? 'POP3 server ready',
      tls: options.tls ?? false,
      maxCommandBytes: options.maxCommandBytes ?? MAX_COMMAND_BYTES,
      maxAuthLineBytes: options.maxAuthLineBytes ?? 16384,
      maxErrors: options.maxErrors ?? 20,
      idleTimeoutMs: options.idleTimeoutMs ?? MIN_IDLE_TIMEOUT_MS,
    };
    const o = this.#options;
    if (o.apopTimestamp !== undefined && parseApopTimestamp(o.apopTimestamp) !== o.apopTimestamp) {
      throw new LocalProtocolError('invalid-value', `apopTimestamp ${JSON.stringify(o.apopTimestamp)} is not <pid.clock@host> (RFC 1939 §7)`);
    }
    if (o.idleTimeoutMs < MIN_IDLE_TIMEOUT_MS) throw new LocalProtocolError('invalid-value', 'idleTimeoutMs must be at least 10 minutes (RFC 1939 §3)');
    if (o.maxCommandBytes < MAX_COMMAND_BYTES) throw new LocalProtocolError('invalid-value', 'maxCommandBytes must be at least 255 (RFC 2449 §4)');
    if (o.maxAuthLineBytes < o.maxCommandBytes) throw new LocalProtocolError('invalid-value', 'maxAuthLineBytes must be at least maxCommandBytes');
    if (!(o.maxErrors >= 1)) throw new LocalProtocolError('invalid-value', 'maxErrors must be at least 1');
    this.#state = { phase: 'greeting', tls: o.tls };
  }

  /** The current state (RFC 1939 §3 names). */
  get state(): Pop3ServerState {
    return this.#state;
  }

  /** Queues bytes from the peer; never parses or throws on content. */
  receive(data: Uint8Array): void {
    if (this.#state.phase !== 'closed') this.#reader.queue.push(data);
  }

  /** The peer closed its side: buffered commands are still processed, then the session closes (no UPDATE). */
  receiveEof(): void {
    this.#eof = true;
  }

  /**
   * The driver's clock, in milliseconds. Any command read or reply sent since the previous tick
   * restarts the autologout timer; so does waiting for the application's own answer.
   */
  tick(now: number): void {
    if (this.#state.phase === 'closed' || this.#timeout !== 'none') return;
    if (this.#awaiting !== undefined || this.#active || this.#lastActiveMs === undefined) {
      this.#lastActiveMs = now;
      this.#active = false;
    } else if (now - this.#lastActiveMs >= this.#options.idleTimeoutMs) {
      this.#timeout = 'due';
    }
  }

  /** Parses one step; throws `LocalProtocolError` while a reply to the previous event is pending. */
  nextEvent(): Pop3ServerEvent {
    if (this.#awaiting !== undefined) {
      throw new LocalProtocolError('wrong-state', `nextEvent() while the answer to ${this.#awaitingName()} is pending`);
    }
    if (this.#timeout === 'due') {
      this.#timeout = 'reported';
      this.#close();
      return { type: 'timed-out' };
    }
    const state = this.#state;
    switch (state.phase) {
      case 'greeting': {
        this.#awaiting = { kind: 'greeting' };
        const text = [this.#options.greetingText, this.#options.apopTimestamp].filter(Boolean).join(' ');
        return { type: 'connected', reply: { type: 'ok', text } };
      }
      case 'authorization': case 'transaction':
        return this.#readLine(state);
      case 'update': case 'closed':
        return { type: 'closed' };
      default:
        return assertNever(state);
    }
  }

  /** Answers the pending event; returns the bytes to write. Throws `LocalProtocolError` on a reply that does not fit. */
  send(reply: Pop3Reply): Uint8Array {
    const awaiting = this.#awaiting;
    if (awaiting === undefined) throw new LocalProtocolError('wrong-state', 'send() with no event awaiting an answer');
    if (awaiting.kind === 'message') throw new LocalProtocolError('wrong-state', 'a message is being sent: use sendMessageChunk() and endMessage()');
    const allowed = allowedReplies(awaiting);
    if (!allowed.includes(reply.type)) {
      throw new LocalProtocolError('invalid-value', `${reply.type} cannot answer ${this.#awaitingName()} (expected ${allowed.join(', ')})`);
    }
    const bytes = encodeReply(reply);
    const next = this.#after(awaiting, reply);
    this.#state = next.state;
    this.#awaiting = next.awaiting;
    this.#active = true;
    if (next.state.phase === 'closed' || next.discardInput) this.#reader = new LineReader();
    return bytes;
  }

  /** The next chunk of a RETR/TOP body (CRLF line ends), byte-stuffed (RFC 1939 §3). */
  sendMessageChunk(bytes: Uint8Array): Uint8Array {
    this.#active = true;
    return this.#messageBody().encode(bytes);
  }

  /** Ends a RETR/TOP body: a CRLF if the content lacked one, then ".\r\n". */
  endMessage(): Uint8Array {
    const end = this.#messageBody().end();
    this.#awaiting = undefined;
    this.#active = true;
    return end;
  }

  #messageBody(): MultilineEncoder {
    if (this.#awaiting?.kind !== 'message') throw new LocalProtocolError('wrong-state', 'no RETR/TOP answered with +OK is being sent');
    return this.#awaiting.body;
  }

  #awaitingName(): string {
    const a = this.#awaiting;
    return a === undefined ? 'nothing' : a.kind === 'command' ? a.command.verb : a.kind;
  }

  #close(): void {
    this.#state = CLOSED;
    this.#reader = new LineReader();
  }

  #readLine(state: Pop3ServerState & { phase: 'authorization' | 'transaction' }): Pop3ServerEvent {
    const sasl = state.phase === 'authorization' && state.login.step === 'sasl' ? state.login.mechanism : undefined;
    const read = this.#reader.next(sasl === undefined ? this.#options.maxCommandBytes : this.#options.maxAuthLineBytes);
    switch (read.kind) {
      case 'need-more':
        if (!this.#eof) return { type: 'need-data' };
        this.#close(); // RFC 1939 §6: a session that ends without QUIT does not enter UPDATE
        return { type: 'closed' };
      case 'too-long':
        this.#active = true;
        return this.#reject('line-too-long', `line of ${read.sizeBytes} octets`);
      case 'line': {
        this.#active = true;
        // Lenient: a bare LF ends a command too (RFC 1939 §3 says CRLF); a command line carries
        // no message content, so this opens no smuggling path.
        const text = decodeLine(read.line, read.line.length - 1);
        if (sasl !== undefined) return this.#saslLine(sasl, text);
        const parsed = parseCommand(text);
        if (!parsed.ok) return this.#reject(parsed.error.code, parsed.error.detail);
        const event = this.#command(state, parsed.value);
        if (event.type !== 'rejected') this.#awaiting = { kind: 'command', command: parsed.value };
        return event;
      }
      default:
        return assertNever(read);
    }
  }

  // RFC 5034 §4: a client response is a line of base64, or "*" to cancel.
  #saslLine(mechanism: string, text: string): Pop3ServerEvent {
    if (text === '*') return this.#reject('auth-cancelled', `${mechanism} exchange cancelled by the client`);
    const data = decodeBase64Strict(text);
    if (data === undefined) return this.#reject('bad-base64', `${mechanism} response ${redact(new TextEncoder().encode(text))}`);
    this.#awaiting = { kind: 'auth-response', mechanism };
    return { type: 'auth-response', mechanism, data };
  }

  // `text` replaces REPLY_FOR's wording where the answer can be more precise.
  #reject(code: Pop3ErrorCode, detail: string, text?: string): Pop3ServerEvent {
    if (COUNTED.has(code)) this.#errors += 1;
    const fatal = this.#errors >= this.#options.maxErrors;
    this.#awaiting = { kind: 'rejected', fatal };
    if (fatal) return { type: 'rejected', code: 'too-many-errors', detail: `${code}: ${detail}`, reply: REPLY_FOR['too-many-errors'] };
    return { type: 'rejected', code, detail, reply: text === undefined ? REPLY_FOR[code] : { type: 'err', text } };
  }

  #command(state: Pop3ServerState & { phase: 'authorization' | 'transaction' }, command: Pop3Command): Pop3ServerEvent {
    if (!LEGAL[state.phase].has(command.verb)) return this.#reject('wrong-state', `${command.verb} is not valid in ${state.phase.toUpperCase()}`);
    switch (command.verb) {
      case 'USER':
        return { type: 'user', name: command.name, reply: okReply() };
      case 'PASS':
        if (state.phase !== 'authorization' || state.login.step !== 'user') return this.#reject('wrong-state', 'PASS must follow a successful USER');
        return { type: 'pass', name: state.login.name, password: command.password };
      case 'APOP': {
        const timestamp = this.#options.apopTimestamp;
        if (timestamp === undefined) return this.#reject('unknown-command', 'APOP is not offered (no timestamp in the greeting)');
        return { type: 'apop', name: command.name, digest: command.digest, timestamp };
      }
      case 'AUTH':
        return command.initialResponse === undefined
          ? { type: 'auth', mechanism: command.mechanism }
          : { type: 'auth', mechanism: command.mechanism, initialResponse: command.initialResponse };
      case 'STLS':
        return state.tls ? this.#reject('tls-active', 'STLS under TLS') : { type: 'stls' };
      case 'CAPA':
        return { type: 'capa', phase: state.phase, tls: state.tls };
      case 'QUIT': {
        if (state.phase === 'authorization') return { type: 'quit', reply: okReply('POP3 server signing off') };
        const left = state.maildrop.count;
        this.#state = quit(state);
        return { type: 'update', deleted: state.maildrop.marked(), reply: okReply(`POP3 server signing off (${left === 0 ? 'maildrop empty' : `${left} messages left`})`) };
      }
      default:
        return state.phase === 'transaction' ? this.#transaction(state.maildrop, command) : this.#reject('wrong-state', command.verb);
    }
  }

  // The message `msg` refers to, or the rejection (RFC 1939 §5 and §7's example wording:
  // "-ERR message 2 already deleted").
  #find(maildrop: MarkedMaildrop, verb: TransactionCommand['verb'], msg: number): ListingEntry | Pop3ServerEvent {
    const found = maildrop.lookup(msg);
    if (typeof found !== 'string') return found;
    const code = verb === 'DELE' ? found : 'no-such-message';
    const total = maildrop.total.count;
    const text =
      code === 'already-deleted' ? `message ${msg} already deleted`
      : (verb === 'LIST' || verb === 'UIDL') && msg > total ? `no such message, only ${total} messages in maildrop`
      : undefined;
    return this.#reject(code, `${verb} ${msg}: ${found}`, text);
  }

  // RFC 1939 §5: the TRANSACTION commands, answered from the maildrop listing.
  #transaction(maildrop: MarkedMaildrop, command: TransactionCommand): Pop3ServerEvent {
    switch (command.verb) {
      case 'STAT':
        return { type: 'stat', reply: okReply(`${maildrop.count} ${maildrop.sizeBytes}`) };
      case 'LIST': case 'UIDL': {
        const type = command.verb === 'LIST' ? 'list' : 'uidl';
        const line = (e: ListingEntry): string => `${e.msg} ${type === 'list' ? e.sizeBytes : e.uidl}`;
        if (command.msg === undefined) {
          const text = type === 'list' ? `${maildrop.count} messages (${maildrop.sizeBytes} octets)` : undefined;
          return { type, reply: { type: 'lines', text, lines: Array.from(maildrop.entries(), line) } };
        }
        const entry = this.#find(maildrop, command.verb, command.msg);
        return isEvent(entry) ? entry : { type, msg: command.msg, reply: okReply(line(entry)) };
      }
      case 'RETR': case 'TOP': {
        const message = this.#find(maildrop, command.verb, command.msg);
        if (isEvent(message)) return message;
        return command.verb === 'RETR'
          ? { type: 'retr', message, reply: okReply(`${message.sizeBytes} octets`) }
          : { type: 'top', message, lines: command.lines, reply: okReply() };
      }
      case 'DELE': {
        const entry = this.#find(maildrop, command.verb, command.msg);
        return isEvent(entry) ? entry : { type: 'dele', msg: command.msg, reply: okReply(`message ${command.msg} deleted`) };
      }
      case 'RSET': {
        const { count, sizeBytes } = maildrop.total;
        return { type: 'rset', reply: okReply(`maildrop has ${count} messages (${sizeBytes} octets)`) };
      }
      case 'NOOP':
        return { type: 'noop', reply: okReply() };
      default:
        return assertNever(command);
    }
  }

  // The state change an answer implies; throws (before anything changes) on an invalid maildrop.
  #after(awaiting: Exclude<Awaiting, { kind: 'message' }>, reply: Pop3Reply): { state: Pop3ServerState; awaiting?: Awaiting; discardInput?: boolean } {
    const state = this.#state;
    const ok = reply.type !== 'err';
    if (state.phase === 'greeting') return { state: ok ? greeted(state) : CLOSED };
    if (state.phase === 'update' || (awaiting.kind === 'rejected' && awaiting.fatal)) return { state: CLOSED }; // RFC 1939 §6
    const command = awaiting.kind === 'command' ? awaiting.command : undefined;
    if (state.phase === 'authorization') {
      if (reply.type === 'login-ok') return { state: loggedIn(state, reply.maildrop) };
      if (reply.type === 'challenge') {
        const mechanism = command?.verb === 'AUTH' ? command.mechanism : awaiting.kind === 'auth-response' ? awaiting.mechanism : '';
        return { state: withLogin(state, { step: 'sasl', mechanism }) };
      }
      switch (command?.verb) {
        case 'QUIT':
          return { state: CLOSED };
        case 'STLS':
          return ok ? { state: tlsStarted(), discardInput: true } : { state };
        case 'USER':
          return { state: withLogin(state, ok ? { step: 'user', name: command.name } : { step: 'none' }) };
        case 'CAPA':
          return { state };
        default: // a failed login, a cancelled AUTH, or a peer error: start the login over
          return { state: withLogin(state, { step: 'none' }) };
      }
    }
    if (state.phase === 'transaction' && ok) {
      if (command?.verb === 'DELE') state.maildrop.mark(command.msg);
      if (command?.verb === 'RSET') state.maildrop.unmarkAll();
      if (command?.verb === 'RETR' || command?.verb === 'TOP') return { state, awaiting: { kind: 'message', body: new MultilineEncoder() } };
    }
    return { state };
  }
}
