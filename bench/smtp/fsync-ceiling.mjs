// The disk's ceiling for the SMTP benchmark's handler alone: CONCURRENCY writers each storing
// COUNT/CONCURRENCY files of SIZE bytes the way bench/smtp/ours.mjs does (own file, fsync, close),
// no SMTP at all. Prints files/s and the process's CPU per file for two strategies:
//   async4  open, write, fsync and close each through the libuv threadpool (four hops per file)
//   sync1   open and write on the main thread, fsync through the threadpool, close on the main thread
//   node smtp/fsync-ceiling.mjs [--count 10000] [--concurrency 20] [--size 4096] [--dir DIR]
// Each strategy writes into a fresh directory; the directories are removed only at the end, and
// sync(1) runs before each timed part: on this VM's ext4 (mounted with `discard`) the journal
// commit after a mass delete also trims the freed blocks, and the fsyncs waiting on that commit
// would pay for it. Before the first part it waits out ext4's recently-deleted window
// (peers/deleted-inodes.mjs): a run right after another would otherwise measure the last one's rm.
import { execFileSync } from 'node:child_process';
import { close, closeSync, fsync, mkdtempSync, open, openSync, rmSync, write, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { deletedInodesWindow } from '../peers/deleted-inodes.mjs';

const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '20' },
    size: { type: 'string', default: '4096' },
    dir: { type: 'string' },
  },
});
const COUNT = Number(opts.count);
const CONCURRENCY = Number(opts.concurrency);
const body = Buffer.alloc(Number(opts.size), 'x');

const call = (fn, ...args) => new Promise((resolve, reject) => fn(...args, (error, value) => (error ? reject(error) : resolve(value))));

const STRATEGIES = {
  async async4(file) {
    const fd = await call(open, file, 'wx');
    await call(write, fd, body);
    await call(fsync, fd);
    await call(close, fd);
  },
  async sync1(file) {
    const fd = openSync(file, 'wx');
    try {
      writeSync(fd, body);
      await call(fsync, fd);
    } finally {
      closeSync(fd);
    }
  },
};

const dirs = [];
await deletedInodesWindow().wait();
for (const [name, store] of Object.entries(STRATEGIES)) {
  const dir = mkdtempSync(join(opts.dir ?? tmpdir(), `fsync-ceiling-${name}-`));
  dirs.push(dir);
  execFileSync('sync');
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COUNT) await store(join(dir, String(next++)));
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${name}: ${COUNT} files of ${body.length} B, ${CONCURRENCY} at once: ${(COUNT / secs).toFixed(0)} files/s, ` +
      `CPU ${((cpu.user + cpu.system) / COUNT).toFixed(0)} us/file (user ${(cpu.user / COUNT).toFixed(0)}, system ${(cpu.system / COUNT).toFixed(0)})`,
  );
}
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
deletedInodesWindow().mark();
