import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM + CJS + types.
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // The cli build below runs at the same time: keep its files.
    clean: ['!cli.js', '!cli.js.map'],
    target: 'node20',
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
