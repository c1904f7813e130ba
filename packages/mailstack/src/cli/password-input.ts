/**
 * Reading a password the way doveadm pw and passwd(1) do: on a terminal, a prompt on stderr
 * with echo off, asked twice; from a pipe, the first line of standard input.
 */
import type { Writable } from 'node:stream';
import type { CliInput } from './context.js';
import { CliError } from './errors.js';

const MAX_PASSWORD_BYTES = 4096;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = [0x08, 0x7f];

/** Read a new password: twice with no echo on a TTY, else one line of stdin. Never empty. */
export async function readNewPassword(stdin: CliInput, stderr: Writable): Promise<string> {
  if (stdin.isTTY && stdin.setRawMode) {
    const first = await promptNoEcho(stdin, stderr, 'Enter new password: ');
    const second = await promptNoEcho(stdin, stderr, 'Retype new password: ');
    if (first !== second) throw new CliError('failed', 'passwords do not match');
    return nonEmpty(first);
  }
  return nonEmpty(await readFirstLine(stdin));
}

function nonEmpty(password: string): string {
  if (password === '') throw new CliError('failed', 'empty password');
  return password;
}

/** The first line of a stream (without its line break), reading no more than needed. */
export async function readFirstLine(stdin: CliInput): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer>) {
    const lf = chunk.indexOf(0x0a);
    parts.push(lf < 0 ? chunk : chunk.subarray(0, lf));
    size += chunk.length;
    if (lf >= 0) break;
    if (size > MAX_PASSWORD_BYTES) throw new CliError('failed', `password longer than ${MAX_PASSWORD_BYTES} bytes`);
  }
  return Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
}

// Raw mode: we see every key; Enter ends, Backspace edits, Ctrl-C/Ctrl-D abort.
function promptNoEcho(stdin: CliInput, stderr: Writable, prompt: string): Promise<string> {
  stderr.write(prompt);
  stdin.setRawMode?.(true);
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let typed: number[] = [];
    const finish = (error?: CliError): void => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(Buffer.from(typed).toString('utf8'));
    };
    const onData = (chunk: Buffer): void => {
      for (const byte of chunk) {
        if (byte === 0x0d || byte === 0x0a) return finish();
        if (byte === CTRL_C || byte === CTRL_D) return finish(new CliError('failed', 'no password entered'));
        if (BACKSPACE.includes(byte)) typed = typed.slice(0, -1);
        else typed.push(byte);
      }
    };
    stdin.on('data', onData);
  });
}
