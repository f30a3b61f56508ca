#!/usr/bin/env bash
# Installs every Debian package act's build, tests and benches need; idempotent.
set -euo pipefail

# Build and test.
PACKAGES=(
  cmake ninja-build ccache git python3 python3-numpy python3-mpmath
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  libomp-22-dev libgtest-dev libclang-rt-22-dev
)
# Benchmark peers (bench/ only); skipped with ACT_SKIP_BENCH_DEPS=1.
BENCH_PACKAGES=(libbenchmark-dev libdnnl-dev libopenblas-dev python3-torch
  python3-matplotlib g++)
if [[ "${ACT_SKIP_BENCH_DEPS:-0}" != 1 ]]; then
  PACKAGES+=("${BENCH_PACKAGES[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
  --no-install-recommends "${missing[@]}" >&2
