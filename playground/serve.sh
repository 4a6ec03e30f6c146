#!/usr/bin/env bash
# Builds the playground and serves it at http://127.0.0.1:PORT/ (default 8765).
# Static files only: any web server can serve playground/www/.
set -euo pipefail
cd "$(dirname "$0")"
port="${1:-8765}"
bash ./build.sh >/dev/null
echo "refuge playground: http://127.0.0.1:${port}/"
exec python3 -m http.server --bind 127.0.0.1 --directory www "$port"
