#!/usr/bin/env bash
# Run here (where act is built): writes the elementwise GPU kernels for
# sm_80 and sm_90 (PTX) and the standalone launcher into build/gpu-bench/,
# everything bench/gpu/run_on_device.sh and check_on_device.sh need on a GPU
# machine (which has no MLIR).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/build/gpu-bench"
mkdir -p "$out"
for chip in sm_80 sm_90; do
  for act in gelu silu; do
    "$root/build/bin/act-run" --activation "$act" --target "$chip" \
      --emit-ptx "$out/${act}_${chip}.ptx"
  done
  "$root/build/bin/act-run" --activation gelu --grad --target "$chip" \
    --emit-ptx "$out/gelu_grad_${chip}.ptx"
done
# The tensor-core matmul kernels: mma.sync (sm_80, sm_90), wgmma (sm_90a).
for chip in sm_80 sm_90 sm_90a; do
  "$root/build/bin/act-opt" "$root/test/Integration/GPU/Inputs/matmul.mlir" \
    --act-gpu-pipeline="chip=$chip" >"$out/matmul_$chip.mlir"
  python3 "$root/test/Integration/GPU/Inputs/extract_ptx.py" \
    "$out/matmul_$chip.mlir" "$out/matmul_$chip" >/dev/null
  mv "$out/matmul_$chip.0.ptx" "$out/matmul_$chip.ptx"
  rm "$out/matmul_$chip.mlir"
done
# Epilogue variants (wgmma).
for accuracy in precise; do
  "$root/build/bin/act-opt" "$root/bench/gpu/matmul_variants.mlir" \
    --act-gpu-pipeline="chip=sm_90a accuracy=$accuracy" \
    >"$out/variants_$accuracy.mlir"
  python3 "$root/test/Integration/GPU/Inputs/extract_ptx.py" \
    "$out/variants_$accuracy.mlir" "$out/variants_$accuracy" >/dev/null
  mv "$out/variants_$accuracy.0.ptx" "$out/variants_$accuracy.ptx"
  rm "$out/variants_$accuracy.mlir"
done
cp "$root/build/bin/act-gpu-launch" "$out/"
echo "wrote $out: $(ls "$out" | tr '\n' ' ')"
