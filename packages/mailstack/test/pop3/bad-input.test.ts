// Hostile and broken clients against our Pop3Server over real sockets: long and unknown commands,
// pipelined junk, STLS injection, brute force (delay, limit, one answer for every failure),
// disconnects mid-RETR and before QUIT (nothing deleted, lock released at once), two sessions on
// one maildrop, connection limits, graceful close, and the session log line.
import { utimesSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthFailureDelay } from 'mailstack';
import { LineSocket } from '../peers/index.js';
import { message, startTestServer, USERS, type TestServer } from './harness.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
async function server(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const s = await startTestServer(...args);
  servers.push(s);
  return s;
}

async function login(port: number, user: keyof typeof USERS = 'alice'): Promise<LineSocket> {
  const c = await LineSocket.connect(port);
  expect(await c.readLine()).toMatch(/^\+OK mailstack POP3 server ready <\d+\.\d+@pop\.example\.test>$/);
  expect(await c.command(`USER ${user}`)).toMatch(/^\+OK/);
  expect(await c.command(`PASS ${USERS[user]}`)).toBe('+OK Logged in.');
  return c;
}

async function closedBy(c: LineSocket): Promise<boolean> {
  return c.readLine().then(
    () => false,
    () => true,
  );
}

describe('bad input', () => {
  it('overlong and unknown commands get -ERR and the session goes on; pipelined junk is answered in order', async () => {
    const s = await server();
    const c = await LineSocket.connect(s.port);
    await c.readLine();
    expect(await c.command(`USER ${'a'.repeat(300)}`)).toBe('-ERR Line too long');
    expect(await c.command('XYZZY')).toBe('-ERR Unknown command');
    expect(await c.command('RETR 1')).toBe('-ERR Command not valid in this state');
    c.writeLine(`NOOP\r\n\x00\x01junk\r\nUSER alice\r\nPASS ${USERS.alice}\r\nSTAT\r\nLIST 9\r\nQUIT`);
    expect([await c.readLine(), await c.readLine(), await c.readLine(), await c.readLine(), await c.readLine(), await c.readLine(), await c.readLine()]).toEqual([
      '-ERR Command not valid in this state',
      '-ERR Unknown command',
      '+OK',
      '+OK Logged in.',
      '+OK 0 0',
      '-ERR no such message, only 0 messages in maildrop',
      '+OK POP3 server signing off (maildrop empty)',
    ]);
    expect(await closedBy(c)).toBe(true);
  });

  it('bytes pipelined after STLS are never executed in the clear', async () => {
    const s = await server();
    const c = await LineSocket.connect(s.port);
    await c.readLine();
    c.writeLine(`STLS\r\nUSER alice\r\nPASS ${USERS.alice}`);
    expect(await c.readLine()).toBe('+OK Begin TLS negotiation now.');
    // RFC 2595 §4: the server drops what came after STLS (or it reaches TLS as garbage and the
    // handshake fails). Either way the injected login never happens.
    const upgraded = await c.upgradeToTls().then(() => true, () => false);
    if (upgraded) {
      expect(await c.command('STAT')).toBe('-ERR Command not valid in this state');
      expect(await c.command('PASS x')).toBe('-ERR Command not valid in this state');
      await c.close();
    }
    expect(s.logs.some((r) => r.event === 'auth')).toBe(false);
  });

  it('brute force: the same -ERR for a wrong user and a wrong password, a growing delay, and a close after 5 failures', async () => {
    const s = await server({ failureDelay: new AuthFailureDelay({ baseMs: 100, maxMs: 400 }) });
    const c = await LineSocket.connect(s.port);
    await c.readLine();
    const answers: string[] = [];
    const started = Date.now();
    for (const user of ['alice', 'nobody', 'alice', 'bob', 'nobody']) {
      await c.command(`USER ${user}`);
      answers.push(await c.command('PASS guess'));
    }
    const elapsed = Date.now() - started;
    expect(answers.slice(0, 4)).toEqual(Array(4).fill('-ERR [AUTH] Authentication failed'));
    expect(answers[4]).toBe('-ERR [AUTH] Too many authentication failures, closing connection');
    expect(elapsed).toBeGreaterThanOrEqual(100 + 200 + 400 + 400 + 400 - 50);
    expect(await closedBy(c)).toBe(true);
    const apop = await LineSocket.connect(s.port);
    await apop.readLine();
    expect(await apop.command(`APOP nobody ${'0'.repeat(32)}`)).toBe('-ERR [AUTH] Authentication failed');
    await apop.close();
  });

  it('a second session on a locked maildrop gets [IN-USE]; after QUIT it logs in', async () => {
    const s = await server();
    const first = await login(s.port);
    const second = await LineSocket.connect(s.port);
    await second.readLine();
    await second.command('USER alice');
    expect(await second.command(`PASS ${USERS.alice}`)).toBe('-ERR [IN-USE] Maildrop is locked by another session');
    expect(await first.command('QUIT')).toMatch(/^\+OK/);
    await second.command('USER alice');
    expect(await second.command(`PASS ${USERS.alice}`)).toBe('+OK Logged in.');
    await second.close();
  });

  it('the lock is free as soon as QUIT is answered: back-to-back sessions never see [IN-USE]', async () => {
    const s = await server();
    await s.deliver('alice', message(1).lf);
    for (let i = 0; i < 20; i++) {
      const c = await LineSocket.connect(s.port);
      await c.readLine();
      c.writeLine(`USER alice\r\nPASS ${USERS.alice}\r\nRETR 1\r\nQUIT`); // pipelined, as fetchmail does
      expect(await c.readLine()).toBe('+OK');
      expect(await c.readLine()).toBe('+OK Logged in.');
      await c.readLine();
      await c.readMultiline();
      expect(await c.readLine()).toMatch(/^\+OK POP3 server signing off/);
    }
  });

  it('disconnect in the middle of a large RETR and after DELE: nothing deleted, the lock is free at once', async () => {
    const s = await server();
    const big = message(1, `${'y'.repeat(998)}\n`.repeat(8000)).lf; // ~8 MB: far more than socket buffers
    await s.deliver('alice', big);
    await s.deliver('alice', message(2).lf);
    const raw = connect(s.port, '127.0.0.1');
    let seen = '';
    await new Promise<void>((resolve) => {
      raw.on('data', (chunk: Buffer) => {
        seen += chunk.toString('latin1');
        if (seen.includes('+OK Logged in.') && !seen.includes('DELE')) {
          seen += 'DELE';
          raw.write('DELE 2\r\nRETR 1\r\n');
        }
        if (seen.includes('octets\r\n')) resolve();
      });
      raw.write(`USER alice\r\nPASS ${USERS.alice}\r\n`);
    });
    raw.destroy();
    const again = await login(s.port);
    const cut = s.logs.find((r) => r.event === 'disconnect' && r.user === 'alice');
    expect(cut?.message).toMatch(/retr=0\/0 del=0\/0 \((error: connection lost during RETR 1|read error: .*)\)$/);
    expect(await again.command('STAT')).toBe(`+OK 2 ${big.replace(/\n/g, '\r\n').length + message(2).crlf.length}`);
    await again.command('QUIT');
    expect(s.files('alice')).toHaveLength(2);
  });

  it('per-address connection limit answers -ERR [SYS/TEMP] and closes', async () => {
    const s = await server({ maxConnectionsPerIp: 2 });
    const a = await LineSocket.connect(s.port);
    const b = await LineSocket.connect(s.port);
    await Promise.all([a.readLine(), b.readLine()]);
    const c = await LineSocket.connect(s.port);
    expect(await c.readLine()).toBe('-ERR [SYS/TEMP] Too many connections from 127.0.0.1');
    expect(await closedBy(c)).toBe(true);
    await a.close();
    await b.close();
  });

  it('close() ends idle sessions without UPDATE and logs one line per session with the counts', async () => {
    const s = await server();
    await s.deliver('alice', message(1).lf);
    await s.deliver('alice', message(2).lf);
    const c = await login(s.port);
    expect(await c.command('RETR 1')).toBe(`+OK ${message(1).crlf.length} octets`);
    await c.readMultiline();
    expect(await c.command('DELE 2')).toBe('+OK message 2 deleted');
    await s.server.close({ graceMs: 2000 });
    expect(await c.readLine()).toBe('-ERR [SYS/TEMP] Server shutting down.');
    expect(s.files('alice')).toHaveLength(2);
    const line = s.logs.find((r) => r.event === 'disconnect' && r.user === 'alice');
    expect(line?.retrieved).toEqual({ count: 1, bytes: message(1).crlf.length });
    expect(line?.deleted).toEqual({ count: 0, bytes: 0 });
    expect(line?.message).toMatch(/disconnect user=<alice> rip=127\.0\.0\.1 retr=1\/\d+ del=0\/0 \(Server shutting down\)$/);
  });

  it('QUIT after RETR and DELE: UPDATE removes the file, flags the retrieved one \\Seen, logs the counts', async () => {
    const s = await server();
    await s.deliver('alice', message(1).lf);
    await s.deliver('alice', message(2).lf);
    const c = await login(s.port);
    expect(s.files('alice').every((f) => f.startsWith('cur/'))).toBe(true); // new/ → cur/ at login, as Dovecot
    await c.command('RETR 1');
    await c.readMultiline();
    await c.command('DELE 2');
    expect(await c.command('QUIT')).toBe('+OK POP3 server signing off (1 messages left)');
    await closedBy(c);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const files = s.files('alice');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^cur\/.*:2,S$/);
    const line = s.logs.find((r) => r.event === 'disconnect' && r.user === 'alice');
    expect(line?.deleted).toEqual({ count: 1, bytes: message(2).crlf.length });
  });

  it('mail delivered during a session appears at the next login, also when the listing was cached', async () => {
    const s = await server();
    await s.deliver('alice', message(1).lf);
    const past = new Date(Date.now() - 60_000);
    const age = (): void => ['new', 'cur'].forEach((sub) => utimesSync(join(s.maildir('alice'), sub), past, past));
    for (let round = 0; round < 2; round++) {
      const c = await login(s.port);
      await c.command('QUIT');
      age(); // directory times well in the past: the next listing is trusted and cached
    }
    const c = await login(s.port);
    await s.deliver('alice', message(2).lf);
    expect(await c.command('STAT')).toBe(`+OK 1 ${message(1).crlf.length}`);
    await c.command('QUIT');
    await closedBy(c);
    const again = await login(s.port);
    expect(await again.command('STAT')).toBe(`+OK 2 ${message(1).crlf.length + message(2).crlf.length}`);
    await again.command('QUIT');
  });
});
