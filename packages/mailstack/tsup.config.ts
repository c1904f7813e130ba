import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.library.js';

export default defineConfig([
  {
    // The library: ESM + CJS + types.
    ...libraryBuild,
    // The cli build below runs at the same time: keep its files.
    clean: ['!cli.js', '!cli.js.map'],
  },
  {
    // The bin (package.json "bin": ./dist/cli.js): ESM only, executable (its #! line).
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    clean: false,
    target: 'node20',
  },
]);
