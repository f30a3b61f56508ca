#!/usr/bin/env bash
# Builds act and measures its JIT's compile latency and cache cost
# (bench/jit/jit_latency.cpp); writes docs/performance-jit.md and
# docs/bench/jit.json. Run on an idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ACT_SKIP_BENCH_DEPS=1 bash scripts/install-deps.sh
bash scripts/build.sh act-jit-bench
mkdir -p docs/bench
table="$(build/bin/act-jit-bench --repeat "${ACT_JIT_BENCH_REPEAT:-21}" \
  --json docs/bench/jit.json)"
{
  echo "# JIT compile latency and cache cost"
  echo
  echo "Measured by \`bash bench/run_jit.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores,"
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); medians of"
  echo "${ACT_JIT_BENCH_REPEAT:-21} cold compiles (one-time process start-up excluded) and of"
  echo "5 x 20000 cache hits. JSON: docs/bench/jit.json."
  echo
  echo "$table"
  echo
  echo "A cold compile is parse + act-cpu-pipeline in MLIR, then LLVM's"
  echo "translation, IR passes and code generation of every public function"
  echo "(the elementwise kernel has two: the plain one and the"
  echo "non-temporal-store variant for arrays beyond the caches). Elementwise"
  echo "kernels skip LLVM's IR passes (CompileOptions::llvmOptLevel = 0): they"
  echo "come out of act-cpu-pipeline vectorized, -O3 finds nothing to improve"
  echo "(same Gelem/s, measured) and costs two thirds of the compile (the -O3 row)."
  echo "A memory hit builds the request's MLIR text (the typed entry points print"
  echo "it from the spec), hashes it and takes one lock; a disk hit parses the"
  echo "source and loads the object file into a fresh LLJIT."
} > docs/performance-jit.md
echo "wrote docs/performance-jit.md" >&2
