// A Pop3Server on 127.0.0.1 ports for tests: a temp dataDir with a users file, Maildir homes,
// delivery through mailstore, a self-signed certificate for STLS/pop3s, and collected log lines.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createSecureContext } from 'node:tls';
import { MaildirFolder } from '@mailstack/mailstore';
import { AuthFailureDelay, Pop3Server, UserDirectory, hashPassword, type Pop3LogRecord, type Pop3ServerOptions } from 'mailstack';
import { selfSignedCert, type CertFiles } from '../peers/index.js';
import { scratchDir } from '../scratch-dir.js';

/** alice: {PLAIN} (APOP, CRAM-MD5, SCRAM work); bob: {SHA512-CRYPT} (USER/PASS, PLAIN, LOGIN only). */
export const USERS = { alice: 'alice-secret', bob: 'bob secret' } as const;

export interface TestServer {
  server: Pop3Server;
  port: number;
  pop3sPort: number;
  dir: string;
  cert: CertFiles;
  logs: Pop3LogRecord[];
  /** Store a message (LF or CRLF) for `user` through mailstore; returns its unique name. */
  deliver(user: string, message: string | Uint8Array): Promise<string>;
  maildir(user: string): string;
  /** File names in new/ and cur/ of the user's Maildir. */
  files(user: string): string[];
  /** Stop this server (not the data): a new one can serve the same dataDir. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

let certCache: Promise<CertFiles> | undefined;
function sharedCert(): Promise<CertFiles> {
  certCache ??= selfSignedCert(scratchDir('mailstack-pop3-cert'));
  return certCache;
}

export async function startTestServer(overrides: Partial<Pop3ServerOptions> = {}): Promise<TestServer> {
  const dir = scratchDir('mailstack-pop3');
  const usersFile = join(dir, 'users');
  writeFileSync(usersFile, `alice:{PLAIN}${USERS.alice}\nbob:${hashPassword(USERS.bob, 'SHA512-CRYPT')}\n`);
  const users = await UserDirectory.open({ file: usersFile, domains: ['example.test'], dataDir: dir });
  const cert = await sharedCert();
  const tls = createSecureContext({ cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile), minVersion: 'TLSv1.2' });
  const logs: Pop3LogRecord[] = [];
  const options: Pop3ServerOptions = {
    hostname: 'pop.example.test',
    users,
    tls,
    failureDelay: new AuthFailureDelay({ baseMs: 0, maxMs: 0 }),
    logger: (r) => logs.push(r),
    ...overrides,
  };
  const maildir = (user: string): string => join(dir, 'home', user, 'Maildir');
  let server = new Pop3Server(options);
  const plain = await server.listen({ host: '127.0.0.1', port: 0 });
  const secure = await server.listen({ host: '127.0.0.1', port: 0, implicitTls: true });
  const t: TestServer = {
    server,
    port: plain.port,
    pop3sPort: secure.port,
    dir,
    cert,
    logs,
    deliver: async (user, message) => {
      const folder = await MaildirFolder.open(maildir(user));
      return folder.deliver(Readable.from([typeof message === 'string' ? Buffer.from(message) : message]));
    },
    maildir,
    files: (user) => ['new', 'cur'].flatMap((sub) => readdirSync(join(maildir(user), sub)).map((name) => `${sub}/${name}`)),
    restart: async () => {
      await server.close({ graceMs: 1000 });
      server = new Pop3Server(options);
      t.server = server;
      t.port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
      t.pop3sPort = (await server.listen({ host: '127.0.0.1', port: 0, implicitTls: true })).port;
    },
    stop: async () => {
      await server.close({ graceMs: 1000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Run a Python 3 script with arguments; resolves with stdout, rejects with stderr. */
export function python(script: string, args: readonly (string | number)[]): Promise<string> {
  return run('python3', ['-c', script, ...args.map(String)]);
}

/** Run a program (no shell); resolves with stdout, rejects with its stderr. */
export function run(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'buffer', timeout: 60_000, ...(env === undefined ? {} : { env }) }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${error.message}\n${stderr.toString('utf8')}`));
      else resolve(stdout.toString('latin1'));
    });
  });
}

/** Messages with LF line ends as a user would deliver them, and their CRLF wire form. */
export function message(n: number, body = `Body of message ${n}.\n.leading dot line\n..two dots\n`): { lf: string; crlf: string } {
  const lf = `From: sender@example.test\nTo: alice@example.test\nSubject: message ${n}\nMessage-ID: <m${n}@example.test>\n\n${body}`;
  return { lf, crlf: lf.replace(/\n/g, '\r\n') };
}
