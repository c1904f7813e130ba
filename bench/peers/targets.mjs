// Benchmark servers as child processes: a module started through serve-module.mjs, or a command
// line. "ours" in each benchmark is one of these, chosen by flag, env var or a default module
// file, so that a server package only has to drop in e.g. bench/smtp/ours.mjs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVE_MODULE = fileURLToPath(new URL('./serve-module.mjs', import.meta.url));

/** stop() for a child server: SIGTERM, SIGKILL after 10 s, resolves once it has exited. */
export function stopper(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

/**
 * Starts MODULE's start(options) in a child process; resolves with its pid and printed info.
 * BENCH_NODE_ARGS adds node options to that process (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof').
 */
export async function startModuleServer(modulePath, options) {
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, SERVE_MODULE, modulePath, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = stopper(child);
  const line = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${modulePath} exited with ${code} before it listened`)));
  });
  return { pid: child.pid, info: JSON.parse(line), stop };
}

/**
 * Runs a command line (through sh, exec'd so the pid is the server's) with {name} placeholders
 * filled from options, and waits until every port in waitPorts listens.
 */
export async function startCommandServer(commandLine, options, waitPorts, helpers) {
  const command = commandLine.replace(/\{(\w+)\}/g, (whole, key) => (key in options ? String(options[key]) : whole));
  const child = spawn('sh', ['-c', `exec ${command}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  const stop = stopper(child);
  const up = await helpers.waitForPorts(waitPorts, () => child.exitCode === null, 30_000);
  if (!up) {
    await stop();
    throw new Error(`"${command}" did not listen on ${waitPorts.join(', ')}`);
  }
  return { pid: child.pid, info: { ...options }, stop };
}

/**
 * Which "ours" server to run: --ours-cmd / ENV_cmd (a command line), else --ours / ENV_module (a
 * module path), else the default module file when it exists. Undefined when there is none yet.
 */
export function chooseOurs({ module, command, defaultModule }) {
  if (command) return { kind: 'command', value: command };
  if (module) return { kind: 'module', value: module };
  if (existsSync(defaultModule)) return { kind: 'module', value: defaultModule };
  return undefined;
}

/** Median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Prints rows (arrays of cells) as an aligned text table under a header row. */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
