// The benchmarks start their peers (smtp-sink, Postfix, Dovecot) with the same TypeScript helpers
// the interop tests use (packages/mailstack/test/peers/). Node 20 cannot run TypeScript, so the
// helper files are transpiled here with the workspace's `typescript` (types stripped, nothing
// else changes) into bench/out/peers-helpers/ and imported from there.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const SOURCE = fileURLToPath(new URL('../../packages/mailstack/test/peers/', import.meta.url));
const OUT = fileURLToPath(new URL('../out/peers-helpers/', import.meta.url));

/** Transpiles the peer helpers and returns their index module (startDovecot, startPostfix, ...). */
export async function loadPeerHelpers() {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}package.json`, '{ "type": "module" }\n');
  for (const name of readdirSync(SOURCE)) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const { outputText } = ts.transpileModule(readFileSync(`${SOURCE}${name}`, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: name,
    });
    writeFileSync(`${OUT}${name.replace(/\.ts$/, '.js')}`, outputText);
  }
  return import(pathToFileURL(`${OUT}index.js`).href);
}
