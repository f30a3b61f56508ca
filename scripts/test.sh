#!/usr/bin/env bash
# Sets everything up and runs act's whole test suite (README's test command).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ACT_BUILD_DIR:-$root/build}"

ACT_SKIP_BENCH_DEPS=1 bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh" all mlir-doc
bash "$root/scripts/check-docs.sh"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
/usr/lib/llvm-22/bin/lit -sv "$build/test" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
count() { grep -E "^ +$1 *:" "$log" | grep -oE '[0-9]+' | head -n 1 || true; }
passed=$(count Passed); failed=$(count Failed)
skipped=$(count Unsupported); xfail=$(count "Expectedly Failed")
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped" \
  "(${xfail:-0} expected failures)"
exit "$status"
