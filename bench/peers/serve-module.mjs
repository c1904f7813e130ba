// Runs one benchmark server in a process of its own, so that its CPU time can be read from
// /proc and it does not share an event loop with the load generator:
//   node serve-module.mjs MODULE 'JSON options'
// MODULE exports start(options) -> Promise<{ ...ports, stop(): Promise<void> }>. The plain
// (JSON-able) fields of the result are printed as one JSON line on stdout once it listens;
// SIGTERM calls stop() and exits 0.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, json] = process.argv.slice(2);
const { start } = await import(pathToFileURL(resolve(modulePath)).href);
const server = await start(JSON.parse(json ?? '{}'));
const info = Object.fromEntries(Object.entries(server).filter(([, v]) => typeof v !== 'function'));
process.stdout.write(`${JSON.stringify(info)}\n`);
let stopping = false;
process.on('SIGTERM', async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
});
