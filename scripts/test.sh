#!/usr/bin/env bash
# `npm test`: the unit suite (jest) and then the end-to-end suite in a real n8n
# (test/e2e/run.ts). Both always run; exits non-zero if either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

echo "== unit tests (jest) =="
npx jest "$@"
unit=$?
unit_s=$(( $(date +%s) - start ))

echo
echo "== end-to-end tests (real n8n) =="
npm run --silent build:scripts && node .scripts-build/test/e2e/run.js
e2e=$?

echo
echo "== end-to-end tests: triggers exactly once (real n8n) =="
# run.js built the package a moment ago.
ASYNC_JOBS_E2E_SKIP_BUILD=1 node .scripts-build/test/e2e/triggers.js
[ $? -eq 0 ] || e2e=1
total_s=$(( $(date +%s) - start ))

echo
echo "unit: $([ $unit -eq 0 ] && echo passed || echo FAILED) (${unit_s}s) · e2e: $([ $e2e -eq 0 ] && echo passed || echo FAILED) ($(( total_s - unit_s ))s) · total ${total_s}s"
[ $unit -eq 0 ] && [ $e2e -eq 0 ]
