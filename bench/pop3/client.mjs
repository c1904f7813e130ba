// A lean POP3 client for the benchmark: it only frames replies (status lines and multiline
// bodies ending in CRLF "." CRLF, RFC 1939 §3) and counts body bytes, so that client CPU stays
// small next to the server's. Supports implicit TLS (pop3s, RFC 8314) and pipelined RETRs
// (RFC 2449 §6.6 PIPELINING).
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

const CRLF_DOT_CRLF = Buffer.from('\r\n.\r\n');

export class Pop3Connection {
  #socket;
  #buf = Buffer.alloc(0);
  #waiter = null;
  #closed = false;

  constructor(socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      this.#wake();
    });
    const closed = () => {
      this.#closed = true;
      this.#wake();
    };
    socket.on('end', closed);
    socket.on('error', closed);
  }

  /** Connects and reads the greeting; `tls` = implicit TLS, certificate not checked (loopback). */
  static async open({ host, port, tls = false }) {
    const socket = tls
      ? tlsConnect({ host, port, rejectUnauthorized: false })
      : netConnect({ host, port });
    await new Promise((resolve, reject) => {
      socket.once(tls ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    });
    const connection = new Pop3Connection(socket);
    await connection.status('greeting');
    return connection;
  }

  #wake() {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  async #more() {
    if (this.#closed) throw new Error('connection closed by server');
    await new Promise((resolve) => (this.#waiter = resolve));
  }

  async #line() {
    for (;;) {
      const end = this.#buf.indexOf('\r\n');
      if (end >= 0) {
        const line = this.#buf.subarray(0, end).toString('latin1');
        this.#buf = this.#buf.subarray(end + 2);
        return line;
      }
      await this.#more();
    }
  }

  /** Reads a status line; throws unless it is +OK. */
  async status(what) {
    const line = await this.#line();
    if (!line.startsWith('+OK')) throw new Error(`${what}: ${line}`);
    return line;
  }

  /** Sends one command line and reads its +OK status line. */
  async command(line) {
    this.#socket.write(`${line}\r\n`);
    return this.status(line.split(' ')[0]);
  }

  /** Reads a +OK status and the multiline body after it; returns the body's wire bytes. */
  async multiline(what) {
    await this.status(what);
    let from = 0;
    for (;;) {
      // An empty body is the "." line straight after the status line.
      if (this.#buf.length >= 3 && this.#buf[0] === 0x2e && this.#buf[1] === 0x0d && this.#buf[2] === 0x0a) {
        this.#buf = this.#buf.subarray(3);
        return 0;
      }
      const end = this.#buf.indexOf(CRLF_DOT_CRLF, from);
      if (end >= 0) {
        this.#buf = this.#buf.subarray(end + 5);
        return end + 2;
      }
      from = Math.max(0, this.#buf.length - 4);
      await this.#more();
    }
  }

  /** USER/PASS login (RFC 1939 §7). */
  async login(user, password) {
    await this.command(`USER ${user}`);
    await this.command(`PASS ${password}`);
  }

  /** CAPA (RFC 2449 §5): the capability lines. */
  async capabilities() {
    this.#socket.write('CAPA\r\n');
    await this.status('CAPA');
    const lines = [];
    for (let line = await this.#line(); line !== '.'; line = await this.#line()) lines.push(line);
    return lines;
  }

  /** STAT: [messages, octets]. */
  async stat() {
    const [, count, octets] = (await this.command('STAT')).split(' ');
    return [Number(count), Number(octets)];
  }

  /** RETR 1..count, with up to `window` commands in flight; returns the body bytes read. */
  async retrieveAll(count, window = 1) {
    let sent = 0;
    let bytes = 0;
    for (let done = 0; done < count; done++) {
      if (sent - done < window) {
        const batch = [];
        while (sent < count && sent - done < window) batch.push(`RETR ${++sent}\r\n`);
        this.#socket.write(batch.join(''));
      }
      bytes += await this.multiline('RETR');
    }
    return bytes;
  }

  /** QUIT and close. */
  async quit() {
    await this.command('QUIT');
    this.#socket.end();
  }
}
