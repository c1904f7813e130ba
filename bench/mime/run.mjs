// MIME parsing benchmark: @mailstack/mime (built dist) against npm mailparser and postal-mime,
// in the same run, each measurement in its own child process (worker.mjs). Prints a table with
// ratios. usage: node mime/run.mjs [--total-mb 100] [--quick]   (from bench/, after the build)
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
  const r = Object.fromEntries(PARSERS.map((p) => [p, worker('throughput', p, input, totalMb)]));
  console.log(`\n${label}: ${totalMb} MB parsed per parser`);
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
