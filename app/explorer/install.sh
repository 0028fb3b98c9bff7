#!/bin/sh
# Installs the explorer's browser libraries from the npm registry, exactly as package-lock.json pins
# them, and copies the files the pages load into static/vendor/. Run by `make` (the install step).
# Without npm the service still works: the API answers and / says the explorer is unavailable.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
    echo "explorer: npm not found; the API will work but the explorer at / is unavailable" \
         "and /docs loads its assets from a CDN. Install Node.js 20+ and npm, then run: sh $0" >&2
    exit 0
fi
# --ignore-scripts: the files we copy need no install scripts (and one dependency's only reports usage).
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
npm run --silent build
