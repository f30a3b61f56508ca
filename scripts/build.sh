#!/usr/bin/env bash
# Configures (once) and builds act in build/ with Ninja, ccache and lld.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
build="${ACT_BUILD_DIR:-$act_root/build}"
act_configure "$build"
cmake --build "$build" -- -j"$(nproc)" "$@" >&2
