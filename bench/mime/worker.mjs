// One benchmark measurement in its own process (so peak RSS is this parser's alone).
//   node worker.mjs throughput PARSER PATH TOTAL_MB   PARSER: ours | mailparser | postal-mime
//   node worker.mjs stream-rss PARSER FILE            PARSER: read-only | ours | ours-read-stream | mailparser
// stream-rss imports only the parser measured, and reports /proc/self/status VmHWM (the peak RSS of
// this process image; getrusage's maxRSS can carry the forking parent's). `read-only` and `ours`
// read the file through two alternating 64 KiB buffers (a bounded buffer: a chunk is reused two
// reads later, after its events were drained); `ours-read-stream` uses fs.createReadStream, whose
// fresh 64 KiB chunk per read leaves ~20 MiB of garbage for the GC at any time.
// Prints one JSON line. Throughput: every file under PATH is read into memory first, then parsed
// repeatedly (after one untimed warm-up pass) until about TOTAL_MB have been parsed; each parser
// decodes text, html and attachment bodies (mailparser with default options, as the peers'
// bench-node.mjs does). MB/s is given per wall-clock second and per CPU second of the process:
// on a shared machine the CPU figure is the steadier one, and the ratios use it.
import { closeSync, createReadStream, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [mode, parser, target, totalMbArg] = process.argv.slice(2);

const parsers = {
  ours: async (buf) => {
    const { parse } = await import('@mailstack/mime');
    const m = parse(buf);
    return (m.text?.length ?? 0) + (m.html?.length ?? 0) + m.attachments.reduce((s, a) => s + a.size, 0);
  },
  mailparser: async (buf) => {
    const { simpleParser } = require('mailparser');
    const m = await simpleParser(buf);
    return (m.text?.length ?? 0) + (typeof m.html === 'string' ? m.html.length : 0) + m.attachments.reduce((s, a) => s + a.size, 0);
  },
  'postal-mime': async (buf) => {
    const PostalMime = (await import('postal-mime')).default;
    const m = await PostalMime.parse(buf);
    return (m.text?.length ?? 0) + (m.html?.length ?? 0) + m.attachments.reduce((s, a) => s + (a.content.byteLength ?? a.content.length), 0);
  },
};

const filesUnder = (p) =>
  statSync(p).isFile() ? [p] : readdirSync(p, { recursive: true }).map((f) => join(p, f)).filter((f) => statSync(f).isFile()).sort();

if (mode === 'throughput') {
  const run = parsers[parser];
  const msgs = filesUnder(target).map((f) => readFileSync(f));
  const bytes = msgs.reduce((s, b) => s + b.length, 0);
  const reps = Math.max(1, Math.round((Number(totalMbArg ?? 100) * 1e6) / bytes));
  let sink = 0;
  let errors = 0;
  const pass = async () => {
    for (const b of msgs) {
      try {
        sink += await run(b);
      } catch {
        errors++;
      }
    }
  };
  await pass();
  errors = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) await pass();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6; // whole process, GC threads included
  const mb = (bytes * reps) / 1e6;
  console.log(JSON.stringify({ parser, mbPerS: mb / secs, mbPerCpuS: mb / cpuSecs, msgsPerS: (msgs.length * reps) / secs, errors: errors / reps, peakRssMiB: process.resourceUsage().maxRSS / 1024, sink: sink > 0 }));
} else if (mode === 'stream-rss') {
  const vmHwmMiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
  const t0 = process.hrtime.bigint();
  let decoded = 0;
  const chunks = function* () {
    const fd = openSync(target, 'r');
    const buffers = [Buffer.allocUnsafe(64 * 1024), Buffer.allocUnsafe(64 * 1024)];
    for (let i = 0; ; i++) {
      const b = buffers[i & 1];
      const n = readSync(fd, b, 0, b.length, null);
      if (n === 0) break;
      yield b.subarray(0, n);
    }
    closeSync(fd);
  };
  if (parser === 'read-only') {
    for (const chunk of chunks()) decoded += chunk.length;
  } else if (parser === 'ours' || parser === 'ours-read-stream') {
    // The streaming core: body chunks are counted and dropped, as a delivery agent writing them out would.
    const { MimeStreamParser } = await import('@mailstack/mime');
    const p = new MimeStreamParser();
    const drain = () => {
      for (let e = p.nextEvent(); e.type !== 'need-data' && e.type !== 'end'; e = p.nextEvent()) if (e.type === 'body-chunk') decoded += e.bytes.length;
    };
    const source = parser === 'ours' ? chunks() : createReadStream(target, { highWaterMark: 64 * 1024 });
    for await (const chunk of source) {
      p.receive(chunk);
      drain();
    }
    p.receiveEof();
    drain();
  } else {
    const { simpleParser } = require('mailparser');
    const m = await simpleParser(createReadStream(target));
    decoded = m.attachments.reduce((s, a) => s + a.size, 0);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ parser, decodedBytes: decoded, secs, peakRssMiB: vmHwmMiB() }));
} else {
  console.error('usage: node worker.mjs throughput|stream-rss PARSER PATH [TOTAL_MB]');
  process.exit(2);
}
