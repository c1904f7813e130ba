// Processes of private peers: run a command, wait for a pid to go, and measure the CPU time of
// a server's process tree from /proc (proc(5): fields 14-17 of /proc/PID/stat are utime, stime,
// cutime, cstime in clock ticks; cutime/cstime hold children that have been reaped).
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeerError } from './errors.js';

/** Output of a finished command. */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a program (no shell); rejects with its exit status and stderr in the message. */
export function runCommand(file: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new PeerError('start-failed', `${file} ${args.join(' ')}: ${stderr.trim() || error.message}`, { cause: error }));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/**
 * Runs a program that puts itself in the background (dovecot, postfix start) and waits for the
 * foreground part to exit. Its output goes to outputFile rather than to pipes: a daemon that
 * keeps an inherited pipe open would keep us waiting for ever.
 */
export async function startDaemon(file: string, args: readonly string[], outputFile: string): Promise<void> {
  const fd = openSync(outputFile, 'a');
  try {
    const child = spawn(file, args, { stdio: ['ignore', fd, fd] });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (status) => resolve(status));
    });
    if (code !== 0) {
      const output = readFileSync(outputFile, 'utf8').trim();
      throw new PeerError('start-failed', `${file} ${args.join(' ')} exited with ${code}: ${output}`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Whether the pid names a live (not zombie) process. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves true once every pid is gone, false when the timeout passes first. */
export async function waitForExit(pids: readonly number[], timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/**
 * Waits for a peer's processes to exit after it was asked to stop; survivors of the grace
 * period (say, a login process still serving a client) get SIGKILL. Only these pids are touched.
 */
export async function reapTree(pids: readonly number[], graceMs = 5_000): Promise<boolean> {
  if (await waitForExit(pids, graceMs)) return true;
  for (const pid of pids.filter(isAlive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited in the meantime
    }
  }
  return waitForExit(pids, 5_000);
}

interface ProcStat {
  ppid: number;
  ticks: number;
}

function readProcStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we listed /proc
    }
    // The command name (field 2) is in parentheses and may hold spaces: split after the last ")".
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0);
    stats.set(Number(name), { ppid: Number(fields[1]), ticks });
  }
  return stats;
}

function treeOf(stats: Map<number, ProcStat>, root: number): number[] {
  if (!stats.has(root)) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, stat] of stats) if (stat.ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** The pid and all its live descendants (empty when the pid is gone). */
export function processTree(root: number): number[] {
  return treeOf(readProcStats(), root);
}

/** User+system CPU seconds of a process tree, including its reaped children. */
export function processTreeCpuSeconds(root: number): number {
  const stats = readProcStats();
  const tree = treeOf(stats, root);
  // USER_HZ is 100 on every Linux ABI that Node supports (sysconf(_SC_CLK_TCK)).
  return tree.reduce((sum, pid) => sum + (stats.get(pid)?.ticks ?? 0), 0) / 100;
}
