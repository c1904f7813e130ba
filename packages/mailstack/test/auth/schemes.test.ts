import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hashPassword, parseStoredSecret, secretCapabilities, verifySecret, verifySecretAsync, PASSWORD_SCHEMES, type StoredSecret } from 'mailstack';

function tool(command: string, args: string[], install: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    throw new Error(`${command} failed or is missing; install it with: ${install}`, { cause: error });
  }
}
const doveadm = (scheme: string, password: string) => tool('doveadm', ['pw', '-s', scheme, '-p', password], 'apt-get install dovecot-core');
const secret = (field: string) => parseStoredSecret(field) as StoredSecret;

describe('password schemes', () => {
  it('parses {SCHEME}secret, bare secrets as {PLAIN}, and scheme names case-insensitively', () => {
    expect(parseStoredSecret('pencil')).toEqual({ scheme: 'PLAIN', value: 'pencil' });
    expect(parseStoredSecret('{plain}x:y')).toEqual({ scheme: 'PLAIN', value: 'x:y' });
    expect(parseStoredSecret('{CLEARTEXT}pw')).toEqual({ scheme: 'CLEARTEXT', value: 'pw' });
  });

  it.each([
    ['{MD5-CRYPT}$1$abc', /unknown password scheme \{MD5-CRYPT\}/],
    ['{CRAM-MD5}abc', /64 hex digits/],
    ['{SHA512-CRYPT}$5$abc$def', /must start with \$6\$/],
    ['{SSHA256}c2hvcnQ=', /base64 of the hash followed by a salt/],
    ['{SCRAM-SHA-256}4096,c2FsdA==,c2hvcnQ=,c2hvcnQ=', /"iterations,salt,StoredKey,ServerKey"/],
  ])('refuses %s', (field, message) => {
    expect(parseStoredSecret(field)).toMatch(message);
  });

  it('our {CRAM-MD5} equals doveadm pw -s CRAM-MD5', () => {
    for (const password of ['tanstaaftanstaaf', 'pässwörd', 'x'.repeat(80)]) {
      expect(hashPassword(password, 'CRAM-MD5')).toBe(doveadm('CRAM-MD5', password));
    }
  });

  it.each(['SHA512-CRYPT', 'SHA256-CRYPT', 'SSHA256', 'SSHA512', 'CRAM-MD5', 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-1'])('verifies doveadm pw -s %s output', (scheme) => {
    const stored = secret(doveadm(scheme, 'correct horse'));
    expect(verifySecret(stored, 'correct horse')).toBe(true);
    expect(verifySecret(stored, 'correct horsf')).toBe(false);
  });

  it('our {SHA512-CRYPT} and {SHA256-CRYPT} verify with Python crypt (glibc)', () => {
    for (const scheme of ['SHA512-CRYPT', 'SHA256-CRYPT'] as const) {
      const hash = secret(hashPassword('pässwörd', scheme)).value;
      const python = tool('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], sys.argv[2]))', 'pässwörd', hash], 'apt-get install python3');
      expect(python).toBe(hash);
    }
  });

  it('every scheme hashes and verifies its own output, sync and async', async () => {
    for (const scheme of PASSWORD_SCHEMES) {
      const stored = secret(hashPassword('s3cret', scheme));
      expect(stored.scheme).toBe(scheme);
      expect(verifySecret(stored, 's3cret')).toBe(true);
      expect(verifySecret(stored, 's3cre')).toBe(false);
      expect(await verifySecretAsync(stored, 's3cret')).toBe(true);
      expect(await verifySecretAsync(stored, 's3cre')).toBe(false);
    }
  });

  it('uses a fresh salt each time', () => {
    expect(hashPassword('pw', 'SHA512-CRYPT')).not.toBe(hashPassword('pw', 'SHA512-CRYPT'));
    expect(hashPassword('pw', 'SSHA256', Buffer.alloc(16, 1))).toBe(hashPassword('pw', 'SSHA256', Buffer.alloc(16, 1)));
  });

  it('says which secrets allow APOP and CRAM-MD5 (SPEC.md §2)', () => {
    expect(secretCapabilities(secret('{PLAIN}pw'))).toEqual({ apop: true, cramMd5: true, scram: ['SHA-256', 'SHA-1'] });
    expect(secretCapabilities(secret(hashPassword('pw', 'CRAM-MD5')))).toEqual({ apop: false, cramMd5: true, scram: [] });
    expect(secretCapabilities(secret(hashPassword('pw', 'SHA512-CRYPT')))).toEqual({ apop: false, cramMd5: false, scram: [] });
    expect(secretCapabilities(secret(hashPassword('pw', 'SCRAM-SHA-256')))).toEqual({ apop: false, cramMd5: false, scram: ['SHA-256'] });
  });
});
