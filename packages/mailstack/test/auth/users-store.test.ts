import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserDirectory, UsersFile, hashPassword, loadUsersFile, saveUsersFile, type UserEntry } from 'mailstack';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailstack-store-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const entry = (name: string, secret: string): UserEntry => ({ name, secret, uid: '', gid: '', gecos: '', home: '', shell: '', extra: '' });

describe('users file on disk', () => {
  it('a missing file loads empty; saving creates it with mode 0600; a running directory sees the user', async () => {
    const file = join(dir, 'users');
    const directory = await UserDirectory.open({ file, domains: ['example.test'], dataDir: dir });
    const users = await loadUsersFile(file);
    expect(users.users).toEqual([]);
    users.set(entry('postmaster', hashPassword('first-start', 'SHA512-CRYPT')));
    await saveUsersFile(users);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await directory.verifyPassword('postmaster@example.test', 'first-start')).toBe(true);
  });

  it('keeps the mode and the comments of an existing file', async () => {
    const file = join(dir, 'users-existing');
    await writeFile(file, '# keep me\nalice:{PLAIN}a\n');
    await chmod(file, 0o640);
    const users = await loadUsersFile(file);
    users.delete('alice');
    users.set(entry('bob', '{PLAIN}b'));
    await saveUsersFile(users);
    expect(await readFile(file, 'utf8')).toBe('# keep me\nbob:{PLAIN}b\n');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  it('reports an invalid file with its line', async () => {
    const file = join(dir, 'users-bad');
    await writeFile(file, 'a:{PLAIN}x\na:{PLAIN}y\n');
    await expect(loadUsersFile(file)).rejects.toThrow(`${file}:2: user a appears twice`);
  });

  it('unknown users cost a password check too (decoy), and still fail', async () => {
    const file = join(dir, 'users-decoy');
    await writeFile(file, `u:${hashPassword('pw', 'SHA512-CRYPT')}\n`);
    const directory = await UserDirectory.open({ file, domains: [], dataDir: dir });
    expect(await directory.verifyPassword('nobody', 'pw')).toBe(false);
    expect(await directory.verifyPassword('u', 'pw')).toBe(true);
  });
});

describe('users file properties', () => {
  const field = fc.string({ maxLength: 12 }).filter((s) => !/[:\r\n]/.test(s));
  const name = fc.stringMatching(/^[a-z][a-z0-9._@-]{0,10}$/);
  const arbEntry = fc.record({
    name,
    secret: fc.oneof(field.map((s) => `{PLAIN}${s}`), fc.constantFrom('{CRAM-MD5}' + 'ab'.repeat(32), '{SHA512-CRYPT}$6$salt$hash')),
    uid: fc.oneof(fc.constant(''), fc.nat().map(String)),
    gid: fc.oneof(fc.constant(''), fc.nat().map(String)),
    gecos: field,
    home: field,
    shell: field,
    extra: fc.string({ maxLength: 12 }).filter((s) => !/[\r\n]/.test(s)),
  });

  it('parse(serialize(entries)) gives the entries back', () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbEntry, { selector: (e) => e.name, maxLength: 6 }), (entries) => {
        const file = UsersFile.parse('', 'users');
        for (const e of entries) file.set(e);
        const reread = UsersFile.parse(file.serialize(), 'users');
        // A trailing empty field set is the same as an absent one.
        expect(reread.users).toEqual(entries);
      }),
      { numRuns: 200 },
    );
  });
});
