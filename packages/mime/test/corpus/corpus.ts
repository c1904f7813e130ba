// The third-party corpus for differential tests: built by scripts/assemble-corpus.sh when missing.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the corpus messages. */
export const CORPUS = fileURLToPath(new URL('./.corpus/messages', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../scripts/assemble-corpus.sh', import.meta.url));

/** The corpus files (relative paths, sorted), assembling the corpus first if it is missing. */
export function corpusFiles(): string[] {
  if (!existsSync(CORPUS)) {
    try {
      execFileSync('bash', [SCRIPT], { stdio: 'pipe' });
    } catch (err) {
      throw new Error(`corpus missing and ${SCRIPT} failed (needs apt-get and deb.debian.org): ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
    }
  }
  return readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(txt|raw)$/.test(f) && existsSync(join(CORPUS, f)))
    .sort();
}
