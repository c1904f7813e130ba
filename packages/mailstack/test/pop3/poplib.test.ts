// Python's poplib (a real client) against our Pop3Server: USER/PASS, APOP, STLS, RETR, TOP,
// UIDL stability across sessions and restarts, DELE with and without QUIT, RSET.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaildirFolder } from '@mailstack/mailstore';
import { message, python, startTestServer, USERS, type TestServer } from './harness.js';

// Each script prints JSON; bytes go out as latin1 strings so they compare exactly.
const PRELUDE = `
import json, poplib, ssl, sys
port = int(sys.argv[1])
def out(x): print(json.dumps(x))
def lat(b): return b.decode('latin1')
`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  for (let n = 1; n <= 3; n++) await t.deliver('alice', message(n).lf);
});
afterAll(() => t.stop());

describe('Python poplib', () => {
  it('USER/PASS, STAT, LIST, RETR gives the stored message with CRLF and byte-stuffing undone', async () => {
    const result = JSON.parse(await python(`${PRELUDE}
p = poplib.POP3('127.0.0.1', port)
p.user('alice'); p.pass_('${USERS.alice}')
count, size = p.stat()
resp, lines, octets = p.retr(1)
listing = p.list()[1]
p.quit()
out({'count': count, 'size': size, 'retr': lat(resp), 'msg': lat(b'\\r\\n'.join(lines) + b'\\r\\n'), 'octets': octets, 'list': [lat(l) for l in listing]})
`, [t.port]));
    const m = message(1).crlf;
    expect(result.count).toBe(3);
    expect(result.retr).toBe(`+OK ${m.length} octets`);
    expect(result.msg).toBe(m);
    expect(result.list[0]).toBe(`1 ${m.length}`);
    expect(result.size).toBe(message(1).crlf.length + message(2).crlf.length + message(3).crlf.length);
  });

  it('APOP logs in a {PLAIN} user; a wrong digest and a crypt user get the same -ERR', async () => {
    const result = JSON.parse(await python(`${PRELUDE}
def attempt(user, secret):
    p = poplib.POP3('127.0.0.1', port)
    try:
        r = lat(p.apop(user, secret)); p.quit(); return r
    except poplib.error_proto as e:
        return lat(e.args[0])
out([attempt('alice', '${USERS.alice}'), attempt('alice', 'wrong'), attempt('bob', '${USERS.bob}'), attempt('nobody', 'x')])
`, [t.port]));
    expect(result[0]).toMatch(/^\+OK/);
    expect(result.slice(1)).toEqual(['-ERR [AUTH] Authentication failed', '-ERR [AUTH] Authentication failed', '-ERR [AUTH] Authentication failed']);
  });

  it('STLS upgrades in place; CAPA changes; a crypt user logs in with USER/PASS under TLS', async () => {
    const result = JSON.parse(await python(`${PRELUDE}
p = poplib.POP3('127.0.0.1', port)
caps = {k: v for k, v in p.capa().items()}
before = sorted(caps.keys())
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p.stls(context=ctx)
after = sorted(p.capa().keys())
p.user('bob'); p.pass_('${USERS.bob}')
st = p.stat()
version = p.sock.version()
p.quit()
out({'caps': caps, 'before': before, 'after': after, 'stat': list(st), 'version': version})
`, [t.port]));
    expect(result.before).toContain('STLS');
    expect(result.caps).toMatchObject({ 'EXPIRE': ['NEVER'], 'LOGIN-DELAY': ['0'], 'IMPLEMENTATION': ['mailstack'], 'SASL': ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'], 'USER': [] });
    expect(result.after).not.toContain('STLS');
    expect(result.after).toEqual(expect.arrayContaining(['USER', 'SASL', 'UIDL', 'TOP', 'PIPELINING', 'RESP-CODES', 'AUTH-RESP-CODE']));
    expect(result.stat).toEqual([0, 0]);
    expect(result.version).toMatch(/^TLSv1\.[23]$/);
  });

  it('pop3s (implicit TLS) with POP3_SSL', async () => {
    const out = await python(`${PRELUDE}
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL('127.0.0.1', port, context=ctx)
p.user('alice'); p.pass_('${USERS.alice}')
out(p.stat()[0]); p.quit()
`, [t.pop3sPort]);
    expect(JSON.parse(out)).toBe(3);
  });

  it('TOP sends the header, the blank line and n body lines', async () => {
    const result = JSON.parse(await python(`${PRELUDE}
p = poplib.POP3('127.0.0.1', port)
p.user('alice'); p.pass_('${USERS.alice}')
r0 = p.top(2, 0)[1]; r2 = p.top(2, 2)[1]; r99 = p.top(2, 99)[1]
p.quit()
out([[lat(l) for l in r] for r in (r0, r2, r99)])
`, [t.port]));
    const lines = message(2).crlf.split('\r\n').slice(0, -1); // poplib undoes the byte-stuffing
    const headerEnd = lines.indexOf('') + 1;
    expect(result[0]).toEqual(lines.slice(0, headerEnd));
    expect(result[1]).toEqual(lines.slice(0, headerEnd + 2));
    expect(result[2]).toEqual(lines);
  });

  it('UIDL is stable across two sessions and a server restart, and equals the mailstore UIDL', async () => {
    const script = `${PRELUDE}
p = poplib.POP3('127.0.0.1', port)
p.user('alice'); p.pass_('${USERS.alice}')
u = [lat(l) for l in p.uidl()[1]]
p.quit()
out(u)
`;
    const first = JSON.parse(await python(script, [t.port]));
    const second = JSON.parse(await python(script, [t.port]));
    await t.restart();
    const third = JSON.parse(await python(script, [t.port]));
    expect(first).toHaveLength(3);
    const { messages } = await (await MaildirFolder.open(t.maildir('alice'))).snapshot();
    expect(first).toEqual(messages.map((m, i) => `${i + 1} ${m.uidl}`));
    expect(second).toEqual(first);
    expect(third).toEqual(first);
  });

  it('DELE then disconnect without QUIT keeps the message; DELE + RSET + QUIT keeps it; DELE + QUIT removes it', async () => {
    const s = await startTestServer();
    try {
      for (let n = 1; n <= 2; n++) await s.deliver('alice', message(n).lf);
      const session = (actions: string) => python(`${PRELUDE}
p = poplib.POP3('127.0.0.1', port)
p.user('alice'); p.pass_('${USERS.alice}')
${actions}
`, [s.port]);
      await session("p.dele(1)\np.sock.close()");
      expect(s.files('alice')).toHaveLength(2);
      await session("p.dele(1); p.rset(); p.quit()");
      expect(s.files('alice')).toHaveLength(2);
      const out = await session("p.dele(1); print(lat(p.quit()))");
      expect(out.trim()).toBe('+OK POP3 server signing off (1 messages left)');
      expect(s.files('alice')).toHaveLength(1);
      const left = JSON.parse(await session("out(lat(b'\\r\\n'.join(p.retr(1)[1]) + b'\\r\\n')); p.quit()"));
      expect(left).toBe(message(2).crlf);
    } finally {
      await s.stop();
    }
  });
});
