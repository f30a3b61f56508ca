"""Checks act's activations against mpmath, the reference of DESIGN.md sec. 5.

Reads the output of activations.mlir: a name line, then a vector of float32
bit patterns (as int32). The reference values come from mpmath at 50 digits,
never from act's formulas; derivatives are mpmath's numerical derivatives.
"""

import re
import struct
import sys

import mpmath as mp

mp.mp.dps = 50
XS = [-3.0, -1.0, 0.0, 0.5, 1.0, 3.0, -10.0, -5.5, 25.0, -0.0,
      float("-inf"), float("inf"), float("nan")]
MAX_ULP = 4
FLUSH = 2.0 ** -100

def gelu(x): return x / 2 * mp.erfc(-x / mp.sqrt(2))
def silu(x): return x / (1 + mp.exp(-x))
def mish(x): return x * mp.tanh(mp.log(1 + mp.exp(x)))
def softplus(x): return x if x > 20 else mp.log(1 + mp.exp(x))

FORWARD = {"gelu": gelu, "silu": silu, "mish": mish, "softplus": softplus}
# Values at -inf and +inf (DESIGN.md section 5).
LIMITS = {
    "gelu": (0.0, float("inf")), "silu": (0.0, float("inf")),
    "mish": (0.0, float("inf")), "softplus": (0.0, float("inf")),
    "gelu_grad": (0.0, 1.0), "silu_grad": (0.0, 1.0),
    "mish_grad": (0.0, 1.0), "softplus_grad": (0.0, 1.0),
    "gelu_bf16": (0.0, float("inf")),
}


def f32(v):
    return struct.unpack("<f", struct.pack("<f", float(v)))[0]


def bf16(v):
    bits = struct.unpack("<I", struct.pack("<f", f32(v)))[0]
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16  # ties to even
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def ulp(r, mantissa_bits):
    r = abs(r)
    if r < 2.0 ** -126:
        return 2.0 ** (-126 - mantissa_bits)
    return 2.0 ** (mp.floor(mp.log(r, 2)) - mantissa_bits)


def reference(name, x):
    if name.endswith("_grad"):
        f = FORWARD[name[:-5]]
        if name == "softplus_grad" and x > 20:
            return mp.mpf(1)
        return mp.diff(f, mp.mpf(x))
    return FORWARD[name.replace("_bf16", "")](mp.mpf(x))


def main():
    lines = sys.stdin.read().split("\n")
    results = {}
    for i, line in enumerate(lines):
        if re.fullmatch(r"[a-z_0-9]+", line.strip()):
            ints = [int(t) for t in re.findall(r"-?\d+", lines[i + 1])]
            results[line.strip()] = [
                struct.unpack("<f", struct.pack("<i", v))[0] for v in ints]
    failures = 0
    for name in LIMITS:
        if name not in results:
            print(f"FAIL {name}: missing from the output")
            failures += 1
            continue
        narrow = name.endswith("_bf16")
        for x, y in zip(XS, results[name]):
            xin = bf16(x) if narrow else x
            if xin != xin:
                ok, want = y != y, "nan"
            elif xin in (float("-inf"), float("inf")):
                want = LIMITS[name][0 if xin < 0 else 1]
                ok = y == want
            else:
                r = reference(name, xin)
                want = bf16(r) if narrow else f32(r)
                if abs(r) < FLUSH and abs(y) < FLUSH:
                    ok = True
                else:
                    err = abs(mp.mpf(y) - r) / ulp(r, 7 if narrow else 23)
                    # Derivatives may cross zero in [-3, 0]: 2^-24 absolute.
                    cancel = (name.endswith("_grad") and -3 <= xin <= 0 and
                              abs(mp.mpf(y) - r) <= 2.0 ** -24)
                    ok = err <= (1 if narrow else MAX_ULP) or cancel
            print(f"{'ok  ' if ok else 'FAIL'} {name}({xin!r}) = {y!r}, "
                  f"expected {want!r}")
            failures += not ok
    print(f"{failures} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
