#!/usr/bin/python3
# ===- check_reference.py - Validate act-accuracy's reference --------------===#
#
# Compares the long-double reference of act-accuracy against mpmath at a few
# hundred float32 points per function, tails and knees included.
#
# ===-----------------------------------------------------------------------===#
#
# Usage: /usr/bin/python3 check_reference.py path/to/act-accuracy
#
# The mpmath side is written independently of Reference.cpp: the activations
# are the plain textbook formulas, evaluated with enough precision that their
# cancellations do not matter, and the derivatives of the smooth ones come
# from mpmath's numerical differentiation, not from analytic formulas. Exits
# non-zero if any relative disagreement exceeds 2^-44, a millionth of an f32
# ulp, or a limit at +-inf or NaN is wrong. Long double itself limits the
# agreement where the functions are ill-conditioned (the derivatives' zero
# crossings, exp of a large argument), to about 2^-53.
#
# Needs Debian's /usr/bin/python3 (mpmath, numpy).

import subprocess
import sys
import time

import mpmath as mp
import numpy as np

TOLERANCE = 2.0**-44
# Below this, long double has underflowed; both sides must be ~0.
LD_TINY = mp.mpf("1e-4900")

SLOPE = mp.mpf(float(np.float32(0.01)))  # leaky_relu's slope as an f32
THRESHOLD = 20


def sig(x):
    return 1 / (1 + mp.exp(-x))


def clamp6(x):
    return min(max(x, 0), 6)


FORWARD = {
    "relu": lambda x: x if x > 0 else mp.mpf(0),
    "leaky_relu": lambda x: x if x > 0 else SLOPE * x,
    "elu": lambda x: x if x > 0 else mp.expm1(x),
    "relu6": clamp6,
    "sigmoid": sig,
    "hard_sigmoid": lambda x: clamp6(x + 3) / 6,
    "silu": lambda x: x * sig(x),
    "hard_swish": lambda x: x * clamp6(x + 3) / 6,
    "gelu": lambda x: x / 2 * mp.erfc(-x / mp.sqrt(2)),
    "gelu_tanh": lambda x: x
    / 2
    * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3))),
    "gelu_sigmoid": lambda x: x * sig(mp.mpf("1.702") * x),
    "mish": lambda x: x * mp.tanh(mp.log1p(mp.exp(x))),
    "softplus": lambda x: x if x > THRESHOLD else mp.log1p(mp.exp(x)),
}

# The piecewise derivatives, by the conventions of the task, not by diff.
PIECEWISE_GRAD = {
    "relu_grad": lambda x: mp.mpf(1) if x > 0 else mp.mpf(0),
    "leaky_relu_grad": lambda x: mp.mpf(1) if x > 0 else SLOPE,
    "elu_grad": lambda x: mp.mpf(1) if x > 0 else mp.exp(x),
    "relu6_grad": lambda x: mp.mpf(1) if 0 < x < 6 else mp.mpf(0),
    "hard_sigmoid_grad": lambda x: mp.mpf(1) / 6 if -3 < x < 3 else mp.mpf(0),
    "hard_swish_grad": lambda x: mp.mpf(0)
    if x < -3
    else ((2 * x + 3) / 6 if x <= 3 else mp.mpf(1)),
    "softplus_grad": lambda x: mp.mpf(1)
    if x > THRESHOLD
    else mp.diff(lambda t: mp.log1p(mp.exp(t)), x),
}

SMOOTH = ["sigmoid", "silu", "gelu", "gelu_tanh", "gelu_sigmoid", "mish"]


def stable(fn, x):
    """fn(x) at rising precision until two precisions agree to 2^-100.

    A zero is not trusted until the highest precision: 1 + tanh(u) cancels to
    exactly 0 at any precision below about 2.9 |u| bits. A value that is still
    0 at 65536 bits is below 2^-65000, far under long double's range.
    """
    previous = None
    for prec in (256, 1024, 4096, 16384, 65536):
        with mp.workprec(prec):
            value = fn(mp.mpf(x))
        if previous is not None and value != 0:
            if abs(value - previous) <= abs(value) * 2**-100:
                return +value
        previous = value
    return +value


def mp_value(name, x):
    if name in FORWARD:
        return stable(FORWARD[name], x)
    if name in PIECEWISE_GRAD:
        return stable(PIECEWISE_GRAD[name], x)
    base = name[: -len("_grad")]
    return stable(lambda t: mp.diff(FORWARD[base], t), x)


def f32(v):
    return float(np.float32(v))


def neighbours(v, k):
    """The float32 values within k ulps of v."""
    out = []
    a = np.float32(v)
    for _ in range(k):
        a = np.nextafter(a, np.float32(np.inf))
        out.append(float(a))
    a = np.float32(v)
    for _ in range(k):
        a = np.nextafter(a, np.float32(-np.inf))
        out.append(float(a))
    return out + [f32(v)]


def points():
    rng = np.random.default_rng(20240601)
    xs = [f32(v) for v in np.linspace(-100, 100, 201)]
    xs += [f32(v) for v in np.linspace(-14, -5, 37)]
    xs += [f32(v) for v in rng.uniform(-20, 20, 60)]
    for knee in (0.0, -3.0, 3.0, 6.0, 20.0, -6.0):
        xs += neighbours(knee, 2)
    # Near the zero crossings of the derivatives.
    for crossing in (-0.7518, -1.2785, -1.1917, -0.7729, -0.7436):
        xs += neighbours(crossing, 1)
    for mag in (1e-45, 1e-40, 2.0**-126, 1e-30, 1e-10, 1e-5, 1e3, 1e10, 1e30):
        xs += [f32(mag), -f32(mag)]
    xs += [f32(3.4028234e38), -f32(3.4028234e38), 0.0, -0.0]
    return sorted(set(xs))


# Limits at +-inf and NaN, from DESIGN.md section 5 and the task.
def special_expected(name):
    inf = float("inf")
    plus = {"elu": inf, "hard_sigmoid": 1.0, "relu6": 6.0, "sigmoid": 1.0}
    minus = {"elu": -1.0, "leaky_relu": -inf}
    grad_plus = {
        "relu6_grad": 0.0,
        "hard_sigmoid_grad": 0.0,
        "sigmoid_grad": 0.0,
    }
    grad_minus = {"leaky_relu_grad": float(SLOPE)}
    if name.endswith("_grad"):
        return grad_plus.get(name, 1.0), grad_minus.get(name, 0.0)
    return plus.get(name, inf), minus.get(name, 0.0)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_reference.py path/to/act-accuracy")
    tool = sys.argv[1]
    names = list(FORWARD) + [n + "_grad" for n in FORWARD]
    xs = points()
    queries = [(n, x) for n in names for x in xs]
    specials = [(n, x) for n in names for x in ("inf", "-inf", "nan")]
    text = "".join(f"{n} {float(x).hex()}\n" for n, x in queries)
    text += "".join(f"{n} {x}\n" for n, x in specials)
    run = subprocess.run(
        [tool, "--eval-reference"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    values = run.stdout.split()
    assert len(values) == len(queries) + len(specials)

    mp.mp.prec = 256
    failures = 0
    worst_all = (0, None, None)
    for name in names:
        started = time.time()
        worst = (mp.mpf(0), None)
        for (qname, x), text_value in zip(queries, values):
            if qname != name:
                continue
            r = mp.mpf(text_value)
            m = mp_value(name, x)
            if abs(m) < LD_TINY:
                rel = mp.mpf(0) if abs(r) < LD_TINY else mp.mpf(1)
            else:
                rel = abs(r - m) / abs(m)
            if rel > worst[0] or worst[1] is None:
                worst = (rel, x)
            if rel > TOLERANCE:
                failures += 1
                print(f"  MISMATCH {name}({x!r}): reference {text_value}, "
                      f"mpmath {mp.nstr(m, 25)}")
        print(f"{name:18s} {sum(1 for q in queries if q[0] == name):4d} points"
              f"  worst relative {mp.nstr(worst[0], 3):>9s}"
              f" ({float(worst[0]) * 2**24:.2e} f32 ulp) at x = {worst[1]!r}"
              f"  [{time.time() - started:.1f} s]", flush=True)
        if worst[0] > worst_all[0] or worst_all[1] is None:
            worst_all = (worst[0], name, worst[1])

    for (name, x), text_value in zip(specials, values[len(queries):]):
        got = float(text_value)
        if x == "nan":
            ok = got != got
            want = "nan"
        else:
            plus, minus = special_expected(name)
            want = plus if x == "inf" else minus
            ok = got == want
        if not ok:
            failures += 1
            print(f"  MISMATCH {name}({x}): reference {got}, expected {want}")

    print(f"worst relative disagreement over all functions: "
          f"{mp.nstr(worst_all[0], 3)} ({worst_all[1]} at x = {worst_all[2]!r})"
          f"; special values: {len(specials)} checked")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
