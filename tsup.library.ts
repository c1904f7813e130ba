// The build every library package shares (packages/*/tsup.config.ts): ESM + CJS + .d.ts from
// src/index.ts for Node 20, matching the "exports" map of each package.json.
import type { Options } from 'tsup';

export const libraryBuild: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
};
