#!/usr/bin/python3
"""Fits include/act/Math/LogTables.h: log2 g(x) piecewise for x * g(x).

GELU is x Phi(x) and tanh-GELU x sigmoid(z(x)). With one-instruction
lookups in 32-entry tables (AVX-512 vpermt2ps), act evaluates them as
x * 2^G(x), G = log2 g, from 32 intervals of one width w centred at j w:
on each, G(j w + t) = H + L + a1 t + ... + a5 t^5 with H a multiple of 1/32
and L small. The kernel rounds a1 t + H to a multiple of 1/32 (adding a
magic constant), so H is chosen to centre G - a1 t on the interval and the
remainder r, everything else, stays within the |r| <= R the table records.
The coefficients are fitted (least squares on Chebyshev nodes, mpmath at
40 digits) one degree at a time, each rounded to float32 before the higher
ones are refitted, so that the rounding of the large linear coefficient is
compensated. Per table, also fits the polynomial for 2^r - 1 on |r| <= R
that turns 2^G into a float with the 2^(i/32) table; and writes the
2^(i/16) table (with its rounding errors) and the cubic of exp reduced by
ln2/16 (act-lower-math's exp where lookups are one instruction).

Usage: /usr/bin/python3 scripts/fit-log-tables.py > include/act/Math/LogTables.h
(about a minute; needs python3-mpmath and python3-numpy).
"""

import mpmath as mp
import numpy as np

mp.mp.dps = 40
DEGREE = 5
NODES = 60
MAX_EXP2_TERMS = 5


def f32(v):
    return float(np.float32(float(v)))


def chebyshev_nodes(lo, hi, n=NODES):
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    return [lo + (hi - lo) * (1 - mp.cos(mp.pi * (2 * i + 1) / (2 * n))) / 2
            for i in range(n)]


def fit_interval(G, c, lo, hi):
    """H, L, a1..a5 for G(c + t) on t in [lo, hi]; max abs error of the fit
    and max |G - H - a1 t|."""
    ts = chebyshev_nodes(lo, hi)
    a0 = G(c)
    res = [G(c + t) - a0 for t in ts]
    a = np.array([[float(t) ** p for p in range(1, DEGREE + 1)] for t in ts])
    solution, *_ = np.linalg.lstsq(a, np.array([float(r) for r in res]),
                                   rcond=None)
    a1 = f32(solution[0])
    grid = [mp.mpf(lo) + (mp.mpf(hi) - lo) * i / 400 for i in range(401)]
    u = [G(c + t) - mp.mpf(a1) * t for t in grid]
    head = mp.nint((max(u) + min(u)) / 2 * 32) / 32
    tail = f32(a0 - head)
    coefficients = [a1]
    res = [G(c + t) - head - mp.mpf(tail) - mp.mpf(a1) * t for t in ts]
    for k in range(2, DEGREE + 1):
        a = np.array([[float(t) ** p for p in range(k, DEGREE + 1)] for t in ts])
        b = np.array([float(r) for r in res])
        solution, *_ = np.linalg.lstsq(a, b, rcond=None)
        ak = f32(solution[0])
        coefficients.append(ak)
        res = [r - mp.mpf(ak) * t ** k for r, t in zip(res, ts)]
    err = max(abs(G(c + t) - head - mp.mpf(tail) -
                  sum(mp.mpf(a) * t ** (k + 1) for k, a in enumerate(coefficients)))
              for t in grid)
    rest = max(abs(v - head) for v in u)
    return float(head), tail, coefficients, float(err), float(rest)


def fit_table(G, width, j_min, x_low, x_high):
    """32 intervals of `width` centred at j width, j = j_min .. j_min + 31;
    the first reaches down to x_low, the last up to x_high (x beyond them is
    flushed or clamped). Returns the slots, the worst fit error and R, the
    bound on the kernel's |r|."""
    slots = {}
    worst = 0.0
    rest = 0.0
    # x / width rounds to j in f32 with an error far below this margin.
    half = mp.mpf(width) / 2 * (1 + mp.mpf(2) ** -20)
    for j in range(j_min, j_min + 32):
        centre = j * mp.mpf(width)
        lo = min(mp.mpf(x_low) - centre, -half) if j == j_min else -half
        hi = max(mp.mpf(x_high) - centre, half) if j == j_min + 31 else half
        head, tail, a, err, r = fit_interval(G, centre, lo, hi)
        slots[j % 32] = (head, tail, a)
        worst = max(worst, err)
        rest = max(rest, r)
    # a1 t + H rounds to a multiple of 1/32: up to 1/64 more.
    return slots, worst, rest + 1 / 64


def exp2_polynomial(bound, tolerance=3e-8):
    """c1..cn with 2^r - 1 = r (c1 + c2 r + ...) on |r| <= bound within
    `tolerance`, the fewest terms; and the error."""
    n = 200
    ts = [mp.mpf(bound) * mp.cos(mp.pi * (2 * i + 1) / (2 * n)) for i in range(n)]
    for terms in range(2, 8):
        res = [(mp.power(2, t) - 1) / t for t in ts]
        cs = []
        for k in range(terms):
            a = np.array([[float(t) ** p for p in range(k, terms)] for t in ts])
            solution, *_ = np.linalg.lstsq(
                a, np.array([float(r) for r in res]), rcond=None)
            ck = f32(solution[0])
            cs.append(ck)
            res = [r - mp.mpf(ck) * t ** k for r, t in zip(res, ts)]
        err = float(max(abs(r * t) for r, t in zip(res, ts)))
        if err <= tolerance:
            return cs, err
    raise ValueError(f"no polynomial for 2^r on |r| <= {bound}")


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


def emit_table(name, doc, fitted, width, j_min, x_max, flush):
    slots, worst, bound = fitted
    assert (j_min - 0.5) * width <= flush and x_max <= (j_min + 31.5) * width
    cs, exp2_err = exp2_polynomial(bound * 1.02)
    print(f"/// {doc}")
    print(f"/// Max |error| of the fitted G: {worst:.2e}; |r| <= {bound:.4f}, "
          f"where 2^r - 1 is")
    print(f"/// within {exp2_err:.1e}.")
    print(f"inline constexpr LogTable {name} = {{")
    print(f"    /*width=*/{emit_float(width)}, /*jMin=*/{j_min}, "
          f"/*xMax=*/{emit_float(x_max)},")
    print(f"    /*flushBelow=*/{emit_float(f32(flush))},")
    print(f"    /*exp2Terms=*/{len(cs)},")
    padded = cs + [0.0] * (MAX_EXP2_TERMS - len(cs))
    print("    /*exp2MinusOne=*/{")
    for i in range(0, MAX_EXP2_TERMS, 3):
        print("     " + ", ".join(emit_float(c) for c in padded[i:i + 3]) + ",")
    print("    },")

    def row(values, fmt):
        items = [fmt(v) for v in values]
        lines = []
        for i in range(0, 32, 4):
            lines.append("     " + ", ".join(items[i:i + 4]))
        return "    {\n" + ",\n".join(lines) + "},"

    print(row([slots[s][0] for s in range(32)], emit_float))
    print(row([slots[s][1] for s in range(32)], emit_float))
    print("    {")
    for k in range(DEGREE):
        print(row([slots[s][2][k] for s in range(32)], emit_float)
              .replace("    {", "     {", 1))
    print("    }};")
    print()


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


def power_table(size):
    """2^(i/size), i = 0..size-1, rounded to float."""
    return [f32(mp.power(2, mp.mpf(i) / size)) for i in range(size)]


def emit_array(name, doc, values):
    print(f"/// {doc}")
    print(f"inline constexpr float {name}[{len(values)}] = {{")
    for i in range(0, len(values), 4):
        print("    " + ", ".join(emit_float(v) for v in values[i:i + 4]) + ",")
    print("};")
    print()


def main():
    # GELU needs x from the flush point (-11.695) to 5.7, beyond which Phi
    # rounds to 1: 17.4, so intervals of 279/512 (1/2 would need 35).
    gelu_flush = flush_point(lambda x: mp.ncdf(x), -11.7)
    gelu_width = 279 / 512
    gelu = fit_table(gelu_log2, gelu_width, -21, gelu_flush, 5.7)
    tanh_flush = flush_point(
        lambda x: 1 / (1 + mp.exp(-(C1 * x + C3 * x ** 3))), -9.2)
    tanh = fit_table(gelu_tanh_log2, 0.5, -19, tanh_flush, 6.0)
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

// The tables keep their four-per-row layout.
// clang-format off

/// G(x) = log2 g(x) on 32 intervals: interval j (j = jMin .. jMin + 31, in
/// slot j mod 32) is [j - 1/2, j + 1/2] width and holds G(j width + t) =
/// head + tail + a[0] t + ... + a[4] t^5, head a multiple of 1/32 that
/// centres G - a[0] t. The intervals cover x from flushBelow to xMax (larger
/// x take xMax). With a[0] t + head rounded to a multiple of 1/32, the rest
/// r of G is within the bound the table's comment gives, and 2^r - 1 = r (c1
/// + c2 r + ...) with the first exp2Terms of exp2MinusOne.
struct LogTable {
  /// A float whose multiples by small integers are exact.
  float width;
  int32_t jMin;
  float xMax;
  /// x g(x) > -2^-100 below this: the result may be flushed to 0.
  float flushBelow;
  int32_t exp2Terms;
  float exp2MinusOne[5];
  float head[32];
  float tail[32];
  float a[5][32];
};
""")
    emit_table("kGeluLog2Phi", "GELU: G(x) = log2 Phi(x).", gelu, gelu_width,
               -21, 5.7, gelu_flush)
    emit_table("kGeluTanhLog2Sigmoid",
               "tanh-GELU: G(x) = log2 sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)).",
               tanh, 0.5, -19, 6.0, tanh_flush)
    emit_array("kExp2ThirtySeconds", "2^(i/32), i = 0..31, rounded to float.",
               power_table(32))
    emit_array("kExp2Sixteenths", "2^(i/16), i = 0..15, rounded to float.",
               power_table(16))
    emit_array("kExp2SixteenthsLo",
               "(2^(i/16) - kExp2Sixteenths[i]) / kExp2Sixteenths[i].",
               table_lo)
    print(f"/// e^r - 1 = r + r^2 (c2 + c3 r) on |r| <= ln2/32 (max |error| "
          f"{exp_err:.1e}).")
    print("inline constexpr float kExpMinusOneCubic[2] = {" +
          ", ".join(emit_float(c) for c in exp_cs) + "};")
    print("""
// clang-format on

} // namespace mlir::act

#endif // ACT_MATH_LOGTABLES_H""")


if __name__ == "__main__":
    main()
