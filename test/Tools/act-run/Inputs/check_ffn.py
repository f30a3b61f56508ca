"""Checks act-run --ffn outputs in DIR against float64 PyTorch references."""
import sys

import numpy as np
import torch
import torch.nn.functional as F

d = sys.argv[1]
L = lambda n: torch.tensor(np.load(f"{d}/{n}.npy").astype(np.float64))
x, w1, b1, w2, b2, wu = (L(n) for n in ["x", "w1", "b1", "w2", "b2", "wu"])


def bf16(t):
    """Rounds to bfloat16 and back (the kernel's inputs for --dtype bf16)."""
    return t.to(torch.bfloat16).to(torch.float64)


want = {
    "gelu": F.gelu(x @ w1 + b1) @ w2 + b2,
    "relu": F.relu(x @ w1) @ w2,
    "swiglu": (F.silu(x @ w1) * (x @ wu)) @ w2,
    "geglu": (F.gelu(x @ w1, approximate="tanh") * (x @ wu)) @ w2,
    "swiglu_bf16": bf16(bf16(F.silu(bf16(x) @ bf16(w1)) * (bf16(x) @ bf16(wu)))
                        @ bf16(w2)),
}
for name, ref in want.items():
    got = np.load(f"{d}/{name}.npy").astype(np.float64)
    ref = ref.numpy()
    # f32: accumulation over K <= 48 terms of magnitude ~1; bf16: the hidden
    # layer and the output are rounded to 8 significand bits.
    tol = 2e-2 * np.abs(ref) + 2e-2 if name.endswith("bf16") else 1e-5
    err = np.abs(got - ref)
    ok = got.shape == ref.shape and bool(np.all(err <= tol))
    print(f"{name} {'ok' if ok else 'FAIL'} max error {err.max():.3e}")
