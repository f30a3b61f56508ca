#!/usr/bin/env bash
# Fuzzes act's parser, verifier, passes and CPU pipeline with libFuzzer
# (tools/act-fuzz) for SECONDS (default 60) on JOBS processes (default 1).
# Builds build-fuzz/ with -fsanitize=fuzzer-no-link,address; seeds the corpus
# with every .mlir test (split at "// -----") and fuzz/regressions/. Crash
# inputs land in fuzz/crashes/; fix them and move them to fuzz/regressions/
# (test/Fuzz/regressions.test replays that directory).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
root="$act_root"
seconds="${1:-60}"
jobs="${2:-1}"
build="$root/build-fuzz"

ACT_SKIP_BENCH_DEPS=1 bash "$root/scripts/install-deps.sh"
act_configure "$build" -DACT_BUILD_FUZZER=ON -DACT_ENABLE_TSAN_TESTS=OFF \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address -g" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address -g"
cmake --build "$build" --target act-fuzz -- -j"$(nproc)" >&2

seeds="$build/seeds"
rm -rf "$seeds" && mkdir -p "$seeds" "$root/fuzz/corpus" "$root/fuzz/crashes"
/usr/bin/python3 - "$root" "$seeds" <<'PY'
import pathlib, sys
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for path in sorted((root / "test").rglob("*.mlir")) + sorted(
        (root / "fuzz" / "regressions").glob("*")):
    for chunk in path.read_text().split("// -----"):
        lines = [l for l in chunk.splitlines()
                 if not l.lstrip().startswith(("// RUN", "// CHECK"))]
        (out / f"seed{n:04d}.mlir").write_text("\n".join(lines) + "\n")
        n += 1
print(f"{n} seeds", file=sys.stderr)
PY

log="$build/fuzz.log"
# -fork keeps going past a crash (each saved under fuzz/crashes/); the
# merged corpus grows in fuzz/corpus (not committed: see .gitignore).
"$build/bin/act-fuzz" -fork="$jobs" -ignore_crashes=1 \
  -max_total_time="$seconds" -max_len=16384 -timeout=60 -rss_limit_mb=4096 \
  -artifact_prefix="$root/fuzz/crashes/" "$root/fuzz/corpus" "$seeds" \
  2>&1 | tee "$log" | grep -E "^#[0-9]+: cov|INFO: fuzzed for|crash" >&2 || true
grep -E "^#[0-9]+: cov" "$log" | tail -1
echo "crashes: $(find "$root/fuzz/crashes" -type f | wc -l) (fuzz/crashes/)"
