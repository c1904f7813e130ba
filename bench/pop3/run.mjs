// POP3 retrieval benchmark: Dovecot (a private instance started with the interop-test helper)
// against mailstack's POP3 server, the same messages delivered into each one's Maildirs, in
// the same run. Scenarios (each run is a full session: connect, USER/PASS, STAT, RETR all, QUIT):
//   plain       one client, RETR 1..N one at a time
//   pipelined   one client, up to 32 RETRs in flight (RFC 2449 PIPELINING; only if advertised)
//   pop3s       one client over implicit TLS, RETR one at a time
//   concurrent  20 clients at once, one user each
// Both targets run side by side and take turns run by run (Dovecot, ours, Dovecot, ours, ...);
// each row is the median of --runs (default 9: plain and pipelined RETRs are level with Dovecot,
// and this VM's speed swings by 5-15 % from one run to the next, so the median of three often
// landed a few per cent either side of parity; nine alternating runs give a stable estimate and
// cost about a minute more). Prints msgs/s, MiB/s and server CPU per message (/proc, the
// server's whole process tree, including session processes that have exited) and ours/Dovecot
// ratios.
//
//   node pop3/run.mjs [--quick] [--messages 2000] [--size 4096] [--clients 20] [--per-user 100]
//                     [--runs 9] [--targets dovecot,ours] [--ours MODULE] [--ours-cmd CMD]
// env: MAILSTACK_BENCH_POP3_OURS (module), MAILSTACK_BENCH_POP3_OURS_CMD (command line).
//
// An "ours" module exports start({ host, pop3Port, pop3sPort, dataDir, users, certFile, keyFile })
// -> Promise<{ pop3Port, pop3sPort?, stop() }>: ports 0 = any (return the real ones; leave
// pop3sPort out if there is no pop3s), `users` is a Dovecot-style passwd-file ({PLAIN}), and each
// user's mail is in dataDir/home/<user>/Maildir (SPEC.md §2). A command line gets the same
// values as {host} {pop3Port} {pop3sPort} {dataDir} {users} {certFile} {keyFile}.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadPeerHelpers } from '../peers/load-helpers.mjs';
import { chooseOurs, median, printTable, startCommandServer, startModuleServer } from '../peers/targets.mjs';
import { Pop3Connection } from './client.mjs';

const HELP = `usage: node pop3/run.mjs [--quick] [--messages N] [--size BYTES] [--clients N] [--per-user N]
  [--runs N] [--targets dovecot,ours] [--ours MODULE] [--ours-cmd CMD]`;
const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    messages: { type: 'string' },
    size: { type: 'string', default: '4096' },
    clients: { type: 'string', default: '20' },
    'per-user': { type: 'string' },
    runs: { type: 'string' },
    targets: { type: 'string', default: 'dovecot,ours' },
    ours: { type: 'string', default: process.env.MAILSTACK_BENCH_POP3_OURS },
    'ours-cmd': { type: 'string', default: process.env.MAILSTACK_BENCH_POP3_OURS_CMD },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
const MESSAGES = Number(opts.messages ?? (opts.quick ? 500 : 2000));
const SIZE = Number(opts.size);
const CLIENTS = Number(opts.clients);
const PER_USER = Number(opts['per-user'] ?? (opts.quick ? 25 : 100));
const RUNS = Number(opts.runs ?? (opts.quick ? 1 : 9));
if (![MESSAGES, SIZE, CLIENTS, PER_USER, RUNS].every((n) => Number.isInteger(n) && n > 0) || SIZE < 512) {
  console.error(HELP);
  process.exit(2);
}
const HOST = '127.0.0.1';
const PASSWORD = 'pass';
const PIPELINE = 32;
const SINGLE_USER = 'popbench';
const USERS = Array.from({ length: CLIENTS }, (_, i) => `user${i + 1}`);

/** Message i: a text/plain mail of exactly `size` bytes with CRLF line ends (as bench-pop3.py). */
function makeMessage(i, size) {
  const header = Buffer.from(
    'From: bench <bench@example.test>\r\nTo: rcpt <rcpt@example.test>\r\n' +
      `Subject: pop3 bench message ${i}\r\nMessage-ID: <pop3-bench-${i}@example.test>\r\n` +
      'Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n',
  );
  const line = `${'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.repeat(2).slice(0, 76)}\r\n`;
  const bodyLength = size - header.length;
  const body = Buffer.from(line.repeat(Math.ceil(bodyLength / line.length) + 1).slice(0, bodyLength - 2) + '\r\n');
  return Buffer.concat([header, body]);
}

const mailboxes = [
  { user: SINGLE_USER, count: MESSAGES },
  ...USERS.map((user) => ({ user, count: PER_USER })),
];

/** Writes the message set into maildir/new (tmp/ then rename, as maildir(5)). */
function fillMaildir(maildir, count) {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true, mode: 0o700 });
  for (let i = 0; i < count; i++) {
    const name = `${1700000000 + i}.M0P${process.pid}Q${i}.bench,S=${SIZE}`;
    writeFileSync(join(maildir, 'tmp', name), makeMessage(i, SIZE));
    renameSync(join(maildir, 'tmp', name), join(maildir, 'new', name));
  }
}

const helpers = await loadPeerHelpers();
const work = helpers.makePeerDir('mailstack-bench-pop3');

// Each target: start() -> { pid, pop3Port, pop3sPort?, stop() } with the message set in place.
const TARGETS = {
  dovecot: async () => {
    const dovecot = await helpers.startDovecot({
      users: mailboxes.map(({ user }) => ({ name: user, password: PASSWORD })),
    });
    for (const { user, count } of mailboxes) {
      for (let i = 0; i < count; i++) dovecot.deliver(user, makeMessage(i, SIZE));
    }
    return { pid: dovecot.pid, pop3Port: dovecot.ports.pop3, pop3sPort: dovecot.ports.pop3s, stop: () => dovecot.stop() };
  },
  ours: async () => {
    const ours = chooseOurs({
      module: opts.ours,
      command: opts['ours-cmd'],
      defaultModule: fileURLToPath(new URL('./ours.mjs', import.meta.url)),
    });
    if (!ours) return undefined;
    const dataDir = join(work, 'ours-data');
    mkdirSync(dataDir);
    const users = join(dataDir, 'users');
    writeFileSync(users, mailboxes.map(({ user }) => `${user}:{PLAIN}${PASSWORD}\n`).join(''));
    for (const { user, count } of mailboxes) fillMaildir(join(dataDir, 'home', user, 'Maildir'), count);
    const { certFile, keyFile } = await helpers.selfSignedCert(work);
    const options = { host: HOST, pop3Port: 0, pop3sPort: 0, dataDir, users, certFile, keyFile };
    if (ours.kind === 'module') {
      const server = await startModuleServer(ours.value, options);
      return { pid: server.pid, pop3Port: server.info.pop3Port, pop3sPort: server.info.pop3sPort, stop: server.stop };
    }
    const [pop3Port, pop3sPort] = [await helpers.freePort(), await helpers.freePort()];
    const server = await startCommandServer(ours.value, { ...options, pop3Port, pop3sPort }, [pop3Port], helpers);
    return { pid: server.pid, pop3Port, pop3sPort: (await helpers.isListening(pop3sPort)) ? pop3sPort : undefined, stop: server.stop };
  },
};

/** One session: log in, STAT, RETR every message (window in flight), QUIT. Returns [msgs, bytes]. */
async function session(port, tls, user, window) {
  const pop3 = await Pop3Connection.open({ host: HOST, port, tls });
  await pop3.login(user, PASSWORD);
  const [count] = await pop3.stat();
  const bytes = await pop3.retrieveAll(count, window);
  await pop3.quit();
  return [count, bytes];
}

async function supportsPipelining(port) {
  const pop3 = await Pop3Connection.open({ host: HOST, port });
  const capabilities = await pop3.capabilities();
  await pop3.quit();
  return capabilities.some((line) => line.toUpperCase() === 'PIPELINING');
}

function scenarios(target, pipelining) {
  const single = (tls, window) => () => session(tls ? target.pop3sPort : target.pop3Port, tls, SINGLE_USER, window);
  const list = [
    { name: 'plain', expected: MESSAGES, run: single(false, 1) },
    { name: `pipelined x${PIPELINE}`, expected: MESSAGES, run: pipelining ? single(false, PIPELINE) : undefined },
    { name: 'pop3s', expected: MESSAGES, run: target.pop3sPort ? single(true, 1) : undefined },
    {
      name: `concurrent x${CLIENTS}`,
      expected: PER_USER * CLIENTS,
      run: async () => {
        const all = await Promise.all(USERS.map((user) => session(target.pop3Port, false, user, 1)));
        return all.reduce(([m, b], [m2, b2]) => [m + m2, b + b2], [0, 0]);
      },
    },
  ];
  return list;
}

const results = [];
const skipped = [];
const started = []; // { name, target, scenarios }
try {
  for (const name of opts.targets.split(',')) {
    const starter = TARGETS[name];
    if (!starter) throw new Error(`unknown target ${name}; known: ${Object.keys(TARGETS).join(', ')}`);
    const target = await starter();
    if (!target) {
      skipped.push(name);
      continue;
    }
    const entry = { name, target }; // in `started` at once, so that it is stopped if the warm-up fails
    started.push(entry);
    // Warm-up, not timed: the first session of each user moves new/ to cur/ and builds indexes.
    for (const { user } of mailboxes) await session(target.pop3Port, false, user, 1);
    entry.scenarios = scenarios(target, await supportsPipelining(target.pop3Port));
  }
  // The targets take turns run by run (A B A B ...), so that a change in the machine's speed
  // during the benchmark falls on both rather than on whichever ran second.
  const scenarioNames = started[0]?.scenarios.map((scenario) => scenario.name) ?? [];
  for (const [index, scenarioName] of scenarioNames.entries()) {
    const runs = new Map(started.map(({ name }) => [name, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const { name, target, scenarios: list } of started) {
        const scenario = list[index];
        if (!scenario.run) continue;
        const cpu0 = helpers.processTreeCpuSeconds(target.pid);
        const t0 = performance.now();
        const [count, bytes] = await scenario.run();
        const secs = (performance.now() - t0) / 1000;
        await sleep(200); // let exited session processes be reaped into the CPU counters
        const cpu = helpers.processTreeCpuSeconds(target.pid) - cpu0;
        const ok = count === scenario.expected && bytes === count * SIZE;
        if (!ok) throw new Error(`${name} ${scenario.name}: got ${count} messages / ${bytes} bytes, expected ${scenario.expected} x ${SIZE}`);
        runs.get(name).push({ rate: count / secs, mib: bytes / secs / 1048576, cpuUs: (cpu / count) * 1e6 });
      }
    }
    for (const { name } of started) {
      const list = runs.get(name);
      if (list.length === 0) {
        results.push({ target: name, scenario: scenarioName, missing: true });
        continue;
      }
      const row = {
        target: name,
        scenario: scenarioName,
        rate: median(list.map((r) => r.rate)),
        mib: median(list.map((r) => r.mib)),
        cpuUs: median(list.map((r) => r.cpuUs)),
      };
      results.push(row);
      console.error(`${name} ${scenarioName}: ${row.rate.toFixed(0)} msgs/s, ${row.cpuUs.toFixed(0)} us CPU/msg`);
    }
  }
} finally {
  for (const { target } of started) await target.stop();
  rmSync(work, { recursive: true, force: true });
}

const dovecotRow = (scenario) => results.find((r) => r.target === 'dovecot' && r.scenario === scenario && !r.missing);
console.log(`\nPOP3 retrieval: ${MESSAGES} x ${SIZE} B (one client), ${CLIENTS} clients x ${PER_USER} messages, median of ${RUNS} run(s), 127.0.0.1`);
printTable(
  ['target', 'scenario', 'msgs/s', 'MiB/s', 'server CPU us/msg', 'rate vs dovecot', 'CPU vs dovecot'],
  results.map((r) => {
    if (r.missing) return [r.target, r.scenario, 'n/a', '', '', '', ''];
    const base = dovecotRow(r.scenario);
    return [
      r.target, r.scenario, r.rate.toFixed(0), r.mib.toFixed(1), r.cpuUs.toFixed(0),
      base ? `${(r.rate / base.rate).toFixed(2)}x` : '-',
      base && base.cpuUs > 0 ? `${(r.cpuUs / base.cpuUs).toFixed(2)}x` : '-',
    ];
  }),
);
for (const name of skipped) {
  console.log(`\n${name}: no server to run yet (add bench/pop3/ours.mjs, or pass --ours MODULE / --ours-cmd CMD); the row is missing.`);
}
