// Runs the BUILT bin (dist/cli.js) as a child process, as a user would: the file itself, so that
// its #! line starts node with the flags it gives (src/cli.ts). The bin loads the other workspace
// packages from their dist/, so before the tests the package and its workspace dependencies are
// built when a dist/ is missing or older than its src/ (a lock folder keeps two test files from
// building at the same time).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The bin under test. */
export const CLI = join(PACKAGE_DIR, 'dist', 'cli.js');
const LOCK = join(tmpdir(), 'mailstack-cli-test-build.lock');
// A lock older than this belongs to a test run that died while building.
const STALE_LOCK_MS = 120_000;

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newestMtime(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)),
  );
}

// The workspace packages mailstack depends on, from its package.json.
function workspaceDependencies(): string[] {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return Object.keys(manifest.dependencies)
    .filter((name) => name.startsWith('@mailstack/'))
    .map((name) => join(PACKAGE_DIR, '..', name.slice('@mailstack/'.length)));
}

function isStale(): boolean {
  const built = (dir: string, file: string): boolean => existsSync(join(dir, 'dist', file)) && statSync(join(dir, 'dist', file)).mtimeMs >= newestMtime(join(dir, 'src'));
  return !built(PACKAGE_DIR, 'cli.js') || !workspaceDependencies().every((dir) => built(dir, 'index.js'));
}

/** Build the package and its workspace dependencies if a dist/ is missing or older than its sources. */
export async function ensureBuilt(): Promise<void> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const lock = statSync(LOCK, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else await sleep(200); // another test file is building
    }
  }
  try {
    if (!isStale()) return;
    // "mailstack..." = the package and its dependencies, in dependency order.
    // The repository's pinned pnpm (scripts/pnpm.sh): no pnpm need be installed.
    const result = spawnSync('sh', [join(PACKAGE_DIR, '..', '..', 'scripts', 'pnpm.sh'), '--filter', 'mailstack...', 'build'], { cwd: PACKAGE_DIR, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmdirSync(LOCK);
  }
}

/** What a finished run of the CLI gave. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of runCli. */
export interface RunOptions {
  cwd: string;
  /** Standard input (closed after it); default empty. */
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
}

/** Run `mailstack ...args` to completion. */
export function runCli(args: readonly string[], options: RunOptions): Promise<CliResult> {
  const child = spawn(CLI, args, {
    cwd: options.cwd,
    env: { ...process.env, MAILSTACK_CONFIG: undefined, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.on('error', () => undefined); // the command may exit before reading everything
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A long-running `mailstack serve` child. */
export interface RunningCli {
  readonly pid: number;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first stderr match of `pattern` (waiting up to timeoutMs). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  signal(name: NodeJS.Signals): void;
  /** Resolves with the exit code once the child has exited. */
  exited: Promise<number | null>;
}

/** Start `mailstack ...args` in the background. */
export function startCli(args: readonly string[], options: RunOptions): RunningCli {
  const child = spawn(CLI, args, {
    cwd: options.cwd,
    env: { ...process.env, MAILSTACK_CONFIG: undefined, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    pid: child.pid!,
    stderr: () => stderr,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let done = false;
      void exited.then(() => (done = true));
      for (;;) {
        const match = pattern.exec(stderr);
        if (match) return match;
        if (done || Date.now() > deadline) throw new Error(`no ${pattern} in stderr:\n${stderr}`);
        await sleep(50);
      }
    },
    signal: (name) => child.kill(name),
    exited,
  };
}
