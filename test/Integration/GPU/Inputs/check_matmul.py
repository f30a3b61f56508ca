"""The GPU matmul kernels of matmul.mlir against float64 formulas (not act's
code). check_matmul.py inputs DIR writes the cases' .npy inputs and prints
one act-gpu-launch argument line per case; check_matmul.py check DIR
compares DIR/NAME_c.npy with the reference computed from the inputs as the
kernel saw them (rounded to bf16/f16), within the output's rounding plus
K 2^-23 (|A| |B| + |bias|) for the f32 accumulation."""
import math
import sys

import numpy as np

# name: (M, N, K, dtype, glu, bias, activation, grad)
CASES = {
    "bias_gelu": (384, 256, 512, "bf16", False, True, "gelu", False),
    "swiglu": (256, 128, 256, "bf16", True, False, "silu", False),
    "f16_gelu_tanh": (128, 512, 1024, "f16", False, True, "gelu_tanh", False),
    "geglu_bias": (128, 256, 192, "bf16", True, True, "gelu", False),
    "bias_gelu_grad": (256, 256, 320, "bf16", False, True, "gelu", True),
}

erf = np.vectorize(math.erf)
erfc = np.vectorize(math.erfc)
phi = lambda x: 0.5 * erfc(-x / math.sqrt(2))
pdf = lambda x: np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
DERIVATIVES = {"gelu": lambda x: phi(x) + x * pdf(x)}
ACTIVATIONS = {
    "gelu": lambda x: x * phi(x),
    "gelu_tanh": lambda x: 0.5 * x * (1 + np.tanh(
        math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
    "silu": lambda x: x / (1 + np.exp(-x)),
}


def rounded(x, dtype):
    """x (float32) rounded to bf16 or f16 as the launcher does, in float64."""
    if dtype == "f16":
        return x.astype(np.float16).astype(np.float64)
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    return u.view(np.float32).astype(np.float64)


def main():
    mode, d = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(7)
    for name, (m, n, k, dtype, glu, bias, act, grad) in CASES.items():
        cols = 2 * n if glu else n
        if mode == "inputs":
            np.save(f"{d}/{name}_a.npy",
                    rng.uniform(-2, 2, (m, k)).astype(np.float32))
            np.save(f"{d}/{name}_b.npy",
                    (rng.uniform(-2, 2, (k, cols)) / math.sqrt(k)).astype(
                        np.float32))
            inputs = f"--input {d}/{name}_a.npy --input {d}/{name}_b.npy"
            if bias:
                np.save(f"{d}/{name}_bias.npy",
                        rng.uniform(-1, 1, cols).astype(np.float32))
                inputs += f" --input {d}/{name}_bias.npy --bias"
            if grad:
                np.save(f"{d}/{name}_dy.npy",
                        rng.uniform(-1, 1, (m, n)).astype(np.float32))
                inputs += f" --input {d}/{name}_dy.npy --dy"
            print(f"{name} --matmul {m},{n},{k} --dtype {dtype}"
                  f"{' --glu' if glu else ''} {inputs} "
                  f"--output {d}/{name}_c.npy")
            continue
        a = rounded(np.load(f"{d}/{name}_a.npy"), dtype)
        b = rounded(np.load(f"{d}/{name}_b.npy"), dtype)
        acc = a @ b
        size = np.abs(a) @ np.abs(b)
        if bias:
            bv = rounded(np.load(f"{d}/{name}_bias.npy"), dtype)
            acc = acc + bv
            size = size + np.abs(bv)
        f = ACTIVATIONS[act]
        ref = f(acc[:, :n]) * acc[:, n:] if glu else f(acc)
        # The GLU's up factor scales the gate's error and vice versa.
        scale = (np.abs(acc[:, n:]) + 1) * (size[:, :n] + size[:, n:]) \
            if glu else size
        if grad:
            dy = rounded(np.load(f"{d}/{name}_dy.npy"), dtype)
            # |f''| <= 0.8 for GELU: the accumulation error moves f' by less.
            ref = dy * DERIVATIVES[act](acc)
            scale = np.abs(dy) * size
        got = np.load(f"{d}/{name}_c.npy").astype(np.float64)
        rounding = 2.0 ** -8 if dtype == "bf16" else 2.0 ** -10
        tol = rounding * np.abs(ref) + k * 2.0 ** -23 * scale + 1e-30
        err = np.abs(got - ref) / tol
        ok = got.shape == ref.shape and bool((err <= 1).all())
        print(f"{name} {'ok' if ok else 'FAIL'} max {err.max():.3f} of the "
              f"bound")


main()
