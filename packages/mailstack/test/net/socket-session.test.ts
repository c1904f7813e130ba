// SocketSession over a real loopback socket, with a line-echo driver standing in for a protocol:
// the greeting pump, input into the core, the end of input, the clock, shutdown, a failed pump,
// and an upgrade asked for without a certificate.
import { once } from 'node:events';
import { createServer, connect, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketSession, type PumpResult, type SessionDriver } from '../../src/net/socket-session.js';
import { Ticker } from '../../src/net/ticker.js';
import { until } from '../until.js';

/** A toy protocol: greets, echoes each line, 'quit' closes, 'tls' asks for the upgrade, 'boom' throws. */
class EchoDriver implements SessionDriver<'tls'> {
  readonly log: string[] = [];
  readonly #lines: string[] = ['hello'];
  #buffer = '';
  #eof = false;
  session!: SocketSession<'tls'>;
  readonly core = {
    receive: (chunk: Uint8Array) => {
      this.#buffer += Buffer.from(chunk).toString('latin1');
      for (let end = this.#buffer.indexOf('\n'); end >= 0; end = this.#buffer.indexOf('\n')) {
        this.#lines.push(this.#buffer.slice(0, end).trim());
        this.#buffer = this.#buffer.slice(end + 1);
      }
    },
    receiveEof: () => {
      this.#eof = true;
      this.log.push('eof');
    },
    tick: () => this.log.push('tick'),
  };

  pump(): PumpResult<'tls'> {
    this.log.push(this.session.draining ? 'pump (draining)' : 'pump');
    if (this.session.draining || this.#eof) return 'closed';
    for (let line = this.#lines.shift(); line !== undefined; line = this.#lines.shift()) {
      if (line === 'quit') return 'closed';
      if (line === 'tls') return 'tls';
      if (line === 'boom') throw new Error('boom');
      this.session.socket.write(`${line}\r\n`);
    }
    return 'open';
  }

  tlsStarted(): void {
    this.log.push('tls started');
  }

  finish(): void {
    this.log.push(`finish (${this.session.endReason})`);
  }
}

let server: Server | undefined;
afterEach(() => server?.close());

/** A loopback server whose one connection is served by a SocketSession; the client socket and the session's end. */
async function serve(ticker = new Ticker(60_000)) {
  const driver = new EchoDriver();
  let sessionEnded!: () => void;
  const served = new Promise<void>((resolve) => (sessionEnded = resolve));
  const listening = createServer((socket) => {
    driver.session = new SocketSession(socket, { ticker, tls: undefined, tlsHandshakeMs: 1000, upgrade: 'tls', eofReason: 'client closed' }, driver);
    void driver.session.run().then(sessionEnded);
  });
  server = listening;
  listening.listen(0, '127.0.0.1');
  await once(listening, 'listening');
  const { port } = listening.address() as { port: number };
  const client = connect(port, '127.0.0.1');
  client.setEncoding('latin1');
  let received = '';
  client.on('data', (text: string) => (received += text));
  const closed = once(client, 'close');
  return { driver, client, served, closed, received: () => received };
}

describe('SocketSession', () => {
  it('pumps the greeting, feeds the input to the core, and on end of input tells the core, pumps once more and finishes', async () => {
    const s = await serve();
    await until('the greeting', () => (s.received() === 'hello\r\n' || undefined), 2000);
    s.client.write('one\ntwo\n');
    await until('the echoed lines', () => (s.received() === 'hello\r\none\r\ntwo\r\n' || undefined), 2000);
    s.client.end();
    await s.served;
    expect(s.driver.log.slice(-3)).toEqual(['eof', 'pump', 'finish (client closed)']);
    await s.closed;
  });

  it('a session whose pump returned closed is not pumped again: not by the clock, not by a shutdown', async () => {
    const ticker = new Ticker(5);
    const s = await serve(ticker);
    s.client.write('quit\n');
    await s.served;
    await s.closed;
    const pumps = s.driver.log.filter((e) => e.startsWith('pump')).length;
    s.driver.session.shutdown();
    await new Promise((r) => setTimeout(r, 30));
    expect(s.driver.log.filter((e) => e.startsWith('pump')).length).toBe(pumps);
    expect(s.driver.log).not.toContain('tick');
    expect(s.driver.log.at(-1)).toBe('finish ()');
  });

  it('shutdown() pumps a session waiting for input, which sees draining and ends', async () => {
    const s = await serve();
    await until('the greeting', () => (s.received() === 'hello\r\n' || undefined), 2000);
    s.driver.session.shutdown();
    await s.served;
    expect(s.driver.session.draining).toBe(true);
    expect(s.driver.log).toContain('pump (draining)');
    await s.closed;
  });

  it('a pump that throws ends the session with the error as its reason and cuts the connection', async () => {
    const s = await serve();
    s.client.write('boom\n');
    await s.served;
    await s.closed;
    expect(s.driver.log.at(-1)).toBe('finish (error: boom)');
  });

  it('an upgrade asked for without a certificate ends the session instead of reading on', async () => {
    const s = await serve();
    s.client.write('tls\nafter\n');
    await s.served;
    await s.closed;
    expect(s.driver.log).not.toContain('tls started');
    expect(s.received()).toBe('hello\r\n');
  });
});
