#!/usr/bin/env bash
# `npm test`: the unit suite (jest), then the end-to-end suite in a real n8n
# (test/e2e/run.ts, then test/e2e/triggers.ts), then the queue-mode end-to-end suite (test/e2e/queue.ts:
# Postgres, Redis, main, two workers, webhook process), then the compatibility
# suite (test/e2e/compat.ts: the oldest supported n8n, 1.123.81, end to end, and
# the credential Test and redirect checks on the newest), then the browser suite:
# n8n's editor in headless Chromium (test/e2e/browser.ts; installs Debian's
# chromium when missing). All always run; exits non-zero if any failed.
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
e2e_s=$(( $(date +%s) - start - unit_s ))

echo
echo "== queue-mode end-to-end tests (real n8n: Postgres, Redis, main, 2 workers, webhook) =="
queue_start=$(date +%s)
npm run --silent build:scripts && node .scripts-build/test/e2e/queue.js
queue=$?
queue_s=$(( $(date +%s) - queue_start ))

echo
echo "== compatibility: the oldest supported n8n, and credential checks on the newest =="
compat_start=$(date +%s)
node .scripts-build/test/e2e/compat.js
compat_old=$?
node .scripts-build/test/e2e/compat.js --newest --quick
compat_new=$?
compat_s=$(( $(date +%s) - compat_start ))

echo
echo "== browser tests (n8n's editor in headless Chromium) =="
browser_start=$(date +%s)
npm run --silent build:scripts && node .scripts-build/test/e2e/browser.js
browser=$?
browser_s=$(( $(date +%s) - browser_start ))
total_s=$(( $(date +%s) - start ))

status() { [ "$1" -eq 0 ] && echo passed || echo FAILED; }
echo
echo "unit: $(status $unit) (${unit_s}s) · e2e: $(status $e2e) (${e2e_s}s) · queue e2e: $(status $queue) (${queue_s}s) · compat: oldest $(status $compat_old), newest $(status $compat_new) (${compat_s}s) · browser: $(status $browser) (${browser_s}s) · total ${total_s}s"
[ $unit -eq 0 ] && [ $e2e -eq 0 ] && [ $queue -eq 0 ] && [ $compat_old -eq 0 ] && [ $compat_new -eq 0 ] && [ $browser -eq 0 ]
