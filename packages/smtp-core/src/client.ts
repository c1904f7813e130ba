/**
 * SmtpClientSession: the client side of RFC 5321, sans-I/O, mirroring SmtpServerSession.
 *
 * How this works: `send(command)` returns the bytes to write and queues what the next reply will
 * answer; `receive()` takes server bytes; `nextEvent()` decodes one reply and returns it bound to the
 * command it answers (replies come in order, RFC 2920 §3.1). A reply with nothing outstanding is
 * reported as `unsolicited` (typically "421 shutting down", RFC 5321 §3.8). After a 421 or EOF the
 * session is closed. Bodies are written with `sendBody()`/`endBody()` (dot-stuffed DATA) or as BDAT
 * chunks with `sendChunk()` (RFC 3030).
 */
import { NO_CAPABILITIES, parseCapabilities, type SmtpCapabilities } from './capabilities.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { encodeCommand, type SmtpCommand } from './command.js';
import { DotStuffer } from './dot-stuff.js';
import { concatBytes } from './bytes.js';
import { LocalProtocolError } from './errors.js';
import { decodeReply, replyLines, type Reply } from './reply.js';

/** What a reply answers: the greeting, a command, or the end of a DATA body. */
export type ReplyTarget =
  | { readonly kind: 'greeting' }
  | { readonly kind: 'command'; readonly command: SmtpCommand }
  | { readonly kind: 'data-end' }
  | { readonly kind: 'auth-response' } // a SASL line sent after a 334 (RFC 4954 §4)
  | { readonly kind: 'unsolicited' };

/** Everything a client session reports. */
export type SmtpClientEvent =
  | { readonly type: 'reply'; readonly reply: Reply; readonly to: ReplyTarget }
  | { readonly type: 'protocol-error'; readonly detail: string } // malformed reply: the session is closed
  | { readonly type: 'timed-out'; readonly waitingFor: ReplyTarget } // RFC 5321 §4.5.3.2
  | { readonly type: 'closed'; readonly unanswered: number } // returned again on every later call
  | { readonly type: 'need-data' };

/** Client timeouts in milliseconds; defaults are RFC 5321 §4.5.3.2's minimums. */
export interface SmtpClientTimeouts {
  /** §4.5.3.2.1 initial 220: 5 minutes. */
  readonly greetingMs: number;
  /** §4.5.3.2.2-3 MAIL and RCPT, and other commands: 5 minutes. */
  readonly commandMs: number;
  /** §4.5.3.2.4 DATA initiation (waiting for 354): 2 minutes. */
  readonly dataInitiationMs: number;
  /** §4.5.3.2.6 DATA termination (waiting for the reply after "."): 10 minutes. */
  readonly dataTerminationMs: number;
}

/** Options of a client session. */
export interface SmtpClientOptions {
  /** Longest reply line accepted (octets incl. CRLF); RFC 5321 §4.5.3.1.5 sets 512; default 4096 for lenience. */
  readonly maxReplyLineBytes?: number;
  readonly timeouts?: Partial<SmtpClientTimeouts>;
  /** The connection is TLS from the start (implicit TLS, RFC 8314). Default false. */
  readonly tls?: boolean;
}

const DEFAULT_TIMEOUTS: SmtpClientTimeouts = {
  greetingMs: 300_000,
  commandMs: 300_000,
  dataInitiationMs: 120_000,
  dataTerminationMs: 600_000,
};

const EMPTY = new Uint8Array(0);
const LF = 0x0a;

/** The client side of an SMTP connection, sans-I/O. */
export class SmtpClientSession {
  readonly #maxReplyLineBytes: number;
  readonly #timeouts: SmtpClientTimeouts;
  #pending: ReplyTarget[] = [{ kind: 'greeting' }];
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  #eof = false;
  #closed = false;
  #capabilities: SmtpCapabilities = NO_CAPABILITIES;
  #tls: boolean;
  #starttlsPending = false;
  #inData = false;
  /** The last reply was a 334 in an AUTH exchange: a SASL response line may be sent. */
  #authOpen = false;
  #stuffer: DotStuffer | undefined;
  #active = false;
  #since: number | undefined;
  #timedOut = false;

  constructor(options: SmtpClientOptions = {}) {
    this.#maxReplyLineBytes = options.maxReplyLineBytes ?? 4096;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#tls = options.tls ?? false;
  }

  /** What the server offered in its last EHLO reply (nothing before EHLO or after STARTTLS). */
  get capabilities(): SmtpCapabilities {
    return this.#capabilities;
  }

  /** Whether the channel is TLS (implicit, or after `tlsStarted()`). */
  get tls(): boolean {
    return this.#tls;
  }

  /** How many replies are outstanding. */
  get pendingReplies(): number {
    return this.#pending.length;
  }

  /** Append bytes from the server. */
  receive(data: Uint8Array): void {
    this.#active = true;
    if (this.#closed || data.length === 0) return;
    // Carried over is only what was not parsed yet: an unfinished line when the driver drains
    // nextEvent() after every receive() (as it must), bounded by the line limits.
    this.#buf = this.#pos >= this.#buf.length ? data : concatBytes([this.#buf.subarray(this.#pos), data]);
    this.#pos = 0;
  }

  /** The server closed the connection. */
  receiveEof(): void {
    this.#eof = true;
  }

  /** The driver's clock: times out when the awaited reply is later than RFC 5321 §4.5.3.2 allows. */
  tick(now: number): void {
    if (this.#closed || this.#pending.length === 0 || this.#active || this.#since === undefined) {
      this.#active = false;
      this.#since = now;
      return;
    }
    const head = this.#pending[0];
    if (head !== undefined && now - this.#since >= this.#timeoutFor(head)) this.#timedOut = true;
  }

  #timeoutFor(target: ReplyTarget): number {
    if (target.kind === 'greeting') return this.#timeouts.greetingMs;
    if (target.kind === 'data-end') return this.#timeouts.dataTerminationMs;
    if (target.kind === 'command' && target.command.verb === 'DATA') return this.#timeouts.dataInitiationMs;
    return this.#timeouts.commandMs;
  }

  /** Queue a command: returns its bytes. Pipelining is the caller's choice (RFC 2920 §3.1). */
  send(command: SmtpCommand): Uint8Array {
    if (this.#closed) throw new LocalProtocolError('wrong-state', 'send() on a closed session');
    if (this.#inData) throw new LocalProtocolError('wrong-state', 'send() while a DATA body is open');
    // RFC 5321 §3.1 / §4.3.1: wait for the 220; talking first gets a client refused (postscreen).
    if (this.#pending[0]?.kind === 'greeting') throw new LocalProtocolError('wrong-state', 'send() before the greeting');
    // RFC 3207 §4.2 / RFC 2920 §3.1: STARTTLS is the last command of a group.
    if (this.#starttlsPending) throw new LocalProtocolError('wrong-state', 'send() after STARTTLS before TLS is up');
    if (command.verb === 'STARTTLS') this.#starttlsPending = true;
    this.#active = true;
    this.#pending.push({ kind: 'command', command });
    return encodeCommand(command);
  }

  /** One SASL response line after a 334 (RFC 4954 §4): base64 of `response`, or "*" (cancel) for null. */
  sendAuthResponse(response: Uint8Array | null): Uint8Array {
    if (!this.#authOpen || this.#pending.length > 0) throw new LocalProtocolError('wrong-state', 'sendAuthResponse() without a 334 to answer');
    this.#authOpen = false;
    this.#active = true;
    this.#pending.push({ kind: 'auth-response' });
    return new TextEncoder().encode(`${response === null ? '*' : encodeBase64(response)}\r\n`);
  }

  /** Open a DATA body: call after the 354 reply. */
  #openBody(): void {
    this.#inData = true;
    this.#stuffer = new DotStuffer();
  }

  /** Dot-stuffed bytes for the next piece of the DATA body. */
  sendBody(chunk: Uint8Array): Uint8Array {
    const stuffer = this.#stuffer;
    if (!this.#inData || stuffer === undefined) throw new LocalProtocolError('wrong-state', 'sendBody() without a 354 to DATA');
    this.#active = true;
    return stuffer.encodeDataChunk(chunk);
  }

  /** End the DATA body: the terminator bytes; the next reply answers the whole message. */
  endBody(): Uint8Array {
    const stuffer = this.#stuffer;
    if (!this.#inData || stuffer === undefined) throw new LocalProtocolError('wrong-state', 'endBody() without a 354 to DATA');
    this.#inData = false;
    this.#stuffer = undefined;
    this.#pending.push({ kind: 'data-end' });
    return stuffer.end();
  }

  /** A BDAT command with its chunk (RFC 3030 §2): one buffer with "BDAT n [LAST]" CRLF and the bytes. */
  sendChunk(chunk: Uint8Array, last: boolean): Uint8Array {
    return concatBytes([this.send({ verb: 'BDAT', sizeBytes: chunk.length, last }), chunk]);
  }

  /** TLS is up after the 220 to STARTTLS: forget the capabilities (RFC 3207 §4.2); send EHLO again. */
  tlsStarted(): void {
    if (!this.#starttlsPending || this.#pending.length > 0) throw new LocalProtocolError('wrong-state', 'tlsStarted() without a 220 to STARTTLS');
    this.#starttlsPending = false;
    this.#tls = true;
    this.#capabilities = NO_CAPABILITIES;
    this.#buf = EMPTY;
    this.#pos = 0;
  }

  /** Decode the next reply, bound to what it answers. */
  nextEvent(): SmtpClientEvent {
    if (this.#closed) return { type: 'closed', unanswered: this.#pending.length };
    if (this.#timedOut) {
      this.#timedOut = false;
      const waitingFor = this.#pending[0] ?? { kind: 'unsolicited' };
      this.#close();
      return { type: 'timed-out', waitingFor };
    }
    const r = decodeReply(this.#buf.subarray(this.#pos));
    if (!r.ok) {
      if ('error' in r) return this.#fail(r.error);
      const lf = this.#buf.indexOf(LF, this.#pos);
      if ((lf < 0 ? this.#buf.length : lf) - this.#pos > this.#maxReplyLineBytes) return this.#fail('reply line too long');
      if (this.#eof) {
        this.#close();
        return { type: 'closed', unanswered: this.#pending.length };
      }
      return { type: 'need-data' };
    }
    this.#pos += r.consumed;
    const reply = r.value;
    const to = this.#pending.shift() ?? { kind: 'unsolicited' };
    this.#afterReply(to, reply);
    return { type: 'reply', reply, to };
  }

  #afterReply(to: ReplyTarget, reply: Reply): void {
    this.#authOpen = reply.code === 334 && (to.kind === 'auth-response' || (to.kind === 'command' && to.command.verb === 'AUTH'));
    if (to.kind === 'command') {
      const verb = to.command.verb;
      if (verb === 'EHLO' && reply.code === 250) this.#capabilities = parseCapabilities(reply);
      else if (verb === 'HELO' && reply.code === 250) this.#capabilities = NO_CAPABILITIES;
      else if (verb === 'DATA' && reply.code === 354) this.#openBody();
      else if (verb === 'STARTTLS') {
        if (reply.code === 220) {
          // Anything the server sent after its 220 is plaintext injection (CVE-2011-0411's mirror image).
          this.#buf = EMPTY;
          this.#pos = 0;
        } else {
          this.#starttlsPending = false;
        }
      } else if (verb === 'QUIT') this.#close();
    }
    // RFC 5321 §3.8: 421 means the server is closing the channel.
    if (reply.code === 421) this.#close();
  }

  #fail(detail: string): SmtpClientEvent {
    this.#close();
    return { type: 'protocol-error', detail };
  }

  #close(): void {
    this.#closed = true;
    this.#buf = EMPTY;
    this.#pos = 0;
  }
}

/**
 * The HELO to send when EHLO was refused with a 5xx (RFC 5321 §3.2: a client talking to an old
 * server falls back to HELO); undefined for any other event.
 */
export function heloFallback(event: SmtpClientEvent): SmtpCommand | undefined {
  if (event.type !== 'reply' || event.to.kind !== 'command' || event.reply.code < 500) return undefined;
  const cmd = event.to.command;
  return cmd.verb === 'EHLO' ? { verb: 'HELO', domain: cmd.domain } : undefined;
}

/** The decoded server challenge of a 334 reply (RFC 4954 §4: base64 text; "334 " is empty); undefined if not base64. */
export function authChallenge(reply: Reply): Uint8Array | undefined {
  if (reply.code !== 334) return undefined;
  const text = replyLines(reply).join('').trim();
  return text === '' ? new Uint8Array(0) : decodeBase64(text);
}
