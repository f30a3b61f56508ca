#!/usr/bin/env bash
# Sets everything up and runs act's main job (README's run command): compiles
# the bundled example and prints the lowered IR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ACT_BUILD_DIR:-$root/build}"
example="${1:-$root/examples/ffn.mlir}"

ACT_SKIP_BENCH_DEPS=1 bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
"$build/bin/act-opt" "$example" --act-expand --canonicalize --cse
