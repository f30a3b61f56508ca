"""Runs every case of matmul.mlir fused (act-cpu-pipeline, 1 and 2 OpenMP
threads, and for AVX2) and unfused (after act-expand) and compares both with a float64
reference (NumPy products, textbook activation formulas), within a tolerance
derived from K: the standard bound K u (|A| |B|) on a float32 dot product,
carried through the epilogue by a bound on its slope, plus rounding of the
result."""

import argparse
import os
import subprocess
import sys

import math

import numpy as np

U = 2.0 ** -24  # float32 unit roundoff.
SLOPE = 1.2  # max |f'| of gelu, silu, mish, and |f''| of gelu_tanh.


def bf16(x):
    """Rounds float32 values to bfloat16 (nearest even), as float32."""
    bits = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


ERF = np.vectorize(math.erf)
C = math.sqrt(2 / math.pi)


def gelu(z):
    return 0.5 * z * (1 + ERF(z / math.sqrt(2)))


def silu(z):
    return z / (1 + np.exp(-z))


def mish(z):
    return z * np.tanh(np.logaddexp(0, z))


def gelu_tanh_grad(z, dy):
    th = np.tanh(C * (z + 0.044715 * z ** 3))
    return dy * (0.5 * (1 + th) +
                 0.5 * z * (1 - th ** 2) * C * (1 + 3 * 0.044715 * z ** 2))


def ulp(x, bits=24):
    """Spacing of the format (24 or 8 significand bits) at |x|."""
    e = np.floor(np.log2(np.maximum(np.abs(x), 2.0 ** -126)))
    return 2.0 ** (e - (bits - 1))


def product(a, b):
    """A B in float64 and its rounding bound K u (|A| |B|)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return a @ b, a.shape[-1] * U * (np.abs(a) @ np.abs(b))


def case_inputs(name, rng):
    f = lambda *s: rng.standard_normal(s).astype(np.float32)
    w = lambda k, *s: (rng.standard_normal((k,) + s) / np.sqrt(k)).astype(
        np.float32)
    if name == "bias_gelu":
        return [f(37, 300), w(300, 401), f(401)]
    if name == "transposed_silu":
        return [f(20, 300), (f(45, 300) / np.sqrt(300)).astype(np.float32),
                f(45)]
    if name == "batch_grad":
        return [f(3, 9, 33), (f(3, 33, 50) / np.sqrt(33)).astype(np.float32),
                f(3, 9, 50)]
    if name == "swiglu":
        return [f(19, 64), w(64, 40), w(64, 40)]
    if name == "geglu_split":
        return [f(17, 31), w(31, 48), f(48)]
    if name == "bf16_mish":
        return [bf16(f(16, 40)), bf16(w(40, 45)), bf16(f(45))]
    if name == "ffn":
        return [f(10, 24), w(24, 40), f(40), w(40, 24), f(24)]
    if name == "empty_k":
        return [f(5, 0), f(0, 20), f(20)]
    if name == "packed_gelu":
        return [f(37, 300), w(300, 401), f(401)]
    if name == "packed_swiglu_t":
        return [f(19, 64), (f(80, 64) / 8).astype(np.float32)]
    raise ValueError(name)


def reference(name, x):
    """(float64 reference, absolute tolerance) per element."""
    if name in ("bias_gelu", "packed_gelu"):
        z, e = product(x[0], x[1])
        z += x[2]
        y = gelu(z)
        return y, SLOPE * e + 4 * ulp(y)
    if name == "transposed_silu":
        z, e = product(x[0], x[1].T)
        z += x[2]
        y = silu(z)
        return y, SLOPE * e + 4 * ulp(y)
    if name == "batch_grad":
        z, e = product(x[0], x[1])
        y = gelu_tanh_grad(z, x[2].astype(np.float64))
        return y, SLOPE * np.abs(x[2]) * e + 4 * ulp(y)
    if name in ("swiglu", "packed_swiglu_t"):
        if name == "swiglu":
            wg, wu = x[1], x[2]
        else:
            wg, wu = x[1][:40].T, x[1][40:].T
        g, eg = product(x[0], wg)
        u, eu = product(x[0], wu)
        s = silu(g)
        y = s * u
        return y, SLOPE * eg * np.abs(u) + np.abs(s) * eu + 4 * ulp(y)
    if name == "geglu_split":
        z, e = product(x[0], x[1])
        z += x[2]
        n = z.shape[1] // 2
        s = gelu(z[:, :n])
        y = s * z[:, n:]
        return y, (SLOPE * e[:, :n] * np.abs(z[:, n:]) + np.abs(s) * e[:, n:] +
                   4 * ulp(y))
    if name == "bf16_mish":
        z, e = product(x[0], x[1])
        z += x[2]
        y = mish(z)
        # One rounding to bf16 (half an ulp) plus f32 accumulation.
        return y, SLOPE * e + 4 * ulp(y) + ulp(y, bits=8)
    if name == "ffn":
        z, e = product(x[0], x[1])
        z += x[2]
        h = gelu(z)
        eh = SLOPE * e + 4 * ulp(h)  # The hidden layer, rounded to f32.
        y, ey = product(h, x[3])
        y += x[4]
        return y, eh @ np.abs(x[3].astype(np.float64)) + ey + 4 * ulp(y)
    if name == "empty_k":
        z, e = product(x[0], x[1])
        z += x[2]
        y = gelu(z)
        return y, SLOPE * e + 4 * ulp(y)
    raise ValueError(name)


CASES = ["bias_gelu", "transposed_silu", "batch_grad", "swiglu",
         "geglu_split", "bf16_mish", "ffn", "empty_k", "packed_gelu",
         "packed_swiglu_t"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--act-run", required=True)
    p.add_argument("--act-opt", required=True)
    p.add_argument("--module", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    unfused = os.path.join(a.work, "unfused.mlir")
    with open(unfused, "w") as out:
        subprocess.run([a.act_opt, a.module, "--act-expand"], stdout=out,
                       check=True)
    rng = np.random.default_rng(7)
    failures = 0
    for name in CASES:
        x = case_inputs(name, rng)
        paths = []
        for i, v in enumerate(x):
            paths.append(os.path.join(a.work, f"{name}_{i}.npy"))
            np.save(paths[-1], v)
        want, tol = reference(name, x)
        # AVX-512 (the host) with 1 and 2 threads, AVX2 (6 x 16 tiles of two
        # vectors), and the unfused reference semantics.
        runs = [("fused-1", a.module, "1", "native"),
                ("fused-2", a.module, "2", "native"),
                ("fused-avx2", a.module, "1", "x86-64-v3"),
                ("unfused", unfused, "1", "native")]
        got = {}
        for label, module, threads, target in runs:
            out = os.path.join(a.work, f"{name}_{label}.npy")
            cmd = [a.act_run, module, "--entry", name, "--output", out,
                   "--target", target]
            for path in paths:
                cmd += ["--input", path]
            env = dict(os.environ, OMP_NUM_THREADS=threads)
            subprocess.run(cmd, check=True, env=env)
            got[label] = np.load(out).astype(np.float64)
            err = np.abs(got[label] - want)
            ratio = float(np.max(err / tol))
            ok = got[label].shape == want.shape and ratio <= 1.0
            failures += not ok
            print(f"{name} {label}: max error {err.max():.3e}, "
                  f"{ratio:.3f} of the tolerance: {'ok' if ok else 'FAIL'}")
        same = np.max(np.abs(got["fused-1"] - got["fused-2"]))
        print(f"{name}: 1 and 2 threads differ by {same:.3e}")
        failures += same != 0
    print(f"{failures} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
