"""Checks act-run --ffn outputs in DIR against float64 NumPy references."""
import math
import sys

import numpy as np

d = sys.argv[1]
L = lambda n: np.load(f"{d}/{n}.npy").astype(np.float64)
x, w1, b1, w2, b2, wu = (L(n) for n in ["x", "w1", "b1", "w2", "b2", "wu"])
erf = np.vectorize(math.erf)
gelu = lambda z: 0.5 * z * (1 + erf(z / math.sqrt(2)))
gelu_tanh = lambda z: 0.5 * z * (1 + np.tanh(
    math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3)))
silu = lambda z: z / (1 + np.exp(-z))


def bf16(v):
    """Rounds to bfloat16 (nearest even) and back: the kernel's inputs and
    roundings for --dtype bf16."""
    bits = np.asarray(v, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32).astype(np.float64)


want = {
    "gelu": gelu(x @ w1 + b1) @ w2 + b2,
    "relu": np.maximum(x @ w1, 0) @ w2,
    "swiglu": (silu(x @ w1) * (x @ wu)) @ w2,
    "geglu": (gelu_tanh(x @ w1) * (x @ wu)) @ w2,
    "swiglu_bf16": bf16(bf16(silu(bf16(x) @ bf16(w1)) * (bf16(x) @ bf16(wu)))
                        @ bf16(w2)),
}
for name, ref in want.items():
    got = np.load(f"{d}/{name}.npy").astype(np.float64)
    # f32: accumulation over K <= 48 terms of magnitude ~1; bf16: the hidden
    # layer and the output are rounded to 8 significand bits.
    tol = 2e-2 * np.abs(ref) + 2e-2 if name.endswith("bf16") else 1e-5
    err = np.abs(got - ref)
    ok = got.shape == ref.shape and bool(np.all(err <= tol))
    print(f"{name} {'ok' if ok else 'FAIL'} max error {err.max():.3e}")
