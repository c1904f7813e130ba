#!/usr/bin/env bash
# Regenerates test/parser/golden/*.json from the *.eml beside them with the current parser.
# Review the diff (git diff test/parser/golden) before committing.
set -euo pipefail
cd "$(dirname "$0")/../../.."
UPDATE_GOLDEN=1 npx vitest run --project mime packages/mime/test/parser/golden.test.ts
