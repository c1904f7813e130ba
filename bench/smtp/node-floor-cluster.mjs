// smtp/node-floor.mjs in two processes sharing one listening socket (node:cluster, each worker
// accepting for itself): whether a second event loop lifts the floor on this 2-core machine.
//   node smtp/run.mjs --targets smtp-sink,ours --ours smtp/node-floor-cluster.mjs
// The bench's CPU figure covers the workers (children of the process it started).
import cluster from 'node:cluster';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start as startFloorWorker } from './node-floor.mjs';

const WORKERS = 2;
const OPTIONS_ENV = 'MAILSTACK_BENCH_FLOOR_OPTIONS';

if (cluster.isWorker) {
  // Each worker stores into a directory of its own (file names are unique per process anyway).
  const options = JSON.parse(process.env[OPTIONS_ENV]);
  await startFloorWorker({ ...options, dir: join(options.dir, `worker-${cluster.worker.id}`) });
}

/** Starts WORKERS responders on one port; resolves once all of them listen. */
export async function start(options) {
  cluster.schedulingPolicy = cluster.SCHED_NONE; // the kernel hands each connection to one worker
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: [] });
  const workers = Array.from({ length: WORKERS }, () => cluster.fork({ [OPTIONS_ENV]: JSON.stringify(options) }));
  // A port of 0 is one random port shared by every worker (node:cluster).
  const addresses = await Promise.all(workers.map((worker) => once(worker, 'listening').then(([address]) => address)));
  return {
    port: addresses[0].port,
    stop: async () => {
      await Promise.all(workers.map((worker) => {
        const exited = once(worker, 'exit');
        worker.kill();
        return exited;
      }));
    },
  };
}
