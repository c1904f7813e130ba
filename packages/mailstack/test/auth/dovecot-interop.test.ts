/**
 * Interop with a real Dovecot 2.3: a private instance on 127.0.0.1 whose passwd-file is written
 * by our hashPassword, driven by our @mailstack/sasl clients through IMAP AUTHENTICATE
 * (RFC 9051 §6.2.2, SASL-IR RFC 4959). Checks both that Dovecot accepts the secrets we store
 * and that our client mechanisms authenticate against an independent server.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSaslClient, type SaslMechanismName } from '@mailstack/sasl';
import { hashPassword, type PasswordScheme } from 'mailstack';
import { ensureSystemUser, freePort, isListening } from '../peers/index.js';

const INSTALL = 'apt-get install dovecot-imapd';
const PASSWORD = 'correct horse';
const USERS: Array<[string, PasswordScheme]> = [
  ['plain', 'PLAIN'],
  ['cram', 'CRAM-MD5'],
  ['crypt6', 'SHA512-CRYPT'],
  ['crypt5', 'SHA256-CRYPT'],
  ['ssha256', 'SSHA256'],
  ['ssha512', 'SSHA512'],
  ['scram', 'SCRAM-SHA-256'],
];

let state: string;
let port: number;

async function waitForPort(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await isListening(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`dovecot did not listen on ${port}; log: ${await readFile(join(state, 'dovecot.log'), 'utf8').catch(() => '')}`);
}

beforeAll(async () => {
  if (!existsSync('/usr/sbin/dovecot') || !existsSync('/usr/lib/dovecot/imap')) throw new Error(`dovecot is missing; install it with: ${INSTALL}`);
  state = await mkdtemp(join(tmpdir(), 'mailstack-dovecot-'));
  port = await freePort();
  // Dovecot's mail processes run as vmail (created here when missing, as the Dovecot peer does).
  const { uid, gid } = await ensureSystemUser('vmail');
  await chmod(state, 0o755);
  await mkdir(join(state, 'mail'));
  await chown(join(state, 'mail'), uid, gid);
  await writeFile(join(state, 'users'), USERS.map(([name, scheme]) => `${name}:${hashPassword(PASSWORD, scheme)}\n`).join(''), { mode: 0o644 });
  await writeFile(
    join(state, 'dovecot.conf'),
    `instance_name = mailstack-sasl-${port}
base_dir = ${state}/run
state_dir = ${state}/lib
protocols = imap
listen = 127.0.0.1
log_path = ${state}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = ${state}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${state}/mail/%u
}
mail_location = maildir:~/Maildir
first_valid_uid = ${uid}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
service imap-urlauth-login {
  inet_listener imap-urlauth {
    port = 0
  }
}
`,
  );
  // Dovecot daemonizes; with inherited pipes execFileSync would wait for the daemon to exit.
  execFileSync('dovecot', ['-c', join(state, 'dovecot.conf')], { stdio: 'ignore' });
  await waitForPort();
}, 30_000);

afterAll(async () => {
  if (state === undefined) return;
  const pidFile = join(state, 'run', 'master.pid');
  if (existsSync(pidFile)) {
    const pid = Number(await readFile(pidFile, 'utf8'));
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await rm(state, { recursive: true, force: true });
});

/** A minimal IMAP line reader over a socket. */
class ImapLines {
  #buffer = '';
  #waiters: Array<(line: string) => void> = [];
  #lines: string[] = [];
  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (let end = this.#buffer.indexOf('\r\n'); end >= 0; end = this.#buffer.indexOf('\r\n')) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const waiter = this.#waiters.shift();
        if (waiter) waiter(line);
        else this.#lines.push(line);
      }
    });
  }
  next(): Promise<string> {
    const line = this.#lines.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => this.#waiters.push(resolve));
  }
  /** The next line that is not an untagged response. */
  async nextTaggedOrContinuation(): Promise<string> {
    for (let line = await this.next(); ; line = await this.next()) if (!line.startsWith('* ')) return line;
  }
}

async function imapAuthenticate(mechanism: SaslMechanismName, username: string, password: string, initialResponse: boolean): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  const lines = new ImapLines(socket);
  try {
    expect(await lines.next()).toMatch(/^\* OK/);
    const client = createSaslClient(mechanism, { username, password, nonce: 'mailstackClientNonce' });
    const ir = initialResponse ? client.start() : undefined;
    socket.write(`a AUTHENTICATE ${mechanism}${ir === undefined ? '' : ` ${ir.length === 0 ? '=' : Buffer.from(ir).toString('base64')}`}\r\n`);
    for (;;) {
      const line = await lines.nextTaggedOrContinuation();
      if (line.startsWith('+')) {
        const answer = client.step(Buffer.from(line.slice(2), 'base64'));
        if (answer.type === 'failure') {
          socket.write('*\r\n');
          return `client-failure:${answer.reason}`;
        }
        socket.write(`${Buffer.from(answer.data).toString('base64')}\r\n`);
        continue;
      }
      if (line.startsWith('a OK')) {
        const outcome = client.finish();
        return outcome.type === 'success' ? 'OK' : `client-failure:${outcome.reason}`;
      }
      return line.split(' ').slice(1, 2).join(' '); // NO or BAD
    }
  } finally {
    socket.destroy();
  }
}

describe('Dovecot accepts the secrets we write and our SASL clients', () => {
  it.each(USERS)('PLAIN for a %s user stored as {%s}', async (name) => {
    expect(await imapAuthenticate('PLAIN', name, PASSWORD, true)).toBe('OK');
  });

  it.each([
    ['PLAIN', 'plain', false],
    ['LOGIN', 'crypt6', false],
    ['CRAM-MD5', 'plain', false],
    ['CRAM-MD5', 'cram', false],
    ['SCRAM-SHA-256', 'plain', true],
    ['SCRAM-SHA-256', 'plain', false],
    ['SCRAM-SHA-1', 'plain', true],
    ['SCRAM-SHA-256', 'scram', true],
  ] as const)('%s as %s (initial response: %s)', async (mechanism, name, initialResponse) => {
    expect(await imapAuthenticate(mechanism, name, PASSWORD, initialResponse)).toBe('OK');
  });

  // Last and only once: each failure makes Dovecot's anvil delay the next login from 127.0.0.1.
  it('SCRAM-SHA-256 with a wrong password is refused', async () => {
    expect(await imapAuthenticate('SCRAM-SHA-256', 'plain', 'wrong', true)).toBe('NO');
  });
});
