// MTA benchmark (issue 4): Postfix's smtp-source(1) sends COUNT messages of SIZE bytes over
// SESSIONS connections, with a new connection per message and with -d (connections reused), to
//   postfix  a private Postfix: smtpd → cleanup (queue file fsync'd before 250) → qmgr → local(8)
//            into a Maildir (fsync'd)
//   ours     `mailstack serve` (startServer in a child process, as the CLI runs it, with the node
//            flags of the bin's #! line): smtpd → spool (group-committed fsync before 250) → queue
//            manager → Maildir (fsync'd), user `bench` at bench.test, log lines to a file
//   floor    mta/node-floor.mjs: the same file work and durability behind fixed SMTP replies, the
//            least any Node MTA can spend here (not a default target)
// and measures the acceptance rate (messages / smtp-source wall time) and the end-to-end rate
// (messages / time until every one is a file in the Maildir's new/). Server CPU is the process
// tree's (utime+stime, /proc). Targets: ours ≥ 2× Postfix's acceptance, ≥ Postfix end to end.
//
//   node mta/run.mjs [--count 10000] [--sessions 20] [--size 4096] [--reuse both|yes|no] [--targets postfix,ours]
//                    [--warmup 5000]      (--targets takes any of postfix, ours, floor)
// Each target first gets an untimed warm-up of --warmup messages per timed mode, all delivered
// (peers/smtp-source.mjs says why; 0 turns it off).
//   MTA_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' adds node options to ours (profiling).
import { spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deletedInodesWindow } from '../peers/deleted-inodes.mjs';
import { eventLoopMeter } from '../peers/event-loop-cpu.mjs';
import { loadPeerHelpers } from '../peers/load-helpers.mjs';
import { runSmtpSource, warmUp, WARMUP_MESSAGES } from '../peers/smtp-source.mjs';
import { printTable, startModuleServer, stopper } from '../peers/targets.mjs';

const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    sessions: { type: 'string', default: '20' },
    size: { type: 'string', default: '4096' },
    reuse: { type: 'string', default: 'both' },
    targets: { type: 'string', default: 'ours,postfix' },
    warmup: { type: 'string', default: String(WARMUP_MESSAGES) },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('usage: node mta/run.mjs [--count N] [--sessions N] [--size BYTES] [--reuse both|yes|no] [--targets postfix,ours] [--warmup N]');
  process.exit(0);
}
const COUNT = Number(opts.count);
const SESSIONS = Number(opts.sessions);
const SIZE = Number(opts.size);
const WARMUP = Number(opts.warmup);
const MODES = { both: [false, true], yes: [true], no: [false] }[opts.reuse];
if (!MODES || ![COUNT, SESSIONS, SIZE].every((n) => Number.isInteger(n) && n > 0) || !(Number.isInteger(WARMUP) && WARMUP >= 0)) {
  console.error('mta/run.mjs: --count, --sessions and --size take a positive integer, --warmup 0 or more, --reuse both, yes or no');
  process.exit(2);
}
const DOMAIN = 'bench.test';
const HOST = '127.0.0.1';
const E2E_TIMEOUT_MS = 900_000;

const helpers = await loadPeerHelpers();
const smtpSource = helpers.requireCommand('smtp-source', 'postfix');
const work = helpers.makePeerDir('mailstack-bench-mta');

const countFiles = (dir) => {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
};

const HOOKS = fileURLToPath(new URL('../../scripts/ts-child/register.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL('../../packages/mailstack/test/serve/fixtures/serve-child.ts', import.meta.url));
const FLOOR = fileURLToPath(new URL('./node-floor.mjs', import.meta.url));
// `#!/usr/bin/env -S node FLAGS...` → FLAGS: the node options the `mailstack` bin runs with.
const BIN_NODE_FLAGS = (() => {
  const words = readFileSync(new URL('../../packages/mailstack/src/cli.ts', import.meta.url), 'utf8').split('\n', 1)[0].split(/\s+/);
  return words.slice(words.indexOf('node') + 1);
})();

// Each target: { port, pid, rcpt, maildirNew, deletes?, processes?, stop() } (`deletes`: it removes
// files as it works; `processes`: it is several processes, with no one event loop to show).
const TARGETS = {
  postfix: async () => {
    const postfix = await helpers.startPostfix({ domain: DOMAIN });
    return { port: postfix.port, pid: postfix.pid, rcpt: postfix.mailbox, maildirNew: join(postfix.maildir, 'new'), deletes: true, processes: true, stop: () => postfix.stop() };
  },
  ours: async () => {
    const dir = join(work, 'ours');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'users'), 'bench:{PLAIN}bench\n');
    writeFileSync(
      join(dir, 'mailstack.yaml'),
      [
        'hostname: mail.bench.test',
        `domains: [${DOMAIN}]`,
        'dataDir: ./data',
        'users: ./users',
        'listen:',
        `  smtp: ${HOST}:0`,
        'limits:',
        '  connections: 1000',
        '  connectionsPerIp: 1000',
        '',
      ].join('\n'),
    );
    const logFile = join(work, 'ours.log');
    const log = openSync(logFile, 'w');
    const child = spawn(process.execPath, [...BIN_NODE_FLAGS, ...(process.env.MTA_BENCH_NODE_ARGS ? process.env.MTA_BENCH_NODE_ARGS.split(' ') : []), '--import', HOOKS, CHILD, join(dir, 'mailstack.yaml')], { stdio: ['ignore', 'pipe', log] });
    closeSync(log);
    const stop = stopper(child);
    const port = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const m = /READY smtp=(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`mailstack serve exited with ${code}; see ${logFile}`)));
    });
    return { port, pid: child.pid, rcpt: `bench@${DOMAIN}`, maildirNew: join(dir, 'data', 'home', 'bench', 'Maildir', 'new'), stop };
  },
  // The Node MTA floor (mta/node-floor.mjs): it unlinks each queue file once delivered.
  floor: async () => {
    const dir = join(work, 'floor');
    const floor = await startModuleServer(FLOOR, { host: HOST, port: 0, dir });
    return { port: floor.info.port, pid: floor.pid, rcpt: `bench@${DOMAIN}`, maildirNew: join(dir, 'Maildir', 'new'), deletes: true, stop: floor.stop };
  },
};

/** smtp-source's load on `target`: `count` messages, connections reused or not. */
const load = (target) => ({ host: HOST, port: target.port, sender: `a@client.${DOMAIN}`, rcpt: target.rcpt, sessions: SESSIONS, size: SIZE });

/** Resolves once `count` more files than `before` are in `dir`, or after `timeoutMs`; with the count. */
async function waitForFiles(dir, before, count, timeoutMs) {
  const t0 = performance.now();
  let delivered = countFiles(dir) - before;
  while (delivered < count && performance.now() - t0 < timeoutMs) {
    await sleep(20);
    delivered = countFiles(dir) - before;
  }
  return delivered;
}

const results = [];
// Postfix deletes a queue file per message it delivers; ours reuses its queue files (mta README,
// "Spare files") and deletes nothing. Ours runs first by default, and each target's first timed
// run waits until ext4 no longer skips inodes freed before it (peers/deleted-inodes.mjs): every
// target pays for its own deletions only (Postfix's second run for its first run's, as under a
// steady load).
const deletions = deletedInodesWindow();
try {
  for (const name of opts.targets.split(',')) {
    const target = await TARGETS[name]();
    try {
      const initial = countFiles(target.maildirNew);
      await warmUp(smtpSource, load(target), {
        name,
        count: WARMUP,
        modes: MODES,
        settle: async (sent) => {
          if ((await waitForFiles(target.maildirNew, initial, sent, E2E_TIMEOUT_MS)) < sent) throw new Error(`${name}: warm-up messages not delivered`);
        },
        deletes: target.deletes,
        deletions,
      });
      await deletions.wait();
      for (const reuse of MODES) {
        const before = countFiles(target.maildirNew);
        const cpu0 = helpers.processTreeCpuSeconds(target.pid);
        const loopMeter = eventLoopMeter(target.pid, { processes: target.processes });
        const t0 = performance.now();
        const run = await runSmtpSource(smtpSource, { ...load(target), count: COUNT, reuse });
        const acceptSecs = (performance.now() - t0) / 1000;
        const delivered = await waitForFiles(target.maildirNew, before, COUNT, E2E_TIMEOUT_MS);
        const e2eSecs = (performance.now() - t0) / 1000;
        await sleep(200);
        const cpu = helpers.processTreeCpuSeconds(target.pid) - cpu0;
        const eventLoop = loopMeter.perMessage(COUNT);
        const ok = run.code === 0 && delivered === COUNT;
        results.push({ name, reuse, acceptSecs, e2eSecs, accept: COUNT / acceptSecs, e2e: COUNT / e2eSecs, cpuUs: (cpu / COUNT) * 1e6, eventLoop, ok, delivered });
        console.error(
          `${name} reuse=${reuse ? 'yes' : 'no'}: accept ${(COUNT / acceptSecs).toFixed(0)} msgs/s, end to end ${(COUNT / e2eSecs).toFixed(0)} msgs/s` +
            (ok ? '' : ` FAILED (smtp-source exit ${run.code}, ${delivered} delivered) ${run.stderr.slice(0, 300)}`),
        );
      }
    } finally {
      await target.stop();
      if (target.deletes) deletions.mark();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  deletions.mark();
}

const find = (name, reuse) => results.find((r) => r.name === name && r.reuse === reuse && r.ok);
const ratio = (r, key) => {
  const base = find('postfix', r.reuse);
  return base && r.ok ? `${(r[key] / base[key]).toFixed(2)}x` : '-';
};
console.log(`\nMTA: smtp-source -s ${SESSIONS} -l ${SIZE} -m ${COUNT} (-d = reuse connections) → Maildir, 127.0.0.1`);
printTable(
  ['target', 'reuse', 'msgs', 'accept msgs/s', 'vs postfix', 'end-to-end msgs/s', 'vs postfix', 'server CPU us/msg', 'event loop us/msg (user / sys)'],
  results.map((r) => [
    r.name, r.reuse ? 'yes' : 'no', COUNT,
    r.ok ? r.accept.toFixed(0) : 'FAILED', ratio(r, 'accept'),
    r.ok ? r.e2e.toFixed(0) : `FAILED (${r.delivered})`, ratio(r, 'e2e'),
    r.cpuUs.toFixed(0), r.eventLoop,
  ]),
);
if (results.some((r) => !r.ok)) process.exitCode = 1;
