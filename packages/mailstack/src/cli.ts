#!/usr/bin/env node
// The `mailstack` bin (SPEC.md §1): the commands live in cli/, one file each.
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
