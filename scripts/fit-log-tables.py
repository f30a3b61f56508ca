#!/usr/bin/python3
"""Fits include/act/Math/LogTables.h: log2 g(x) piecewise for x * g(x).

GELU is x Phi(x) and tanh-GELU x sigmoid(z(x)). With one-instruction
lookups in 32-entry tables (AVX-512 vpermt2ps), act evaluates them as
x * 2^G(x), G = log2 g, from 32 intervals of width 1/2 centred at j/2: on
each, G(j/2 + t) = N + F + a1 t + ... + a5 t^5 with N an integer and
|F| <= 1/2. The coefficients are fitted (least squares on Chebyshev nodes,
mpmath at 40 digits) one degree at a time, each rounded to float32 before
the higher ones are refitted, so that the rounding of the large linear
coefficient is compensated. Also writes the 2^(i/16) table (and
its rounding errors), the polynomial for 2^f - 1 on |f| <= 0.04 that turns
2^G into a float, and the cubic of exp reduced by ln2/16 (act-lower-math's
exp where lookups are one instruction).

Usage: /usr/bin/python3 scripts/fit-log-tables.py > include/act/Math/LogTables.h
(about a minute; needs python3-mpmath and python3-numpy).
"""

import mpmath as mp
import numpy as np

mp.mp.dps = 40
DEGREE = 5
NODES = 60


def f32(v):
    return float(np.float32(float(v)))


def chebyshev_nodes(lo, hi, n=NODES):
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    return [lo + (hi - lo) * (1 - mp.cos(mp.pi * (2 * i + 1) / (2 * n))) / 2
            for i in range(n)]


def fit_interval(G, c, lo, hi):
    """N, F, a1..a5 for G(c + t) on t in [lo, hi]; max abs error."""
    ts = chebyshev_nodes(lo, hi)
    res = [G(c + t) for t in ts]
    a0 = G(c)
    n = int(mp.nint(a0))
    f = f32(a0 - n)
    res = [r - n - mp.mpf(f) for r in res]
    coefficients = []
    for k in range(1, DEGREE + 1):
        a = np.array([[float(t) ** p for p in range(k, DEGREE + 1)] for t in ts])
        b = np.array([float(r) for r in res])
        solution, *_ = np.linalg.lstsq(a, b, rcond=None)
        ak = f32(solution[0])
        coefficients.append(ak)
        res = [r - mp.mpf(ak) * t ** k for r, t in zip(res, ts)]
    grid = [mp.mpf(lo) + (mp.mpf(hi) - lo) * i / 400 for i in range(401)]
    err = max(abs(G(c + t) - n - mp.mpf(f) -
                  sum(mp.mpf(a) * t ** (k + 1) for k, a in enumerate(coefficients)))
              for t in grid)
    return n, f, coefficients, float(err)


def fit_table(G, j_min, t_low, t_high):
    """32 intervals j_min .. j_min + 31; the first reaches down to t_low, the
    last up to t_high (x beyond them is flushed or clamped)."""
    slots = {}
    worst = 0.0
    for j in range(j_min, j_min + 32):
        lo = t_low if j == j_min else -0.25
        hi = t_high if j == j_min + 31 else 0.25
        n, f, a, err = fit_interval(G, mp.mpf(j) / 2, lo, hi)
        slots[j % 32] = (n, f, a)
        worst = max(worst, err)
    return slots, worst


def gelu_log2(x):
    return mp.log(mp.ncdf(x), 2)


C1 = 2 * mp.sqrt(2 / mp.pi)
C3 = C1 * mp.mpf("0.044715")


def gelu_tanh_log2(x):
    return -mp.log(1 + mp.exp(-(C1 * x + C3 * x ** 3)), 2)


def flush_point(f, guess):
    """Where |x g(x)| = 2^-100: below it the result may be flushed."""
    return mp.findroot(lambda x: x * f(x) + mp.mpf(2) ** -100, guess)


def emit_float(v):
    return repr(np.float32(v).item()) + "f"


def emit_table(name, doc, slots, j_min, x_max, flush, worst):
    print(f"/// {doc}")
    print(f"/// Max |error| of the fitted G: {worst:.2e}.")
    print(f"inline constexpr LogTable {name} = {{")
    print(f"    /*jMin=*/{j_min}, /*xMax=*/{emit_float(x_max)},")
    print(f"    /*flushBelow=*/{emit_float(f32(flush))},")

    def row(values, fmt):
        items = [fmt(v) for v in values]
        lines = []
        for i in range(0, 32, 4):
            lines.append("     " + ", ".join(items[i:i + 4]))
        return "    {\n" + ",\n".join(lines) + "},"

    print(row([slots[s][0] for s in range(32)], str))
    print(row([slots[s][1] for s in range(32)], emit_float))
    print("    {")
    for k in range(DEGREE):
        print(row([slots[s][2][k] for s in range(32)], emit_float)
              .replace("    {", "     {", 1))
    print("    }};")
    print()


def exp2_parts():
    """2^(i/16) and c1..c3 with 2^f - 1 = f (c1 + c2 f + c3 f^2)."""
    table = [f32(mp.power(2, mp.mpf(i) / 16)) for i in range(16)]
    n = 200
    ts = [mp.mpf("0.04") * mp.cos(mp.pi * (2 * i + 1) / (2 * n)) for i in range(n)]
    res = [(mp.power(2, t) - 1) / t for t in ts]
    cs = []
    for k in range(3):
        a = np.array([[float(t) ** p for p in range(k, 3)] for t in ts])
        solution, *_ = np.linalg.lstsq(a, np.array([float(r) for r in res]),
                                       rcond=None)
        ck = f32(solution[0])
        cs.append(ck)
        res = [r - mp.mpf(ck) * t ** k for r, t in zip(res, ts)]
    err = max(abs(r * t) for r, t in zip(res, ts))
    return table, cs, float(err)


def exp_parts():
    """2^(i/16) - its float rounding, relative; c2, c3 with e^r - 1 = r +
    r^2 (c2 + c3 r) on |r| <= ln2/32 (exp reduced by ln2/16)."""
    lo = []
    for i in range(16):
        exact = mp.power(2, mp.mpf(i) / 16)
        rounded = mp.mpf(f32(exact))
        lo.append(f32((exact - rounded) / rounded))
    n = 200
    bound = mp.log(2) / 32 * mp.mpf("1.01")
    ts = [bound * mp.cos(mp.pi * (2 * i + 1) / (2 * n)) for i in range(n)]
    res = [(mp.exp(t) - 1 - t) / t ** 2 for t in ts]
    cs = []
    for k in range(2):
        a = np.array([[float(t) ** p for p in range(k, 2)] for t in ts])
        solution, *_ = np.linalg.lstsq(a, np.array([float(r) for r in res]),
                                       rcond=None)
        ck = f32(solution[0])
        cs.append(ck)
        res = [r - mp.mpf(ck) * t ** k for r, t in zip(res, ts)]
    err = max(abs(r * t * t) for r, t in zip(res, ts))
    return lo, cs, float(err)


def main():
    gelu, gelu_worst = fit_table(gelu_log2, -22, -0.75, 1.0)
    tanh, tanh_worst = fit_table(gelu_tanh_log2, -19, -0.25, 0.25)
    table, cs, exp2_err = exp2_parts()
    table_lo, exp_cs, exp_err = exp_parts()
    print("""//===- LogTables.h - Piecewise log2 tables for x * g(x) -------*- C++ -*-===//
//
// Generated by scripts/fit-log-tables.py; do not edit. Tables for GELU and
// tanh-GELU evaluated as x * 2^G(x) where lookups are one instruction.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_MATH_LOGTABLES_H
#define ACT_MATH_LOGTABLES_H

#include <cstdint>

namespace mlir::act {

/// G(x) = log2 g(x) on 32 intervals of width 1/2: interval j (j = jMin ..
/// jMin + 31, in slot j mod 32) is centred at j/2 and holds
/// G(j/2 + t) = n + f + a[0] t + ... + a[4] t^5. The first interval also
/// covers x down to flushBelow, the last x up to xMax (larger x take xMax).
struct LogTable {
  int32_t jMin;
  float xMax;
  /// x g(x) > -2^-100 below this: the result may be flushed to 0.
  float flushBelow;
  int32_t n[32];
  float f[32];
  float a[5][32];
};
""")
    emit_table("kGeluLog2Phi", "GELU: G(x) = log2 Phi(x).", gelu, -22, 5.5,
               flush_point(lambda x: mp.ncdf(x), -11.7), gelu_worst)
    emit_table("kGeluTanhLog2Sigmoid",
               "tanh-GELU: G(x) = log2 sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)).",
               tanh, -19, 6.0,
               flush_point(lambda x: 1 / (1 + mp.exp(-(C1 * x + C3 * x ** 3))),
                           -9.2), tanh_worst)
    print("/// 2^(i/16), i = 0..15, rounded to float.")
    print("inline constexpr float kExp2Sixteenths[16] = {")
    for i in range(0, 16, 4):
        print("    " + ", ".join(emit_float(v) for v in table[i:i + 4]) + ",")
    print("};")
    print()
    print("/// (2^(i/16) - kExp2Sixteenths[i]) / kExp2Sixteenths[i].")
    print("inline constexpr float kExp2SixteenthsLo[16] = {")
    for i in range(0, 16, 4):
        print("    " + ", ".join(emit_float(v) for v in table_lo[i:i + 4]) + ",")
    print("};")
    print()
    print(f"/// e^r - 1 = r + r^2 (c2 + c3 r) on |r| <= ln2/32 (max |error| "
          f"{exp_err:.1e}).")
    print("inline constexpr float kExpMinusOneCubic[2] = {" +
          ", ".join(emit_float(c) for c in exp_cs) + "};")
    print()
    print(f"/// 2^f - 1 = f (c1 + c2 f + c3 f^2) on |f| <= 0.04 (max |error| "
          f"{exp2_err:.1e}).")
    print("inline constexpr float kExp2MinusOne[3] = {" +
          ", ".join(emit_float(c) for c in cs) + "};")
    print("""
} // namespace mlir::act

#endif // ACT_MATH_LOGTABLES_H""")


if __name__ == "__main__":
    main()
