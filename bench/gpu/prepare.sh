#!/usr/bin/env bash
# Run here (where act is built): writes the elementwise GPU kernels for
# sm_80 and sm_90 (PTX) and the standalone launcher into build/gpu-bench/,
# everything bench/gpu/run_on_device.sh needs on a GPU machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/build/gpu-bench"
mkdir -p "$out"
for chip in sm_80 sm_90; do
  for act in gelu silu; do
    "$root/build/bin/act-run" --activation "$act" --target "$chip" \
      --emit-ptx "$out/${act}_${chip}.ptx"
  done
done
cp "$root/build/bin/act-gpu-launch" "$out/"
echo "wrote $out: $(ls "$out" | tr '\n' ' ')"
