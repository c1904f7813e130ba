#!/usr/bin/env node
// The `mailstack` bin (SPEC.md §1): the commands live in cli/, one file each.
import { main } from './cli/main.js';

const code = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signals: process,
});
// Exit now rather than when the last handle closes: after `serve` was told to stop without
// waiting, its sockets may still be open. Writes to pipes, files and terminals are synchronous
// on Linux, so nothing already written is lost.
process.exit(code);
