#!/usr/bin/env bash
# Measures act's accuracy (DESIGN.md section 5) and writes docs/accuracy.md
# and docs/accuracy.png. Default: the sampled sweep of every function in both
# modes (a minute). With --exhaustive FUNCS: also every float32 input for the
# comma-separated FUNCS, or of every function with --exhaustive all (2 to 4
# minutes per smooth function on 2 cores; about an hour for all).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ACT_BUILD_DIR:-$root/build}"
threads="$(nproc)"
exhaustive=""
if [[ "${1:-}" == --exhaustive ]]; then
  exhaustive="${2:?--exhaustive takes a comma-separated list of functions}"
fi

ACT_SKIP_BENCH_DEPS=1 bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh" act-accuracy
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# act-accuracy exits non-zero when a kernel exceeds its bound; the table
# records that, so keep going.
"$build/bin/act-accuracy" --sampled --mode all --threads "$threads" \
  --markdown "$work/sampled.md" --csv "$work/sampled.csv" >/dev/null || true
if [[ -n "$exhaustive" ]]; then
  functions=()
  [[ "$exhaustive" == all ]] || functions=(--functions "$exhaustive")
  "$build/bin/act-accuracy" --exhaustive --mode precise --threads "$threads" \
    "${functions[@]}" --markdown "$work/exhaustive.md" \
    --csv "$work/exhaustive.csv" >/dev/null || true
fi
/usr/bin/python3 "$root/tools/act-accuracy/plot_accuracy.py" "$work/sampled.csv" \
  -o "$root/docs/accuracy.png" \
  --functions gelu,gelu_grad,gelu_tanh,silu,silu_grad,mish,mish_grad,softplus

{
  echo "# Accuracy of act's kernels"
  echo
  echo "Measured by \`bash scripts/accuracy.sh${exhaustive:+ --exhaustive $exhaustive}\`"
  echo "(tools/act-accuracy: act's f32 kernels, JIT-compiled for the host, against"
  echo "an independent long-double reference; ULP error as DESIGN.md section 5"
  echo "defines it). \`precise\` must stay within 4 ULP; \`fast\` has the measured"
  echo "bounds below. test/Accuracy/sampled.test runs the sampled sweep in CI."
  echo
  if [[ -n "$exhaustive" ]]; then
    echo "## Exhaustive: every float32 input"
    echo
    sed 1d "$work/exhaustive.md"
    echo
  fi
  echo "## Sampled: every function, both modes"
  echo
  sed 1d "$work/sampled.md"
  echo
  echo "![max ULP error against x](accuracy.png)"
} > "$root/docs/accuracy.md"
echo "wrote docs/accuracy.md and docs/accuracy.png" >&2
