#!/usr/bin/env bash
# Installs bench deps, builds act, then runs bench/run_matmul.py with "$@"
# (docs/performance-matmul.md). Needs an otherwise idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/install-deps.sh
if [[ "${ACT_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  bash scripts/build.sh
fi
exec /usr/bin/python3 bench/run_matmul.py "$@"
