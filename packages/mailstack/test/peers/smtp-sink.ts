// Postfix's smtp-sink(1) as a private SMTP peer on 127.0.0.1: it accepts and throws away (or
// dumps to files) whatever an SMTP client sends, and can be told to fail chosen commands, so
// client code can be tested against 4xx/5xx replies and dropped connections from a real server.
// smtp-sink has no STARTTLS; use startPostfix for TLS.
import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PeerError } from './errors.js';
import { LOOPBACK, onFreePorts, waitForPorts } from './ports.js';
import { isAlive, waitForExit } from './processes.js';
import { ensureSystemUser, requireCommand } from './system.js';

/** The command names smtp-sink's fault options take (smtp-sink(1) -f, -r, -q, -Q). */
export type SmtpSinkCommand =
  | 'CONNECT' | 'HELO' | 'EHLO' | 'MAIL' | 'RCPT' | 'DATA' | '.' | 'RSET' | 'NOOP' | 'VRFY' | 'QUIT';

/** How to run smtp-sink. */
export interface SmtpSinkOptions {
  /** Listen port on 127.0.0.1; default a free one. */
  port?: number;
  /** Write each mail transaction to a file in this directory (smtp-sink -d). */
  dumpDir?: string;
  /** Name in the greeting and EHLO reply (-h); default "smtp-sink". */
  hostname?: string;
  /** Commands answered with a 5xx reply (-f). */
  hardReject?: readonly SmtpSinkCommand[];
  /** Commands answered with a 4xx reply (-r). */
  softReject?: readonly SmtpSinkCommand[];
  /** Commands answered with 421 and a disconnect (-Q). */
  disconnect421?: readonly SmtpSinkCommand[];
  /** Commands after which the connection is dropped without a reply (-q). */
  disconnect?: readonly SmtpSinkCommand[];
  /** The 5xx reply text for hardReject (-B), default "500 5.3.0 Error: command failed". */
  hardReply?: string;
  /** The 4xx reply text for softReject (-b), default "450 4.3.0 Error: command failed". */
  softReply?: string;
}

/** A running smtp-sink. */
export interface SmtpSink {
  port: number;
  pid: number;
  /** Where transactions are dumped, when dumpDir was given. */
  dumpDir: string | undefined;
  /** Paths of the dump files written so far, sorted by name (one per transaction). */
  dumpFiles(): string[];
  /** Terminates smtp-sink and waits until its pid is gone. */
  stop(): Promise<void>;
}

function faultArgs(options: SmtpSinkOptions): string[] {
  const args: string[] = [];
  const list = (flag: string, commands: readonly SmtpSinkCommand[] | undefined): void => {
    if (commands && commands.length > 0) args.push(flag, commands.join(','));
  };
  list('-f', options.hardReject);
  list('-r', options.softReject);
  list('-Q', options.disconnect421);
  list('-q', options.disconnect);
  if (options.hardReply !== undefined) args.push('-B', options.hardReply);
  if (options.softReply !== undefined) args.push('-b', options.softReply);
  return args;
}

async function startOnce(binary: string, options: SmtpSinkOptions, port: number): Promise<SmtpSink> {
  const args = ['-4', '-h', options.hostname ?? 'smtp-sink', ...faultArgs(options)];
  // As root smtp-sink must drop privileges (-u); the dump dir then belongs to that user.
  const user = process.getuid?.() === 0 ? await ensureSystemUser('mstest') : undefined;
  if (user) args.push('-u', user.name);
  const { dumpDir } = options;
  if (dumpDir !== undefined) {
    mkdirSync(dumpDir, { recursive: true });
    if (user) chownSync(dumpDir, user.uid, user.gid);
    // The template is expanded by strftime(3), and smtp-sink appends a random hex number.
    args.push('-d', join(dumpDir, '%Y%m%d%H%M%S.'));
  }
  args.push(`${LOOPBACK}:${port}`, '100');

  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => (exited = true));
  const pid = child.pid;
  if (pid === undefined || !(await waitForPorts([port], () => !exited))) {
    child.kill('SIGKILL');
    await exit;
    throw new PeerError('start-failed', `smtp-sink did not listen on ${LOOPBACK}:${port}: ${stderr.trim()}`);
  }
  return {
    port,
    pid,
    dumpDir,
    dumpFiles: () => (dumpDir === undefined ? [] : readdirSync(dumpDir).sort().map((name) => join(dumpDir, name))),
    stop: async () => {
      if (isAlive(pid)) child.kill('SIGTERM');
      await exit;
      if (!(await waitForExit([pid]))) throw new PeerError('stop-failed', `smtp-sink pid ${pid} did not exit`);
    },
  };
}

/** Starts a private smtp-sink on 127.0.0.1 (a free port unless options.port is given). */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const binary = requireCommand('smtp-sink', 'postfix');
  const { port } = options;
  if (port !== undefined) return startOnce(binary, options, port);
  return onFreePorts(1, ([free]) => startOnce(binary, options, free));
}
