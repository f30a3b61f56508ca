"""Checks GPU results in DIR against float64 formulas (not act's code):
check_run.py DIR [NAME...] (default: every result run.test writes)."""
import math
import sys

import numpy as np

d = sys.argv[1]
x = np.load(f"{d}/x.npy").astype(np.float64)
dy = np.load(f"{d}/dy.npy").astype(np.float64)
# Phi through erfc: 1 + erf(z) loses everything in double below z = -5.
erfc = np.vectorize(math.erfc)
phi = lambda z: 0.5 * erfc(-z / math.sqrt(2))
pdf = lambda z: np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
sig = lambda z: 1 / (1 + np.exp(-z))
want = {"gelu": (x * phi(x), 24), "silu": (x * sig(x), 24),
        "gelu_grad": (dy * (phi(x) + x * pdf(x)), 24),
        "silu_bf16": (x * sig(x), 8)}


def ulps(got, ref, bits):
    e = np.floor(np.log2(np.maximum(np.abs(ref), 2.0 ** -126)))
    return np.abs(got - ref) / 2.0 ** (e - (bits - 1))


for name in sys.argv[2:] or want:
    ref, bits = want[name]
    got = np.load(f"{d}/{name}.npy").astype(np.float64)
    if bits == 8:  # The kernel saw bf16 inputs.
        xb = x.astype(np.float32).view(np.uint32)
        xb = ((xb + 0x7FFF + ((xb >> 16) & 1)) & 0xFFFF0000).view(np.float32)
        xb = xb.astype(np.float64)
        ref = xb * sig(xb)
    err = ulps(got, ref, bits)
    # |r| < 2^-100 may be flushed; derivatives may miss by 2^-24 absolute
    # where f' crosses zero (x in [-3, 0]).
    excused = np.abs(ref) < 2.0 ** -100
    if name == "gelu_grad":
        excused |= (x >= -3) & (x <= 0) & (np.abs(got - ref) <= 2.0 ** -24 *
                                             np.abs(dy))
    ok = (err <= (1 if bits == 8 else 4)) | excused
    worst = np.where(excused, 0, err).max()
    print(f"{name} {'ok' if ok.all() else 'FAIL'} max {worst:.2f} ulp")
