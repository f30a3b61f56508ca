#!/usr/bin/env bash
# The whole lit suite with act built under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/). ThreadSanitizer covers the JIT's
# concurrency test in every normal build (test/Unit/jit-tsan.test). Tests
# that load act into an uninstrumented host (examples/embed) are
# unsupported here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-asan"
export CCACHE_BASEDIR="$root"

ACT_SKIP_BENCH_DEPS=1 bash "$root/scripts/install-deps.sh"
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
flags+=" -fno-omit-frame-pointer -g"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DLLVM_USE_LINKER=lld -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DACT_ENABLE_TSAN_TESTS=OFF -DACT_SANITIZER=address \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" >&2
fi
cmake --build "$build" -- -j"$(nproc)" >&2
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
log="$build/lit.log"
/usr/lib/llvm-22/bin/lit -sv "$build/test" 2>&1 | tee "$log"
