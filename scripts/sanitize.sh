#!/usr/bin/env bash
# The sanitizer suite: the whole lit suite with act built under
# AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/), then the
# JIT's eight-thread test with act's JIT built under ThreadSanitizer (it also
# runs in every normal build: test/Unit/jit-tsan.test). Tests that load act
# into an uninstrumented host (examples/embed) are unsupported under ASan.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
root="$act_root"
build="$root/build-asan"

ACT_SKIP_BENCH_DEPS=1 bash "$root/scripts/install-deps.sh"
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
flags+=" -fno-omit-frame-pointer -g"
act_configure "$build" -DACT_ENABLE_TSAN_TESTS=OFF -DACT_SANITIZER=address \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build "$build" -- -j"$(nproc)" >&2
# act is instrumented, libMLIR.so is not: LLVM's BumpPtrAllocator poisons its
# slabs from instrumented header code only, so manual poisoning is off (real
# heap errors are still caught).
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:allow_user_poisoning=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
log="$build/lit.log"
/usr/lib/llvm-22/bin/lit -sv "$build/test" 2>&1 | tee "$log"
[[ "${PIPESTATUS[0]}" == 0 ]] || exit 1

bash "$root/scripts/build.sh" ActJITTestsTSan
# libomp is not instrumented: TSan cannot see its locking (as in
# test/Unit/jit-tsan.test).
TSAN_OPTIONS="halt_on_error=1:exitcode=66:ignore_noninstrumented_modules=1" \
  "$root/build/unittests/ActJITTestsTSan" --gtest_brief=1
echo "sanitizer suite: ASan+UBSan lit suite and TSan JIT test passed"
