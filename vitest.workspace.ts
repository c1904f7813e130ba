import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineWorkspace } from 'vitest/config';

// One vitest project per package. Packages resolve each other through the "source" export
// condition (src/index.ts), so tests run without a build step; the build is tested separately.
const packages = readdirSync(new URL('./packages/', import.meta.url)).filter((name) =>
  existsSync(new URL(`./packages/${name}/package.json`, import.meta.url)),
);

export default defineWorkspace(
  packages.map((name) => ({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      name,
      root: `packages/${name}`,
      include: ['test/**/*.test.ts'],
      setupFiles: [fileURLToPath(new URL('./scripts/vitest-setup.ts', import.meta.url))],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  })),
);
