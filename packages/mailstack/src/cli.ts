#!/usr/bin/env -S node --no-memory-reducer
// The `mailstack` bin (SPEC.md §1): the commands live in cli/, one file each.
//
// Node runs it without V8's memory reducer. The reducer runs full garbage collections once a
// process goes quiet and shrinks its heap; a server that has been idle for a minute then spends
// about 100 µs more of V8's background CPU per message for the next thousands of messages, and
// accepts less (docs/operations.md, "Runs O to Q" and "Run R"). The flag works only on node's
// command line (v8.setFlagsFromString is too late: the reducer exists from the heap's start).
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
