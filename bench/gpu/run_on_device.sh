#!/usr/bin/env bash
# Run on the GPU machine, with build/gpu-bench/ from bench/gpu/prepare.sh:
# act's GELU and SiLU (f32, 2^28 elements) against a device-to-device copy
# of the same bytes and PyTorch's F.gelu/F.silu, one JSON line each.
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
