// MIME parsing benchmark: @mailstack/mime (built dist) against npm mailparser and postal-mime,
// in the same run, each measurement in its own child process (worker.mjs). Prints a table with
// ratios. usage: node mime/run.mjs [--total-mb 100] [--rounds 3] [--quick]   (from bench/, after the build)
// Throughput runs interleave the parsers in rounds (ours, mailparser, postal-mime, ours, ...), each
// round parsing total-mb/rounds, so that all three see the same machine load; MB/s are totals.
//   corpus : the 129-message third-party corpus (packages/mime/scripts/assemble-corpus.sh)
//   20 MB  : a generated message with five base64 attachments (gen-large-message.mjs)
//   100 MB : peak RSS (VmHWM) of one streamed parse from a file (ours: MimeStreamParser over a bounded
//            buffer, and over fs.createReadStream; mailparser: simpleParser), beside Node merely reading it
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '../..');
const OUT = join(HERE, '../out/mime');
const CORPUS = join(ROOT, 'packages/mime/test/corpus/.corpus/messages');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const totalMb = args.includes('--total-mb') ? Number(args[args.indexOf('--total-mb') + 1]) : quick ? 20 : 100;
const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 3;

mkdirSync(OUT, { recursive: true });
if (!existsSync(join(ROOT, 'packages/mime/dist/index.js'))) execFileSync('pnpm', ['--filter', '@mailstack/mime', 'build'], { cwd: ROOT, stdio: 'inherit' });
if (!existsSync(CORPUS)) execFileSync('bash', [join(ROOT, 'packages/mime/scripts/assemble-corpus.sh')], { stdio: 'inherit' });
const large = join(OUT, 'large-20mb.eml');
const huge = join(OUT, 'large-100mb.eml');
if (!existsSync(large)) execFileSync('node', [join(HERE, 'gen-large-message.mjs'), large, '--mb', '20']);
if (!quick && !existsSync(huge)) execFileSync('node', [join(HERE, 'gen-large-message.mjs'), huge, '--mb', '100', '--attachments', '10']);

const worker = (...a) => JSON.parse(execFileSync('node', [join(HERE, 'worker.mjs'), ...a.map(String)], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim());
const PARSERS = ['ours', 'mailparser', 'postal-mime'];
const fmt = (n, d = 1) => n.toFixed(d).padStart(8);

for (const [label, input] of [['corpus (129 msgs)', CORPUS], ['20 MB message', large]]) {
  const sums = Object.fromEntries(PARSERS.map((p) => [p, { mb: 0, secs: 0, cpuSecs: 0, msgs: 0, peakRssMiB: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const p of PARSERS) {
      const x = worker('throughput', p, input, totalMb / rounds);
      const mb = totalMb / rounds;
      const s = sums[p];
      s.mb += mb;
      s.secs += mb / x.mbPerS;
      s.cpuSecs += mb / x.mbPerCpuS;
      s.msgs += (x.msgsPerS * mb) / x.mbPerS;
      s.peakRssMiB = Math.max(s.peakRssMiB, x.peakRssMiB);
    }
  }
  const r = Object.fromEntries(PARSERS.map((p) => {
    const s = sums[p];
    return [p, { mbPerS: s.mb / s.secs, mbPerCpuS: s.mb / s.cpuSecs, msgsPerS: s.msgs / s.secs, peakRssMiB: s.peakRssMiB }];
  }));
  console.log(`\n${label}: ${totalMb} MB parsed per parser, in ${rounds} interleaved rounds`);
  console.log('parser        MB/s  MB/cpu-s    msgs/s  peak RSS MiB   ours/this (cpu)  ours/this (wall)');
  for (const p of PARSERS) {
    const x = r[p];
    console.log(`${p.padEnd(12)}${fmt(x.mbPerS)}  ${fmt(x.mbPerCpuS)}  ${fmt(x.msgsPerS)}  ${fmt(x.peakRssMiB)}        ${fmt(r.ours.mbPerCpuS / x.mbPerCpuS, 2)}x         ${fmt(r.ours.mbPerS / x.mbPerS, 2)}x`);
  }
}

if (!quick) {
  console.log('\n100 MB message streamed from a file: peak RSS');
  for (const p of ['read-only', 'ours', 'ours-read-stream', 'mailparser']) {
    const r = worker('stream-rss', p, huge);
    console.log(`${p.padEnd(16)} peak RSS ${fmt(r.peakRssMiB)} MiB  ${fmt(r.secs, 2)} s  decoded ${(r.decodedBytes / 1e6).toFixed(1)} MB`);
  }
}
