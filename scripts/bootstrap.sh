#!/bin/sh
# Set up the monorepo on a machine that has only Node 20 and npm: a pinned pnpm (through npx,
# not corepack, whose signature check fails on registry mirrors), the locked dependencies, a build.
set -eu
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.8
pnpm() { npx -y "pnpm@$PNPM_VERSION" "$@"; }
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --frozen-lockfile --prefer-offline --reporter=silent
fi
pnpm -r --workspace-concurrency=2 run build >/dev/null
