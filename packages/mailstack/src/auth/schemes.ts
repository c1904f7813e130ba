/**
 * Dovecot password schemes (doc.dovecot.org "Password schemes") for the users file: parse the
 * "{SCHEME}secret" field, verify a password against it in constant time, hash a new one, and
 * say which challenge-response methods a stored secret allows.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { cramMd5Contexts, deriveScramCredentials, CRAM_MD5_CONTEXTS_BYTES, SCRAM_MIN_ITERATIONS, type ScramCredentials, type ScramHash } from '@mailstack/sasl';
import { parseShaCryptSettings, shaCrypt, shaCryptAsync, shaCryptSalt } from './sha-crypt.js';

/** The schemes a users file may use. CLEARTEXT is Dovecot's alias of PLAIN. */
export const PASSWORD_SCHEMES = ['PLAIN', 'CLEARTEXT', 'CRAM-MD5', 'SHA512-CRYPT', 'SHA256-CRYPT', 'SSHA256', 'SSHA512', 'SCRAM-SHA-256', 'SCRAM-SHA-1'] as const;
export type PasswordScheme = (typeof PASSWORD_SCHEMES)[number];

/** A parsed secret field: the scheme and the text after "{SCHEME}". */
export interface StoredSecret {
  scheme: PasswordScheme;
  value: string;
}

/** Which methods that need the plaintext (or its CRAM-MD5 contexts) a secret allows. */
export interface SecretCapabilities {
  /** RFC 1939 §7 APOP needs the plaintext. */
  apop: boolean;
  /** RFC 2195 CRAM-MD5 needs the plaintext or the HMAC-MD5 contexts. */
  cramMd5: boolean;
  /** RFC 5802 SCRAM with these hashes: any from the plaintext, one from a stored {SCRAM-*} secret. */
  scram: ScramHash[];
}

const SALTED_HASH = { SSHA256: { name: 'sha256', bytes: 32 }, SSHA512: { name: 'sha512', bytes: 64 } } as const;
const CRYPT_PREFIX = { 'SHA512-CRYPT': '$6$', 'SHA256-CRYPT': '$5$' } as const;
const SCRAM_SCHEME = { 'SCRAM-SHA-256': { hash: 'SHA-256', bytes: 32 }, 'SCRAM-SHA-1': { hash: 'SHA-1', bytes: 20 } } as const;
type ScramScheme = keyof typeof SCRAM_SCHEME;

/**
 * Dovecot's {SCRAM-SHA-256} / {SCRAM-SHA-1} secret "iterations,salt,StoredKey,ServerKey" (base64
 * fields): the RFC 5802 §3 server credentials, so SCRAM works without storing the plaintext.
 */
export function parseScramSecret(scheme: ScramScheme, value: string): ScramCredentials | undefined {
  const [iterations, salt, storedKey, serverKey, extra] = value.split(',');
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (extra !== undefined || !/^\d+$/.test(iterations ?? '') || ![salt, storedKey, serverKey].every((f) => f !== undefined && base64.test(f))) return undefined;
  const credentials = {
    iterations: Number(iterations),
    salt: Buffer.from(salt!, 'base64'),
    storedKey: Buffer.from(storedKey!, 'base64'),
    serverKey: Buffer.from(serverKey!, 'base64'),
  };
  const { bytes } = SCRAM_SCHEME[scheme];
  if (credentials.iterations < 1 || credentials.storedKey.length !== bytes || credentials.serverKey.length !== bytes) return undefined;
  return credentials;
}

function formatScramSecret(credentials: ScramCredentials): string {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  return `${credentials.iterations},${b64(credentials.salt)},${b64(credentials.storedKey)},${b64(credentials.serverKey)}`;
}

function isScheme(name: string): name is PasswordScheme {
  return (PASSWORD_SCHEMES as readonly string[]).includes(name);
}

/**
 * Parse "{SCHEME}secret" (a bare secret is {PLAIN}); a string explaining the fault when the
 * scheme is unknown or the secret cannot be of that scheme.
 */
export function parseStoredSecret(field: string): StoredSecret | string {
  const match = /^\{([A-Za-z0-9.-]+)\}/.exec(field);
  if (!match) return { scheme: 'PLAIN', value: field };
  const scheme = match[1]!.toUpperCase();
  const value = field.slice(match[0].length);
  if (!isScheme(scheme)) return `unknown password scheme {${match[1]}} (known: ${PASSWORD_SCHEMES.join(', ')})`;
  if (scheme === 'CRAM-MD5' && !new RegExp(`^[0-9a-fA-F]{${CRAM_MD5_CONTEXTS_BYTES * 2}}$`).test(value)) {
    return '{CRAM-MD5} secret must be 64 hex digits';
  }
  if ((scheme === 'SHA512-CRYPT' || scheme === 'SHA256-CRYPT') && !value.startsWith(CRYPT_PREFIX[scheme])) {
    return `{${scheme}} secret must start with ${CRYPT_PREFIX[scheme]}`;
  }
  if ((scheme === 'SSHA256' || scheme === 'SSHA512') && Buffer.from(value, 'base64').length <= SALTED_HASH[scheme].bytes) {
    return `{${scheme}} secret must be base64 of the hash followed by a salt`;
  }
  if ((scheme === 'SCRAM-SHA-256' || scheme === 'SCRAM-SHA-1') && !parseScramSecret(scheme, value)) {
    return `{${scheme}} secret must be "iterations,salt,StoredKey,ServerKey" in base64`;
  }
  return { scheme, value };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function equalText(a: string, b: string): boolean {
  // Compare digests so that neither the content nor the length leaks through timing.
  return equalBytes(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Does this password match the stored secret? Constant-time in the secret's content. */
export function verifySecret(secret: StoredSecret, password: string): boolean {
  switch (secret.scheme) {
    case 'PLAIN':
    case 'CLEARTEXT':
      return equalText(secret.value, password);
    case 'CRAM-MD5':
      return equalBytes(Buffer.from(secret.value, 'hex'), cramMd5Contexts(password));
    case 'SHA512-CRYPT':
    case 'SHA256-CRYPT': {
      const settings = parseShaCryptSettings(secret.value);
      return settings !== undefined && equalText(shaCrypt(password, settings), secret.value);
    }
    case 'SSHA256':
    case 'SSHA512': {
      const { name, bytes } = SALTED_HASH[secret.scheme];
      const decoded = Buffer.from(secret.value, 'base64');
      const salt = decoded.subarray(bytes);
      return equalBytes(createHash(name).update(password).update(salt).digest(), decoded.subarray(0, bytes));
    }
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-1': {
      const stored = parseScramSecret(secret.scheme, secret.value);
      if (!stored) return false;
      const derived = deriveScramCredentials(password, stored.salt, stored.iterations, SCRAM_SCHEME[secret.scheme].hash);
      return equalBytes(derived.storedKey, stored.storedKey);
    }
  }
}

/**
 * verifySecret for servers: the crypt schemes (thousands of hash rounds) run in slices between
 * event-loop turns, so one login does not stall every other connection.
 */
export async function verifySecretAsync(secret: StoredSecret, password: string): Promise<boolean> {
  if (secret.scheme !== 'SHA512-CRYPT' && secret.scheme !== 'SHA256-CRYPT') return verifySecret(secret, password);
  const settings = parseShaCryptSettings(secret.value);
  return settings !== undefined && equalText(await shaCryptAsync(password, settings), secret.value);
}

/** Hash a password in a scheme, as "{SCHEME}secret"; `random` supplies the salt (tests pass fixed bytes). */
export function hashPassword(password: string, scheme: PasswordScheme, random: Uint8Array = randomBytes(16)): string {
  switch (scheme) {
    case 'PLAIN':
    case 'CLEARTEXT':
      return `{${scheme}}${password}`;
    case 'CRAM-MD5':
      return `{CRAM-MD5}${Buffer.from(cramMd5Contexts(password)).toString('hex')}`;
    case 'SHA512-CRYPT':
    case 'SHA256-CRYPT':
      return `{${scheme}}${shaCrypt(password, { algorithm: scheme === 'SHA512-CRYPT' ? 'sha512' : 'sha256', salt: shaCryptSalt(random), rounds: undefined })}`;
    case 'SSHA256':
    case 'SSHA512': {
      const salt = Buffer.from(random.subarray(0, 8));
      const digest = createHash(SALTED_HASH[scheme].name).update(password).update(salt).digest();
      return `{${scheme}}${Buffer.concat([digest, salt]).toString('base64')}`;
    }
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-1': {
      const credentials = deriveScramCredentials(password, Buffer.from(random.subarray(0, 16)), SCRAM_MIN_ITERATIONS, SCRAM_SCHEME[scheme].hash);
      return `{${scheme}}${formatScramSecret(credentials)}`;
    }
  }
}

/** What a stored secret allows beyond plain password checks (SPEC.md §2). */
export function secretCapabilities(secret: StoredSecret): SecretCapabilities {
  const plain = secret.scheme === 'PLAIN' || secret.scheme === 'CLEARTEXT';
  const scram: ScramHash[] = plain ? ['SHA-256', 'SHA-1'] : secret.scheme === 'SCRAM-SHA-256' || secret.scheme === 'SCRAM-SHA-1' ? [SCRAM_SCHEME[secret.scheme].hash] : [];
  return { apop: plain, cramMd5: plain || secret.scheme === 'CRAM-MD5', scram };
}
