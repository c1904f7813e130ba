/** The package version, read from the mailstack package.json above this file (src or dist). */
import { readFile } from 'node:fs/promises';

/** `version` of the package.json of the `mailstack` package. */
export async function packageVersion(): Promise<string> {
  // One folder up from dist/cli.js, two from src/cli/version.ts.
  for (const relative of ['../package.json', '../../package.json']) {
    const text = await readFile(new URL(relative, import.meta.url), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const manifest = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (manifest.name === 'mailstack' && typeof manifest.version === 'string') return manifest.version;
  }
  return 'unknown';
}
