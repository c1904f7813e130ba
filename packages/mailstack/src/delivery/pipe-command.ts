/**
 * `"|command"` alias targets (aliases(5), Postfix local(8) pipe delivery): `/bin/sh -c command`
 * with the message on stdin. Exit status 0 delivers; 75 (EX_TEMPFAIL, sysexits(3)) and a timeout
 * defer; anything else bounces with the command's last stderr line as the reason, as local(8) does.
 */
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { MtaReply } from '@mailstack/mta';
import type { MessageBytes } from '@mailstack/mailstore';

/** How to run one pipe delivery. */
export interface PipeCommandOptions {
  /** The message with its trace fields; called once. */
  readonly input: () => Promise<MessageBytes>;
  /** Extra environment (SENDER, RECIPIENT, ...) on top of a minimal PATH. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

const EX_TEMPFAIL = 75;
const STDERR_KEEP_BYTES = 2048;

/** Run the command; resolves with a 2xx, 4xx or 5xx reply (never rejects for the command's own failure). */
export async function runPipeCommand(command: string, options: PipeCommandOptions): Promise<MtaReply> {
  const child = spawn('/bin/sh', ['-c', command], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...options.env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_KEEP_BYTES);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  // A command that exits without reading all of stdin is not a failure in itself (EPIPE).
  const fed = pipeline(Readable.from(await options.input()), child.stdin).catch(() => undefined);
  try {
    const [code] = await Promise.all([exited, fed]);
    const reason = stderr.trim().split('\n').pop() ?? '';
    if (timedOut) return { code: 451, enhanced: '4.3.0', text: `command timed out after ${options.timeoutMs} ms: ${command}` };
    if (code === 0) return { code: 250, enhanced: '2.0.0', text: `delivered to command: ${command}` };
    if (code === EX_TEMPFAIL) return { code: 451, enhanced: '4.3.0', text: `temporary failure of command: ${reason || command}` };
    return { code: 550, enhanced: '5.3.0', text: `command exited with status ${code ?? 'signal'}: ${reason || command}` };
  } finally {
    clearTimeout(timer);
  }
}
