#!/usr/bin/env bash
# Installs bench deps, builds act, then runs bench/run_matmul.py with "$@"
# (docs/performance-matmul.md). Needs an otherwise idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/bench/prepare.sh"
exec /usr/bin/python3 "$root/bench/run_matmul.py" "$@"
