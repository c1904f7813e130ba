/**
 * The aliases(5) file format as Postfix's postalias(1) and local(8) read it:
 *
 *   # comment                      lines whose first non-blank character is "#" are ignored
 *   name: value1, value2,          a logical line starts with non-whitespace text;
 *       value3                     a line starting with whitespace continues it
 *   "odd name": "|/usr/bin/prog arg", /var/spool/archive, :include:/etc/mail/list, \user
 *
 * Names are local addresses without domain, folded to lower case, double-quoted when they contain
 * whitespace, "#", ":" or "@". Values are separated by commas outside double quotes.
 */
import { MtaConfigError } from './errors.js';

/** One value on the right-hand side of an alias (aliases(5) "DESCRIPTION"). */
export type AliasTarget =
  | { kind: 'name'; name: string }            // a local name: an alias again, or a user
  | { kind: 'mailbox'; name: string }         // "\user": the user's mailbox, no further aliasing
  | { kind: 'address'; address: string }      // user@domain
  | { kind: 'pipe'; command: string }         // "|command"
  | { kind: 'file'; path: string }            // "/file/name"
  | { kind: 'include'; path: string };        // ":include:/file/name"

/** One alias with the place it was defined, for error messages. */
export interface AliasEntry {
  name: string;
  targets: readonly AliasTarget[];
  file: string;
  line: number;
}

/** Parsed aliases, keyed by lower-cased name. */
export type AliasTable = ReadonlyMap<string, AliasEntry>;

interface LogicalLine {
  text: string;
  line: number;
}

/**
 * Parse an aliases file. Throws MtaConfigError naming `file:line` on a syntax error or a
 * duplicate name (postalias warns and keeps the first; we refuse, so the operator sees it).
 */
export function parseAliases(text: string, file: string): AliasTable {
  const table = new Map<string, AliasEntry>();
  for (const { text: logical, line } of logicalLines(text, file)) {
    const colon = unquotedIndexOf(logical, ':');
    if (colon < 0) throw syntax(file, line, 'missing ":" after the alias name');
    const name = unquote(logical.slice(0, colon).trim()).toLowerCase();
    if (name === '') throw syntax(file, line, 'empty alias name');
    const targets = parseTargets(logical.slice(colon + 1), file, line);
    if (targets.length === 0) throw syntax(file, line, `alias "${name}" has no value`);
    const earlier = table.get(name);
    if (earlier) {
      throw new MtaConfigError(
        'duplicate',
        `${file}:${line}: duplicate alias "${name}" (first defined at line ${earlier.line})`,
      );
    }
    table.set(name, { name, targets, file, line });
  }
  return table;
}

/**
 * Parse the contents of a `:include:` file: values as on the right-hand side of an alias,
 * separated by commas or newlines; "#" comment lines allowed (Postfix local(8)).
 */
export function parseIncludeFile(text: string, file: string): AliasTarget[] {
  const targets: AliasTarget[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (isBlankOrComment(raw)) return;
    targets.push(...parseTargets(raw, file, i + 1));
  });
  return targets;
}

function* logicalLines(text: string, file: string): Generator<LogicalLine> {
  let current: LogicalLine | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (isBlankOrComment(raw)) continue;
    if (/^[ \t]/.test(raw)) {
      if (!current) throw syntax(file, i + 1, 'continuation line without a preceding alias');
      current = { text: `${current.text} ${raw.trim()}`, line: current.line };
      continue;
    }
    if (current) yield current;
    current = { text: raw, line: i + 1 };
  }
  if (current) yield current;
}

function isBlankOrComment(raw: string): boolean {
  const trimmed = raw.trim();
  return trimmed === '' || trimmed.startsWith('#');
}

function parseTargets(values: string, file: string, line: number): AliasTarget[] {
  const targets: AliasTarget[] = [];
  for (const raw of splitValues(values, file, line)) {
    const value = raw.trim();
    if (value === '') continue;
    targets.push(classify(value, file, line));
  }
  return targets;
}

// Commas separate values except inside double quotes or angle brackets.
function splitValues(values: string, file: string, line: number): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = false;
  for (let i = 0; i < values.length; i++) {
    const c = values[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle = true;
    else if (!quoted && c === '>') angle = false;
    else if (c === ',' && !quoted && !angle) {
      out.push(values.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw syntax(file, line, 'unterminated double quote');
  out.push(values.slice(start));
  return out;
}

function classify(value: string, file: string, line: number): AliasTarget {
  const whole = isWholeQuoted(value) ? unquote(value) : stripAngle(value);
  if (whole.startsWith('|')) {
    const command = whole.slice(1).trim();
    if (command === '') throw syntax(file, line, 'empty command after "|"');
    return { kind: 'pipe', command };
  }
  if (/^:include:/i.test(whole)) {
    const path = whole.slice(':include:'.length).trim();
    if (!path.startsWith('/')) throw syntax(file, line, `:include: needs an absolute path, got "${path}"`);
    return { kind: 'include', path };
  }
  if (whole.startsWith('/')) return { kind: 'file', path: whole };
  if (whole.startsWith('\\')) return { kind: 'mailbox', name: whole.slice(1).toLowerCase() };
  if (/[\s]/.test(whole) && !isWholeQuoted(value) && !whole.includes('"')) {
    throw syntax(file, line, `unexpected whitespace in "${whole}" (missing comma?)`);
  }
  if (whole.includes('@')) return { kind: 'address', address: whole };
  return { kind: 'name', name: whole.toLowerCase() };
}

// "Joe <joe@example.org>" → joe@example.org: the route-addr form sendmail's aliases accept.
function stripAngle(value: string): string {
  const m = /<([^<>]*)>\s*$/.exec(value);
  return m ? (m[1] ?? '').trim() : value;
}

// True for "..." with no other unescaped double quote inside.
function isWholeQuoted(value: string): boolean {
  if (value.length < 2 || !value.startsWith('"')) return false;
  for (let i = 1; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '"') return i === value.length - 1;
  }
  return false;
}

function unquote(value: string): string {
  return isWholeQuoted(value) ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}

function unquotedIndexOf(text: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) return i;
  }
  return -1;
}

function syntax(file: string, line: number, detail: string): MtaConfigError {
  return new MtaConfigError('syntax', `${file}:${line}: ${detail}`);
}
