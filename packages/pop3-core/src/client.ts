// Pop3ClientSession: the client side, mirroring Pop3ServerSession (STYLE.md §2): `send(command)`
// returns the bytes to write, `nextEvent()` turns the server's bytes into events.
//
// How it works: sent commands queue up as outstanding; each status line answers the oldest one.
// Without PIPELINING (RFC 2449 §6.6) in the CAPA response only one command may be outstanding;
// STLS and AUTH always go alone. Multi-line bodies (RETR, TOP) are unstuffed as they arrive and
// come out as `message-chunk` events without being collected; CAPA, LIST and UIDL listings are
// collected (they are small) and come out as one event. A server that breaks the protocol gets a
// `rejected` event and the session closes: guessing our way back into sync is how responses get
// smuggled (STYLE.md §4).
import { parseApopTimestamp } from './apop.js';
import { decodeBase64Strict, encodeBase64 } from './base64.js';
import { parseCapabilities, type Pop3Capabilities } from './capabilities.js';
import { decodeLine, encodeCommand, MAX_COMMAND_BYTES, type Pop3Command, type Pop3Verb } from './command.js';
import { assertNever, LocalProtocolError, MailError } from './errors.js';
import { LineReader } from './framing.js';
import { MultilineDecoder } from './multiline.js';
import { decodeStatusLine, type Pop3Response } from './reply.js';

/** A SASL client mechanism, as `@mailstack/sasl` provides them. */
export interface SaslClient {
  /** The initial response, or undefined when the mechanism waits for a server challenge first. */
  start(): Uint8Array | undefined;
  /** The response to a server challenge; throws if the challenge is unacceptable. */
  step(challenge: Uint8Array): Uint8Array;
}

/** What the application asks the client session to send. */
export type Pop3ClientCommand =
  | Exclude<Pop3Command, { verb: 'AUTH' }>
  | { verb: 'AUTH'; mechanism: string; sasl: SaslClient }
  | { verb: 'sasl-response'; data: Uint8Array } // RFC 5034 §4: a base64 line
  | { verb: 'sasl-cancel' }; // RFC 5034 §4: "*"

/** Ways a server can break the protocol; the session closes after any of them. */
export type Pop3ClientErrorCode = 'bad-response' | 'line-too-long' | 'unsolicited' | 'unexpected-eof';

/** A line of a LIST response (RFC 1939 §5 scan listing). */
export interface ScanListing {
  msg: number;
  sizeBytes: number;
}

/** A line of a UIDL response (RFC 1939 §7 unique-id listing). */
export interface UidListing {
  msg: number;
  uidl: string;
}

/** What the server said. */
export type Pop3ClientEvent =
  | { type: 'greeting'; response: Pop3Response; apopTimestamp?: string }
  | { type: 'reply'; command: Pop3Command; response: Pop3Response } // every other single-line answer, and every -ERR
  | { type: 'stat'; count: number; sizeBytes: number; response: Pop3Response }
  | { type: 'scan-listing'; entries: ScanListing[] } // LIST, with or without a message number
  | { type: 'uid-listing'; entries: UidListing[] } // UIDL, with or without a message number
  | { type: 'capabilities'; capabilities: Pop3Capabilities }
  | { type: 'message-start'; command: Extract<Pop3Command, { verb: 'RETR' | 'TOP' }>; response: Pop3Response }
  | { type: 'message-chunk'; bytes: Uint8Array } // unstuffed content, in order
  | { type: 'message-end'; sizeBytes: number }
  | { type: 'challenge'; data: Uint8Array; next: Pop3ClientCommand; failure?: Error } // send `next`
  | { type: 'rejected'; code: Pop3ClientErrorCode; detail: string }
  | { type: 'closed' }
  | { type: 'need-data' };

/** The client session's state (RFC 1939 §3 names). */
export type Pop3ClientState =
  | { phase: 'greeting' }
  | { phase: 'authorization'; tls: boolean }
  | { phase: 'transaction'; tls: boolean }
  | { phase: 'closed' };

/** Options of a client session. */
export interface Pop3ClientOptions {
  /** The connection is already under TLS (pop3s). Default false. */
  tls?: boolean;
  /** Longest status or listing line. Default 4096; lenient, RFC 1939 §3 allows 512. */
  maxLineBytes?: number;
  /** Longest SASL challenge line (RFC 5034 §4: no fixed limit). Default 16384. */
  maxAuthLineBytes?: number;
}

interface Outstanding {
  command: Pop3Command;
  sasl?: SaslClient;
  initialResponse?: Uint8Array; // withheld from the AUTH line; answers the first, empty challenge
}

type Reading =
  | { kind: 'status' }
  | { kind: 'listing'; what: 'capa' | 'scan' | 'uid'; lines: string[] }
  | { kind: 'body'; decoder: MultilineDecoder; sizeBytes: number };

const encoder = new TextEncoder();
const LISTING = /^([0-9]{1,15}) ([\x21-\x7e]{1,70})(?: .*)?$/;

/** A POP3 client session: commands in as values, bytes out; server bytes in, events out. */
export class Pop3ClientSession {
  readonly #maxLineBytes: number;
  readonly #maxAuthLineBytes: number;
  #state: Pop3ClientState = { phase: 'greeting' };
  #tls: boolean;
  #reader = new LineReader();
  #reading: Reading = { kind: 'status' };
  #outstanding: Outstanding[] = [];
  #queued: Pop3ClientEvent[] = [];
  #challengePending = false;
  #capabilities: Pop3Capabilities | undefined;
  #apopTimestamp: string | undefined;
  #eof = false;

  constructor(options: Pop3ClientOptions = {}) {
    this.#tls = options.tls ?? false;
    this.#maxLineBytes = options.maxLineBytes ?? 4096;
    this.#maxAuthLineBytes = options.maxAuthLineBytes ?? 16384;
  }

  /** The current state. */
  get state(): Pop3ClientState {
    return this.#state;
  }

  /** The last CAPA response, if any since the greeting or the last STLS. */
  get capabilities(): Pop3Capabilities | undefined {
    return this.#capabilities;
  }

  /** The greeting's APOP timestamp, if the server offered APOP (RFC 1939 §7). */
  get apopTimestamp(): string | undefined {
    return this.#apopTimestamp;
  }

  /** Commands sent and not yet fully answered. */
  get outstanding(): number {
    return this.#outstanding.length;
  }

  /** Queues bytes from the server. */
  receive(data: Uint8Array): void {
    if (this.#state.phase !== 'closed') this.#reader.queue.push(data);
  }

  /** The server closed its side. */
  receiveEof(): void {
    this.#eof = true;
  }

  /** Encodes a command; throws `LocalProtocolError` when it may not be sent now. */
  send(command: Pop3ClientCommand): Uint8Array {
    const phase = this.#state.phase;
    if (phase === 'greeting' || phase === 'closed') throw new LocalProtocolError('wrong-state', `cannot send ${command.verb} in ${phase}`);
    if (command.verb === 'sasl-response' || command.verb === 'sasl-cancel') {
      if (!this.#challengePending) throw new LocalProtocolError('wrong-state', `${command.verb} without a pending challenge`);
      this.#challengePending = false;
      return encoder.encode(command.verb === 'sasl-cancel' ? '*\r\n' : `${encodeBase64(command.data)}\r\n`);
    }
    this.#assertMaySend(command.verb);
    if (command.verb !== 'AUTH') {
      const bytes = encodeCommand(command);
      this.#outstanding.push({ command });
      return bytes;
    }
    const { mechanism, sasl } = command;
    const initialResponse = sasl.start();
    // RFC 5034 §4: no initial response unless SASL was advertised, and none that would make the
    // command longer than 255 octets; it then answers the server's empty challenge instead.
    const inline = initialResponse !== undefined && this.#capabilities?.has('SASL') === true && fitsInCommand(mechanism, initialResponse);
    const sent: Pop3Command = inline ? { verb: 'AUTH', mechanism, initialResponse } : { verb: 'AUTH', mechanism };
    const bytes = encodeCommand(sent);
    this.#outstanding.push(inline || initialResponse === undefined ? { command: sent, sasl } : { command: sent, sasl, initialResponse });
    return bytes;
  }

  #assertMaySend(verb: Pop3Verb): void {
    const last = this.#outstanding[this.#outstanding.length - 1];
    if (last === undefined) return;
    if (last.command.verb === 'QUIT') throw new LocalProtocolError('wrong-state', `${verb} after QUIT`);
    if (last.command.verb === 'STLS' || last.command.verb === 'AUTH' || verb === 'STLS' || verb === 'AUTH') {
      throw new LocalProtocolError('wrong-state', 'STLS and AUTH are never pipelined (RFC 2595 §4, RFC 5034 §4)');
    }
    if (!this.#capabilities?.has('PIPELINING')) {
      throw new LocalProtocolError('wrong-state', `${verb} before the answer to ${last.command.verb}: the server did not advertise PIPELINING`);
    }
  }

  /** Parses the server's output up to the next event. */
  nextEvent(): Pop3ClientEvent {
    for (;;) {
      const event = this.#queued.shift() ?? this.#step();
      if (event !== undefined) return event;
    }
  }

  // One line or one body chunk; undefined when that produced no event of its own.
  #step(): Pop3ClientEvent | undefined {
    if (this.#state.phase === 'closed') return { type: 'closed' };
    if (this.#reading.kind === 'body') return this.#readBody(this.#reading);
    const auth = this.#outstanding[0]?.command.verb === 'AUTH';
    const read = this.#reader.next(auth ? this.#maxAuthLineBytes : this.#maxLineBytes);
    switch (read.kind) {
      case 'need-more':
        if (!this.#eof) return { type: 'need-data' };
        if (this.#outstanding.length === 0 && this.#reader.queue.length === 0 && this.#reading.kind === 'status') {
          this.#close();
          return { type: 'closed' };
        }
        return this.#fail('unexpected-eof', 'the server closed the connection in the middle of a response');
      case 'too-long':
        return this.#fail('line-too-long', `a response line of ${read.sizeBytes} octets`);
      case 'line': {
        const text = decodeLine(read.line.subarray(0, read.line.length - 1));
        return this.#reading.kind === 'listing' ? this.#listingLine(this.#reading, text) : this.#statusLine(text);
      }
      default:
        return assertNever(read);
    }
  }

  #close(): void {
    this.#state = { phase: 'closed' };
    this.#reader = new LineReader();
    this.#outstanding = [];
  }

  #fail(code: Pop3ClientErrorCode, detail: string): Pop3ClientEvent {
    this.#close();
    return { type: 'rejected', code, detail };
  }

  #statusLine(text: string): Pop3ClientEvent | undefined {
    if (this.#state.phase === 'greeting') return this.#greeting(text);
    const head = this.#outstanding[0];
    if (head === undefined) return this.#fail('unsolicited', `unexpected line ${JSON.stringify(text.slice(0, 80))}`);
    if (head.sasl !== undefined && (text === '+' || text.startsWith('+ '))) return this.#challenge(head, head.sasl, text.slice(2));
    const status = decodeStatusLine(text);
    if (!status.ok) return this.#fail('bad-response', status.error);
    const response = status.value;
    const command = head.command;
    this.#challengePending = false;
    if (!response.ok || (command.verb !== 'LIST' && command.verb !== 'UIDL' && command.verb !== 'CAPA' && command.verb !== 'RETR' && command.verb !== 'TOP')) {
      this.#outstanding.shift();
      if (response.ok) this.#succeeded(command.verb);
      return command.verb === 'STAT' && response.ok ? this.#stat(response) : { type: 'reply', command, response };
    }
    switch (command.verb) {
      case 'CAPA':
        this.#reading = { kind: 'listing', what: 'capa', lines: [] };
        return undefined;
      case 'RETR': case 'TOP':
        this.#reading = { kind: 'body', decoder: new MultilineDecoder(), sizeBytes: 0 };
        return { type: 'message-start', command, response };
      case 'LIST': case 'UIDL': {
        const what = command.verb === 'LIST' ? 'scan' : 'uid';
        if (command.msg === undefined) {
          this.#reading = { kind: 'listing', what, lines: [] };
          return undefined;
        }
        this.#outstanding.shift();
        return this.#listing(what, [response.text]);
      }
    }
  }

  #greeting(text: string): Pop3ClientEvent {
    const status = decodeStatusLine(text);
    if (!status.ok) return this.#fail('bad-response', status.error);
    if (!status.value.ok) {
      this.#close();
      return { type: 'greeting', response: status.value };
    }
    this.#state = { phase: 'authorization', tls: this.#tls };
    this.#apopTimestamp = parseApopTimestamp(status.value.text);
    return this.#apopTimestamp === undefined
      ? { type: 'greeting', response: status.value }
      : { type: 'greeting', response: status.value, apopTimestamp: this.#apopTimestamp };
  }

  // A +OK changes the session for these commands.
  #succeeded(verb: Pop3Verb): void {
    switch (verb) {
      case 'PASS': case 'APOP': case 'AUTH':
        this.#state = { phase: 'transaction', tls: this.#tls };
        break;
      case 'STLS':
        // RFC 2595 §4: TLS starts right after this line; anything already received came in the
        // clear after the +OK and is dropped, and cached capabilities are forgotten.
        this.#tls = true;
        this.#state = { phase: 'authorization', tls: true };
        this.#capabilities = undefined;
        this.#reader = new LineReader();
        break;
      case 'QUIT':
        this.#close();
        break;
      default:
        break;
    }
  }

  #stat(response: Pop3Response): Pop3ClientEvent {
    const match = /^([0-9]{1,15}) ([0-9]{1,15})(?: .*)?$/.exec(response.text);
    if (!match) return this.#fail('bad-response', `STAT answer ${JSON.stringify(response.text.slice(0, 80))}`);
    return { type: 'stat', count: Number(match[1]), sizeBytes: Number(match[2]), response };
  }

  // RFC 5034 §4: "+ " base64. The answer is computed here; the driver sends `next`.
  #challenge(head: Outstanding, sasl: SaslClient, encoded: string): Pop3ClientEvent {
    this.#challengePending = true;
    const data = decodeBase64Strict(encoded);
    if (data === undefined) {
      // RFC 5034 §4: a client that cannot decode a challenge MUST cancel with "*".
      return { type: 'challenge', data: new Uint8Array(0), next: { verb: 'sasl-cancel' }, failure: new MailError('bad-base64', 'undecodable SASL challenge') };
    }
    const initial = head.initialResponse;
    if (initial !== undefined) {
      delete head.initialResponse;
      if (data.length === 0) return { type: 'challenge', data, next: { verb: 'sasl-response', data: initial } };
    }
    try {
      return { type: 'challenge', data, next: { verb: 'sasl-response', data: sasl.step(data) } };
    } catch (error) {
      const failure = error instanceof Error ? error : new MailError('sasl', String(error));
      return { type: 'challenge', data, next: { verb: 'sasl-cancel' }, failure };
    }
  }

  #listingLine(reading: Reading & { kind: 'listing' }, text: string): Pop3ClientEvent | undefined {
    if (text !== '.') {
      reading.lines.push(text.startsWith('.') ? text.slice(1) : text); // RFC 1939 §3 unstuffing
      return undefined;
    }
    this.#reading = { kind: 'status' };
    this.#outstanding.shift();
    if (reading.what !== 'capa') return this.#listing(reading.what, reading.lines);
    this.#capabilities = parseCapabilities(reading.lines);
    return { type: 'capabilities', capabilities: this.#capabilities };
  }

  #listing(what: 'scan' | 'uid', lines: string[]): Pop3ClientEvent {
    const parsed = lines.map((line) => LISTING.exec(line));
    const bad = parsed.findIndex((m) => m === null || (what === 'scan' && !/^[0-9]{1,15}$/.test(m[2]!)));
    if (bad >= 0) return this.#fail('bad-response', `listing line ${JSON.stringify(lines[bad]!.slice(0, 80))}`);
    const matches = parsed as RegExpExecArray[];
    return what === 'scan'
      ? { type: 'scan-listing', entries: matches.map((m) => ({ msg: Number(m[1]), sizeBytes: Number(m[2]) })) }
      : { type: 'uid-listing', entries: matches.map((m) => ({ msg: Number(m[1]), uidl: m[2]! })) };
  }

  #readBody(reading: Reading & { kind: 'body' }): Pop3ClientEvent | undefined {
    const front = this.#reader.queue.peekFront();
    if (front === undefined) {
      if (!this.#eof) return { type: 'need-data' };
      return this.#fail('unexpected-eof', 'the server closed the connection in the middle of a message');
    }
    const step = reading.decoder.decode(front);
    this.#reader.queue.skip(step.consumed);
    for (const bytes of step.chunks) {
      reading.sizeBytes += bytes.length;
      this.#queued.push({ type: 'message-chunk', bytes });
    }
    if (step.done) {
      this.#queued.push({ type: 'message-end', sizeBytes: reading.sizeBytes });
      this.#reading = { kind: 'status' };
      this.#outstanding.shift();
    }
    return undefined;
  }
}

function fitsInCommand(mechanism: string, initialResponse: Uint8Array): boolean {
  const encodedBytes = initialResponse.length === 0 ? 1 : Math.ceil(initialResponse.length / 3) * 4;
  return `AUTH ${mechanism} `.length + encodedBytes + 2 <= MAX_COMMAND_BYTES;
}
