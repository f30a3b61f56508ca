#!/usr/bin/env bash
# What every bench script does first: install the bench peers' Debian
# packages and build act (skipped with ACT_BENCH_SKIP_BUILD=1).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-deps.sh
if [[ "${ACT_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  bash scripts/build.sh
fi
