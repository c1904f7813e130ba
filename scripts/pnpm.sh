#!/bin/sh
# The project's pinned pnpm, run through npx (corepack and a `packageManager` pin fail on registry
# mirrors without signatures): scripts/bootstrap.sh and the tests that rebuild use this one pin.
exec npx -y pnpm@10.34.8 "$@"
