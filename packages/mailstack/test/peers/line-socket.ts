// A small line-oriented client over a real socket, for tests that talk to a peer (or to our
// servers) by hand: read CRLF lines, read SMTP multiline replies (RFC 5321 §4.2.1), and upgrade
// the same connection to TLS after STARTTLS/STLS (RFC 3207 §4, RFC 2595 §4).
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { LOOPBACK } from './ports.js';

/** A parsed SMTP reply: the code and the text of each line. */
export interface SmtpReplyLines {
  code: number;
  lines: string[];
}

/** A CRLF line reader/writer over one TCP (and later TLS) connection. */
export class LineSocket {
  #socket: Socket | TLSSocket;
  #buffer = '';
  #waiters: Array<() => void> = [];
  #ended = false;

  private constructor(socket: Socket | TLSSocket) {
    this.#socket = socket;
    this.#listen();
  }

  /** Connects to 127.0.0.1:port (implicitly over TLS when tls is true; certificates not checked). */
  static async connect(port: number, options: { tls?: boolean } = {}): Promise<LineSocket> {
    const socket = options.tls
      ? tlsConnect({ host: LOOPBACK, port, rejectUnauthorized: false })
      : netConnect({ host: LOOPBACK, port });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new LineSocket(socket);
  }

  /** Whether the connection is now TLS, and with which protocol version. */
  get tlsProtocol(): string | null {
    return 'getProtocol' in this.#socket ? this.#socket.getProtocol() : null;
  }

  #listen(): void {
    this.#socket.setEncoding('latin1');
    this.#socket.on('data', (text: string) => {
      this.#buffer += text;
      this.#wake();
    });
    this.#socket.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
    this.#socket.on('error', () => {
      this.#ended = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** The next line without its CRLF; rejects when the peer closes first. */
  async readLine(): Promise<string> {
    for (;;) {
      const end = this.#buffer.indexOf('\r\n');
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return line;
      }
      if (this.#ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.#buffer)}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Reads one SMTP reply, following "250-" continuation lines to the last "250 " line. */
  async readSmtpReply(): Promise<SmtpReplyLines> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine();
      lines.push(line.slice(4));
      if (line[3] !== '-') return { code: Number(line.slice(0, 3)), lines };
    }
  }

  /** Writes one command line, adding CRLF. */
  writeLine(line: string): void {
    this.#socket.write(`${line}\r\n`, 'latin1');
  }

  /** Writes a command and reads the SMTP reply to it. */
  async smtp(line: string): Promise<SmtpReplyLines> {
    this.writeLine(line);
    return this.readSmtpReply();
  }

  /** Writes a command and reads one response line (POP3 "+OK ..." / "-ERR ..."). */
  async command(line: string): Promise<string> {
    this.writeLine(line);
    return this.readLine();
  }

  /** Reads a POP3 multiline body up to the "." line (RFC 1939 §3), with dot-stuffing undone. */
  async readMultiline(): Promise<string[]> {
    const lines: string[] = [];
    for (let line = await this.readLine(); line !== '.'; line = await this.readLine()) {
      lines.push(line.startsWith('.') ? line.slice(1) : line);
    }
    return lines;
  }

  /** Starts TLS on this connection after the server agreed (certificates not checked). */
  async upgradeToTls(): Promise<void> {
    if (this.#buffer !== '') throw new Error('unread bytes before TLS (response injection?)');
    const plain = this.#socket;
    plain.removeAllListeners('data').removeAllListeners('end').removeAllListeners('error');
    const secure = tlsConnect({ socket: plain, servername: 'localhost', rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.#listen();
  }

  /** Closes the connection and resolves when the socket is closed. */
  async close(): Promise<void> {
    if (this.#socket.destroyed) return;
    const closed = new Promise<void>((resolve) => this.#socket.once('close', () => resolve()));
    this.#socket.end();
    await closed;
  }
}
