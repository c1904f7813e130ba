import { describe, expect, it } from 'vitest';
import { LocalProtocolError, Pop3ServerSession, REPLY_FOR, topFilter } from '@mailstack/pop3-core';
import { accept, bytes, command, latin1, loggedInServer } from './helpers.js';

const M1 = 'Subject: one\r\n\r\nbody one\r\n';
const M2 = 'Subject: two\r\n\r\n.starts with a dot\r\nline 2\r\nline 3\r\n';

function transaction(): Pop3ServerSession {
  const server = new Pop3ServerSession({ apopTimestamp: '<1.2@example.test>' });
  loggedInServer(server, [M1, M2]);
  return server;
}

describe('greeting and AUTHORIZATION', () => {
  it('greets with the APOP timestamp (RFC 1939 §7)', () => {
    const server = new Pop3ServerSession({ apopTimestamp: '<1896.697170952@dbc.mtview.ca.us>' });
    expect(accept(server, server.nextEvent())).toBe('+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n');
    expect(server.state.phase).toBe('authorization');
  });

  it('closes after an -ERR greeting', () => {
    const server = new Pop3ServerSession();
    server.nextEvent();
    expect(latin1(server.send(REPLY_FOR['sys-temp']))).toBe('-ERR [SYS/TEMP] Temporary system error, try again later\r\n');
    expect(server.nextEvent()).toEqual({ type: 'closed' });
  });

  it('answers USER with +OK for any name and hands PASS to the application', () => {
    const server = new Pop3ServerSession();
    accept(server, server.nextEvent());
    expect(accept(server, command(server, 'USER nobody\r\n'))).toBe('+OK\r\n');
    expect(command(server, 'PASS wrong one\r\n')).toEqual({ type: 'pass', name: 'nobody', password: 'wrong one' });
    expect(latin1(server.send(REPLY_FOR['auth-failed']))).toBe('-ERR [AUTH] Authentication failed\r\n');
    // a failed PASS starts the login over (RFC 1939 §7)
    expect(command(server, 'PASS again\r\n')).toMatchObject({ type: 'rejected', code: 'wrong-state' });
  });

  it('refuses PASS without USER, TRANSACTION commands, and APOP without a timestamp', () => {
    const server = new Pop3ServerSession();
    accept(server, server.nextEvent());
    const pass = command(server, 'PASS x\r\n');
    expect(pass).toMatchObject({ type: 'rejected', code: 'wrong-state' });
    expect(accept(server, pass)).toBe('-ERR Command not valid in this state\r\n');
    const stat = command(server, 'STAT\r\n');
    expect(stat).toMatchObject({ type: 'rejected', code: 'wrong-state' });
    accept(server, stat);
    expect(command(server, `APOP a ${'0'.repeat(32)}\r\n`)).toMatchObject({ type: 'rejected', code: 'unknown-command' });
  });

  it('ends without UPDATE on QUIT in AUTHORIZATION', () => {
    const server = new Pop3ServerSession();
    accept(server, server.nextEvent());
    const quit = command(server, 'QUIT\r\n');
    expect(quit.type).toBe('quit');
    expect(accept(server, quit)).toBe('+OK POP3 server signing off\r\n');
    expect(server.nextEvent()).toEqual({ type: 'closed' });
  });

  it('rejects a maildrop with an invalid unique-id and stays in AUTHORIZATION', () => {
    const server = new Pop3ServerSession();
    accept(server, server.nextEvent());
    accept(server, command(server, 'USER a\r\n'));
    command(server, 'PASS b\r\n');
    expect(() => server.send({ type: 'login-ok', maildrop: { messages: [{ sizeBytes: 1, uidl: 'has space' }] } })).toThrow(LocalProtocolError);
    expect(server.state.phase).toBe('authorization');
  });
});

describe('TRANSACTION', () => {
  it('answers STAT, LIST and UIDL from the listing, skipping deleted messages', () => {
    const server = transaction();
    expect(accept(server, command(server, 'STAT\r\n'))).toBe(`+OK 2 ${M1.length + M2.length}\r\n`);
    expect(accept(server, command(server, 'LIST\r\n'))).toBe(`+OK 2 messages (${M1.length + M2.length} octets)\r\n1 ${M1.length}\r\n2 ${M2.length}\r\n.\r\n`);
    expect(accept(server, command(server, 'UIDL 2\r\n'))).toBe('+OK 2 u2\r\n');
    expect(accept(server, command(server, 'DELE 1\r\n'))).toBe('+OK message 1 deleted\r\n');
    expect(accept(server, command(server, 'UIDL\r\n'))).toBe('+OK\r\n2 u2\r\n.\r\n');
    expect(accept(server, command(server, 'STAT\r\n'))).toBe(`+OK 1 ${M2.length}\r\n`);
    expect(command(server, 'LIST 1\r\n')).toMatchObject({ type: 'rejected', code: 'no-such-message' });
  });

  it('refuses DELE of a deleted message and RETR out of range (RFC 1939 §5)', () => {
    const server = transaction();
    accept(server, command(server, 'DELE 2\r\n'));
    const again = command(server, 'DELE 2\r\n');
    expect(again).toMatchObject({ type: 'rejected', code: 'already-deleted' });
    expect(accept(server, again)).toBe('-ERR message 2 already deleted\r\n');
    for (const line of ['RETR 2', 'RETR 3', 'RETR 0', 'TOP 9 1', 'DELE 99']) {
      const ev = command(server, `${line}\r\n`);
      expect(ev).toMatchObject({ type: 'rejected', code: 'no-such-message' });
      accept(server, ev);
    }
  });

  it('marks DELE only when the application answers +OK', () => {
    const server = transaction();
    command(server, 'DELE 1\r\n');
    server.send({ type: 'err', code: 'SYS/TEMP', text: 'cannot now' });
    expect(accept(server, command(server, 'STAT\r\n'))).toBe(`+OK 2 ${M1.length + M2.length}\r\n`);
  });

  it('RSET unmarks, and QUIT reports the marks for the UPDATE state', () => {
    const server = transaction();
    accept(server, command(server, 'DELE 1\r\n'));
    expect(accept(server, command(server, 'RSET\r\n'))).toBe(`+OK maildrop has 2 messages (${M1.length + M2.length} octets)\r\n`);
    accept(server, command(server, 'DELE 2\r\n'));
    const update = command(server, 'QUIT\r\n');
    expect(update).toMatchObject({ type: 'update', deleted: [2] });
    expect(server.state.phase).toBe('update');
    expect(accept(server, update)).toBe('+OK POP3 server signing off (1 messages left)\r\n');
    expect(server.nextEvent()).toEqual({ type: 'closed' });
  });

  it('closes on EOF without an update event, whatever was marked', () => {
    const server = transaction();
    accept(server, command(server, 'DELE 1\r\n'));
    server.receive(bytes('DELE 2\r\nQUI'));
    server.receiveEof();
    accept(server, server.nextEvent());
    expect(server.nextEvent()).toEqual({ type: 'closed' });
    expect(server.nextEvent()).toEqual({ type: 'closed' });
  });

  it('processes a complete QUIT that arrived just before EOF', () => {
    const server = transaction();
    server.receive(bytes('DELE 1\r\nQUIT\r\n'));
    server.receiveEof();
    accept(server, server.nextEvent());
    expect(server.nextEvent()).toMatchObject({ type: 'update', deleted: [1] });
  });

  it('streams RETR byte-stuffed and TOP through topFilter', () => {
    const server = transaction();
    const retr = command(server, 'RETR 2\r\n');
    expect(retr).toMatchObject({ type: 'retr', message: { msg: 2, sizeBytes: M2.length, uidl: 'u2' } });
    let wire = accept(server, retr);
    expect(() => server.nextEvent()).toThrow(LocalProtocolError);
    const m = bytes(M2);
    wire += latin1(server.sendMessageChunk(m.subarray(0, 17))) + latin1(server.sendMessageChunk(m.subarray(17))) + latin1(server.endMessage());
    expect(wire).toBe(`+OK ${M2.length} octets\r\nSubject: two\r\n\r\n..starts with a dot\r\nline 2\r\nline 3\r\n.\r\n`);

    const top = command(server, 'TOP 2 1\r\n');
    expect(top).toMatchObject({ type: 'top', lines: 1 });
    wire = accept(server, top);
    const filter = topFilter(1);
    wire += latin1(server.sendMessageChunk(filter.push(m))) + latin1(server.endMessage());
    expect(wire).toBe('+OK\r\nSubject: two\r\n\r\n..starts with a dot\r\n.\r\n');
  });

  it('refuses AUTHORIZATION commands after login', () => {
    const server = transaction();
    for (const line of ['USER x', 'AUTH PLAIN', 'STLS', `APOP a ${'0'.repeat(32)}`]) {
      const ev = command(server, `${line}\r\n`);
      expect(ev).toMatchObject({ type: 'rejected', code: 'wrong-state' });
      accept(server, ev);
    }
  });

  it('sends a RETR -ERR from the application without streaming', () => {
    const server = transaction();
    command(server, 'RETR 1\r\n');
    expect(latin1(server.send({ type: 'err', code: 'SYS/PERM', text: 'message vanished' }))).toBe('-ERR [SYS/PERM] message vanished\r\n');
    expect(() => server.sendMessageChunk(bytes('x'))).toThrow(LocalProtocolError);
    expect(command(server, 'NOOP\r\n').type).toBe('noop');
  });
});

describe('the send contract', () => {
  it('throws on a reply that does not fit the pending event, or none pending', () => {
    const server = new Pop3ServerSession();
    expect(() => server.send({ type: 'ok' })).toThrow(LocalProtocolError);
    accept(server, server.nextEvent());
    command(server, 'CAPA\r\n');
    expect(() => server.send({ type: 'ok' })).toThrow(LocalProtocolError);
    expect(latin1(server.send({ type: 'lines', text: 'Capability list follows', lines: ['TOP', 'UIDL', 'STLS'] }))).toBe(
      '+OK Capability list follows\r\nTOP\r\nUIDL\r\nSTLS\r\n.\r\n',
    );
    command(server, 'PASS\r\n');
    expect(() => server.send({ type: 'login-ok', maildrop: { messages: [] } })).toThrow(LocalProtocolError);
  });

  it('answers pipelined commands in order, one at a time (RFC 2449 §6.6)', () => {
    const server = transaction();
    server.receive(bytes('STAT\r\nNOOP\r\nLIST 1\r\nUIDL 1\r\n'));
    const types: string[] = [];
    for (let ev = server.nextEvent(); ev.type !== 'need-data'; ev = server.nextEvent()) {
      types.push(ev.type);
      expect(() => server.nextEvent()).toThrow(LocalProtocolError);
      accept(server, ev);
    }
    expect(types).toEqual(['stat', 'noop', 'list', 'uidl']);
  });
});

describe('bad input', () => {
  it('answers an over-long line at its end and resynchronises (RFC 2449 §4)', () => {
    const server = new Pop3ServerSession();
    accept(server, server.nextEvent());
    server.receive(bytes(`USER ${'x'.repeat(300)}`));
    expect(server.nextEvent()).toEqual({ type: 'need-data' });
    server.receive(bytes(`${'y'.repeat(5000)}\r\nNOOP`));
    const ev = server.nextEvent();
    expect(ev).toMatchObject({ type: 'rejected', code: 'line-too-long' });
    expect(accept(server, ev)).toBe('-ERR Line too long\r\n');
    server.receive(bytes('\r\nQUIT\r\n'));
    expect(server.nextEvent()).toMatchObject({ type: 'rejected', code: 'wrong-state' }); // NOOP in AUTHORIZATION
  });

  it('closes after too many bad commands', () => {
    const server = new Pop3ServerSession({ maxErrors: 3 });
    accept(server, server.nextEvent());
    server.receive(bytes('FOO\r\nBAR\r\nBAZ\r\nQUIT\r\n'));
    expect(accept(server, server.nextEvent())).toBe('-ERR Unknown command\r\n');
    accept(server, server.nextEvent());
    const third = server.nextEvent();
    expect(third).toMatchObject({ type: 'rejected', code: 'too-many-errors' });
    expect(accept(server, third)).toBe('-ERR Too many bad commands, closing connection\r\n');
    expect(server.nextEvent()).toEqual({ type: 'closed' });
  });

  it('takes a bare LF as a line end (lenient)', () => {
    const server = new Pop3ServerSession();
    accept(server, server.nextEvent());
    expect(command(server, 'USER bob\n')).toMatchObject({ type: 'user', name: 'bob' });
  });
});

describe('STLS (RFC 2595 §4)', () => {
  it('drops what was pipelined after STLS and stays in AUTHORIZATION under TLS', () => {
    const server = new Pop3ServerSession();
    accept(server, server.nextEvent());
    accept(server, command(server, 'USER early\r\n'));
    const stls = command(server, 'STLS\r\nUSER injected\r\nPASS x\r\n');
    expect(stls).toEqual({ type: 'stls' });
    expect(latin1(server.send({ type: 'ok', text: 'Begin TLS negotiation' }))).toBe('+OK Begin TLS negotiation\r\n');
    expect(server.state).toEqual({ phase: 'authorization', tls: true, login: { step: 'none' } });
    expect(server.nextEvent()).toEqual({ type: 'need-data' });
    expect(command(server, 'PASS x\r\n')).toMatchObject({ type: 'rejected', code: 'wrong-state' });
  });

  it('refuses STLS under TLS', () => {
    const server = new Pop3ServerSession({ tls: true });
    accept(server, server.nextEvent());
    const ev = command(server, 'STLS\r\n');
    expect(ev).toMatchObject({ type: 'rejected', code: 'tls-active' });
    expect(accept(server, ev)).toBe('-ERR Command not permitted when TLS active\r\n');
  });
});

describe('AUTH (RFC 5034)', () => {
  function authorization(): Pop3ServerSession {
    const server = new Pop3ServerSession();
    accept(server, server.nextEvent());
    return server;
  }

  it('frames challenges and responses, with longer lines inside the exchange', () => {
    const server = authorization();
    expect(command(server, 'AUTH PLAIN\r\n')).toEqual({ type: 'auth', mechanism: 'PLAIN' });
    expect(latin1(server.send({ type: 'challenge', data: new Uint8Array(0) }))).toBe('+ \r\n');
    const long = Buffer.alloc(1500, 7).toString('base64');
    const ev = command(server, `${long}\r\n`);
    expect(ev.type === 'auth-response' && ev.data.length).toBe(1500);
    expect(latin1(server.send({ type: 'login-ok', maildrop: { messages: [] }, text: 'Maildrop locked and ready' }))).toBe('+OK Maildrop locked and ready\r\n');
    expect(server.state.phase).toBe('transaction');
  });

  it('decodes "=" as an empty initial response', () => {
    const server = authorization();
    expect(command(server, 'AUTH EXTERNAL =\r\n')).toEqual({ type: 'auth', mechanism: 'EXTERNAL', initialResponse: new Uint8Array(0) });
  });

  it('rejects "*" and bad base64, and ends the exchange', () => {
    const server = authorization();
    command(server, 'AUTH LOGIN\r\n');
    server.send({ type: 'challenge', data: bytes('Username:') });
    const cancel = command(server, '*\r\n');
    expect(cancel).toMatchObject({ type: 'rejected', code: 'auth-cancelled' });
    expect(accept(server, cancel)).toBe('-ERR Authentication cancelled\r\n');
    expect(command(server, 'QUIT\r\n').type).toBe('quit');
    server.send({ type: 'ok' });

    const again = authorization();
    command(again, 'AUTH LOGIN\r\n');
    again.send({ type: 'challenge', data: bytes('Username:') });
    const bad = command(again, 'AAA=BBB\r\n');
    expect(bad).toMatchObject({ type: 'rejected', code: 'bad-base64' });
    expect(bad.type === 'rejected' && bad.detail).not.toContain('AAA=BBB');
    accept(again, bad);
    expect(command(again, 'USER x\r\n').type).toBe('user');
  });

  it('starts over after a failed AUTH', () => {
    const server = authorization();
    command(server, 'AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n');
    server.send(REPLY_FOR['auth-failed']);
    expect(command(server, 'AUTH PLAIN\r\n').type).toBe('auth');
  });
});

describe('autologout (RFC 1939 §3)', () => {
  it('refuses timers under ten minutes', () => {
    expect(() => new Pop3ServerSession({ idleTimeoutMs: 60_000 })).toThrow(LocalProtocolError);
  });

  it('times out after ten idle minutes, silently and without UPDATE', () => {
    const server = transaction();
    accept(server, command(server, 'DELE 1\r\n'));
    server.tick(0);
    server.tick(599_999);
    expect(server.nextEvent()).toEqual({ type: 'need-data' });
    server.tick(600_000);
    expect(server.nextEvent()).toEqual({ type: 'timed-out' });
    expect(server.nextEvent()).toEqual({ type: 'closed' });
  });

  it('restarts the timer on each command', () => {
    const server = transaction();
    server.tick(0);
    server.tick(500_000);
    accept(server, command(server, 'NOOP\r\n'));
    server.tick(900_000);
    server.tick(1_400_000);
    expect(server.nextEvent()).toEqual({ type: 'need-data' });
    server.tick(1_500_000);
    expect(server.nextEvent()).toEqual({ type: 'timed-out' });
  });

  it('does not time out while the application is answering', () => {
    const server = transaction();
    server.tick(0);
    accept(server, command(server, 'RETR 1\r\n'));
    server.tick(2_000_000);
    server.tick(4_000_000);
    server.endMessage();
    server.tick(4_000_001); // the driver's next tick dates the activity
    expect(server.nextEvent()).toEqual({ type: 'need-data' });
    server.tick(4_600_000);
    expect(server.nextEvent()).toEqual({ type: 'need-data' });
    server.tick(4_600_001);
    expect(server.nextEvent()).toEqual({ type: 'timed-out' });
  });
});
