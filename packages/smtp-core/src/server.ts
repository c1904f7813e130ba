/**
 * SmtpServerSession: the server side of RFC 5321, sans-I/O (STYLE.md §2).
 *
 * How this works: `receive()` appends bytes; `nextEvent()` parses one step and returns one event.
 * Events that need an answer (greeting, command, auth-response, data-end, rejected, timed-out) are
 * answered with `send(reply)`, which checks the reply against what is owed, moves the state and
 * returns the bytes; calling `nextEvent()` before that is a bug (LocalProtocolError). Pipelined
 * commands (RFC 2920 §3.1) are therefore decoded one at a time from the buffer and answered in order,
 * even when the application answers asynchronously. Peer errors become `rejected` events with a
 * suggested reply (REPLY_FOR); the application sends it like any other reply.
 *
 * Bodies are streamed as `data-chunk` events, views into the bytes given to `receive()`; nothing
 * is buffered beyond one command line (bounded by the line limits).
 */
import { capabilityLines, DEFAULT_EXTENSIONS, type SmtpServerExtensions } from './extensions.js';
import { decodeCommandLine, decodeLineText, type SmtpCommand } from './command.js';
import { decodeBase64 } from './base64.js';
import { DataReader } from './data-reader.js';
import { concatBytes } from './bytes.js';
import { LocalProtocolError, REPLY_FOR, type SmtpErrorCode } from './errors.js';
import { checkReplyCode, commandRefusal } from './server-rules.js';
import { isValidReply, encodeReply, type Reply } from './reply.js';
import {
  assertNever,
  contextOf,
  greeted,
  mailAccepted,
  rcptAccepted,
  tlsUp,
  toIdle,
  type CommandPhase,
  type Owed,
  type SmtpServerState,
} from './state.js';

/** Options of a server session; all but `hostname` have defaults. */
export interface SmtpServerOptions {
  /** Our name, used in 421 replies. */
  readonly hostname: string;
  /**
   * Longest command line in octets including CRLF. RFC 5321 §4.5.3.1.4 sets 512 and lets
   * extensions raise it (RFC 1870, 3461, 4954 §5 add parameters of up to 500 characters); the
   * default 2048 is Postfix's line_length_limit.
   */
  readonly maxLineBytes?: number;
  /** Longest AUTH command or SASL response line, RFC 4954 §4 (default 12288). */
  readonly maxAuthLineBytes?: number;
  /** SIZE limit in octets (RFC 1870); default 10240000, Postfix's message_size_limit. Infinity: none. */
  readonly maxMessageBytes?: number;
  /** Recipients per transaction; RFC 5321 §4.5.3.1.8 requires at least 100; default 1000 (Postfix smtpd_recipient_limit). */
  readonly maxRecipients?: number;
  /** Error replies before "421 4.7.0 Too many errors" and close; default 20 (Postfix smtpd_hard_error_limit). */
  readonly maxErrors?: number;
  /** Idle time before "421 4.4.2"; default 300000, RFC 5321 §4.5.3.2.7 (at least 5 minutes). */
  readonly idleTimeoutMs?: number;
  /**
   * Bare LF (Postfix smtpd_forbid_bare_newline): 'normalize' (default, Postfix ≥ 3.9) reads it as a
   * line end in commands and stores it as CRLF in a body; 'reject' answers 550 5.5.2. Either way only
   * CRLF "." CRLF ends DATA (SMTP smuggling defence).
   */
  readonly bareNewline?: 'normalize' | 'reject';
  /** The connection is TLS from the start (implicit TLS, RFC 8314). Default false. */
  readonly tls?: boolean;
  /** Extensions to advertise and enforce; missing fields take DEFAULT_EXTENSIONS. */
  readonly extensions?: Partial<SmtpServerExtensions>;
}

/** Everything a server session reports; see the README for which events need a reply. */
export type SmtpServerEvent =
  | { readonly type: 'greeting' } // answer 220 (or 554 to refuse the connection, RFC 5321 §3.1)
  | { readonly type: 'command'; readonly command: SmtpCommand }
  | { readonly type: 'auth-response'; readonly cancelled: false; readonly response: Uint8Array }
  | { readonly type: 'auth-response'; readonly cancelled: true; readonly reply: Reply }
  | { readonly type: 'data-chunk'; readonly bytes: Uint8Array } // dot-unstuffed body, in order
  | { readonly type: 'data-end'; readonly sizeBytes: number; readonly last: boolean }
  | { readonly type: 'rejected'; readonly code: SmtpErrorCode; readonly detail: string; readonly reply: Reply }
  | { readonly type: 'timed-out'; readonly reply: Reply } // 421 4.4.2, RFC 5321 §4.5.3.2
  | { readonly type: 'aborted'; readonly reason: 'eof' } // the peer left inside a mail transaction
  | { readonly type: 'closed' } // returned again on every later call
  | { readonly type: 'need-data' };

/** Whether the application must answer this event with `send()` before calling `nextEvent()` again. */
export function expectsReply(event: SmtpServerEvent): boolean {
  return ['greeting', 'command', 'auth-response', 'data-end', 'rejected', 'timed-out'].includes(event.type);
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = new Uint8Array(0);

/** The server side of an SMTP connection, sans-I/O. */
export class SmtpServerSession {
  readonly #hostname: string;
  readonly #maxLineBytes: number;
  readonly #maxAuthLineBytes: number;
  readonly #maxMessageBytes: number;
  readonly #maxRecipients: number;
  readonly #maxErrors: number;
  readonly #idleTimeoutMs: number;
  readonly #bareNewline: 'normalize' | 'reject';
  #extensions: SmtpServerExtensions;

  #state: SmtpServerState = { phase: 'greeting' };
  #initialTls: boolean;
  #owed: Owed | undefined;
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  #eof = false;
  /** Discarding the rest of an overlong line. */
  #skippingLine = false;
  #reader: DataReader | undefined;
  #errors = 0;
  /** The client spoke before our 220 went out (found when the 220 is sent): refuse at the next step. */
  #earlyTalker = false;
  /** RCPTs refused for the recipient limit in this transaction. */
  #overshoot = 0;
  #active = false;
  #lastActiveAt: number | undefined;
  #timedOut = false;

  constructor(options: SmtpServerOptions) {
    this.#hostname = options.hostname;
    this.#maxLineBytes = options.maxLineBytes ?? 2048;
    this.#maxAuthLineBytes = options.maxAuthLineBytes ?? 12288;
    this.#maxMessageBytes = options.maxMessageBytes ?? 10_240_000;
    this.#maxRecipients = options.maxRecipients ?? 1000;
    this.#maxErrors = options.maxErrors ?? 20;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.#bareNewline = options.bareNewline ?? 'normalize';
    this.#initialTls = options.tls ?? false;
    this.#extensions = { ...DEFAULT_EXTENSIONS, ...options.extensions };
  }

  /** The current state (read-only snapshot): phase, greeting, TLS, authentication, envelope. */
  get state(): SmtpServerState {
    return this.#state;
  }

  /** The extensions currently advertised. */
  get extensions(): SmtpServerExtensions {
    return this.#extensions;
  }

  /** Append bytes from the peer. Never parses, never throws on content. */
  receive(data: Uint8Array): void {
    if (data.length === 0) return;
    this.#active = true;
    const p = this.#state.phase;
    // After our 220 to STARTTLS, plaintext must not reach the TLS session (RFC 3207 §4.2, CVE-2011-0411).
    if (p === 'closed' || p === 'starttls') return;
    // Carried over is only what was not parsed yet: an unfinished line when the driver drains
    // nextEvent() after every receive() (as it must), bounded by the line limits.
    this.#buf = this.#pos >= this.#buf.length ? data : concatBytes([this.#buf.subarray(this.#pos), data]);
    this.#pos = 0;
  }

  /** The peer closed its side of the connection. */
  receiveEof(): void {
    this.#eof = true;
  }

  /** The driver's clock. After `idleTimeoutMs` without peer input the next event is `timed-out`. */
  tick(now: number): void {
    if (this.#state.phase === 'closed') return;
    // Waiting for the application is not the peer's idleness.
    if (this.#active || this.#lastActiveAt === undefined || this.#owed !== undefined) {
      this.#active = false;
      this.#lastActiveAt = now;
      return;
    }
    if (now - this.#lastActiveAt >= this.#idleTimeoutMs) this.#timedOut = true;
  }

  /**
   * The TLS handshake after our 220 to STARTTLS succeeded: the session forgets the greeting and
   * any authentication (RFC 3207 §4.2) and may advertise different extensions from now on.
   */
  tlsStarted(extensions: Partial<SmtpServerExtensions> = {}): void {
    if (this.#state.phase !== 'starttls') throw new LocalProtocolError('wrong-state', 'tlsStarted() without an accepted STARTTLS');
    this.#extensions = { ...this.#extensions, ...extensions };
    this.#state = tlsUp();
    this.#buf = EMPTY;
    this.#pos = 0;
  }

  /** Parse one step and return one event; `need-data` when more input is needed. */
  nextEvent(): SmtpServerEvent {
    if (this.#owed !== undefined) {
      throw new LocalProtocolError('wrong-state', `nextEvent() before send() answered the pending ${this.#owed.kind}`);
    }
    if (this.#timedOut && this.#state.phase !== 'closed') {
      this.#timedOut = false;
      this.#owed = { kind: 'timed-out' };
      return { type: 'timed-out', reply: { code: 421, enhanced: '4.4.2', text: `${this.#hostname} Error: timeout exceeded` } };
    }
    for (;;) {
      const event = this.#step();
      if (event !== undefined) return event;
    }
  }

  /** Answer the pending event: checks the reply, advances the state, returns the bytes to write. */
  send(reply: Reply): Uint8Array {
    const owed = this.#owed;
    if (owed === undefined) throw new LocalProtocolError('wrong-state', 'send() with no event awaiting a reply');
    if (!isValidReply(reply)) throw new LocalProtocolError('invalid-value', `not a valid reply: ${JSON.stringify(reply)}`);
    checkReplyCode(owed, reply.code);
    this.#owed = undefined;
    this.#active = true;
    const wire = this.#wireReply(owed, reply);
    this.#advance(owed, reply);
    if (reply.code >= 400 && !this.#forgivenOvershoot(owed)) this.#errors++;
    if (reply.code === 421) this.#state = { phase: 'closed' }; // RFC 5321 §3.8: 421 closes the channel
    return encodeReply(wire);
  }

  /**
   * Recipients past the limit get 452 (RFC 5321 §4.5.3.1.10: the client retries them later), so
   * the first `maxRecipients` of them are not errors; beyond that each one is (Postfix
   * smtpd_recipient_overshoot_limit).
   */
  #forgivenOvershoot(owed: Owed): boolean {
    if (owed.kind !== 'rejected' || owed.code !== 'too-many-recipients') return false;
    this.#overshoot++;
    return this.#overshoot <= this.#maxRecipients;
  }

  /** The reply as it goes on the wire: EHLO capabilities added, enhanced codes per RFC 2034. */
  #wireReply(owed: Owed, reply: Reply): Reply {
    const hello = owed.kind === 'command' && (owed.command.verb === 'EHLO' || owed.command.verb === 'HELO');
    if (hello && owed.command.verb === 'EHLO' && reply.code === 250) {
      const tls = contextOf(this.#state)?.tls ?? this.#initialTls;
      return { code: 250, text: [...(typeof reply.text === 'string' ? [reply.text] : reply.text), ...capabilityLines(this.#extensions, this.#maxMessageBytes, tls)] };
    }
    // RFC 2034 §4: every reply but the greeting and the EHLO/HELO answer carries an enhanced code;
    // RFC 3463 classes are 2, 4, 5 only (so not 334 or 354).
    const cls = Math.floor(reply.code / 100);
    if (!this.#extensions.enhancedStatusCodes || owed.kind === 'greeting' || hello || cls === 3) {
      return reply.enhanced === undefined ? reply : { code: reply.code, text: reply.text };
    }
    return reply.enhanced === undefined ? { code: reply.code, enhanced: `${cls}.0.0`, text: reply.text } : reply;
  }

  #advance(owed: Owed, reply: Reply): void {
    const ok = reply.code < 400;
    switch (owed.kind) {
      case 'greeting':
        if (reply.code === 220) {
          this.#state = { phase: 'idle', ctx: { helo: undefined, tls: this.#initialTls, authenticated: undefined } };
          // Bytes that arrived while the application was deciding on the greeting came before it too.
          this.#earlyTalker = !owed.earlyTalker && this.#pos < this.#buf.length;
        } else {
          this.#state = owed.earlyTalker ? { phase: 'closed' } : { phase: 'refused' };
        }
        return;
      case 'command':
        // RFC 5321 §4.1.1.10: after the reply to QUIT the channel closes, whatever the phase.
        if (owed.command.verb === 'QUIT') this.#state = { phase: 'closed' };
        else if (ok) this.#afterCommand(owed.command, reply);
        return;
      case 'auth': {
        const s = this.#state;
        if (s.phase !== 'auth') throw new LocalProtocolError('wrong-state', 'auth reply outside AUTH');
        if (reply.code === 334) return;
        this.#state = toIdle(reply.code === 235 ? { ...s.ctx, authenticated: s.mechanism } : s.ctx);
        return;
      }
      case 'data-end': {
        const s = this.#state;
        if (s.phase !== 'data' && s.phase !== 'bdat') throw new LocalProtocolError('wrong-state', 'data-end reply outside a body');
        // RFC 3030 §2: after a non-LAST chunk the transaction goes on; any failure or LAST ends it.
        this.#state =
          !owed.last && ok && s.envelope !== undefined
            ? { phase: 'chunking', ctx: s.ctx, envelope: s.envelope, sizeBytes: s.sizeBytes }
            : toIdle(s.ctx);
        return;
      }
      case 'rejected':
        this.#state = owed.next;
        return;
      case 'timed-out':
        this.#state = { phase: 'closed' };
        return;
      default:
        assertNever(owed);
    }
  }

  #afterCommand(cmd: SmtpCommand, reply: Reply): void {
    const s = this.#state;
    const ctx = contextOf(s);
    if (ctx === undefined) throw new LocalProtocolError('wrong-state', `reply to ${cmd.verb} in phase ${s.phase}`);
    switch (cmd.verb) {
      case 'EHLO':
      case 'HELO':
        this.#state = greeted(ctx, { verb: cmd.verb, domain: cmd.domain });
        return;
      case 'MAIL':
        this.#overshoot = 0;
        this.#state = mailAccepted(ctx, cmd.reversePath, cmd.params);
        return;
      case 'RCPT':
        if (s.phase === 'envelope') this.#state = rcptAccepted(ctx, s.envelope, { forwardPath: cmd.forwardPath, params: cmd.params });
        return;
      case 'DATA':
        if (s.phase === 'envelope' && reply.code === 354) {
          this.#reader = new DataReader();
          this.#state = { phase: 'data', ctx, envelope: s.envelope, sizeBytes: 0, discard: undefined };
        }
        return;
      case 'RSET':
        this.#state = toIdle(ctx);
        return;
      case 'STARTTLS':
        // RFC 3207 §4.2 / CVE-2011-0411: bytes pipelined after STARTTLS are dropped, never replayed after TLS.
        this.#buf = EMPTY;
        this.#pos = 0;
        this.#state = { phase: 'starttls', ctx };
        return;
      case 'AUTH':
        if (reply.code === 334) this.#state = { phase: 'auth', ctx, mechanism: cmd.mechanism };
        else if (reply.code === 235) this.#state = toIdle({ ...ctx, authenticated: cmd.mechanism });
        return;
      case 'QUIT':
      case 'NOOP':
      case 'HELP':
      case 'VRFY':
      case 'EXPN':
      case 'BDAT':
        return;
      default:
        assertNever(cmd);
    }
  }

  /** One parsing step: an event, or undefined to go round again. */
  #step(): SmtpServerEvent | undefined {
    const s = this.#state;
    switch (s.phase) {
      case 'closed':
        return { type: 'closed' };
      case 'greeting':
        return this.#greeting();
      case 'starttls':
        return this.#eof ? this.#end() : { type: 'need-data' };
      case 'auth':
        return this.#authLine();
      case 'data':
        return this.#dataStep(s);
      case 'bdat':
        return this.#bdatStep(s);
      case 'refused':
      case 'idle':
      case 'envelope':
      case 'chunking':
        if (this.#earlyTalker) {
          this.#earlyTalker = false;
          return this.#reject('early-talker', 'bytes arrived before the greeting was sent', { phase: 'closed' });
        }
        return this.#commandStep(s);
      default:
        return assertNever(s);
    }
  }

  #greeting(): SmtpServerEvent {
    // Early talker: the client spoke before our greeting (RFC 5321 §3.1: it must wait for the 220).
    // Postfix postscreen's pregreet test, without its delay: we only look at what already arrived.
    const early = this.#pos < this.#buf.length;
    if (!early && this.#eof) return this.#end();
    this.#owed = { kind: 'greeting', earlyTalker: early };
    return early ? this.#rejectEvent('early-talker', `${this.#buf.length - this.#pos} bytes before the greeting`) : { type: 'greeting' };
  }

  /** EOF or nothing more to read: `aborted` once when a transaction was open, then `closed`. */
  #end(): SmtpServerEvent {
    const inTransaction = ['envelope', 'data', 'chunking', 'bdat'].includes(this.#state.phase);
    this.#state = { phase: 'closed' };
    return inTransaction ? { type: 'aborted', reason: 'eof' } : { type: 'closed' };
  }

  /** Reply owed for a peer error; `next` is the state after the reply (default: unchanged). */
  #reject(code: SmtpErrorCode, detail: string, next: SmtpServerState = this.#state): SmtpServerEvent {
    this.#owed = { kind: 'rejected', code, next };
    return this.#rejectEvent(code, detail);
  }

  #rejectEvent(code: SmtpErrorCode, detail: string): SmtpServerEvent {
    const base = REPLY_FOR[code];
    const reply = base.code === 421 || base.code === 554 ? { ...base, text: `${this.#hostname} ${String(base.text)}` } : base;
    return { type: 'rejected', code, detail, reply };
  }

  /**
   * Take one line from the buffer: its bytes without the line end, 'need', or 'too-long' once the
   * whole overlong line has been skipped (framing is kept: the next line starts at the right byte).
   */
  #readLine(limit: number): { line: Uint8Array; bare: boolean } | 'need' | 'too-long' {
    const buf = this.#buf;
    const lf = buf.indexOf(LF, this.#pos);
    if (this.#skippingLine) {
      if (lf < 0) {
        this.#pos = buf.length;
        return 'need';
      }
      this.#pos = lf + 1;
      this.#skippingLine = false;
      return 'too-long';
    }
    if (lf < 0) {
      if (buf.length - this.#pos >= limit) {
        this.#skippingLine = true;
        this.#pos = buf.length;
      }
      return 'need';
    }
    const start = this.#pos;
    this.#pos = lf + 1;
    if (lf + 1 - start > limit) return 'too-long';
    const bare = lf === start || buf[lf - 1] !== CR;
    return { line: buf.subarray(start, bare ? lf : lf - 1), bare };
  }

  #commandStep(s: Extract<SmtpServerState, { phase: CommandPhase }>): SmtpServerEvent | undefined {
    if (this.#errors >= this.#maxErrors) return this.#reject('too-many-errors', `${this.#errors} errors`, { phase: 'closed' });
    const r = this.#readLine(Math.max(this.#maxLineBytes, this.#maxAuthLineBytes));
    if (r === 'need') return this.#eof ? this.#end() : { type: 'need-data' };
    if (r === 'too-long') return this.#reject('line-too-long', 'command line over the limit');
    // Lenient: a bare LF ends a command line ('normalize'), as Postfix ≥ 3.9 does by default.
    if (r.bare && this.#bareNewline === 'reject') return this.#reject('bare-newline', 'command line ended by a bare LF');
    const text = decodeLineText(r.line);
    if (typeof text !== 'string') return this.#reject(text.code, text.detail);
    if (r.line.length + 2 > this.#maxLineBytes && !/^AUTH /i.test(text)) return this.#reject('line-too-long', 'command line over the limit');
    const utf8Recipients = s.phase === 'envelope' && s.envelope.params.smtputf8 === true;
    const decoded = decodeCommandLine(text, { utf8Recipients });
    if (!decoded.ok) {
      // A BDAT whose size we cannot read leaves us unable to find the next command: give up (STYLE.md §4).
      const fatal = decoded.error.verb === 'BDAT';
      return this.#reject(decoded.error.code, decoded.error.detail, fatal ? { phase: 'closed' } : this.#state);
    }
    const cmd = decoded.value;
    if (cmd.verb === 'BDAT' && s.phase !== 'refused') return this.#startBdat(s, cmd.sizeBytes, cmd.last);
    const refusal = commandRefusal(s, cmd, this.#extensions, { maxMessageBytes: this.#maxMessageBytes, maxRecipients: this.#maxRecipients });
    if (refusal !== undefined) return this.#reject(refusal, `${cmd.verb} refused`);
    this.#owed = { kind: 'command', command: cmd };
    return { type: 'command', command: cmd };
  }

  /**
   * BDAT (RFC 3030 §2): the chunk follows the command line at once, so it is read even when the
   * command is refused, and the refusal is answered after it.
   */
  #startBdat(s: Extract<SmtpServerState, { phase: 'idle' | 'envelope' | 'chunking' }>, sizeBytes: number, last: boolean): undefined {
    const ctx = s.ctx;
    let refusal: SmtpErrorCode | undefined;
    if (!this.#extensions.chunking) refusal = 'not-implemented';
    else if (s.phase === 'idle') refusal = ctx.helo === undefined ? 'need-helo' : 'bad-sequence';
    else if (s.phase === 'envelope' && s.envelope.recipients.length === 0) refusal = 'no-valid-recipients';
    const envelope = s.phase === 'idle' ? undefined : s.envelope;
    const sizeSoFar = s.phase === 'chunking' ? s.sizeBytes : 0;
    // The count is known up front: a chunk that cannot fit is dropped whole (still read, RFC 3030 §2).
    if (refusal === undefined && sizeSoFar + sizeBytes > this.#maxMessageBytes) refusal = 'too-much-data';
    this.#state = { phase: 'bdat', ctx, envelope, remainingBytes: sizeBytes, last, sizeBytes: sizeSoFar, discard: refusal };
    return undefined;
  }

  #bdatStep(s: Extract<SmtpServerState, { phase: 'bdat' }>): SmtpServerEvent | undefined {
    if (s.remainingBytes === 0) {
      if (s.discard !== undefined) return this.#reject(s.discard, 'BDAT chunk discarded', toIdle(s.ctx));
      this.#owed = { kind: 'data-end', last: s.last };
      return { type: 'data-end', sizeBytes: s.sizeBytes, last: s.last };
    }
    if (this.#pos >= this.#buf.length) return this.#eof ? this.#end() : { type: 'need-data' };
    const n = Math.min(s.remainingBytes, this.#buf.length - this.#pos);
    const bytes = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    const sizeBytes = s.sizeBytes + n;
    const discard = s.discard ?? (sizeBytes > this.#maxMessageBytes ? 'too-much-data' : undefined);
    this.#state = { ...s, remainingBytes: s.remainingBytes - n, sizeBytes, discard };
    return discard === undefined ? { type: 'data-chunk', bytes } : undefined;
  }

  #dataStep(s: Extract<SmtpServerState, { phase: 'data' }>): SmtpServerEvent | undefined {
    const reader = this.#reader;
    if (reader === undefined) throw new LocalProtocolError('wrong-state', 'DATA phase without a reader');
    const step = reader.next(this.#buf, this.#pos);
    this.#pos = step.pos;
    if (step.kind === 'need') return this.#eof ? this.#end() : { type: 'need-data' };
    if (step.kind === 'end') {
      this.#reader = undefined;
      if (s.discard !== undefined) return this.#reject(s.discard, 'message discarded', toIdle(s.ctx));
      this.#owed = { kind: 'data-end', last: true };
      return { type: 'data-end', sizeBytes: s.sizeBytes, last: true };
    }
    const sizeBytes = s.sizeBytes + step.bytes.length;
    // STYLE.md §4: past a limit keep framing, drop content, answer at the boundary.
    const discard =
      s.discard ??
      (sizeBytes > this.#maxMessageBytes ? 'too-much-data' : this.#bareNewline === 'reject' && reader.bareNewlines > 0 ? 'bare-newline' : undefined);
    this.#state = { ...s, sizeBytes, discard };
    return discard === undefined ? { type: 'data-chunk', bytes: step.bytes } : undefined;
  }

  /** One line of a SASL exchange (RFC 4954 §4): base64, or "*" to cancel. */
  #authLine(): SmtpServerEvent {
    const r = this.#readLine(this.#maxAuthLineBytes);
    const ctx = contextOf(this.#state);
    if (ctx === undefined) throw new LocalProtocolError('wrong-state', 'AUTH exchange without a session context');
    if (r === 'need') return this.#eof ? this.#end() : { type: 'need-data' };
    if (r === 'too-long') return this.#reject('auth-line-too-long', 'SASL response over the limit', toIdle(ctx));
    const text = decodeLineText(r.line);
    if (text === '*') {
      this.#owed = { kind: 'rejected', code: 'auth-cancelled', next: toIdle(ctx) };
      return { type: 'auth-response', cancelled: true, reply: REPLY_FOR['auth-cancelled'] };
    }
    const response = typeof text === 'string' ? decodeBase64(text) : undefined;
    if (response === undefined) return this.#reject('auth-syntax', 'SASL response is not base64', toIdle(ctx));
    this.#owed = { kind: 'auth' };
    return { type: 'auth-response', cancelled: false, response };
  }
}
