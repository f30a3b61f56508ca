#!/usr/bin/env bash
# Run on the GPU machine, with build/gpu-bench/ from bench/gpu/prepare.sh,
# one JSON line per measurement:
# - act's GELU and SiLU (f32, 2^28 elements) against a device-to-device copy
#   of the same bytes and PyTorch's F.gelu/F.silu;
# - act's tensor-core matmul + bias + exact GELU and SwiGLU (bf16) at 8192^3
#   and the BERT / LLaMA-7B FFN shapes (M = 4096 tokens), against cuBLASLt's
#   GELU_BIAS epilogue, PyTorch's F.gelu(x @ W + b) and x @ W.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/build/gpu-bench"
n=$((1 << 28))
cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1)
chip=sm_${cc/./}
case "$chip" in sm_8*) chip=sm_80 ;; sm_9*) chip=sm_90 ;; esac
"$dir/act-gpu-launch" --copy --elements "$n" --bench 20
for act in gelu silu; do
  "$dir/act-gpu-launch" "$dir/${act}_${chip}.ptx" "act_$act" \
    --elements "$n" --bench 20
done
python3 "$root/bench/gpu/torch_gpu.py" --elements "$n"
# M,N,K: 8192^3, BERT-base up-projection, LLaMA-7B up-projection; mma.sync
# and, on Hopper, wgmma.
kernels=("matmul_$chip")
[ "$chip" = sm_90 ] && kernels+=(matmul_sm_90a)
for k in "${kernels[@]}"; do
  for shape in 8192,8192,8192 4096,3072,768 4096,11008,4096; do
    "$dir/act-gpu-launch" "$dir/$k.ptx" bias_gelu --matmul "$shape" \
      --bias --bench 20
  done
  "$dir/act-gpu-launch" "$dir/$k.ptx" swiglu --matmul 4096,11008,4096 \
    --glu --bench 20
done
python3 "$root/bench/gpu/torch_gemm.py"
# What the epilogue costs (wgmma kernel, Hopper only): no epilogue, bias +
# tanh GELU, bias + exact GELU (act's formulas; bf16 results take the fast
# ones, within 1 bf16 ULP).
if [ "$chip" = sm_90 ]; then
  for shape in 8192,8192,8192 4096,3072,768 4096,11008,4096; do
    "$dir/act-gpu-launch" "$dir/variants_precise.ptx" plain --matmul "$shape" \
      --bench 20
    for v in bias_gelu_tanh bias_gelu; do
      "$dir/act-gpu-launch" "$dir/variants_precise.ptx" "$v" \
        --matmul "$shape" --bias --bench 20
    done
  done
fi
