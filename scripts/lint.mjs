// Architecture lint (ARCHITECTURE.md, STYLE.md §1, §6): the protocol cores do no I/O and keep no
// clock; storage packages own files but never sockets or timers; nothing uses default exports.
// Prints one line per violation (file:line: rule) and exits 1 if there is any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const NO_IO = [/from 'node:(net|tls|dns|fs|fs\/promises|child_process|http|https|dgram)'/, /\bsetTimeout\(|\bsetInterval\(|\bDate\.now\(\)|new Date\(\)/];
const NO_NET = [/from 'node:(net|tls|dns|http|https|dgram)'/, /\bsetTimeout\(|\bsetInterval\(/];
const RULES = {
  mime: NO_IO, sasl: NO_IO, 'smtp-core': NO_IO, 'pop3-core': NO_IO, 'imap-core': NO_IO, 'mda-filter': NO_IO,
  mailstore: NO_NET, mta: NO_NET,
};
const DEFAULT_EXPORT = /^\s*export default\b/;

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

let violations = 0;
for (const pkg of readdirSync('packages')) {
  let files;
  try { files = [...sourceFiles(join('packages', pkg, 'src'))]; } catch { continue; }
  for (const file of files) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const trimmed = line.trim();
      if (trimmed.startsWith('//') || trimmed.startsWith('*')) return;
      for (const rule of RULES[pkg] ?? []) {
        if (rule.test(line)) { console.log(`${file}:${i + 1}: ${pkg} must not use ${rule.source}`); violations++; }
      }
      if (DEFAULT_EXPORT.test(line)) { console.log(`${file}:${i + 1}: no default exports (STYLE.md §6)`); violations++; }
    });
  }
}
if (violations) process.exit(1);
console.log('lint: architecture rules hold');
