// SMTP acceptance benchmark: Postfix's smtp-source(1) sends COUNT messages of SIZE bytes over
// SESSIONS parallel sessions, once with a new connection per message and once reusing each
// connection (-d), to every target in the same run:
//   smtp-sink    Postfix's test server, stores nothing: the ceiling of the load generator
//   smtp-server  npm smtp-server, each message streamed to a file and fsync()ed before 250
//   postfix      a private Postfix (queue + local Maildir delivery running concurrently)
//   ours         mailstack's SMTP server: bench/smtp/ours.mjs, --ours MODULE or --ours-cmd CMD
// and prints msgs/s, the server's CPU per message (/proc, whole process tree) and the ratios.
//
//   node smtp/run.mjs [--quick] [--count N] [--sessions N] [--size BYTES]
//                     [--targets smtp-sink,smtp-server,postfix,ours] [--reuse both|yes|no]
//                     [--warmup 5000] [--ours MODULE] [--ours-cmd "CMD {host} {port} {dir}"]
// Each target first gets an untimed warm-up of --warmup messages per timed mode (none with
// --quick; peers/smtp-source.mjs says why; 0 turns it off).
// env: MAILSTACK_BENCH_SMTP_OURS (module), MAILSTACK_BENCH_SMTP_OURS_CMD (command line).
//
// An "ours" module exports start({ host, port, dir, domain }) -> Promise<{ port, stop() }>:
// listen on host:port (port 0 = any; return the real one), accept mail for any address at
// `domain` (smtp-source sends to bench@bench.test), store each message under `dir` and fsync
// before 250. A command line gets the same values through {host} {port} {dir} {domain}.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deletedInodesWindow } from '../peers/deleted-inodes.mjs';
import { eventLoopMeter } from '../peers/event-loop-cpu.mjs';
import { loadPeerHelpers } from '../peers/load-helpers.mjs';
import { runSmtpSource, warmUp, WARMUP_MESSAGES } from '../peers/smtp-source.mjs';
import { chooseOurs, printTable, startCommandServer, startModuleServer } from '../peers/targets.mjs';

const HELP = `usage: node smtp/run.mjs [--quick] [--count N] [--sessions N] [--size BYTES]
  [--targets smtp-sink,smtp-server,postfix,ours] [--reuse both|yes|no] [--warmup N] [--ours MODULE] [--ours-cmd CMD]`;
const { values: opts } = parseArgs({
  options: {
    count: { type: 'string' },
    quick: { type: 'boolean', default: false },
    sessions: { type: 'string', default: '20' },
    size: { type: 'string', default: '4096' },
    targets: { type: 'string', default: 'smtp-sink,smtp-server,ours,postfix' },
    reuse: { type: 'string', default: 'both' },
    warmup: { type: 'string' },
    ours: { type: 'string', default: process.env.MAILSTACK_BENCH_SMTP_OURS },
    'ours-cmd': { type: 'string', default: process.env.MAILSTACK_BENCH_SMTP_OURS_CMD },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
const COUNT = Number(opts.count ?? (opts.quick ? 1000 : 10000));
const SESSIONS = Number(opts.sessions);
const SIZE = Number(opts.size);
const WARMUP = Number(opts.warmup ?? (opts.quick ? 0 : WARMUP_MESSAGES));
const MODES = { both: [false, true], yes: [true], no: [false] }[opts.reuse];
if (!MODES || !(COUNT > 0) || !(SESSIONS > 0) || !(SIZE > 0) || !(Number.isInteger(WARMUP) && WARMUP >= 0)) {
  console.error(HELP);
  process.exit(2);
}
const DOMAIN = 'bench.test';
const HOST = '127.0.0.1';

const helpers = await loadPeerHelpers();
const smtpSource = helpers.requireCommand('smtp-source', 'postfix');
const work = helpers.makePeerDir('mailstack-bench-smtp');

function countFiles(dir) {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
}

// Each target: start() -> { port, pid, rcpt, stored?(): number, settle?(): Promise, deletes?, processes?, stop() }.
// `processes`: the server is several processes (Postfix), so it has no one event loop to show.
// `deletes`: the target removes files as it works (Postfix's queue). It runs last by default, and
// a target after it waits out ext4's recently-deleted window (peers/deleted-inodes.mjs); its own
// second run pays for its first run's deletions, as a queue does under a steady load.
const TARGETS = {
  'smtp-sink': async () => {
    const sink = await helpers.startSmtpSink({ hostname: 'smtp-sink.bench.test' });
    return { port: sink.port, pid: sink.pid, rcpt: `bench@${DOMAIN}`, stop: () => sink.stop() };
  },
  'smtp-server': async () => {
    const dir = join(work, 'smtp-server-spool');
    const module = fileURLToPath(new URL('../peers/smtp-server-fsync.mjs', import.meta.url));
    const server = await startModuleServer(module, { host: HOST, port: 0, dir, domain: DOMAIN });
    return { port: server.info.port, pid: server.pid, rcpt: `bench@${DOMAIN}`, stored: () => countFiles(dir), stop: server.stop };
  },
  postfix: async () => {
    const postfix = await helpers.startPostfix({ domain: DOMAIN });
    return {
      port: postfix.port,
      pid: postfix.pid,
      rcpt: postfix.mailbox,
      // Let the run's local deliveries finish before the next run starts (not timed).
      settle: () => postfix.waitForQueueEmpty(600_000),
      deletes: true,
      processes: true,
      stop: () => postfix.stop(),
    };
  },
  ours: async () => {
    const ours = chooseOurs({
      module: opts.ours,
      command: opts['ours-cmd'],
      defaultModule: fileURLToPath(new URL('./ours.mjs', import.meta.url)),
    });
    if (!ours) return undefined;
    const dir = join(work, 'ours-spool');
    const options = { host: HOST, port: 0, dir, domain: DOMAIN };
    const server = ours.kind === 'module'
      ? await startModuleServer(ours.value, options)
      : await (async () => {
        const port = await helpers.freePort();
        return startCommandServer(ours.value, { ...options, port }, [port], helpers);
      })();
    return { port: server.info.port, pid: server.pid, rcpt: `bench@${DOMAIN}`, stop: server.stop };
  },
};

/** smtp-source's load on `target`. */
const load = (target) => ({ host: HOST, port: target.port, sender: `a@${DOMAIN}`, rcpt: target.rcpt, sessions: SESSIONS, size: SIZE });

const results = [];
const skipped = [];
const deletions = deletedInodesWindow();
try {
  for (const name of opts.targets.split(',')) {
    const starter = TARGETS[name];
    if (!starter) throw new Error(`unknown target ${name}; known: ${Object.keys(TARGETS).join(', ')}`);
    const target = await starter();
    if (!target) {
      skipped.push(name);
      continue;
    }
    try {
      await warmUp(smtpSource, load(target), { name, count: WARMUP, modes: MODES, settle: async () => target.settle?.(), deletes: target.deletes, deletions });
      await deletions.wait();
      for (const reuse of MODES) {
        const storedBefore = target.stored?.() ?? 0;
        const cpu0 = helpers.processTreeCpuSeconds(target.pid);
        const loopMeter = eventLoopMeter(target.pid, { processes: target.processes });
        const t0 = performance.now();
        const run = await runSmtpSource(smtpSource, { ...load(target), count: COUNT, reuse });
        const secs = (performance.now() - t0) / 1000;
        await sleep(200); // let finished session processes be reaped into the tree's CPU counters
        const cpu = helpers.processTreeCpuSeconds(target.pid) - cpu0;
        const eventLoop = loopMeter.perMessage(COUNT);
        const stored = target.stored ? target.stored() - storedBefore : undefined;
        await target.settle?.();
        const ok = run.code === 0 && (stored === undefined || stored === COUNT);
        results.push({ name, reuse, secs, rate: COUNT / secs, cpuUs: (cpu / COUNT) * 1e6, eventLoop, ok, run, stored });
        console.error(`${name} reuse=${reuse ? 'yes' : 'no'}: ${(COUNT / secs).toFixed(0)} msgs/s${ok ? '' : ` FAILED (smtp-source exit ${run.code}${stored === undefined ? '' : `, ${stored} stored`}) ${run.stderr.slice(0, 300)}`}`);
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

const rateOf = (name, reuse) => results.find((r) => r.name === name && r.reuse === reuse && r.ok)?.rate;
const ratio = (r, base) => {
  const b = rateOf(base, r.reuse);
  return b && r.ok ? `${(r.rate / b).toFixed(2)}x` : '-';
};
console.log(`\nSMTP acceptance: smtp-source -s ${SESSIONS} -l ${SIZE} -m ${COUNT} (-d = reuse connections), 127.0.0.1`);
printTable(
  ['target', 'reuse', 'msgs', 'secs', 'msgs/s', 'server CPU us/msg', 'event loop us/msg (user / sys)', 'vs smtp-server', 'vs smtp-sink'],
  results.map((r) => [
    r.name, r.reuse ? 'yes' : 'no', COUNT, r.secs.toFixed(2), r.ok ? r.rate.toFixed(0) : 'FAILED',
    r.cpuUs.toFixed(0), r.eventLoop, ratio(r, 'smtp-server'), ratio(r, 'smtp-sink'),
  ]),
);
for (const name of skipped) {
  console.log(`\n${name}: no server to run yet (add bench/smtp/ours.mjs, or pass --ours MODULE / --ours-cmd CMD); the row is missing.`);
}
if (results.some((r) => !r.ok)) process.exitCode = 1;
