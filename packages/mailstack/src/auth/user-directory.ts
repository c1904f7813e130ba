/**
 * The local users, from the users file (SPEC.md §2): lookup by name or by address at a local
 * domain, the credential checks of @mailstack/sasl's CredentialLookup, and APOP (RFC 1939 §7).
 * Every lookup first stats the file and re-reads it when its mtime, size or inode changed, so
 * `mailstack user add` takes effect on a running server without a signal.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  deriveScramCredentials,
  SCRAM_MIN_ITERATIONS,
  type CramSecret,
  type CredentialLookup,
  type ScramCredentials,
  type ScramHash,
} from '@mailstack/sasl';
import { ConfigError } from '../config/errors.js';
import {
  hashPassword,
  parseScramSecret,
  parseStoredSecret,
  secretCapabilities,
  verifySecretAsync,
  type PasswordScheme,
  type SecretCapabilities,
  type StoredSecret,
} from './schemes.js';
import { UsersFile, type UserEntry } from './users-file.js';

/** A user of the local system, every default applied. */
export interface LocalUser {
  name: string;
  secret: StoredSecret;
  capabilities: SecretCapabilities;
  uid: number | undefined;
  gid: number | undefined;
  gecos: string;
  /** Absolute; default dataDir/home/NAME. The mailbox is home/Maildir. */
  home: string;
  shell: string;
  /** Dovecot extra fields, "key=value" pairs (a bare key maps to ""). */
  extra: Record<string, string>;
}

export interface UserDirectoryOptions {
  /** The users file; a missing file is an empty directory. */
  file: string;
  /** Local domains: "name@domain" finds user "name" for each of them. */
  domains: readonly string[];
  dataDir: string;
}

interface Snapshot {
  signature: string;
  users: LocalUser[];
  /** Checked against for unknown users, in the file's most common scheme, so that an unknown
   *  user costs as much time as a wrong password (no user enumeration by timing). */
  decoy: StoredSecret;
}

function decoySecret(users: readonly LocalUser[]): StoredSecret {
  const counts = new Map<PasswordScheme, number>();
  for (const user of users) counts.set(user.secret.scheme, (counts.get(user.secret.scheme) ?? 0) + 1);
  const scheme = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'PLAIN';
  return parseStoredSecret(hashPassword(randomBytes(12).toString('base64'), scheme)) as StoredSecret;
}

function parseExtra(extra: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const item of extra.split(/\s+/).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq < 0) fields[item] = '';
    else fields[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return fields;
}

function toLocalUser(entry: UserEntry, options: UserDirectoryOptions): LocalUser {
  const secret = parseStoredSecret(entry.secret) as StoredSecret; // UsersFile.parse validated it
  return {
    name: entry.name,
    secret,
    capabilities: secretCapabilities(secret),
    uid: entry.uid === '' ? undefined : Number(entry.uid),
    gid: entry.gid === '' ? undefined : Number(entry.gid),
    gecos: entry.gecos,
    home: entry.home === '' ? join(options.dataDir, 'home', entry.name) : resolve(dirname(options.file), entry.home),
    shell: entry.shell,
    extra: parseExtra(entry.extra),
  };
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/** The local users, kept in step with the users file. Implements @mailstack/sasl's CredentialLookup. */
export class UserDirectory implements CredentialLookup {
  #snapshot: Snapshot = { signature: 'unread', users: [], decoy: { scheme: 'PLAIN', value: '' } };
  #reloading: Promise<void> | undefined;
  readonly #domains: Set<string>;
  // Per-process random salts for SCRAM keys derived from plaintext secrets (RFC 5802 §3).
  readonly #scramCache = new Map<string, ScramCredentials>();

  private constructor(private readonly options: UserDirectoryOptions) {
    this.#domains = new Set(options.domains.map((d) => d.toLowerCase()));
  }

  /** Load the users file; throws ConfigError (file:line) when it is invalid or unreadable. */
  static async open(options: UserDirectoryOptions): Promise<UserDirectory> {
    const directory = new UserDirectory(options);
    await directory.refresh();
    return directory;
  }

  /** Re-read the file if it changed since the last read (a stat, usually nothing more). */
  async refresh(): Promise<void> {
    this.#reloading ??= this.#reload().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #reload(): Promise<void> {
    const { file } = this.options;
    let signature = 'missing';
    try {
      const info = await stat(file);
      signature = `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch (error) {
      if (!isNotFound(error)) throw new ConfigError('io', `cannot stat users file: ${(error as Error).message}`, { file }, { cause: error });
    }
    if (signature === this.#snapshot.signature) return;
    let text = '';
    if (signature !== 'missing') {
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new ConfigError('io', `cannot read users file: ${(error as Error).message}`, { file }, { cause: error });
      }
    }
    const users = UsersFile.parse(text, file).users.map((entry) => toLocalUser(entry, this.options));
    this.#snapshot = { signature, users, decoy: decoySecret(users) };
    this.#scramCache.clear();
  }

  /** Every user, in file order. */
  async list(): Promise<LocalUser[]> {
    await this.refresh();
    return [...this.#snapshot.users];
  }

  /**
   * Find a user by name, or by address "name@domain" at a local domain (domain case-insensitive).
   * Names match exactly first, then case-insensitively (RFC 5321 §4.5.1 "Postmaster").
   */
  async find(nameOrAddress: string): Promise<LocalUser | undefined> {
    await this.refresh();
    return this.findLoaded(nameOrAddress);
  }

  /** As find(), in the users as last read, without checking the file (for callers that refresh on their own schedule). */
  findLoaded(nameOrAddress: string): LocalUser | undefined {
    const users = this.#snapshot.users;
    const byName = (name: string): LocalUser | undefined =>
      users.find((u) => u.name === name) ?? users.find((u) => u.name.toLowerCase() === name.toLowerCase());
    const direct = byName(nameOrAddress);
    if (direct) return direct;
    const at = nameOrAddress.lastIndexOf('@');
    if (at <= 0 || !this.#domains.has(nameOrAddress.slice(at + 1).toLowerCase())) return undefined;
    return byName(nameOrAddress.slice(0, at));
  }

  async verifyPassword(authcid: string, password: string): Promise<boolean> {
    const user = await this.find(authcid);
    const matches = await verifySecretAsync(user?.secret ?? this.#snapshot.decoy, password);
    return user !== undefined && matches;
  }

  async getCramSecret(authcid: string): Promise<CramSecret | undefined> {
    const user = await this.find(authcid);
    if (!user?.capabilities.cramMd5) return undefined;
    if (user.secret.scheme === 'CRAM-MD5') return { type: 'hmac-md5-contexts', contexts: Buffer.from(user.secret.value, 'hex') };
    return { type: 'plain', password: user.secret.value };
  }

  async getScramCredentials(authcid: string, hash: ScramHash): Promise<ScramCredentials | undefined> {
    const user = await this.find(authcid);
    if (!user?.capabilities.scram.includes(hash)) return undefined;
    if (user.secret.scheme === 'SCRAM-SHA-256' || user.secret.scheme === 'SCRAM-SHA-1') return parseScramSecret(user.secret.scheme, user.secret.value);
    const key = `${hash}\0${user.name}\0${user.secret.value}`;
    let credentials = this.#scramCache.get(key);
    if (!credentials) {
      credentials = deriveScramCredentials(user.secret.value, randomBytes(16), SCRAM_MIN_ITERATIONS, hash);
      this.#scramCache.set(key, credentials);
    }
    return credentials;
  }

  /** A user may act as another identity only when both name the same user (e.g. name and name@domain). */
  async authorize(authcid: string, authzid: string): Promise<boolean> {
    const [a, b] = await Promise.all([this.find(authcid), this.find(authzid)]);
    return a !== undefined && a === b;
  }

  /** RFC 1939 §7: APOP digest = hex MD5 of the server's timestamp banner and the plaintext secret. */
  async verifyApop(name: string, timestamp: string, digestHex: string): Promise<boolean> {
    const user = await this.find(name);
    if (!user?.capabilities.apop || !/^[0-9a-fA-F]{32}$/.test(digestHex)) return false;
    const expected = createHash('md5').update(timestamp + user.secret.value).digest();
    return timingSafeEqual(expected, Buffer.from(digestHex, 'hex'));
  }
}
