"""Compares an act-run output with mpmath (DESIGN.md section 5).

usage: check.py NAME x.npy y.npy [--dy dy.npy] [--dtype f32|f16|bf16]
       [--approximation A]
"""

import argparse
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 60


def gelu(a, approx):
    if approx == "tanh":
        return a / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (a + mp.mpf("0.044715") * a**3)))
    if approx == "sigmoid":
        return a / (1 + mp.exp(-mp.mpf("1.702") * a))
    return a / 2 * mp.erfc(-a / mp.sqrt(2))


FUNCS = {
    "gelu": gelu,
    "silu": lambda a, _: a / (1 + mp.exp(-a)),
    "mish": lambda a, _: a * mp.tanh(mp.log1p(mp.exp(a))),
    "softplus": lambda a, _: a if a > 20 else mp.log1p(mp.exp(a)),
    "sigmoid": lambda a, _: 1 / (1 + mp.exp(-a)),
    "elu": lambda a, _: a if a > 0 else mp.expm1(a),
}
LIMITS = {"gelu": (0.0, np.inf), "silu": (0.0, np.inf), "mish": (0.0, np.inf),
          "softplus": (0.0, np.inf), "sigmoid": (0.0, 1.0), "elu": (-1.0, np.inf)}
GRAD_LIMITS = {"gelu": (0.0, 1.0), "silu": (0.0, 1.0), "mish": (0.0, 1.0),
               "softplus": (0.0, 1.0), "sigmoid": (0.0, 0.0), "elu": (0.0, 1.0)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name")
    p.add_argument("x")
    p.add_argument("y")
    p.add_argument("--dy")
    p.add_argument("--dtype", default="f32")
    p.add_argument("--approximation", default="none")
    a = p.parse_args()
    x = np.load(a.x).astype(np.float64).ravel()
    y = np.load(a.y)
    if a.dtype == "bf16" and y.dtype == np.uint16:
        y = (y.astype(np.uint32) << 16).view(np.float32)
    y = y.astype(np.float64).ravel()
    dy = np.load(a.dy).astype(np.float64).ravel() if a.dy else None
    narrow = a.dtype in ("f16", "bf16")
    bits = {"f32": 23, "f16": 10, "bf16": 7}[a.dtype]
    bound = 1.0 if narrow else 4.0
    f = FUNCS[a.name]
    worst = 0.0
    failures = 0
    for i, (xi, yi) in enumerate(zip(x, y)):
        if narrow:  # the kernel sees x rounded to the narrow type
            xi = float(np.float32(xi).astype(np.float16)) if a.dtype == "f16" else \
                float((np.array([xi], np.float32).view(np.uint32) + 0x7FFF +
                       ((np.array([xi], np.float32).view(np.uint32) >> 16) & 1)
                       >> 16 << 16).astype(np.uint32).view(np.float32)[0])
        if np.isnan(xi):
            ok = np.isnan(yi)
        elif np.isinf(xi):
            lim = (GRAD_LIMITS if dy is not None else LIMITS)[a.name]
            want = lim[0 if xi < 0 else 1] * (dy[i] if dy is not None else 1)
            ok = yi == want or (want == 0 and yi == 0)
        else:
            xm = mp.mpf(xi)
            r = mp.diff(lambda t: f(t, a.approximation), xm) * mp.mpf(dy[i]) \
                if dy is not None else f(xm, a.approximation)
            if abs(r) < mp.mpf(2) ** -100 and abs(yi) < 2.0 ** -100:
                continue
            mag = abs(r)
            exp = max(int(mp.floor(mp.log(mag, 2))) if mag > 0 else -149,
                      {"f32": -126, "f16": -14, "bf16": -126}[a.dtype])
            ulp = mp.mpf(2) ** (exp - bits)
            err = float(abs(mp.mpf(yi) - r) / ulp)
            if dy is not None and -3 <= xi <= 0 and \
                    abs(mp.mpf(yi) - r) <= abs(dy[i]) * 2.0 ** -24:
                err = 0.0
            worst = max(worst, err)
            ok = err <= bound
        if not ok:
            failures += 1
            if failures <= 5:
                print(f"FAIL x={xi!r} y={yi!r}")
    print(f"{a.name}: max error {worst:.2f} ULP, {failures} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
