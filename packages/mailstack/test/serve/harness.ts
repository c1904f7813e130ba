// Test harness for `mailstack serve`: a config written to a temp dir (as an administrator would),
// loaded by the real loader, started with startServer on ephemeral ports; helpers to send with
// Python's smtplib and to read Maildirs.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfigFile, type MailstackConfig } from 'mailstack';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import type { LogRecord } from '../../src/log/maillog.js';
import { scratchDir } from '../scratch-dir.js';
import { until } from '../until.js';

const run = promisify(execFile);

/** What a test may set in the config (YAML lines) and the users file. */
export interface TestServerOptions {
  /** Extra top-level YAML, e.g. `mynetworks: []`. */
  yaml?: string;
  /** Users file text; default alice and bob with {PLAIN} passwords. */
  users?: string;
  /** aliases(5) text, written to ./aliases. */
  aliases?: string;
  listen?: string;
  /** The queue.retry mapping; default short backoffs for tests. */
  retry?: string;
}

/** A started server and where its files are. */
export interface TestServer {
  readonly dir: string;
  readonly config: MailstackConfig;
  readonly server: RunningServer;
  readonly logs: LogRecord[];
  port(name: 'smtp' | 'submission' | 'submissions' | 'pop3'): number;
  /** Files in `home/NAME/Maildir/new`, sorted, read as Buffers. */
  maildir(user: string): Buffer[];
  /** Wait until `user` has at least `count` messages. */
  waitForMail(user: string, count: number, timeoutMs?: number): Promise<Buffer[]>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<LogRecord>;
  close(): Promise<void>;
}

export const DEFAULT_USERS = 'alice:{PLAIN}secret\nbob:{PLAIN}hunter2\n';

/** Write a config into a fresh folder; resolves with the folder and the config file. */
export function writeConfig(options: TestServerOptions = {}, dir = scratchDir('serve')): { dir: string; file: string } {
  writeFileSync(join(dir, 'users'), options.users ?? DEFAULT_USERS);
  if (options.aliases !== undefined) writeFileSync(join(dir, 'aliases'), options.aliases);
  const yaml = [
    'hostname: mail.example.test',
    'domains: [example.test]',
    'dataDir: ./data',
    'users: ./users',
    options.listen ?? 'listen:\n  smtp: 127.0.0.1:0\n  submission: 127.0.0.1:0',
    options.aliases !== undefined ? 'aliases: ./aliases' : '',
    `queue:\n  retry: ${options.retry ?? '{ first: 300ms, max: 1s, lifetime: 1h }'}`,
    options.yaml ?? '',
  ].join('\n');
  const file = join(dir, 'mailstack.yaml');
  writeFileSync(file, `${yaml}\n`);
  return { dir, file };
}

/** Files of a Maildir's new/ (sorted by name = delivery order). */
export function readMaildir(path: string): Buffer[] {
  const dir = join(path, 'new');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => readFileSync(join(dir, name)));
}

/** Start a server from a config written for the test. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { dir, file } = writeConfig(options);
  const config = await loadConfigFile(file, 'mail.example.test');
  const logs: LogRecord[] = [];
  const server = await startServer(config, { logger: (r) => logs.push(r) });
  const maildir = (user: string): Buffer[] => readMaildir(join(config.dataDir, 'home', user, 'Maildir'));
  return {
    dir,
    config,
    server,
    logs,
    port: (name) => {
      const listener = server.listeners.find((l) => l.name === name);
      if (!listener) throw new Error(`no ${name} listener`);
      return listener.port;
    },
    maildir,
    waitForMail: (user, count, timeoutMs = 10_000) => until(`${count} message(s) for ${user}`, () => (maildir(user).length >= count ? maildir(user) : undefined), timeoutMs),
    waitForLog: (pattern, timeoutMs = 10_000) => until(`log ${pattern}`, () => logs.find((r) => pattern.test(r.message)), timeoutMs),
    close: () => server.close(2000),
  };
}

/** The result of one smtplib run: the exception name and SMTP code/text, or the sendmail refusals. */
export interface SmtplibResult {
  ok: boolean;
  error?: string;
  code?: number;
  message?: string;
  refused?: Record<string, [number, string]>;
}

const SMTPLIB = `
import json, smtplib, sys
a = json.loads(sys.argv[1])
body = open(a['file'], 'rb').read()
try:
    s = smtplib.SMTP('127.0.0.1', a['port'], local_hostname='client.test', timeout=20)
    if a.get('user'):
        s.login(a['user'], a['password'])
    refused = s.sendmail(a['from'], a['to'], body)
    s.quit()
    print(json.dumps({'ok': True, 'refused': refused}))
except smtplib.SMTPRecipientsRefused as e:
    print(json.dumps({'ok': False, 'error': 'SMTPRecipientsRefused', 'refused': {k: [v[0], v[1].decode()] for k, v in e.recipients.items()}}))
except smtplib.SMTPResponseException as e:
    print(json.dumps({'ok': False, 'error': type(e).__name__, 'code': e.smtp_code, 'message': e.smtp_error.decode(errors='replace')}))
`;

/** Send one message with Python's smtplib (a real client), optionally after AUTH. */
export async function sendWithSmtplib(options: { port: number; from: string; to: string[]; body: Buffer | string; user?: string; password?: string }): Promise<SmtplibResult> {
  const file = join(scratchDir('smtplib'), 'message.eml');
  writeFileSync(file, options.body);
  const { stdout } = await run('python3', ['-c', SMTPLIB, JSON.stringify({ ...options, body: undefined, file })], { timeout: 30_000 });
  return JSON.parse(stdout) as SmtplibResult;
}

/** Split a delivered file into its leading trace fields (Return-Path, Delivered-To, Received) and the rest. */
export function splitTrace(message: Buffer): { trace: string[]; rest: Buffer } {
  const trace: string[] = [];
  let offset = 0;
  const text = message.toString('latin1');
  for (;;) {
    const m = /^(Return-Path|Delivered-To|Received):[^\n]*\n(?:[ \t][^\n]*\n)*/i.exec(text.slice(offset));
    if (!m) break;
    trace.push(m[0]);
    offset += m[0].length;
  }
  return { trace, rest: message.subarray(offset) };
}
