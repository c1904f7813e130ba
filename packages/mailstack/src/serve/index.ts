/**
 * `mailstack serve`: the whole MTA composed from its parts (Postfix master(8)'s role). Start-up
 * order: users (and the first user on a fresh machine), TLS material, the queue spool and its
 * recovery, the queue manager, then the listeners; shutdown in reverse: stop accepting, let open
 * transactions and deliveries finish within the grace period, stop the queue manager.
 */
import { readFile } from 'node:fs/promises';
import { Resolver } from 'node:dns/promises';
import { createSecureContext } from 'node:tls';
import { parseAliases, QueueSpool, RelayPolicy, Router } from '@mailstack/mta';
import { AuthFailureDelay } from '../auth/failure-delay.js';
import { UserDirectory } from '../auth/user-directory.js';
import type { NextHop } from '../config/addresses.js';
import type { ListenerName, MailstackConfig } from '../config/types.js';
import { flushTriggerPath } from '../delivery/flush-trigger.js';
import { LocalDeliveryAgent } from '../delivery/local-agent.js';
import { QueueManager } from '../delivery/queue-manager.js';
import { RemoteDeliveryAgent } from '../delivery/remote-agent.js';
import { logRecord, streamLogger, type Logger } from '../log/maillog.js';
import { Pop3Server } from '../pop3/server.js';
import { SmtpServer } from '../smtp/server.js';
import { loadTlsMaterial } from '../tls/material.js';
import { withClientRateLimits } from './client-limits.js';
import { ensureFirstUser } from './first-user.js';
import { LocalUserNames } from './local-users.js';
import { smtpHandlers } from './smtp-handlers.js';

/** Options of startServer. */
export interface StartServerOptions {
  /** Where log records go; default one line each on stderr. */
  logger?: Logger;
  /** Aborting it closes the server (with the config's shutdown grace period). */
  signal?: AbortSignal;
}

/** A listener that is accepting connections. */
export interface ServeListener {
  name: ListenerName;
  host: string;
  port: number;
}

/** The running server. */
export interface RunningServer {
  listeners: ServeListener[];
  /** Stop accepting, finish in-flight transactions and deliveries (at most graceMs, default timeouts.shutdown), release everything. */
  close(graceMs?: number): Promise<void>;
}

const MAILDIR_TMP_CLEANUP_MS = 6 * 3_600_000;

const formatHop = (hop: NextHop): string => (hop.mxLookup ? `${hop.host}:${hop.port}` : `[${hop.host}]:${hop.port}`);

/** Start every listener of the config and the queue manager (SPEC.md §1 `mailstack serve`). */
export async function startServer(config: MailstackConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? streamLogger();
  const log = (text: string): void => logger(logRecord('serve', text));

  const firstPassword = await ensureFirstUser(config.users);
  const directory = await UserDirectory.open({ file: config.users, domains: config.domains, dataDir: config.dataDir });
  const names = new LocalUserNames(directory);
  await names.refresh();
  const tls = await loadTlsMaterial(config);
  const secureContext = createSecureContext(tls.options);

  const aliases = config.aliases === undefined ? undefined : parseAliases(await readFile(config.aliases, 'utf8'), config.aliases);
  const router = new Router({
    hostname: config.hostname,
    localDomains: config.domains,
    isLocalUser: (name) => names.has(name),
    ...(aliases ? { aliases } : {}),
    readInclude: (path) => readFile(path, 'utf8'),
    transport: Object.fromEntries([...config.transport].map(([domain, hop]) => [domain, formatHop(hop)])),
    relayhost: config.relayhost ? formatHop(config.relayhost) : null,
    resolver: new Resolver({ timeout: 10_000, tries: 2 }),
  });
  const policy = new RelayPolicy({
    mynetworks: config.mynetworks.entries,
    isLocalDomain: (domain) => router.isLocalDomain(domain),
    maxRecipientsPerMessage: config.limits.recipients,
    maxMessageBytes: config.limits.messageSize,
  });

  const spool = await QueueSpool.open(config.dataDir);
  let manager: QueueManager | undefined;
  const local = new LocalDeliveryAgent({
    router,
    hostname: config.hostname,
    findUser: async (name) => directory.findLoaded(name),
    refreshUsers: (force) => (force ? names.refreshNow() : names.refresh()),
    forward: (message, sender, recipients, deliveredTo) => manager!.forward(message, sender, recipients, deliveredTo),
    commandTimeoutMs: 1_000_000,
  });
  manager = new QueueManager({
    spool,
    router,
    local,
    remote: new RemoteDeliveryAgent({ router, hostname: config.hostname }),
    hostname: config.hostname,
    retry: config.queue.retry,
    logger,
  });
  const recovered = await manager.start();
  const cleanup = setInterval(() => void local.cleanupTmp(), MAILDIR_TMP_CLEANUP_MS);
  cleanup.unref();

  const failureDelay = new AuthFailureDelay({ baseMs: config.limits.authFailureDelayMs, maxMs: config.limits.authFailureMaxDelayMs });
  const smtp = new SmtpServer(
    {
      hostname: config.hostname,
      tls: secureContext,
      auth: { lookup: directory, failureDelay, maxFailures: config.limits.authFailures, allowPlaintextAuth: config.allowPlaintextAuth },
      maxMessageBytes: config.limits.messageSize,
      maxRecipients: config.limits.recipients,
      maxConnections: config.limits.connections,
      maxConnectionsPerIp: config.limits.connectionsPerIp,
      timeouts: { idleMs: config.timeouts.smtpMs },
      logger: (record) => logger(logRecord('smtpd', record.message, { level: record.event === 'error' ? 'warning' : 'info' })),
    },
    withClientRateLimits(
      smtpHandlers({ hostname: config.hostname, maxMessageBytes: config.limits.messageSize, router, policy, users: names, spool, manager, logger }),
      config.limits,
      config.mynetworks.entries,
    ),
  );
  const wantsPop3 = (config.listen.pop3?.length ?? 0) + (config.listen.pop3s?.length ?? 0) > 0;
  const pop3 = wantsPop3
    ? new Pop3Server({
        hostname: config.hostname,
        users: directory,
        tls: secureContext,
        allowPlaintextAuth: config.allowPlaintextAuth,
        failureDelay,
        maxAuthFailures: config.limits.authFailures,
        maxConnections: config.limits.connections,
        maxConnectionsPerIp: config.limits.connectionsPerIp,
        timeouts: { idleMs: config.timeouts.pop3Ms },
        logger: (record) => logger(logRecord('pop3d', record.message, { level: record.event === 'error' ? 'warning' : 'info' })),
      })
    : undefined;

  const listeners: ServeListener[] = [];
  const close = async (graceMs = config.timeouts.shutdownMs): Promise<void> => {
    log(`stopping: finishing open transactions (up to ${graceMs} ms)`);
    clearInterval(cleanup);
    await Promise.all([smtp.close({ graceMs }), pop3?.close({ graceMs })]);
    await manager.close(graceMs);
    log('stopped');
  };
  try {
    for (const [name, role, implicitTls] of [
      ['smtp', 'smtp', false],
      ['submission', 'submission', false],
      ['submissions', 'submission', true],
    ] as const) {
      for (const address of config.listen[name] ?? []) {
        const bound = await smtp.listen({ host: address.host, port: address.port, role, implicitTls });
        listeners.push({ name, host: bound.host, port: bound.port });
      }
    }
    for (const name of ['pop3', 'pop3s'] as const) {
      for (const address of config.listen[name] ?? []) {
        const bound = await pop3!.listen({ host: address.host, port: address.port, implicitTls: name === 'pop3s' });
        listeners.push({ name, host: bound.host, port: bound.port });
      }
    }
  } catch (error) {
    await close(0);
    throw error;
  }
  for (const name of ['imap', 'imaps'] as const) {
    if ((config.listen[name]?.length ?? 0) > 0) logger(logRecord('serve', `listen.${name} is configured but this build has no IMAP server; not listening`, { level: 'warning' }));
  }

  log(`mailstack ${config.hostname}: config ${config.source ?? '(embedded default)'}, domains ${config.domains.join(', ')}`);
  log(`data ${config.dataDir}: queue ${spool.root} (${recovered.active} active, ${recovered.deferred} deferred, ${recovered.hold} on hold), mailboxes <home>/Maildir, default home ${config.dataDir}/home/NAME`);
  log(`users ${config.users}; add one with: mailstack user add NAME`);
  log(`TLS certificate ${tls.certFile}${tls.generated ? ' (generated, self-signed)' : ''}, key ${tls.keyFile}`);
  log(`queue flush: mailstack queue flush (or create ${flushTriggerPath(config.dataDir)})`);
  if (firstPassword !== undefined) log(`created user postmaster with password ${firstPassword} (shown once; change it with mailstack user)`);
  for (const l of listeners) log(`listening: ${l.name} on ${l.host}:${l.port}`);

  let closing: Promise<void> | undefined;
  const once = (graceMs?: number): Promise<void> => (closing ??= close(graceMs));
  options.signal?.addEventListener('abort', () => void once(), { once: true });
  return { listeners, close: once };
}
