#!/usr/bin/env bash
# Fails when docs/ differs from the docs generated from ODS (run with
# --update to copy them over).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ACT_BUILD_DIR:-$root/build}"
status=0
for doc in Dialects/ActDialect.md Passes/ActPasses.md; do
  if [[ "${1:-}" == --update ]]; then
    mkdir -p "$(dirname "$root/docs/$doc")"
    cp "$build/docs/$doc" "$root/docs/$doc"
  elif ! diff -q "$build/docs/$doc" "$root/docs/$doc" >/dev/null; then
    echo "docs/$doc is stale: run scripts/check-docs.sh --update" >&2
    status=1
  fi
done
exit "$status"
