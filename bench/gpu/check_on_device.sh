#!/usr/bin/env bash
# Run on the GPU machine, with build/gpu-bench/ from bench/gpu/prepare.sh:
# the f32 elementwise kernels on data, checked against float64 formulas
# (test/Integration/GPU/Inputs/check_run.py, the same check as run.test),
# then the tensor-core matmul kernels (check_matmul.py, as matmul.test).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/build/gpu-bench"
tmp="$(mktemp -d)"
python3 -c "import numpy as np; r=np.random.default_rng(5); x=np.concatenate([np.linspace(-12, 12, 100003), r.standard_normal(1<<20)*4]).astype(np.float32); np.save('$tmp/x.npy', x); np.save('$tmp/dy.npy', r.standard_normal(x.size).astype(np.float32))"
for chip in sm_80 sm_90; do
  "$dir/act-gpu-launch" "$dir/gelu_$chip.ptx" act_gelu --input "$tmp/x.npy" \
    --output "$tmp/gelu.npy"
  "$dir/act-gpu-launch" "$dir/silu_$chip.ptx" act_silu --input "$tmp/x.npy" \
    --output "$tmp/silu.npy"
  "$dir/act-gpu-launch" "$dir/gelu_grad_$chip.ptx" act_gelu_grad \
    --input "$tmp/x.npy" --input "$tmp/dy.npy" --output "$tmp/gelu_grad.npy"
  echo "$chip:"
  python3 "$root/test/Integration/GPU/Inputs/check_run.py" "$tmp" gelu silu gelu_grad
done
# A size where every thread runs the unrolled main loop of the grid-stride
# kernels (more than 4 x 16 x 256 x 16 x SMs elements).
big="$tmp/big"
mkdir -p "$big"
python3 -c "import numpy as np; r=np.random.default_rng(6); x=(r.standard_normal((1<<25)+3)*4).astype(np.float32); np.save('$big/x.npy', x); np.save('$big/dy.npy', x)"
"$dir/act-gpu-launch" "$dir/gelu_sm_90.ptx" act_gelu --input "$big/x.npy" \
  --output "$big/gelu.npy"
echo "sm_90, 2^25 + 3 elements:"
python3 "$root/test/Integration/GPU/Inputs/check_run.py" "$big" gelu
check="$root/test/Integration/GPU/Inputs/check_matmul.py"
for chip in sm_80 sm_90 sm_90a; do
  echo "$chip matmul:"
  python3 "$check" inputs "$tmp" | while read -r name args; do
    # shellcheck disable=SC2086
    "$dir/act-gpu-launch" "$dir/matmul_$chip.ptx" "$name" $args
  done
  python3 "$check" check "$tmp"
done
