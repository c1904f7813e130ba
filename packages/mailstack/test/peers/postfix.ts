// A private Postfix instance: its own config_directory, queue_directory and data_directory under
// a temp dir, smtpd on 127.0.0.1:PORT only, local delivery to a Maildir in the temp dir, and no
// way to deliver off this machine (default_transport = error, no DNS). Started and stopped with
// `postfix -c DIR start|stop`, so it coexists with the system instance and other private ones;
// as root, postfix(1) accepts a -c directory that is not listed in alternate_config_directories.
//
// Mail for mstest@DOMAIN (or any local part, with catchAll) goes to `maildir` through local(8):
// mail_spool_directory ends in "/", which makes local(8) write Maildir-style spool files.
import { chownSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeerError } from './errors.js';
import { LOOPBACK, onFreePorts, waitForPorts } from './ports.js';
import { isAlive, processTree, runCommand, reapTree, startDaemon } from './processes.js';
import { ensureSystemUser, makePeerDir, requireCommand, type CertFiles } from './system.js';

/** How to configure the private Postfix. */
export interface PostfixOptions {
  /** smtpd port on 127.0.0.1; default a free one. */
  port?: number;
  /** Offer STARTTLS with this certificate (smtpd_tls_security_level = may). */
  tls?: CertFiles;
  /** Transport map entries, e.g. { 'remote.test': 'smtp:[127.0.0.1]:2626' } (transport(5)). */
  transport?: Record<string, string>;
  /** Domains Postfix relays for from any client (relay_domains); route them with transport. */
  relayDomains?: readonly string[];
  /** Clients that may relay anywhere (mynetworks); default ["127.0.0.0/8"]. */
  mynetworks?: readonly string[];
  /** The local domain (mydestination); default "peer.test". */
  domain?: string;
  /** Accept any local part of `domain` and deliver it to the Maildir (luser_relay). */
  catchAll?: boolean;
  /** TLS level of Postfix's SMTP client toward relays (smtp_tls_security_level); default "may". */
  outboundTls?: 'none' | 'may' | 'encrypt';
  /** Any further main.cf parameters (postconf(5)), written last. */
  mainCf?: Record<string, string>;
}

/** A running private Postfix. */
export interface PostfixInstance {
  port: number;
  /** The master(8) pid. */
  pid: number;
  /** The temp dir holding config, queue, data, mail and log. */
  dir: string;
  configDir: string;
  /** The Maildir that local mail is delivered to (cur/, new/, tmp/). */
  maildir: string;
  /** The address that reaches `maildir`. */
  mailbox: string;
  /** Postfix's log file (maillog_file). */
  logFile: string;
  /** Files in maildir/new, sorted by name. */
  newMessages(): string[];
  /** Waits until the queue is empty (every message delivered, bounced or deferred to 'deferred'). */
  waitForQueueEmpty(timeoutMs?: number): Promise<boolean>;
  /** `postfix -c DIR stop`, waits for all its processes to exit, deletes the temp dir. */
  stop(): Promise<void>;
}

const DELIVERY_USER = 'mstest';

// master(8) services, without chroot (Debian's chroot setup belongs to its init script).
const SERVICES = `
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n - 0 cleanup
qmgr       unix  n - n 300 1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n - - trivial-rewrite
bounce     unix  - - n - 0 bounce
defer      unix  - - n - 0 bounce
trace      unix  - - n - 0 bounce
verify     unix  - - n - 1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n - - proxymap
proxywrite unix  - - n - 1 proxymap
smtp       unix  - - n - - smtp
relay      unix  - - n - - smtp
showq      unix  n - n - - showq
error      unix  - - n - - error
retry      unix  - - n - - error
discard    unix  - - n - - discard
local      unix  - n n - - local
anvil      unix  - - n - 1 anvil
scache     unix  - - n - 1 scache
postlog    unix-dgram n - n - 1 postlogd
`;

function mainCf(options: PostfixOptions, dir: string): Record<string, string> {
  const domain = options.domain ?? 'peer.test';
  const params: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: join(dir, 'queue'),
    data_directory: join(dir, 'data'),
    myhostname: `mx.${domain}`,
    mydomain: domain,
    myorigin: domain,
    mydestination: domain,
    mynetworks: (options.mynetworks ?? ['127.0.0.0/8']).join(', '),
    relay_domains: (options.relayDomains ?? []).join(', '),
    inet_interfaces: LOOPBACK,
    inet_protocols: 'ipv4',
    // Safety net: nothing leaves this machine unless the caller's transport map says so.
    default_transport: 'error',
    relay_transport: 'error',
    transport_maps: `texthash:${join(dir, 'etc', 'transport')}`,
    smtp_dns_support_level: 'disabled',
    smtp_host_lookup: 'native',
    smtp_tls_security_level: options.outboundTls ?? 'may',
    smtpd_relay_restrictions: 'permit_mynetworks, reject_unauth_destination',
    smtpd_banner: '$myhostname ESMTP Postfix',
    alias_maps: '',
    alias_database: '',
    home_mailbox: '',
    mailbox_command: '',
    mail_spool_directory: `${join(dir, 'mail')}/`,
    biff: 'no',
    maillog_file: join(dir, 'maillog'),
    maillog_file_prefixes: dir,
    smtpd_tls_security_level: options.tls ? 'may' : 'none',
    smtpd_tls_cert_file: options.tls?.certFile ?? '',
    smtpd_tls_key_file: options.tls?.keyFile ?? '',
  };
  if (options.catchAll) {
    params.local_recipient_maps = '';
    params.luser_relay = DELIVERY_USER;
  }
  return { ...params, ...options.mainCf };
}

function writeConfig(options: PostfixOptions, dir: string, port: number): string {
  const configDir = join(dir, 'etc');
  mkdirSync(configDir);
  const params = mainCf(options, dir);
  writeFileSync(join(configDir, 'main.cf'), Object.entries(params).map(([k, v]) => `${k} = ${v}\n`).join(''));
  writeFileSync(join(configDir, 'master.cf'), `${LOOPBACK}:${port} inet n - n - - smtpd\n${SERVICES}`);
  const transport = Object.entries(options.transport ?? {}).map(([domain, next]) => `${domain} ${next}\n`);
  writeFileSync(join(configDir, 'transport'), transport.join(''));
  return configDir;
}

function masterPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'queue', 'pid', 'master.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function queuedFiles(dir: string): number {
  let count = 0;
  for (const queue of ['maildrop', 'incoming', 'active']) {
    const walk = (path: string): void => {
      let entries;
      try {
        entries = readdirSync(path, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (entry.isDirectory()) walk(join(path, entry.name));
        else count++;
      }
    };
    walk(join(dir, 'queue', queue));
  }
  return count;
}

async function startOnce(postfix: string, options: PostfixOptions, port: number): Promise<PostfixInstance> {
  const user = await ensureSystemUser(DELIVERY_USER);
  const dir = makePeerDir('mailstack-postfix');
  const configDir = writeConfig(options, dir, port);
  for (const sub of ['queue', 'data', 'mail']) mkdirSync(join(dir, sub));
  const postfixUser = await ensureSystemUser('postfix');
  chownSync(join(dir, 'data'), postfixUser.uid, postfixUser.gid);
  const maildir = join(dir, 'mail', DELIVERY_USER);
  for (const sub of ['', 'cur', 'new', 'tmp']) {
    mkdirSync(join(maildir, sub), { recursive: true, mode: 0o700 });
    chownSync(join(maildir, sub), user.uid, user.gid);
  }
  const logFile = join(dir, 'maillog');
  const stop = async (): Promise<void> => {
    const pid = masterPid(dir);
    const pids = pid === undefined ? [] : processTree(pid);
    if (pid !== undefined && isAlive(pid)) await runCommand(postfix, ['-c', configDir, 'stop']);
    if (!(await reapTree(pids))) throw new PeerError('stop-failed', `postfix in ${dir} did not stop`);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await startDaemon(postfix, ['-c', configDir, 'start'], join(dir, 'start.log'));
  } catch (error) {
    await stop();
    throw error;
  }
  const pid = masterPid(dir);
  if (pid === undefined || !(await waitForPorts([port], () => isAlive(pid)))) {
    const log = readLog(logFile);
    await stop();
    throw new PeerError('start-failed', `postfix did not listen on ${LOOPBACK}:${port}:\n${log}`);
  }
  return {
    port,
    pid,
    dir,
    configDir,
    maildir,
    mailbox: `${DELIVERY_USER}@${options.domain ?? 'peer.test'}`,
    logFile,
    newMessages: () => readdirSync(join(maildir, 'new')).sort().map((name) => join(maildir, 'new', name)),
    waitForQueueEmpty: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (queuedFiles(dir) > 0) {
        if (Date.now() > deadline) return false;
        await sleep(50);
      }
      return true;
    },
    stop,
  };
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts a private Postfix on 127.0.0.1 (see PostfixOptions). Needs root. */
export async function startPostfix(options: PostfixOptions = {}): Promise<PostfixInstance> {
  const postfix = requireCommand('postfix', 'postfix');
  const { port } = options;
  if (port !== undefined) return startOnce(postfix, options, port);
  return onFreePorts(1, ([free]) => startOnce(postfix, options, free));
}
