#!/bin/sh
# The README's test command: set up (scripts/bootstrap.sh), run every test once, and finish with
# one plain summary line.
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh
node scripts/lint.mjs
mkdir -p .test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json || status=$?
if [ -f .test-results/vitest.json ]; then
  node scripts/summarize-tests.mjs .test-results/vitest.json || status=$?
fi
exit "$status"
