// A private Dovecot 2.3 (the POP3/IMAP reference peer), after /work/shared/peers/dovecot-start.sh:
// its own base_dir, state_dir, config, log and self-signed certificate under a temp dir, listeners
// on free 127.0.0.1 ports only (pop3, pop3s, imap, imaps), users in a passwd-file stored {PLAIN}
// so APOP and CRAM-MD5 work, Maildir homes in the temp dir. Started as `dovecot -c CONF` and
// stopped through its master.pid, so it never touches /etc/dovecot or another instance.
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeerError } from './errors.js';
import { LOOPBACK, onFreePorts, waitForPorts } from './ports.js';
import { isAlive, processTree, runCommand, reapTree, startDaemon } from './processes.js';
import { ensureSystemUser, makePeerDir, requireCommand, selfSignedCert, type CertFiles, type UnixUser } from './system.js';

/** A mail user of the private Dovecot. */
export interface DovecotUser {
  name: string;
  password: string;
}

/** How to configure the private Dovecot. */
export interface DovecotOptions {
  users: readonly DovecotUser[];
  /** Log in with plaintext USER/PASS, LOGIN and PLAIN without TLS (default true: loopback only). */
  allowPlaintextAuth?: boolean;
}

/** The loopback ports of the four listeners. */
export interface DovecotPorts {
  pop3: number;
  pop3s: number;
  imap: number;
  imaps: number;
}

/** A running private Dovecot. */
export interface DovecotInstance {
  ports: DovecotPorts;
  /** The master process pid (base_dir/master.pid). */
  pid: number;
  /** The temp dir holding config, state, certificate, mail and log. */
  dir: string;
  configFile: string;
  logFile: string;
  tls: CertFiles;
  /** The Maildir of a user (home/Maildir). */
  maildir(user: string): string;
  /** Writes one message into the user's Maildir/new (tmp/ then rename, as maildir(5)); returns its path. */
  deliver(user: string, message: Uint8Array | string): string;
  /** Stops the master, waits until all its processes are gone, deletes the temp dir. */
  stop(): Promise<void>;
}

interface Accounts {
  mail: UnixUser;
  internal: string;
  login: string;
}

async function accounts(): Promise<Accounts> {
  if (process.getuid?.() === 0) {
    // As root: mail processes run as vmail; Debian's package creates dovecot and dovenull.
    return { mail: await ensureSystemUser('vmail'), internal: 'dovecot', login: 'dovenull' };
  }
  const self = await ensureSystemUser((await runCommand('id', ['-un'])).stdout.trim());
  return { mail: self, internal: self.name, login: self.name };
}

function config(dir: string, ports: DovecotPorts, acc: Accounts, plaintext: boolean, tls: CertFiles, dh: string): string {
  const rootless = acc.mail.name === acc.internal;
  const listener = (name: string, port: number, ssl: boolean): string =>
    `  inet_listener ${name} {\n    address = ${LOOPBACK}\n    port = ${port}\n    ssl = ${ssl ? 'yes' : 'no'}\n  }\n`;
  const loginChroot = rootless ? '  chroot =\n' : '';
  return `# private Dovecot for mailstack tests; written by test/peers/dovecot.ts
instance_name = mailstack-peer-${ports.imap}
base_dir = ${dir}/run
state_dir = ${dir}/lib
protocols = imap pop3
listen = ${LOOPBACK}
shutdown_clients = yes
log_path = ${dir}/dovecot.log
default_internal_user = ${acc.internal}
default_login_user = ${acc.login}
first_valid_uid = ${acc.mail.uid}
last_valid_uid = 0
first_valid_gid = ${acc.mail.gid}
ssl = yes
ssl_cert = <${tls.certFile}
ssl_key = <${tls.keyFile}
ssl_dh = <${dh}
disable_plaintext_auth = ${plaintext ? 'no' : 'yes'}
auth_mechanisms = plain login cram-md5 apop
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/users
  default_fields = uid=${acc.mail.uid} gid=${acc.mail.gid} home=${dir}/mail/%u
}
mail_location = maildir:~/Maildir
mail_max_userip_connections = 200
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Junk {
    special_use = \\Junk
  }
  mailbox Trash {
    special_use = \\Trash
  }
  mailbox Sent {
    special_use = \\Sent
  }
}
protocol pop3 {
  pop3_uidl_format = %08Xu%08Xv
}
service imap-login {
${listener('imap', ports.imap, false)}${listener('imaps', ports.imaps, true)}${loginChroot}}
service pop3-login {
${listener('pop3', ports.pop3, false)}${listener('pop3s', ports.pop3s, true)}${loginChroot}}
${rootless ? 'service anvil {\n  chroot =\n}\nservice auth {\n  user = $default_internal_user\n}\nservice auth-worker {\n  user = $default_internal_user\n}\n' : ''}`;
}

function readPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'run', 'master.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function makeMaildirWriter(dir: string, mail: UnixUser): (user: string, message: Uint8Array | string) => string {
  let seq = 0;
  const host = hostname().replace(/[/:]/g, '_');
  return (user, message) => {
    const maildir = join(dir, 'mail', user, 'Maildir');
    for (const path of [join(dir, 'mail', user), maildir, join(maildir, 'cur'), join(maildir, 'new'), join(maildir, 'tmp')]) {
      if (!existsSync(path)) {
        mkdirSync(path, { mode: 0o700 });
        chownSync(path, mail.uid, mail.gid);
      }
    }
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    // maildir(5) unique name; ",S=" gives Dovecot the size without a stat (its maildir_size extension).
    const now = Date.now();
    const name = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${++seq}.${host},S=${bytes.length}`;
    const tmp = join(maildir, 'tmp', name);
    writeFileSync(tmp, bytes, { mode: 0o600 });
    chownSync(tmp, mail.uid, mail.gid);
    const path = join(maildir, 'new', name);
    renameSync(tmp, path);
    return path;
  };
}

async function startOnce(options: DovecotOptions, list: number[]): Promise<DovecotInstance> {
  const dovecot = requireCommand('dovecot', 'dovecot-imapd dovecot-pop3d');
  requireCommand('pop3', 'dovecot-pop3d');
  requireCommand('imap', 'dovecot-imapd');
  const [pop3, pop3s, imap, imaps] = list;
  const ports: DovecotPorts = { pop3, pop3s, imap, imaps };
  const acc = await accounts();
  const dir = makePeerDir('mailstack-dovecot');
  for (const sub of ['run', 'lib', 'ssl']) mkdirSync(join(dir, sub), { mode: 0o755 });
  mkdirSync(join(dir, 'mail'), { mode: 0o755 });
  chownSync(join(dir, 'mail'), acc.mail.uid, acc.mail.gid);
  const tls = await selfSignedCert(join(dir, 'ssl'));
  const dh = join(dir, 'ssl', 'dh.pem');
  if (existsSync('/usr/share/dovecot/dh.pem')) copyFileSync('/usr/share/dovecot/dh.pem', dh);
  else await runCommand(requireCommand('openssl', 'openssl'), ['dhparam', '-dsaparam', '-out', dh, '2048']);
  writeFileSync(join(dir, 'users'), options.users.map((u) => `${u.name}:{PLAIN}${u.password}::::::\n`).join(''));
  chmodSync(join(dir, 'users'), 0o644);
  const configFile = join(dir, 'dovecot.conf');
  writeFileSync(configFile, config(dir, ports, acc, options.allowPlaintextAuth ?? true, tls, dh));
  const logFile = join(dir, 'dovecot.log');

  const stop = async (): Promise<void> => {
    const pid = readPid(dir);
    const pids = pid === undefined ? [] : processTree(pid);
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGTERM');
    if (!(await reapTree(pids))) throw new PeerError('stop-failed', `dovecot in ${dir} did not stop`);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await startDaemon(dovecot, ['-c', configFile], join(dir, 'start.log'));
  } catch (error) {
    await stop();
    throw error;
  }
  // The foreground dovecot exits before the forked master has written its pid file.
  let pid = readPid(dir);
  for (let waited = 0; pid === undefined && waited < 10_000; waited += 25) {
    await sleep(25);
    pid = readPid(dir);
  }
  if (pid === undefined || !(await waitForPorts([pop3, pop3s, imap, imaps], () => isAlive(pid)))) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '(no log)';
    await stop();
    throw new PeerError('start-failed', `dovecot did not listen on ${list.join(', ')}:\n${log}`);
  }
  const deliver = makeMaildirWriter(dir, acc.mail);
  return {
    ports,
    pid,
    dir,
    configFile,
    logFile,
    tls,
    maildir: (user) => join(dir, 'mail', user, 'Maildir'),
    deliver,
    stop,
  };
}

/** Starts a private Dovecot with the given users on free 127.0.0.1 ports. */
export function startDovecot(options: DovecotOptions): Promise<DovecotInstance> {
  return onFreePorts(4, (ports) => startOnce(options, ports));
}
