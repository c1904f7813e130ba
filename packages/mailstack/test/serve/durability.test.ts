// Durability across SIGKILL: the server runs in a child process; it is killed right after it has
// acknowledged messages (while more are in flight) and again while it is delivering; after each
// restart recover() hands the spool to the queue manager, and in the end every acknowledged
// message is in the Maildir (sha256 of each body). Duplicates are allowed (RFC 5321 §6.1), loss not.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpClient } from 'mailstack';
import { readMaildir, splitTrace, writeConfig } from './harness.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
// The workspace's loader for TypeScript children (scripts/ts-child/).
const TS_CHILD = fileURLToPath(new URL('../../../../scripts/ts-child/register.mjs', import.meta.url));
const children: ChildProcess[] = [];

async function startChild(configFile: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', TS_CHILD, fixture('serve-child.ts'), configFile], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, SERVE_QUIET: '1' },
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /READY smtp=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server child exited with ${code} before READY`)));
  });
  return { child, port };
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

const messageFor = (n: number): string => `From: alice@example.test\r\nTo: bob@example.test\r\nSubject: durability ${n}\r\nMessage-ID: <d${n}@example.test>\r\n\r\n${`line ${n} `.repeat(50)}\r\n.\r\nend ${n}\r\n`;
const sha = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

// Sends numbered messages on `connections` connections until stop() is called; returns the numbers acknowledged with 250.
function sender(port: number, first: number, connections: number): { acked: Set<number>; stop(): Promise<void> } {
  const acked = new Set<number>();
  let next = first;
  let stopped = false;
  const loops = Array.from({ length: connections }, async () => {
    let client: SmtpClient | undefined;
    try {
      client = await SmtpClient.connect({ host: '127.0.0.1', port, tls: 'none', heloName: 'client.test', timeouts: { connectMs: 5000 } });
      while (!stopped) {
        const n = next++;
        const result = await client.send({ from: 'alice@example.test', to: ['bob@example.test'], body: Buffer.from(messageFor(n)) });
        if (result.delivered) acked.add(n);
      }
      await client.quit();
    } catch {
      client?.close(); // the server was killed under us: whatever was not acknowledged may be lost
    }
  });
  return {
    acked,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

async function waitFor(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterEach(async () => {
  await Promise.all(children.map((c) => kill(c, 'SIGKILL')));
});

describe('serve: durability across SIGKILL', () => {
  it('delivers every acknowledged message after kills right after a 250 and during delivery', async () => {
    const { dir, file } = writeConfig({ listen: 'listen:\n  smtp: 127.0.0.1:0' });
    const maildir = join(dir, 'data', 'home', 'bob', 'Maildir');
    const acked = new Set<number>();

    // 1. Killed right after acknowledging messages, with more in flight.
    const a = await startChild(file);
    const s1 = sender(a.port, 0, 4);
    await waitFor(() => s1.acked.size >= 15, 20_000, '15 acknowledged');
    await kill(a.child, 'SIGKILL');
    await s1.stop();
    for (const n of s1.acked) acked.add(n);

    // 2. Restarted: recovering and delivering while new mail arrives; killed mid-delivery.
    const b = await startChild(file);
    const s2 = sender(b.port, 1000, 4);
    await waitFor(() => readMaildir(maildir).length >= 5 && s2.acked.size >= 15, 20_000, 'deliveries under way');
    await kill(b.child, 'SIGKILL');
    await s2.stop();
    for (const n of s2.acked) acked.add(n);

    // 3. Restarted once more: everything acknowledged arrives; SIGTERM then exits 0.
    const c = await startChild(file);
    const wanted = new Map([...acked].map((n) => [sha(messageFor(n).replace(/\r\n/g, '\n')), n]));
    const delivered = (): Set<string> => new Set(readMaildir(maildir).map((m) => sha(splitTrace(m).rest)));
    await waitFor(() => [...wanted.keys()].every((h) => delivered().has(h)), 30_000, 'every acknowledged message delivered');
    const files = readMaildir(maildir);
    expect(files.length).toBeGreaterThanOrEqual(acked.size);
    expect(acked.size).toBeGreaterThanOrEqual(30);
    // Nothing but whole messages: every delivered body is one that was sent.
    for (const m of files) expect(splitTrace(m).rest.toString()).toMatch(/^From: alice@example\.test\nTo: bob@example\.test\nSubject: durability (\d+)\n[^]*\nend \1\n$/);
    expect(await kill(c.child, 'SIGTERM')).toBe(0);
  }, 90_000);
});
