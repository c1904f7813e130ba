/**
 * The users file: Dovecot's passwd-file format (SPEC.md §2),
 *
 *   name:{SCHEME}secret:uid:gid:gecos:home:shell:extra
 *
 * with trailing fields optional, "#" comment lines and blank lines. Parsing keeps every line's
 * text, so rewriting after `user add|delete` leaves comments, blank lines and untouched users
 * byte for byte as they were.
 */
import { ConfigError } from '../config/errors.js';
import { parseStoredSecret } from './schemes.js';

/** One user line's fields; absent trailing fields are "". */
export interface UserEntry {
  name: string;
  /** The raw secret field, "{SCHEME}secret" (or a bare {PLAIN} secret). */
  secret: string;
  uid: string;
  gid: string;
  gecos: string;
  home: string;
  shell: string;
  /** Dovecot's extra fields: space-separated key=value (may itself contain ":"). */
  extra: string;
}

type UsersFileLine = { kind: 'user'; entry: UserEntry; text: string } | { kind: 'other'; text: string };

const FIELDS = ['name', 'secret', 'uid', 'gid', 'gecos', 'home', 'shell'] as const;
const NAME = /^[^\s:#\x00-\x1f\x7f][^\s:\x00-\x1f\x7f]*$/;

/** Check an entry's fields; a string explaining the first fault. */
export function checkUserEntry(entry: UserEntry): string | undefined {
  if (!NAME.test(entry.name)) return `bad user name "${entry.name}"`;
  const secret = parseStoredSecret(entry.secret);
  if (typeof secret === 'string') return `user ${entry.name}: ${secret}`;
  for (const field of FIELDS) {
    if (/[:\r\n]/.test(entry[field])) return `user ${entry.name}: ${field} must not contain ":" or a line break`;
  }
  if (/[\r\n]/.test(entry.extra)) return `user ${entry.name}: extra fields must not contain a line break`;
  for (const field of ['uid', 'gid'] as const) {
    if (entry[field] !== '' && !/^\d+$/.test(entry[field])) return `user ${entry.name}: ${field} must be a number`;
  }
  return undefined;
}

/** One passwd-file line for an entry, without trailing empty fields. */
export function formatUserLine(entry: UserEntry): string {
  const fields = [...FIELDS.map((field) => entry[field]), entry.extra];
  while (fields.length > 2 && fields.at(-1) === '') fields.pop();
  return fields.join(':');
}

function parseUserLine(text: string): UserEntry {
  const parts = text.split(':');
  const [name = '', secret = '', uid = '', gid = '', gecos = '', home = '', shell = ''] = parts;
  return { name, secret, uid, gid, gecos, home, shell, extra: parts.slice(7).join(':') };
}

/** A users file in memory: its lines in order, editable, serializable. */
export class UsersFile {
  readonly #lines: UsersFileLine[];

  private constructor(
    readonly file: string,
    lines: UsersFileLine[],
  ) {
    this.#lines = lines;
  }

  /** Parse file text ("" for a new file); throws ConfigError naming file:line at the first bad line. */
  static parse(text: string, file: string): UsersFile {
    const lines: UsersFileLine[] = [];
    const seen = new Set<string>();
    const body = text.endsWith('\n') ? text.slice(0, -1) : text;
    (body === '' ? [] : body.split('\n')).forEach((raw, index) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '' || line.trimStart().startsWith('#')) {
        lines.push({ kind: 'other', text: raw });
        return;
      }
      const entry = parseUserLine(line);
      const fault = checkUserEntry(entry) ?? (seen.has(entry.name) ? `user ${entry.name} appears twice` : undefined);
      if (fault) throw new ConfigError('invalid-value', fault, { file, line: index + 1 });
      seen.add(entry.name);
      lines.push({ kind: 'user', entry, text: raw });
    });
    return new UsersFile(file, lines);
  }

  /** Every user, in file order. */
  get users(): UserEntry[] {
    return this.#lines.flatMap((line) => (line.kind === 'user' ? [line.entry] : []));
  }

  find(name: string): UserEntry | undefined {
    return this.users.find((entry) => entry.name === name);
  }

  /** Add a user, or replace the line of the user with that name in place. Throws on an invalid entry. */
  set(entry: UserEntry): void {
    const fault = checkUserEntry(entry);
    if (fault) throw new ConfigError('invalid-value', fault, { file: this.file });
    const line: UsersFileLine = { kind: 'user', entry: { ...entry }, text: formatUserLine(entry) };
    const index = this.#lines.findIndex((l) => l.kind === 'user' && l.entry.name === entry.name);
    if (index >= 0) this.#lines[index] = line;
    else this.#lines.push(line);
  }

  /** Remove a user; false when there was none by that name. */
  delete(name: string): boolean {
    const index = this.#lines.findIndex((l) => l.kind === 'user' && l.entry.name === name);
    if (index < 0) return false;
    this.#lines.splice(index, 1);
    return true;
  }

  /** The file text: untouched lines as read, each line ending in a newline. */
  serialize(): string {
    return this.#lines.map((line) => `${line.text}\n`).join('');
  }
}
