import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineSocket, isAlive, startDovecot, type DovecotInstance } from './index.js';

const running: DovecotInstance[] = [];
afterEach(async () => {
  for (const dovecot of running.splice(0)) await dovecot.stop();
});

const message = (n: number): string =>
  `From: <a@peer.test>\r\nTo: <alice@peer.test>\r\nSubject: message ${n}\r\n\r\nline one\r\n.starts with a dot\r\n`;

describe('startDovecot', () => {
  it('serves delivered messages over POP3 and stops', async () => {
    const dovecot = await startDovecot({ users: [{ name: 'alice', password: 'secret' }] });
    running.push(dovecot);
    const first = dovecot.deliver('alice', message(1));
    dovecot.deliver('alice', message(2));
    expect(readdirSync(join(dovecot.maildir('alice'), 'new'))).toHaveLength(2);
    expect(first.startsWith(join(dovecot.maildir('alice'), 'new'))).toBe(true);

    const client = await LineSocket.connect(dovecot.ports.pop3);
    expect(await client.readLine()).toMatch(/^\+OK/);
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await client.command('PASS secret')).toMatch(/^\+OK/);
    const size = Buffer.byteLength(message(1));
    expect(await client.command('STAT')).toBe(`+OK 2 ${2 * size}`);
    expect(await client.command('RETR 1')).toMatch(/^\+OK/);
    const lines = await client.readMultiline();
    expect(lines).toContain('Subject: message 1');
    expect(lines).toContain('.starts with a dot'); // dot-stuffed on the wire (RFC 1939 §3), undone here
    expect(await client.command('QUIT')).toMatch(/^\+OK/);
    await client.close();

    await dovecot.stop();
    expect(isAlive(dovecot.pid)).toBe(false);
    expect(existsSync(dovecot.dir)).toBe(false);
  });

  it('answers on pop3s, imap and imaps, takes APOP, and refuses a wrong password', async () => {
    const dovecot = await startDovecot({ users: [{ name: 'bob', password: 'right' }] });
    running.push(dovecot);
    const pop3s = await LineSocket.connect(dovecot.ports.pop3s, { tls: true });
    expect(await pop3s.readLine()).toMatch(/^\+OK/);
    expect(await pop3s.command('USER bob')).toMatch(/^\+OK/);
    expect(await pop3s.command('PASS wrong')).toMatch(/^-ERR/);
    // RFC 1939 §7: after a failed PASS the client starts again with USER.
    expect(await pop3s.command('USER bob')).toMatch(/^\+OK/);
    expect(await pop3s.command('PASS right')).toMatch(/^\+OK/);
    expect(await pop3s.command('STAT')).toBe('+OK 0 0');
    await pop3s.close();

    // RFC 1939 §7 APOP: MD5 of the greeting's timestamp and the shared secret ({PLAIN} store).
    const apop = await LineSocket.connect(dovecot.ports.pop3);
    const timestamp = /<[^>]+>/.exec(await apop.readLine())?.[0];
    expect(timestamp).toBeDefined();
    const digest = createHash('md5').update(`${timestamp}right`).digest('hex');
    expect(await apop.command(`APOP bob ${digest}`)).toMatch(/^\+OK/);
    await apop.close();

    const imap = await LineSocket.connect(dovecot.ports.imap);
    expect(await imap.readLine()).toMatch(/^\* OK .*STARTTLS/);
    await imap.close();
    const imaps = await LineSocket.connect(dovecot.ports.imaps, { tls: true });
    expect(await imaps.readLine()).toMatch(/^\* OK/);
    await imaps.close();
  });
});
