/**
 * The config file of SPEC.md §2: YAML (hence JSON too), every key and type checked, unknown
 * keys refused with their line, paths resolved against the file's folder. docs/config.md lists
 * every key with its default.
 */
import { dirname, join, resolve } from 'node:path';
import { MtaConfigError, NetworkList } from '@mailstack/mta';
import { LineCounter, parseDocument } from 'yaml';
import { isHostName, parseListenAddress, parseNextHop, type ListenAddress, type NextHop } from './addresses.js';
import { defaultConfig } from './defaults.js';
import { ConfigError } from './errors.js';
import { YamlReader, isAbsent, type YamlValue } from './reader.js';
import { LISTENER_NAMES, type LimitsConfig, type ListenerName, type MailstackConfig, type QueueConfig, type TimeoutsConfig } from './types.js';

const ROOT_KEYS = [
  'hostname', 'domains', 'dataDir', 'users', 'tls', 'listen', 'mynetworks', 'aliases', 'transport',
  'relayhost', 'filter', 'limits', 'timeouts', 'queue', 'allowPlaintextAuth',
] as const;
const LIMIT_COUNTS = ['messageSize', 'recipients', 'connections', 'connectionsPerIp', 'authFailures'] as const;
// Rates may be 0: off, as in Postfix.
const LIMIT_RATES = ['connectionRate', 'messageRate'] as const;
const LIMIT_DURATIONS = { authFailureDelay: 'authFailureDelayMs', authFailureMaxDelay: 'authFailureMaxDelayMs' } as const;
const TIMEOUTS = { smtp: 'smtpMs', pop3: 'pop3Ms', imap: 'imapMs', shutdown: 'shutdownMs' } as const;
const RETRY = { first: 'firstMs', max: 'maxMs', lifetime: 'lifetimeMs' } as const;

export interface ParseConfigOptions {
  /** The file's path: used for messages and as the base of relative paths. */
  file: string;
  /** The OS host name, the default `hostname`. */
  hostname: string;
}

function hostName(reader: YamlReader, node: YamlValue, path: string): string {
  const value = reader.string(node, path);
  if (!isHostName(value)) reader.fail(node, `${path}: "${value}" is not a valid host name`);
  return value.toLowerCase().replace(/\.$/, '');
}

function readListen(reader: YamlReader, node: YamlValue): Partial<Record<ListenerName, ListenAddress[]>> {
  const listen: Partial<Record<ListenerName, ListenAddress[]>> = {};
  for (const { key, value } of reader.entries(node, 'listen', LISTENER_NAMES)) {
    if (isAbsent(value)) continue;
    listen[key as ListenerName] = reader.stringList(value, `listen.${key}`, true).map((item) => {
      const address = parseListenAddress(item.value);
      return typeof address === 'string' ? reader.fail(item.node, `listen.${key}: ${address}`) : address;
    });
  }
  return listen;
}

// Parsed by the MTA's own NetworkList (the one the relay policy and rate limits match with), so
// whatever passes here also starts. Its error names the entry; the entry's line is looked up only
// then, as the first entry that does not parse alone.
function readNetworks(reader: YamlReader, node: YamlValue): NetworkList {
  const items = reader.stringList(node, 'mynetworks');
  try {
    return new NetworkList(items.map((item) => item.value));
  } catch (error) {
    if (!(error instanceof MtaConfigError)) throw error;
    const bad = items.find((item) => !parsesAlone(item.value));
    return reader.fail(bad?.node ?? node, error.message);
  }
}

function parsesAlone(entry: string): boolean {
  try {
    new NetworkList([entry]);
    return true;
  } catch {
    return false;
  }
}

function nextHop(reader: YamlReader, node: YamlValue, path: string): NextHop {
  const hop = parseNextHop(reader.string(node, path));
  return typeof hop === 'string' ? reader.fail(node, `${path}: ${hop}`) : hop;
}

function readTransport(reader: YamlReader, node: YamlValue): Map<string, NextHop> {
  const transport = new Map<string, NextHop>();
  for (const { key, keyNode, value } of reader.entries(node, 'transport')) {
    if (!isHostName(key)) reader.fail(keyNode, `transport: "${key}" is not a domain`);
    transport.set(key.toLowerCase(), nextHop(reader, value, `transport.${key}`));
  }
  return transport;
}

function readLimits(reader: YamlReader, node: YamlValue, defaults: LimitsConfig): LimitsConfig {
  const limits = { ...defaults };
  const section = reader.section(node, 'limits', [...LIMIT_COUNTS, ...LIMIT_RATES, ...Object.keys(LIMIT_DURATIONS)]);
  for (const [keys, min] of [[LIMIT_COUNTS, 1], [LIMIT_RATES, 0]] as const) {
    for (const key of keys) {
      const value = section.get(key);
      if (!isAbsent(value)) limits[key] = reader.integer(value, `limits.${key}`, min);
    }
  }
  for (const [key, field] of Object.entries(LIMIT_DURATIONS)) {
    const value = section.get(key);
    if (!isAbsent(value)) limits[field] = reader.durationMs(value, `limits.${key}`);
  }
  return limits;
}

/** Read a section whose keys are all durations, mapped to `...Ms` fields. */
function readDurations<F extends string>(reader: YamlReader, node: YamlValue, path: string, fields: Record<string, F>, target: Record<F, number>): void {
  for (const [key, value] of reader.section(node, path, Object.keys(fields))) {
    if (!isAbsent(value)) target[fields[key]!] = reader.durationMs(value, `${path}.${key}`);
  }
}

function readQueue(reader: YamlReader, node: YamlValue, defaults: QueueConfig): QueueConfig {
  const retry = { ...defaults.retry };
  const section = reader.section(node, 'queue', ['retry']);
  const retryNode = section.get('retry');
  if (!isAbsent(retryNode)) readDurations(reader, retryNode, 'queue.retry', RETRY, retry);
  if (retry.firstMs > retry.maxMs) reader.fail(retryNode, 'queue.retry: "first" must not exceed "max"');
  return { retry };
}

/** Parse and validate config text; throws ConfigError naming file:line on the first fault. */
export function parseConfig(text: string, options: ParseConfigOptions): MailstackConfig {
  const file = resolve(options.file);
  const baseDir = dirname(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const line = lineCounter.linePos(syntaxError.pos[0]).line;
    throw new ConfigError('syntax', syntaxError.message.split('\n')[0]!, { file, line });
  }
  const reader = new YamlReader(file, lineCounter);
  const config = defaultConfig({ baseDir, hostname: options.hostname, source: file });
  if (isAbsent(doc.contents)) return config;
  const root = reader.section(doc.contents, '', ROOT_KEYS);
  const get = (key: (typeof ROOT_KEYS)[number]): YamlValue => (isAbsent(root.get(key)) ? undefined : root.get(key));
  const path = (node: YamlValue, key: string): string => resolve(baseDir, reader.string(node, key));
  const timeouts: TimeoutsConfig = { ...config.timeouts };

  const hostnameNode = get('hostname');
  if (hostnameNode) config.hostname = hostName(reader, hostnameNode, 'hostname');
  const domainsNode = get('domains');
  config.domains = domainsNode
    ? [...new Set(reader.stringList(domainsNode, 'domains').map((item) => hostName(reader, item.node, 'domains')))]
    : [...new Set(['localhost', config.hostname])];
  const dataDirNode = get('dataDir');
  if (dataDirNode) config.dataDir = path(dataDirNode, 'dataDir');
  const usersNode = get('users');
  config.users = usersNode ? path(usersNode, 'users') : join(config.dataDir, 'users');
  const tlsNode = get('tls');
  if (tlsNode) {
    const tls = reader.section(tlsNode, 'tls', ['cert', 'key']);
    config.tls = { cert: path(tls.get('cert') ?? tlsNode, 'tls.cert'), key: path(tls.get('key') ?? tlsNode, 'tls.key') };
  }
  const listenNode = get('listen');
  if (listenNode) config.listen = readListen(reader, listenNode);
  const networksNode = get('mynetworks');
  if (networksNode) config.mynetworks = readNetworks(reader, networksNode);
  const aliasesNode = get('aliases');
  if (aliasesNode) config.aliases = path(aliasesNode, 'aliases');
  const transportNode = get('transport');
  if (transportNode) config.transport = readTransport(reader, transportNode);
  const relayNode = get('relayhost');
  if (relayNode) config.relayhost = nextHop(reader, relayNode, 'relayhost');
  const filterNode = get('filter');
  if (filterNode) config.filter = path(filterNode, 'filter');
  const limitsNode = get('limits');
  if (limitsNode) config.limits = readLimits(reader, limitsNode, config.limits);
  const timeoutsNode = get('timeouts');
  if (timeoutsNode) readDurations(reader, timeoutsNode, 'timeouts', TIMEOUTS, timeouts);
  config.timeouts = timeouts;
  const queueNode = get('queue');
  if (queueNode) config.queue = readQueue(reader, queueNode, config.queue);
  const plaintextNode = get('allowPlaintextAuth');
  if (plaintextNode) config.allowPlaintextAuth = reader.boolean(plaintextNode, 'allowPlaintextAuth');
  return config;
}
