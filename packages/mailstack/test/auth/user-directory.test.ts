import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSaslClient, createSaslServer, type SaslMechanismName } from '@mailstack/sasl';
import { ConfigError, UserDirectory, hashPassword } from 'mailstack';

let dir: string;
let usersPath: string;
let directory: UserDirectory;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailstack-users-'));
  usersPath = join(dir, 'users');
  await writeFile(
    usersPath,
    [
      '# test users',
      'plain:{PLAIN}tanstaaftanstaaf',
      `cram:${hashPassword('tanstaaftanstaaf', 'CRAM-MD5')}`,
      `crypt:${hashPassword('tanstaaftanstaaf', 'SHA512-CRYPT')}:1001:1001:Crypt User:maildirs/crypt::quota=1G flag`,
      'Postmaster:{PLAIN}pm',
      `scram:${hashPassword('tanstaaftanstaaf', 'SCRAM-SHA-256')}`,
      '',
    ].join('\n'),
  );
  directory = await UserDirectory.open({ file: usersPath, domains: ['Example.Test', 'localhost'], dataDir: join(dir, 'data') });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function authenticate(mechanism: SaslMechanismName, username: string, password: string) {
  const server = createSaslServer(mechanism, { lookup: directory, hostname: 'mail.example.test', nonce: 'srvnonce', now: 1_700_000_000_000 });
  const client = createSaslClient(mechanism, { username, password, nonce: 'clinonce' });
  let step = await server.start(client.start());
  while (step.type === 'challenge') {
    const answer = client.step(step.data);
    if (answer.type === 'failure') return answer.reason;
    step = await server.step(answer.data);
  }
  return step.type === 'success' ? `${step.authcid}` : step.reason;
}

describe('UserDirectory', () => {
  it('finds users by name and by address at a local domain, case-insensitive domain', async () => {
    expect((await directory.find('plain'))?.name).toBe('plain');
    expect((await directory.find('plain@example.test'))?.name).toBe('plain');
    expect((await directory.find('plain@EXAMPLE.TEST'))?.name).toBe('plain');
    expect((await directory.find('plain@localhost'))?.name).toBe('plain');
    expect(await directory.find('plain@elsewhere.test')).toBeUndefined();
    expect(await directory.find('nobody@example.test')).toBeUndefined();
    expect((await directory.find('postmaster@example.test'))?.name).toBe('Postmaster');
  });

  it('applies defaults: home under dataDir, relative home against the users file folder, extra fields', async () => {
    expect((await directory.find('plain'))?.home).toBe(join(dir, 'data', 'home', 'plain'));
    expect(await directory.find('crypt')).toMatchObject({
      uid: 1001,
      gid: 1001,
      gecos: 'Crypt User',
      home: join(dir, 'maildirs', 'crypt'),
      extra: { quota: '1G', flag: '' },
    });
  });

  it.each([
    ['PLAIN', 'plain', 'plain'],
    ['PLAIN', 'cram', 'cram'],
    ['PLAIN', 'crypt@example.test', 'crypt@example.test'],
    ['LOGIN', 'crypt', 'crypt'],
    ['CRAM-MD5', 'plain', 'plain'],
    ['CRAM-MD5', 'cram', 'cram'],
    ['SCRAM-SHA-256', 'plain', 'plain'],
    ['SCRAM-SHA-1', 'plain@localhost', 'plain@localhost'],
    ['SCRAM-SHA-256', 'scram', 'scram'],
    ['PLAIN', 'scram', 'scram'],
  ] as const)('%s works for %s', async (mechanism, username, result) => {
    expect(await authenticate(mechanism, username, 'tanstaaftanstaaf')).toBe(result);
  });

  it.each([
    ['CRAM-MD5', 'crypt'],
    ['SCRAM-SHA-256', 'cram'],
    ['SCRAM-SHA-256', 'crypt'],
    ['SCRAM-SHA-1', 'scram'],
    ['CRAM-MD5', 'scram'],
  ] as const)('%s is refused for %s whose secret does not allow it', async (mechanism, username) => {
    expect(await authenticate(mechanism, username, 'tanstaaftanstaaf')).toBe('invalid-credentials');
  });

  it('refuses wrong passwords', async () => {
    expect(await authenticate('PLAIN', 'crypt', 'wrong')).toBe('invalid-credentials');
    expect(await authenticate('CRAM-MD5', 'cram', 'wrong')).toBe('invalid-credentials');
    expect(await authenticate('PLAIN', 'ghost', 'tanstaaftanstaaf')).toBe('invalid-credentials');
  });

  it('authorizes a user to act as its own address only', async () => {
    expect(await directory.authorize('plain', 'plain@example.test')).toBe(true);
    expect(await directory.authorize('plain', 'cram')).toBe(false);
    expect(await directory.authorize('ghost', 'ghost')).toBe(false);
  });

  it('verifies APOP (RFC 1939 §7) only for plaintext secrets', async () => {
    const banner = '<1896.697170952@dbc.mtview.ca.us>';
    const digest = createHash('md5').update(`${banner}tanstaaftanstaaf`).digest('hex');
    expect(await directory.verifyApop('plain', banner, digest)).toBe(true);
    expect(await directory.verifyApop('plain', banner, digest.toUpperCase())).toBe(true);
    expect(await directory.verifyApop('plain', banner, createHmac('md5', 'x').update('y').digest('hex'))).toBe(false);
    expect(await directory.verifyApop('cram', banner, digest)).toBe(false);
    expect(await directory.verifyApop('plain', banner, 'short')).toBe(false);
  });

  it('reloads when the file changes, and reports a broken file with its line', async () => {
    const other = join(dir, 'users2');
    await writeFile(other, 'a:{PLAIN}1\n');
    const live = await UserDirectory.open({ file: other, domains: [], dataDir: dir });
    expect((await live.list()).map((u) => u.name)).toEqual(['a']);
    await writeFile(other, 'a:{PLAIN}1\nb:{PLAIN}2\n');
    const later = new Date(Date.now() + 5000);
    await utimes(other, later, later);
    expect((await live.find('b'))?.name).toBe('b');
    await writeFile(other, 'a:{PLAIN}1\nb:{WHAT}2\n');
    await utimes(other, new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
    await expect(live.find('a')).rejects.toThrow(ConfigError);
    await expect(live.find('a')).rejects.toThrow(`${other}:2: user b: unknown password scheme {WHAT}`);
  });

  it('a missing users file is an empty directory', async () => {
    const empty = await UserDirectory.open({ file: join(dir, 'absent'), domains: [], dataDir: dir });
    expect(await empty.list()).toEqual([]);
    expect(await empty.verifyPassword('x', 'y')).toBe(false);
  });
});
