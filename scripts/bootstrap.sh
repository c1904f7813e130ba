#!/bin/sh
# Set up the monorepo on a machine that has only Node 20 and npm: the pinned pnpm of
# scripts/pnpm.sh, the locked dependencies, a build.
set -eu
cd "$(dirname "$0")/.."
pnpm() { sh scripts/pnpm.sh "$@"; }
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --frozen-lockfile --prefer-offline --reporter=silent
fi
pnpm -r --workspace-concurrency=2 run build >/dev/null
