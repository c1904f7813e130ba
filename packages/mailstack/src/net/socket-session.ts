/**
 * The socket half of a protocol connection, shared by SmtpConnection and Pop3Connection (the
 * driver loop of STYLE.md §2): the read loop, the shared clock, a graceful shutdown, the in-place
 * TLS upgrade (STARTTLS, RFC 3207 §4; STLS, RFC 2595 §4) and the close. The protocol half, a
 * SessionDriver, answers its core's events; this half owns the socket, the PumpGate through which
 * input, clock and shutdown enter the core one at a time, and why the session ended.
 *
 * The loop: pump what the core has to say (its greeting first), then feed it the socket's chunks
 * until the pump stops ('closed'), asks for the TLS upgrade, or the input ends (then the core
 * hears the end of input and is pumped once more). A pump that returned 'closed' ends the
 * session: the clock and a shutdown no longer pump it.
 */
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { readUntilStopped } from './io.js';
import { PumpGate, socketHooks } from './pump-gate.js';
import { upgradeToTls } from './starttls.js';
import type { Ticker } from './ticker.js';

/** What a pump ends with: the core needs input ('open'), the session is over, or TLS comes next. */
export type PumpResult<U extends string> = 'open' | 'closed' | U;

/** What the session feeds a protocol core (SmtpServerSession, Pop3ServerSession). */
export interface SessionCore {
  /** Bytes from the client. */
  receive(chunk: Uint8Array): void;
  /** The client closed its side (or the socket broke). */
  receiveEof(): void;
  /** The shared clock (idle time-outs). */
  tick(now: number): void;
}

/** The protocol half of a connection. */
export interface SessionDriver<U extends string> {
  readonly core: SessionCore;
  /** Answer the core's events until it needs input, closes, or has sent the go-ahead for TLS. */
  pump(): PumpResult<U> | Promise<PumpResult<U>>;
  /** TLS is on: the session reads and writes `tls` from now on; `plain` is the socket it wraps. */
  tlsStarted(tls: TLSSocket, plain: Socket): void;
  /** The session is over: its last steps (abort a body, release a lock, the log line) before the socket ends. */
  finish(): void | Promise<void>;
}

/** What a SocketSession needs of its server. */
export interface SocketSessionOptions<U extends string> {
  readonly ticker: Ticker;
  /** The certificate for the upgrade; none: the upgrade ends the session. */
  readonly tls: SecureContext | undefined;
  readonly tlsHandshakeMs: number;
  /** The pump result that asks for the TLS upgrade ('starttls', 'stls'). */
  readonly upgrade: U;
  /** The session's end reason when the client closed its side and nothing else was noted. */
  readonly eofReason: string;
}

/** Drives one accepted socket through its protocol driver until it closes. */
export class SocketSession<U extends string> {
  readonly #driver: SessionDriver<U>;
  readonly #options: SocketSessionOptions<U>;
  readonly #gate: PumpGate<PumpResult<U>>;
  #socket: Socket;
  #ended = false;
  #draining = false;
  /** Why the session ended, for the disconnect log line; '' until something is noted. */
  endReason = '';

  constructor(socket: Socket, options: SocketSessionOptions<U>, driver: SessionDriver<U>) {
    this.#socket = socket;
    this.#options = options;
    this.#driver = driver;
    this.#gate = new PumpGate<PumpResult<U>>(
      () => this.#pump(),
      'closed',
      socketHooks(
        () => this.#socket,
        (reason) => {
          // A pump failed mid-answer (the gate cuts the connection): nothing more is said.
          this.#ended = true;
          this.endReason ||= reason;
        },
      ),
    );
  }

  /** The socket the session reads and writes now (a TLSSocket after the upgrade). */
  get socket(): Socket {
    return this.#socket;
  }

  /** shutdown() was called: the driver ends the session at its next safe point. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Serve the connection; resolves when it has closed. Never rejects. */
  async run(): Promise<void> {
    const untick = this.#options.ticker.add((now) => this.#onTick(now));
    try {
      await this.#loop();
    } catch (error) {
      this.endReason = `error: ${(error as Error).message}`;
    } finally {
      untick();
      const finishing = this.#driver.finish();
      if (finishing !== undefined) await finishing; // SMTP's finish is synchronous: no microtask
      this.#socket.end();
      this.#socket.destroySoon();
    }
  }

  /** The server is stopping: the driver ends the session at its next safe point (it reads `draining`). */
  shutdown(): void {
    this.#draining = true;
    if (!this.#gate.busy) this.#gate.outside('shutdown');
  }

  async #loop(): Promise<void> {
    for (;;) {
      let result = await this.#gate.queued();
      if (result === 'open') result = await this.#read();
      if (result === this.#options.upgrade) {
        if (await this.#startTls()) continue;
        return;
      }
      if (result === 'open') {
        this.#driver.core.receiveEof();
        await this.#gate.queued();
        this.endReason ||= this.#options.eofReason;
      }
      return;
    }
  }

  /** Feed the socket to the core; a chunk answered synchronously costs no promise and no pause. */
  #read(): Promise<PumpResult<U>> {
    return readUntilStopped(
      this.#socket,
      (chunk) => {
        this.#driver.core.receive(chunk);
        return this.#gate.direct();
      },
      (reason) => (this.endReason ||= reason),
    );
  }

  /** The pump behind the gate; a session that has ended is not pumped again. */
  #pump(): PumpResult<U> | Promise<PumpResult<U>> {
    if (this.#ended) return 'closed';
    const result = this.#driver.pump();
    if (!(result instanceof Promise)) return this.#settled(result);
    return result.then((settled) => this.#settled(settled));
  }

  #settled(result: PumpResult<U>): PumpResult<U> {
    if (result === 'closed') this.#ended = true;
    return result;
  }

  async #startTls(): Promise<boolean> {
    const context = this.#options.tls;
    if (context === undefined) return false;
    let tls: TLSSocket;
    try {
      tls = await upgradeToTls(this.#socket, context, this.#options.tlsHandshakeMs);
    } catch (error) {
      this.endReason = (error as Error).message;
      return false;
    }
    tls.on('error', () => undefined); // surfaced by the read loop; never an unhandled 'error'
    const plain = this.#socket;
    this.#socket = tls;
    this.#driver.tlsStarted(tls, plain);
    return true;
  }

  #onTick(now: number): void {
    if (this.#gate.busy || this.#ended) return;
    this.#driver.core.tick(now);
    this.#gate.outside('clock');
  }
}
