/**
 * Typed reads from a YAML document with line numbers in every error. Each read takes the node
 * and its dotted path ("limits.messageSize") so the message names both the key and the line.
 * A null value (`key:` or `key: null`) counts as absent everywhere.
 */
import { isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import { ConfigError, type ConfigErrorCode } from './errors.js';
import { parseDuration } from './units.js';

/** A YAML value as the parser gives it: a node, or null for an empty value. */
export type YamlValue = Node | null | undefined;

export interface YamlEntry {
  key: string;
  keyNode: Node;
  value: YamlValue;
}

function describe(node: YamlValue): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return JSON.stringify(node.value);
  if (isAlias(node)) return `the alias *${node.source} (YAML aliases are not supported)`;
  return 'nothing';
}

export function isAbsent(node: YamlValue): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export class YamlReader {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  lineOf(node: YamlValue): number | undefined {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  fail(node: YamlValue, detail: string, code: ConfigErrorCode = 'invalid-value'): never {
    throw new ConfigError(code, detail, { file: this.file, line: this.lineOf(node) });
  }

  /** The entries of a mapping, in order; keys outside `allowed` are an error naming the key. */
  entries(node: YamlValue, path: string, allowed?: readonly string[]): YamlEntry[] {
    if (!isMap(node)) this.fail(node, `${path || 'the config'}: expected a mapping, got ${describe(node)}`);
    return node.items.map((pair) => {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      if (key === undefined) this.fail(keyNode, `${path || 'the config'}: keys must be plain strings`, 'syntax');
      if (allowed && !allowed.includes(key)) {
        const name = path ? `${path}.${key}` : key;
        this.fail(keyNode, `unknown key "${name}" (known: ${allowed.join(', ')})`, 'unknown-key');
      }
      return { key, keyNode, value: pair.value as YamlValue };
    });
  }

  /** A mapping's values by key, for sections with a fixed set of keys. */
  section(node: YamlValue, path: string, allowed: readonly string[]): Map<string, YamlValue> {
    return new Map(this.entries(node, path, allowed).map((entry) => [entry.key, entry.value]));
  }

  string(node: YamlValue, path: string): string {
    if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
      this.fail(node, `${path}: expected a non-empty string, got ${describe(node)}`);
    }
    return node.value;
  }

  boolean(node: YamlValue, path: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') this.fail(node, `${path}: expected true or false, got ${describe(node)}`);
    return node.value;
  }

  integer(node: YamlValue, path: string, min: number): number {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      this.fail(node, `${path}: expected an integer >= ${min}, got ${describe(node)}`);
    }
    return value;
  }

  durationMs(node: YamlValue, path: string): number {
    const value = isScalar(node) ? node.value : undefined;
    const ms = typeof value === 'number' || typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) this.fail(node, `${path}: expected a duration like 300, "300s", "5m", "4h" or "5d", got ${describe(node)}`);
    return ms;
  }

  /** A list of strings; a single string is accepted as a list of one when `single` allows it. */
  stringList(node: YamlValue, path: string, single = false): Array<{ value: string; node: YamlValue }> {
    if (single && isScalar(node)) return [{ value: this.string(node, path), node }];
    if (!isSeq(node)) this.fail(node, `${path}: expected a list, got ${describe(node)}`);
    return node.items.map((item, i) => ({ value: this.string(item as YamlValue, `${path}[${i}]`), node: item as YamlValue }));
  }
}
