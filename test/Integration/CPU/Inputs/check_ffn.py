"""Checks ffn.mlir's GLU, matmul and FFN results against NumPy in float64.

The inputs are read back from the output (they are multiples of 1/8, printed
exactly); the reference formulas are NumPy's and math.erf, not act's.
"""

import math
import re
import sys

import numpy as np


def parse_memrefs(text):
    arrays = []
    for block in re.split(r"Unranked Memref", text)[1:]:
        sizes = [int(s) for s in
                 re.search(r"sizes = \[([^\]]*)\]", block).group(1).split(",")]
        data = block.split("data =", 1)[1]
        values = [float(v) for v in
                  re.findall(r"[-+]?(?:nan|inf|\d+\.?\d*(?:e[-+]?\d+)?)", data)]
        arrays.append(np.array(values[:int(np.prod(sizes))]).reshape(sizes))
    return arrays


def gelu(x):
    return x / 2 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def gelu_tanh(x):
    return x / 2 * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def silu(x):
    return x / (1 + np.exp(-x))


def main():
    x, w1, b1, w2, b2, wg, ffn, swiglu, geglu, mm = parse_memrefs(
        sys.stdin.read())
    f32 = lambda a: a.astype(np.float32).astype(np.float64)
    expected = {
        "ffn": f32(gelu(x @ w1 + b1)) @ w2 + b2,
        "swiglu_ffn": f32(f32(silu(f32(x @ wg))) * f32(x @ w1)) @ w2,
        "geglu_split": (lambda h: gelu_tanh(h[:, :8]) * h[:, 8:])(x @ w1),
        "matmul_relu6": np.clip(x @ w1 + b1, 0, 6),
    }
    got = {"ffn": ffn, "swiglu_ffn": swiglu, "geglu_split": geglu,
           "matmul_relu6": mm}
    failures = 0
    for name, want in expected.items():
        # f32 rounding of K = 8 to 16 products plus the 6 printed digits.
        tol = 1e-5 * (1 + np.abs(want))
        err = np.abs(got[name] - want)
        ok = got[name].shape == want.shape and bool(np.all(err <= tol))
        print(f"{'ok  ' if ok else 'FAIL'} {name}: max abs error "
              f"{err.max():.3g}")
        failures += not ok
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
