/** Defaults of SPEC.md §2-§3 and of the keys added for later work (docs/config.md). */
import { join, resolve } from 'node:path';
import { NetworkList } from '@mailstack/mta';
import type { ListenAddress } from './addresses.js';
import type { LimitsConfig, ListenerName, MailstackConfig, QueueConfig, TimeoutsConfig } from './types.js';

/** The ports of SPEC.md §2's example, all on 127.0.0.1. */
export const DEFAULT_LISTEN: Readonly<Record<ListenerName, readonly ListenAddress[]>> = {
  smtp: [{ host: '127.0.0.1', port: 2525 }],
  submission: [{ host: '127.0.0.1', port: 2587 }],
  submissions: [{ host: '127.0.0.1', port: 2465 }],
  pop3: [{ host: '127.0.0.1', port: 2110 }],
  pop3s: [{ host: '127.0.0.1', port: 2995 }],
  imap: [{ host: '127.0.0.1', port: 2143 }],
  imaps: [{ host: '127.0.0.1', port: 2993 }],
};

export const DEFAULT_MYNETWORKS = ['127.0.0.0/8', '::1/128'];

export const DEFAULT_LIMITS: Readonly<LimitsConfig> = {
  messageSize: 52_428_800,
  recipients: 1000,
  connections: 100,
  connectionsPerIp: 20,
  connectionRate: 120,
  messageRate: 300,
  authFailures: 5,
  authFailureDelayMs: 2000,
  authFailureMaxDelayMs: 15_000,
};

export const DEFAULT_TIMEOUTS: Readonly<TimeoutsConfig> = {
  smtpMs: 300_000,
  pop3Ms: 600_000,
  imapMs: 1_800_000,
  shutdownMs: 30_000,
};

export const DEFAULT_QUEUE: Readonly<QueueConfig> = {
  retry: { firstMs: 300_000, maxMs: 4_000_000, lifetimeMs: 5 * 86_400_000 },
};

/**
 * The embedded default (SPEC.md §3), with paths relative to `baseDir` (the config file's
 * folder, or the working directory when there is no file).
 */
export function defaultConfig(options: { baseDir: string; hostname: string; source?: string }): MailstackConfig {
  const hostname = options.hostname.toLowerCase();
  const dataDir = resolve(options.baseDir, 'mailstack-data');
  return {
    source: options.source,
    hostname,
    domains: [...new Set(['localhost', hostname])],
    dataDir,
    users: join(dataDir, 'users'),
    tls: undefined,
    listen: Object.fromEntries(Object.entries(DEFAULT_LISTEN).map(([name, list]) => [name, list.map((a) => ({ ...a }))])),
    mynetworks: new NetworkList(DEFAULT_MYNETWORKS),
    aliases: undefined,
    transport: new Map(),
    relayhost: undefined,
    filter: undefined,
    limits: { ...DEFAULT_LIMITS },
    timeouts: { ...DEFAULT_TIMEOUTS },
    queue: { retry: { ...DEFAULT_QUEUE.retry } },
    allowPlaintextAuth: false,
  };
}
