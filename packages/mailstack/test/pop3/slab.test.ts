// The POP3 slabs (src/pop3/slab.ts): a slab starts over only when no session holds a slice of
// it, and a session that cannot send keeps its bytes while other sessions go on.
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Slab, SlabHold } from '../../src/pop3/slab.js';
import { message, startTestServer, USERS, type TestServer } from './harness.js';

/** A socket stand-in: only what SlabHold reads. */
function fakeSocket(writableLength: number): Writable & { writableLength: number; closed: boolean } {
  return Object.assign(new EventEmitter(), { writableLength, closed: false }) as unknown as Writable & { writableLength: number; closed: boolean };
}

describe('Slab', () => {
  it('starts over in the same buffer when nobody holds it', () => {
    const slab = new Slab();
    const first = slab.take(Slab.SIZE_BYTES - 10);
    const again = slab.take(100); // does not fit: back to the start of the same memory
    expect(again.buffer).toBe(first.buffer);
    expect(again.byteOffset).toBe(first.byteOffset);
  });

  it('a held slab is replaced, not overwritten, and starts over once released', () => {
    const slab = new Slab();
    const hold = new SlabHold(slab);
    const kept = slab.take(Slab.SIZE_BYTES - 10);
    kept.fill(0x61);
    hold.take();
    const next = slab.take(100);
    next.fill(0x62);
    expect(next.buffer).not.toBe(kept.buffer);
    expect(kept.every((b) => b === 0x61)).toBe(true);

    const socket = fakeSocket(5);
    hold.releaseIfSent(socket); // the socket still has bytes: the hold stays
    slab.take(Slab.SIZE_BYTES - 100); // fills the second buffer
    expect(slab.take(200).buffer).not.toBe(next.buffer);
    socket.writableLength = 0;
    hold.releaseIfSent(socket);
    const third = slab.take(Slab.SIZE_BYTES - 200);
    expect(slab.take(300).buffer).toBe(third.buffer); // released: starts over
  });

  it('a session that ends with unsent bytes keeps its hold until the socket closes', () => {
    const slab = new Slab();
    const hold = new SlabHold(slab);
    const first = slab.take(Slab.SIZE_BYTES - 10);
    hold.take();
    const socket = fakeSocket(1000);
    hold.releaseWhenSent(socket);
    const second = slab.take(100);
    expect(second.buffer).not.toBe(first.buffer);
    socket.emit('close');
    slab.take(Slab.SIZE_BYTES - 100);
    expect(slab.take(200).buffer).toBe(second.buffer);
  });
});

/** Reads from `socket` until `count` multiline terminators have arrived after `from`. */
function readResponses(socket: Socket, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (text.split('\r\n.\r\n').length - 1 >= count) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData).once('error', reject);
    socket.resume();
  });
}

/** Logs in on a raw socket and reads up to "+OK Logged in." */
async function rawLogin(port: number, user: keyof typeof USERS): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('latin1');
      if (!seen.includes('+OK Logged in.\r\n')) return;
      socket.off('data', onData);
      socket.pause();
      resolve();
    };
    socket.on('data', onData).once('error', reject);
    socket.write(`USER ${user}\r\nPASS ${USERS[user]}\r\n`);
  });
  return socket;
}

/** The RETR answer for a message: status, byte-stuffed CRLF body, terminator (RFC 1939 §3). */
function retrAnswer(crlf: string): string {
  return `+OK ${crlf.length} octets\r\n${crlf.replace(/^\./gm, '..')}.\r\n`;
}

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('slabs shared by sessions over real sockets', () => {
  it('a client that stops reading gets its messages intact after other sessions went through the slabs many times', async () => {
    s = await startTestServer();
    // alice: 12 MB, far more than the kernel buffers, so the server holds unsent slab bytes.
    const slow = Array.from({ length: 24 }, (_, i) => message(i + 1, `.line ${i}\n${`${String.fromCharCode(97 + i)}${i}`.repeat(50)}\n`.repeat(4000)));
    // bob: 3 MB read and written while alice's session waits: each slab fills several times.
    const fast = Array.from({ length: 10 }, (_, i) => message(100 + i, `${`B${i}`.repeat(500)}\n`.repeat(300)));
    for (const m of slow) await s.deliver('alice', m.lf);
    for (const m of fast) await s.deliver('bob', m.lf);

    const stalled = await rawLogin(s.port, 'alice');
    stalled.write(slow.map((_, i) => `RETR ${i + 1}\r\n`).join(''));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the server fills the socket and waits for drain

    const busy = await rawLogin(s.port, 'bob');
    busy.write(fast.map((_, i) => `RETR ${i + 1}\r\n`).join(''));
    expect(await readResponses(busy, fast.length)).toBe(fast.map((m) => retrAnswer(m.crlf)).join(''));
    busy.end('QUIT\r\n');

    expect(await readResponses(stalled, slow.length)).toBe(slow.map((m) => retrAnswer(m.crlf)).join(''));
    stalled.end('QUIT\r\n');
  }, 30_000);
});
