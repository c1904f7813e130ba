import { describe, expect, it } from 'vitest';
import { ConfigError, UsersFile, formatUserLine, type UserEntry } from 'mailstack';

const TEXT = `# mailstack users
alice:{PLAIN}wonderland:1000:1000:Alice Liddell:/home/alice:/bin/sh:userdb_quota_rule=*:storage=1G

bob:{CRAM-MD5}d06d4e1b26fccaa4b0b61801132340a354b21152711fb604ca3e035e7015116b
carol:plainsecret::
  # indented comment
`;

function errorOf(text: string): ConfigError {
  try {
    UsersFile.parse(text, '/etc/mailstack/users');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('UsersFile (Dovecot passwd-file)', () => {
  const file = UsersFile.parse(TEXT, '/etc/mailstack/users');

  it('reads every field, with optional trailing fields and ":" inside extra', () => {
    expect(file.users.map((u) => u.name)).toEqual(['alice', 'bob', 'carol']);
    expect(file.find('alice')).toEqual({
      name: 'alice',
      secret: '{PLAIN}wonderland',
      uid: '1000',
      gid: '1000',
      gecos: 'Alice Liddell',
      home: '/home/alice',
      shell: '/bin/sh',
      extra: 'userdb_quota_rule=*:storage=1G',
    });
    expect(file.find('carol')).toMatchObject({ secret: 'plainsecret', uid: '', home: '', extra: '' });
  });

  it('serializes unchanged input byte for byte', () => {
    expect(file.serialize()).toBe(TEXT);
  });

  it('edits keep comments, blank lines and other users as they were', () => {
    const edited = UsersFile.parse(TEXT, 'users');
    const dave: UserEntry = { name: 'dave', secret: '{PLAIN}x', uid: '', gid: '', gecos: '', home: '', shell: '', extra: '' };
    edited.set(dave);
    expect(edited.delete('bob')).toBe(true);
    expect(edited.delete('bob')).toBe(false);
    edited.set({ ...dave, secret: '{PLAIN}y', home: '/srv/dave' });
    expect(edited.serialize()).toBe(TEXT.replace(/^bob:.*\n/m, '') + 'dave:{PLAIN}y::::/srv/dave\n');
  });

  it('formats lines without trailing empty fields', () => {
    expect(formatUserLine({ name: 'u', secret: '{PLAIN}p', uid: '', gid: '', gecos: '', home: '', shell: '', extra: '' })).toBe('u:{PLAIN}p');
  });

  it('handles CRLF files and a missing final newline', () => {
    const crlf = UsersFile.parse('a:{PLAIN}x\r\nb:y', 'users');
    expect(crlf.users.map((u) => [u.name, u.secret])).toEqual([['a', '{PLAIN}x'], ['b', 'y']]);
    expect(crlf.serialize()).toBe('a:{PLAIN}x\r\nb:y\n');
  });

  it.each([
    ['unknown scheme', 'ok:{PLAIN}x\nbad:{NOPE}x\n', 2, /users:2: user bad: unknown password scheme \{NOPE\}/],
    ['bad uid', '# c\n\nu:{PLAIN}x:12a\n', 3, /user u: uid must be a number/],
    ['duplicate', 'u:x\nu:y\n', 2, /user u appears twice/],
    ['bad name', ' u:x\n', 1, /bad user name " u"/],
    ['empty name', ':x\n', 1, /bad user name ""/],
    ['bad CRAM-MD5', 'u:{CRAM-MD5}00\n', 1, /64 hex digits/],
  ])('names file:line on %s', (_name, text, line, message) => {
    const error = errorOf(text);
    expect(error).toMatchObject({ code: 'invalid-value', file: '/etc/mailstack/users', line });
    expect(error.message).toMatch(message);
  });

  it('refuses an entry that would break the format', () => {
    const edited = UsersFile.parse('', 'users');
    expect(() => edited.set({ name: 'u', secret: '{PLAIN}a:b', uid: '', gid: '', gecos: 'x', home: '', shell: '', extra: '' })).toThrow(
      /secret must not contain ":"/,
    );
    expect(() => edited.set({ name: 'u', secret: 'p', uid: '', gid: '', gecos: 'two\nlines', home: '', shell: '', extra: '' })).toThrow(ConfigError);
  });
});
