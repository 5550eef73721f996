#!/usr/bin/env bash
# `npm test`: the unit suite (jest), the end-to-end suite in a real n8n
# (test/e2e/run.ts), then the browser suite: n8n's editor in headless Chromium
# (test/e2e/browser.ts; installs Debian's chromium when missing). All always
# run; exits non-zero if any failed.
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
e2e_end=$(date +%s)
e2e_s=$(( e2e_end - start - unit_s ))

echo
echo "== browser tests (n8n's editor in headless Chromium) =="
node .scripts-build/test/e2e/browser.js
browser=$?
browser_s=$(( $(date +%s) - e2e_end ))
total_s=$(( $(date +%s) - start ))

word() { [ "$1" -eq 0 ] && echo passed || echo FAILED; }
echo
echo "unit: $(word $unit) (${unit_s}s) · e2e: $(word $e2e) (${e2e_s}s) · browser: $(word $browser) (${browser_s}s) · total ${total_s}s"
[ $unit -eq 0 ] && [ $e2e -eq 0 ] && [ $browser -eq 0 ]
