//===- Activation.h - The one description of every activation ---*- C++ -*-===//
//
// Parameters, defaults, valid ranges, forward formula, derivative and limits
// at +-inf of every activation, written once. Ops, folders, passes and
// targets all evaluate activations through the templates here.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_MATH_ACTIVATION_H
#define ACT_MATH_ACTIVATION_H

#include "act/Dialect/Act/IR/ActEnums.h"
#include "act/Math/LogTables.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/MathExtras.h"

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

namespace mlir {
class InFlightDiagnostic;
} // namespace mlir

namespace mlir::act {

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

/// How accurate the emitted code must be (DESIGN.md section 5): `precise`
/// is within 4 ULP everywhere; `fast` uses shorter polynomials and drops the
/// hi+lo corrections, with a measured bound per function.
enum class Accuracy { precise, fast };

/// How the code for an activation may be emitted: its accuracy, and what
/// the target does cheaply besides IEEE arithmetic.
struct MathOptions {
  /*implicit*/ MathOptions(Accuracy accuracy = Accuracy::precise,
                           bool lookupTables = false)
      : accuracy(accuracy), lookupTables(lookupTables) {}
  Accuracy accuracy;
  /// Lookups in 32-entry f32 tables are one instruction (AVX-512's
  /// vpermt2ps): GELU and tanh-GELU are then evaluated from the piecewise
  /// tables of LogTables.h, in either accuracy (they are both faster and
  /// more accurate than the formulas without tables).
  bool lookupTables;
};

/// The parameters of an activation, with PyTorch's defaults. Fields that do
/// not apply to a kind keep their default value.
struct ActivationParams {
  GeluApproximation approximation = GeluApproximation::none;
  double alpha = 1.0;
  double beta = 1.0;
  double negativeSlope = 0.01;
  double threshold = 20.0;

  bool operator==(const ActivationParams &other) const;
  bool operator!=(const ActivationParams &other) const {
    return !(*this == other);
  }
};

llvm::hash_code hash_value(const ActivationParams &params);

/// A floating-point parameter of an activation.
struct ActivationParamSpec {
  /// Name in the IR (`negative_slope`).
  llvm::StringLiteral name;
  double ActivationParams::*field;
  /// Returns true when `value` is in the valid range.
  bool (*isValid)(double value);
  /// The range, for diagnostics ("must be finite and positive").
  llvm::StringLiteral requirement;
};

/// The floating-point parameters that `kind` takes.
ArrayRef<ActivationParamSpec> getActivationParamSpecs(ActivationKind kind);

/// An activation variant under the name the tools and reports give it: every
/// kind, and GELU once per approximation ("gelu_tanh", "gelu_sigmoid").
struct NamedActivation {
  llvm::StringLiteral name;
  ActivationKind kind;
  GeluApproximation approximation;
};

/// Every named variant, in the order of DESIGN.md section 3.
ArrayRef<NamedActivation> getNamedActivations();

/// Whether `kind` takes the `approximation` parameter.
bool hasApproximation(ActivationKind kind);

/// The first parameter of `kind` out of its range, as a message ("beta must
/// be finite and positive, got 0"), or nullopt.
std::optional<std::string>
checkActivationParams(ActivationKind kind, const ActivationParams &params);

/// Checks every parameter of `kind` against its range; reports the first one
/// out of range through `emitError`.
LogicalResult
verifyActivationParams(ActivationKind kind, const ActivationParams &params,
                       function_ref<InFlightDiagnostic()> emitError);

//===----------------------------------------------------------------------===//
// Formulas
//===----------------------------------------------------------------------===//

/// The formulas, generic over a math backend `M` so that the same text builds
/// IR (arith/math ops) and evaluates constants (double). `M` provides
/// `Value`, `Cond`, constants `c(double)` and `cLo(double)` (the part of the
/// double constant lost by rounding it to the working type), arithmetic,
/// NaN-propagating `max`/`min`, `exp`, `expm1`, ordered comparisons (false on
/// NaN), `andC`, `select` and `isNaN`; `wide()`, the same math in double
/// precision, with `widen` and `narrow` to convert to and from it.
///
/// Numerics: the working type's precision is kept where the textbook form
/// loses it. Products that feed an exponential are carried as hi + lo pairs
/// (an error of one rounding in the argument of exp(-z) is a relative error
/// of |z| ulp in the result); GELU is x Phi(x) with the normal tail Phi(-|x|)
/// = exp(-x^2/2) Psi(|x|) and x Phi(x) = x - x Phi(-x) for x >= 0, never
/// 1 + erf; the logistic function is evaluated as 1/(1+t) and t/(1+t) with
/// t = exp(-|z|); softplus is max(z, 0) + log1p(exp(-|z|)); limits at +-inf
/// that the formula would turn into inf*0 or inf/inf are selected
/// explicitly.
template <typename M> class ActivationFormulas {
public:
  using V = typename M::Value;
  using C = typename M::Cond;
  /// The low part of a hi + lo pair; absent where hi is exact.
  using Lo = std::optional<V>;

  /// Parameter values as the backend holds them. `beta` may be a runtime
  /// value (learnable Swish); `betaLo` then is zero.
  struct Params {
    GeluApproximation approximation;
    V alpha, beta, betaLo, negativeSlope, threshold;
    /// beta * x is exact (beta a power of two); no lo part needed.
    bool betaExact;
    Accuracy accuracy;
    /// Use lookup tables where a formula has a table form (only on
    /// backends with M::kHasLookup).
    bool tables;
    /// Softplus above the threshold already rounds to x: beta x + log1p(e^-
    /// beta x) is beta x once e^-threshold is below a quarter ulp of the
    /// threshold, and dividing by beta (a power of two, at most 1: no
    /// overflow) is exact. The select of x is then not emitted.
    bool thresholdRoundsToX;
  };

  static Params constants(M &m, const ActivationParams &p,
                          MathOptions options = {}) {
    int exponent;
    bool powerOfTwo = std::frexp(p.beta, &exponent) == 0.5;
    bool tables = false;
    if constexpr (M::kHasLookup)
      tables = options.lookupTables;
    bool thresholdRoundsToX =
        powerOfTwo && p.beta <= 1 && p.threshold > 0 &&
        std::exp(-p.threshold) < std::ldexp(1.0, std::ilogb(p.threshold) - 25);
    return {p.approximation,   m.c(p.alpha),         m.c(p.beta),
            m.cLo(p.beta),     m.c(p.negativeSlope), m.c(p.threshold),
            powerOfTwo,        options.accuracy,     tables,
            thresholdRoundsToX};
  }

  /// f(x).
  static V forward(M &m, ActivationKind kind, const Params &p, V x) {
    switch (kind) {
    case ActivationKind::relu:
      return m.max(x, m.c(0));
    case ActivationKind::leaky_relu:
      return m.select(m.gt(x, m.c(0)), x, m.mul(p.negativeSlope, x));
    case ActivationKind::elu:
      return m.select(m.gt(x, m.c(0)), x, m.mul(p.alpha, m.expm1(x)));
    case ActivationKind::relu6:
      return m.min(m.max(x, m.c(0)), m.c(6));
    case ActivationKind::sigmoid:
      // 1 / (1 + e^-x): e^-x within an ULP, one rounding of 1 + e^-x, one
      // division. Below kLogisticFlush, sigmoid(x) < 2^-126.
      return m.select(
          m.lt(x, m.c(kLogisticFlush)), m.c(0),
          m.div(m.c(1),
                m.add(m.c(1), m.exp(m.min(m.neg(x), m.c(-kLogisticFlush))))));
    case ActivationKind::hard_sigmoid:
      // A product with 1/6 instead of a division: the divider's throughput
      // (one per 2.5 cycles on Zen 5) would be the loop's bound.
      return m.mul(relu6(m, m.add(x, m.c(3))), m.c(1.0 / 6.0));
    case ActivationKind::silu: {
      auto [zh, zl] = mulBeta(m, x, p);
      return xSigmoid(m, x, zh, zl);
    }
    case ActivationKind::hard_swish: {
      // x (relu6(x + 3) / 6), the inner product first (x * 6 could
      // overflow), by 1/6 as for hard_sigmoid.
      V y = m.mul(x, m.mul(relu6(m, m.add(x, m.c(3))), m.c(1.0 / 6.0)));
      return limits(m, x, y, m.c(0), x);
    }
    case ActivationKind::gelu:
      return gelu(m, p, x);
    case ActivationKind::mish: {
      // tanh(log1p(e^x)) = n / (n + 2) with n = e^x (e^x + 2), which rounds
      // to 1 once x > kMishLinear: there (and at +inf) the result is x. x is
      // clamped for the exp at kMishLinear (x n stays finite) and at
      // kMishFlush, below which |mish(x)| < 2^-100 (and -inf) is selected
      // to 0: the exp needs neither its overflow nor its underflow check.
      // (x n) / (n + 2) rounds less than x (n / (n + 2)) where n is small
      // (measured: 3.4 against 3.7 ULP with a correctly rounded e^x).
      V e = m.exp(m.min(m.max(x, m.c(kMishFlush)), m.c(kMishLinear)));
      V n = m.fma(e, e, m.add(e, e));
      // The flush first: selecting 0 over the quotient is the division's
      // zero mask on AVX-512 (one instruction fewer than over a select).
      V y = m.div(m.mul(x, n), m.add(n, m.c(2)));
      y = m.select(m.lt(x, m.c(kMishFlush)), m.c(0), y);
      return m.select(m.gt(x, m.c(kMishLinear)), x, y);
    }
    case ActivationKind::softplus: {
      // log1p(e^z) = max(z, 0) + log1p(e^-|z|): the log1p argument stays in
      // (0, 1] and nothing overflows.
      auto [zh, zl] = mulBeta(m, x, p);
      C nonNegative = m.ge(zh, m.c(0));
      Lo lo;
      if (zl)
        lo = m.select(nonNegative, m.neg(*zl), *zl);
      V v = expPair(m, m.neg(m.abs(zh)), lo);
      V y = m.add(positivePart(m, zh), log1pSmall(m, p.accuracy, v));
      y = m.div(y, p.beta);
      if (p.thresholdRoundsToX)
        return y;
      return m.select(m.gt(zh, p.threshold), x, y);
    }
    }
    llvm_unreachable("unknown activation kind");
  }

  /// f'(x).
  static V derivative(M &m, ActivationKind kind, const Params &p, V x) {
    V zero = m.c(0), one = m.c(1);
    switch (kind) {
    case ActivationKind::relu:
      return m.select(m.gt(x, zero), one, zero);
    case ActivationKind::leaky_relu:
      return m.select(m.gt(x, zero), one, p.negativeSlope);
    case ActivationKind::elu:
      return m.select(m.gt(x, zero), one, m.mul(p.alpha, m.exp(x)));
    case ActivationKind::relu6:
      return m.select(m.andC(m.gt(x, zero), m.lt(x, m.c(6))), one, zero);
    case ActivationKind::sigmoid: {
      // s(x) s(-x) = t / d^2 with t = exp(-|x|), d = 1 + t: the product of
      // the two sigmoids rounds four times (over 4 ULP near |x| = 3.4);
      // precise divides once by d^2 carried to twice the precision.
      Logistic l = logistic(m, x, std::nullopt);
      if (p.accuracy == Accuracy::fast)
        return m.mul(l.big, l.small);
      return overSquare(m, l, l.t);
    }
    case ActivationKind::hard_sigmoid:
      return m.select(m.andC(m.gt(x, m.c(-3)), m.lt(x, m.c(3))), m.c(1.0 / 6.0),
                      zero);
    case ActivationKind::silu: {
      auto [zh, zl] = mulBeta(m, x, p);
      return xSigmoidDerivative(m, p.accuracy, zh, zl, x, p.beta,
                                p.betaExact ? Lo() : Lo(p.betaLo));
    }
    case ActivationKind::hard_swish:
      // PyTorch's convention at the knees: 0 at x = -3, (2x + 3)/6 up to and
      // including x = 3.
      return m.select(
          m.lt(x, m.c(-3)), zero,
          m.select(m.le(x, m.c(3)),
                   m.mul(m.add(m.mul(x, m.c(2)), m.c(3)), m.c(1.0 / 6.0)),
                   one));
    case ActivationKind::gelu:
      return geluDerivative(m, p, x);
    case ActivationKind::mish: {
      // f' = tanh(sp) + x sech^2(sp) sigmoid(x) with sp = softplus(x), which
      // in n = e^x (e^x + 2), d = n + 2 is (n d + 4 x e^x (1 + e^x)) / d^2.
      // Beyond kMishLinear the result is selected below; clamping keeps
      // e^x finite (and lets the exp skip its overflow check).
      // As polynomials in e, with e's rounding entering once:
      //   f' = e B / D,  B = 4 (1 + x) + e (6 + 4 x + e (4 + e)),
      //   D = d^2 = 4 + e (8 + e (8 + e (4 + e))).
      // B cancels near x = -1.2 and the f32 roundings of B, D and the
      // quotient add up to 4.4 ULP elsewhere: precise evaluates them in
      // double, leaving e's own error and one rounding. x is clamped where
      // e = 0 so that 4 x stays finite.
      V e = m.exp(m.min(x, m.c(kMishLinear)));
      V xc = m.max(x, m.c(-1e4));
      auto quotient = [&](auto &w, V ew, V xw) {
        V x4 = w.mul(xw, w.c(4));
        V ePlus4 = w.add(ew, w.c(4));
        V bb = w.fma(ew, w.fma(ew, ePlus4, w.add(x4, w.c(6))),
                     w.mul(w.add(xw, w.c(1)), w.c(4)));
        V dd = w.fma(w.fma(w.fma(ePlus4, ew, w.c(8)), ew, w.c(8)), ew, w.c(4));
        return w.div(w.mul(ew, bb), dd);
      };
      V y;
      if (p.accuracy == Accuracy::precise) {
        auto w = m.wide();
        y = m.narrow(quotient(w, m.widen(e), m.widen(xc)));
      } else {
        y = quotient(m, e, xc);
      }
      y = m.select(m.gt(x, m.c(kMishLinear)), one, y);
      return limits(m, x, y, zero, one);
    }
    case ActivationKind::softplus: {
      auto [zh, zl] = mulBeta(m, x, p);
      return m.select(m.gt(zh, p.threshold), one, sigmoid(m, zh, zl).pos);
    }
    }
    llvm_unreachable("unknown activation kind");
  }

  /// dy * f'(x); NaN where x is NaN.
  static V gradient(M &m, ActivationKind kind, const Params &p, V x, V dy) {
    return m.select(m.isNaN(x), x, m.mul(dy, derivative(m, kind, p, x)));
  }

private:
  static constexpr double kMishLinear = 20.0;
  /// |mish(x)| < 2^-100 below this (mish(-73.7) = -2^-100).
  static constexpr double kMishFlush = -80.0;
  /// e^-z overflows soon above -z = 88.7; below z = kLogisticFlush,
  /// sigmoid(z) < 2^-126 and x sigmoid(z) < 2^-100 (unless |x| > 2^20 / beta).
  static constexpr double kLogisticFlush = -88.0;
  static constexpr double kInvSqrtTwoPi = 0.39894228040143267794;
  static constexpr double kSqrtTwoOverPi = 0.79788456080286535588;
  static constexpr double kGeluTanhCubic = 0.044715;
  static constexpr double kGeluSigmoidScale = 1.702;
  /// GELU(x) > -2^-100 below this (x Phi(x) = -2^-100 at x = -11.69517827).
  static constexpr double kGeluFlush = kGeluLog2Phi.flushBelow;

  struct Sigmoids {
    V pos; ///< sigmoid(z)
    V neg; ///< sigmoid(-z) = 1 - sigmoid(z), without the cancellation
  };

  static V relu6(M &m, V x) { return m.min(m.max(x, m.c(0)), m.c(6)); }

  /// max(x, +0), except that a NaN x may give +0: for sums whose other
  /// term carries the NaN. With the integer view it is the signed integer
  /// maximum of the bits with 0 (one instruction; a float maximum with +0
  /// also needs a NaN compare and a blend on x86).
  static V positivePart(M &m, V x) {
    if constexpr (M::kHasLookup) {
      if (m.hasIntegerView())
        return m.fromBits(m.maxSI(m.bits(x), m.ci(0)));
    }
    return m.max(x, m.c(0));
  }

  /// y, except -inf -> `atNegInf` and +inf -> `atPosInf`.
  static V limits(M &m, V x, V y, V atNegInf, V atPosInf) {
    y = m.select(m.eq(x, m.c(-INFINITY)), atNegInf, y);
    return m.select(m.eq(x, m.c(INFINITY)), atPosInf, y);
  }

  /// (hi, lo) with hi + lo = x * (ch + cl) to about twice the precision;
  /// lo = 0 where hi is not finite, so that lo never turns a limit into NaN.
  static std::pair<V, Lo> mulExact(M &m, V x, V ch, V cl) {
    V hi = m.mul(x, ch);
    V lo = m.add(m.fma(x, ch, m.neg(hi)), m.mul(x, cl));
    C finite = m.lt(m.abs(hi), m.c(INFINITY));
    return {hi, m.select(finite, lo, m.c(0))};
  }
  static std::pair<V, Lo> mulExact(M &m, Accuracy accuracy, V x, double c) {
    if (accuracy == Accuracy::fast)
      return {m.mul(x, m.c(c)), std::nullopt};
    return mulExact(m, x, m.c(c), m.cLo(c));
  }
  /// beta * x as (hi, lo).
  static std::pair<V, Lo> mulBeta(M &m, V x, const Params &p) {
    if (p.betaExact || p.accuracy == Accuracy::fast)
      return {m.mul(x, p.beta), std::nullopt};
    return mulExact(m, x, p.beta, p.betaLo);
  }

  /// exp(zh + zl) = exp(zh) (1 + zl) for |zl| << 1.
  static V expPair(M &m, V zh, Lo zl) {
    V e = m.exp(zh);
    return zl ? m.fma(e, *zl, e) : e;
  }

  /// log1p(v) for v in [0, 1], as v h(v) with h(v) = log1p(v)/v fitted on
  /// [0, 1] (relative error 3.5e-8 precise, 1.5e-6 fast).
  static V log1pSmall(M &m, Accuracy accuracy, V v) {
    static constexpr double precise[] = {
        0.0051058258037360365, -0.028991956407190156, 0.07738073840934936,
        -0.1359060023831919,   0.19071309584940846,   -0.24833945457326406,
        0.3331793432206594,    -0.4999943569045972,   0.9999999651599161};
    static constexpr double fast[] = {
        0.013814058151279836, -0.06540588662815094, 0.14808220623526194,
        -0.23443230351584665, 0.33094783962371993,  -0.49985652534944536,
        0.9999985367936252};
    ArrayRef<double> coefficients =
        accuracy == Accuracy::precise ? ArrayRef<double>(precise) : fast;
    return m.mul(v, polynomial(m, v, coefficients));
  }

  /// The logistic function at z = zh + zl from t = exp(-|z|) and d = 1 + t
  /// carried exactly as dh + dl (the rounding of 1 + t would otherwise cost
  /// up to an ulp in 1/d and t/d).
  struct Logistic {
    C nonNegative; ///< z >= 0
    V t0;          ///< exp(-|zh|)
    Lo tlo;        ///< t = t0 (1 + tlo): the low part of the argument
    V t, dh, dl;
    V inv;   ///< 1/dh, rounded
    V big;   ///< 1/d = sigmoid(|z|)
    V small; ///< t/d = sigmoid(-|z|)
  };
  static Logistic logistic(M &m, V zh, Lo zl) {
    C nonNegative = m.ge(zh, m.c(0));
    Lo lo;
    if (zl)
      lo = m.select(nonNegative, m.neg(*zl), *zl);
    V t0 = m.exp(m.neg(m.abs(zh)));
    V t = lo ? m.fma(t0, *lo, t0) : t0;
    V dh = m.add(m.c(1), t);
    V dl = m.sub(t, m.sub(dh, m.c(1)));
    V inv = m.div(m.c(1), dh);
    V big = m.fma(m.neg(m.mul(inv, dl)), inv, inv);
    return {nonNegative, t0, lo, t, dh, dl, inv, big, m.mul(t, big)};
  }

  /// n (1 + r) / d^2 with one division, d^2 = d2h + d2l to twice the
  /// precision, and the small relative correction r (if any) applied in the
  /// same final rounding.
  static V overSquare(M &m, const Logistic &l, V n, Lo r = std::nullopt) {
    V d2h = m.mul(l.dh, l.dh);
    V d2l = m.fma(m.add(l.dh, l.dh), l.dl, m.fma(l.dh, l.dh, m.neg(d2h)));
    V q = m.div(n, d2h);
    V correction = m.neg(m.mul(m.mul(d2l, l.inv), l.inv));
    if (r)
      correction = m.add(correction, *r);
    return m.fma(q, correction, q);
  }

  /// sigmoid(+-(zh + zl)).
  static Sigmoids sigmoid(M &m, V zh, Lo zl) {
    Logistic l = logistic(m, zh, zl);
    return {m.select(l.nonNegative, l.big, l.small),
            m.select(l.nonNegative, l.small, l.big)};
  }

  /// x * sigmoid(z) = x / (1 + e^-z), z = zh + zl a multiple of x: e^-z
  /// within an ULP (zl joins as e^-zh (1 - zl)), one rounding of 1 + e^-z,
  /// one division. Below kLogisticFlush (and at -inf) the result is 0.
  static V xSigmoid(M &m, V x, V zh, Lo zl) {
    V e = expPair(m, m.min(m.neg(zh), m.c(-kLogisticFlush)),
                  zl ? Lo(m.neg(*zl)) : Lo());
    V y = m.div(x, m.add(m.c(1), e));
    return m.select(m.lt(zh, m.c(kLogisticFlush)), m.c(0), y);
  }

  /// d/dx [x sigmoid(z(x))] = s(z) (1 + x z'(x) s(-z)), given x z'(x) =
  /// a (b + bLo).
  static V xSigmoidDerivative(M &m, Accuracy accuracy, V zh, Lo zl, V a, V b,
                              Lo bLo) {
    Logistic l = logistic(m, zh, zl);
    V xdz = m.mul(a, b);
    V y;
    if (accuracy == Accuracy::fast) {
      V pos = m.select(l.nonNegative, l.big, l.small);
      V neg = m.select(l.nonNegative, l.small, l.big);
      y = m.mul(pos, m.fma(xdz, neg, m.c(1)));
    } else {
      // The product of two sigmoids, each up to 2 ulp off, loses more than 4
      // ulp where 1 + xdz s(-z) cancels. As one quotient instead:
      //   f' = u (d + xdz w) / d^2,  (u, w) = (1, t) for z >= 0, (t, 1) below,
      // d = 1 + t = dh + dl. u (numh + lo) is one fma, d + xdz rounds once
      // where it cancels (z < 0: numh = fma(a, b, dh)), d^2 is carried to
      // twice the precision, and for z < 0, where u = t = t0 (1 + tlo), tlo
      // joins the final correction instead of rounding t on its own.
      V u0 = m.select(l.nonNegative, m.c(1), l.t0);
      V lo = bLo ? m.select(l.nonNegative, l.dl, m.fma(a, *bLo, l.dl)) : l.dl;
      V numh =
          m.select(l.nonNegative, m.fma(xdz, l.t, l.dh), m.fma(a, b, l.dh));
      Lo r;
      if (l.tlo)
        r = m.select(l.nonNegative, m.c(0), *l.tlo);
      y = overSquare(m, l, m.fma(u0, numh, m.mul(u0, lo)), r);
    }
    V isInf = m.eq(m.abs(zh), m.c(INFINITY));
    return m.select(isInf, m.select(m.gt(zh, m.c(0)), m.c(1), m.c(0)), y);
  }

  /// The standard normal density and tail at a = |x| >= 0: exp(-a^2/2) and
  /// Phi(-a) = exp(-a^2/2) Psi(a). a^2/2 = sh + sl exactly, and exp(-a^2/2)
  /// = gauss (1 - sl).
  struct NormalTail {
    V gauss; ///< exp(-sh)
    V sl;    ///< the low part of a^2/2 (0 in fast mode)
    V ratio; ///< Psi(a)
  };
  static NormalTail normalTail(M &m, Accuracy accuracy, V a) {
    // Beyond 16 the tail is below 2^-190; clamping keeps a^2 finite.
    a = m.min(a, m.c(16));
    V halfA = m.mul(a, m.c(0.5));
    V sh = m.mul(halfA, a);
    V sl = accuracy == Accuracy::precise ? m.fma(halfA, a, m.neg(sh)) : m.c(0);
    return {m.exp(m.neg(sh)), sl, millsRatio(m, accuracy, a)};
  }

  /// x Phi(-|x|) = x gauss (1 - sl) Psi with one rounding at the end: x
  /// gauss is carried as hi + lo.
  static V xTimesTail(M &m, V x, const NormalTail &n) {
    V ph = m.mul(x, n.gauss);
    V pl = m.fma(x, n.gauss, m.neg(ph));
    V lo = m.fma(m.neg(ph), n.sl, pl);
    return m.fma(ph, n.ratio, m.mul(lo, n.ratio));
  }

public:
  /// The Mills ratio of the standard normal, Psi(a) = Phi(-a) exp(a^2/2),
  /// for a in [0, 16]: a rational N(a)/D(a) fitted with mpmath (relative
  /// error 8.9e-9 precise, 5.8e-7 fast), evaluated as
  ///   N / (1 + a (c N + R)),  D = 1 + a (c N + R),  c ~ sqrt(2 pi) in f32.
  /// For large a the denominator is dominated by a c N, so an evaluation
  /// error of N largely cancels in the quotient and R's weighs ~1/a^2: a
  /// plain Horner evaluation of N and D in f32 loses up to 5 ulp here, this
  /// form under 2.
  static V millsRatio(M &m, Accuracy accuracy, V a) {
    static constexpr double preciseNum[] = {
        0.004317951454960164, 0.04196167246663854, 0.18712520167977112,
        0.44346157849482554, 0.5000000044609817};
    static constexpr double preciseRest[] = {
        -3.434148364983569e-10, 5.857959846727878e-06, 0.010703231970811689,
        0.10694181616501752, 0.43150419329453027};
    static constexpr double fastNum[] = {
        0.017943050614298517, 0.12320538761108601, 0.3682212733547552,
        0.4999997106817429};
    static constexpr double fastRest[] = {
        4.913402323891702e-10, -0.0001813189303239704, 0.047745034545765286,
        0.2808882486588993};
    bool precise = accuracy == Accuracy::precise;
    // Exactly representable in f32, so that R absorbs c's rounding.
    double c = precise ? 2.506608247756958 : 2.506824493408203;
    V num = polynomial(m, a,
                       precise ? ArrayRef<double>(preciseNum)
                               : ArrayRef<double>(fastNum));
    V rest = polynomial(m, a,
                        precise ? ArrayRef<double>(preciseRest)
                                : ArrayRef<double>(fastRest));
    V den = m.fma(a, m.fma(m.c(c), num, rest), m.c(1));
    return m.div(num, den);
  }

  /// Horner's rule; coefficients from the highest degree down.
  static V polynomial(M &m, V t, ArrayRef<double> coefficients) {
    V acc = m.c(coefficients.front());
    for (double c : coefficients.drop_front())
      acc = m.fma(acc, t, m.c(c));
    return acc;
  }

  /// 2^(e + bias + i/N) for `bits` whose lowest log2 N bits are i and the
  /// ones above them e (plus high bits that a shift by 23 - log2 N drops),
  /// from `powers` = 2^(i/N) (N a power of two, at most 32): the table is
  /// looked up with its bits stored less i << (23 - log2 N), so that one
  /// shift and one integer add put e into the exponent field. For the
  /// scale of exp and exp2 reductions; the result must stay normal.
  template <typename Int, size_t N>
  static V powerOfTwo(M &m, Int bits, const float (&powers)[N], int bias = 0) {
    static_assert(N >= 2 && N <= 32 && (N & (N - 1)) == 0,
                  "a one-instruction lookup of 2^(i/N)");
    constexpr int shift = 23 - llvm::ConstantLog2<N>();
    std::array<float, N> biased;
    for (size_t i = 0; i < N; ++i)
      biased[i] = llvm::bit_cast<float>(llvm::bit_cast<int32_t>(powers[i]) -
                                        static_cast<int32_t>(i << shift));
    auto exponent = m.shl(bits, shift);
    if (bias)
      exponent = m.addI(exponent, m.ci(int64_t{bias} * (int64_t{1} << 23)));
    return m.fromBits(m.addI(m.bits(m.lookup(biased, bits)), exponent));
  }

private:
  /// x g(x) as x 2^G(x), G = log2 g from `table` (LogTables.h); needs
  /// lookups. x, clamped from above to xMax, rounds to the interval j (k =
  /// x / width + 1.5 2^23, whose low bits index the tables: below the first
  /// interval they wrap, and the result is flushed); t = x - j width is
  /// exact. G = head + tail + a1 t + ... + a5 t^5: adding 1.5 2^18 + head to
  /// a1 t rounds it to E + i/32 with E in the bits above the lowest five,
  /// whence the exponent field, and r = G - E - i/32 is a1 t's rounding
  /// error (one fma) plus the rest of the polynomial: |r| < 0.06 for GELU.
  /// 2^G = 2^(E + i/32) 2^r, with 2^(i/32) a 32-entry lookup that takes E
  /// into its exponent field and 2^r - 1 a short polynomial. Eight lookups,
  /// 21 other vector instructions, no division, and under 2.8 ULP
  /// (docs/accuracy.md).
  static V xTimesExp2Table(M &m, V x, const LogTable &table) {
    if constexpr (M::kHasLookup) {
      constexpr double kIntegerMagic = 12582912.0;    // 1.5 * 2^23: ulp 1
      constexpr double kThirtySecondMagic = 393216.0; // 1.5 * 2^18: ulp 1/32
      std::array<float, 32> magicHead;
      for (int s = 0; s < 32; ++s)
        magicHead[s] = static_cast<float>(kThirtySecondMagic + table.head[s]);
      // An integer minimum on the bits clamps x (of any sign) from above.
      V xt = m.fromBits(
          m.minSI(m.bits(x), m.ci(llvm::bit_cast<int32_t>(table.xMax))));
      double width = table.width;
      V k = m.fma(xt, m.c(1 / width), m.c(kIntegerMagic));
      auto index = m.bits(k);
      V t = m.sub(xt, m.fma(k, m.c(width), m.c(-kIntegerMagic * width)));
      auto at = [&](ArrayRef<float> values) { return m.lookup(values, index); };
      V a1 = at(table.a[0]), head = at(magicHead);
      V k2 = m.fma(a1, t, head);
      V t2 = m.mul(t, t);
      V rest = m.fma(t2,
                     m.fma(t2, m.fma(at(table.a[4]), t, at(table.a[3])),
                           m.fma(at(table.a[2]), t, at(table.a[1]))),
                     at(table.tail));
      V r = m.add(m.fma(a1, t, m.sub(head, k2)), rest);
      V power = powerOfTwo(m, m.bits(k2), kExp2ThirtySeconds);
      SmallVector<double, 5> terms;
      for (int i = table.exp2Terms - 1; i >= 0; --i)
        terms.push_back(table.exp2MinusOne[i]);
      V y = m.mul(x, m.fma(m.mul(power, r), polynomial(m, r, terms), power));
      return m.select(m.lt(x, m.c(table.flushBelow)), m.c(0), y);
    } else {
      llvm_unreachable("lookup tables need a backend with lookups");
    }
  }

  /// z(x) of the tanh approximation, doubled: x sigmoid(2u) = x/2 (1 +
  /// tanh(u)) with u = sqrt(2/pi) (x + 0.044715 x^3), as z = x (c1 + c3 x^2).
  static V geluTanhArg(M &m, V x, double cubicScale) {
    V x2 = m.mul(x, x);
    return m.mul(x, m.fma(x2, m.c(2 * kSqrtTwoOverPi * cubicScale),
                          m.c(2 * kSqrtTwoOverPi)));
  }

  /// geluTanhArg as hi + lo: |z| reaches 70 before the result drops below
  /// 2^-100, and exp(-z) turns each rounding of z into |z| half-ulps.
  static std::pair<V, Lo> geluTanhArgPair(M &m, Accuracy accuracy, V x) {
    if (accuracy == Accuracy::fast)
      return {geluTanhArg(m, x, kGeluTanhCubic), std::nullopt};
    double c1 = 2 * kSqrtTwoOverPi, c3 = c1 * kGeluTanhCubic;
    V x2h = m.mul(x, x);
    V x2l = m.fma(x, x, m.neg(x2h));
    // c3 x^2 exactly as ah + al, then ah + c1 by TwoSum.
    V ah = m.mul(x2h, m.c(c3));
    V al = m.fma(x2h, m.c(c3), m.neg(ah));
    V qh = m.add(ah, m.c(c1));
    V bb = m.sub(qh, ah);
    V ql = m.add(m.sub(ah, m.sub(qh, bb)), m.sub(m.c(c1), bb));
    // Plus the low parts of c3 x^2 and of the constants.
    ql = m.add(ql, m.add(al, m.fma(x2l, m.c(c3),
                                   m.add(m.mul(x2h, m.cLo(c3)), m.cLo(c1)))));
    return mulExact(m, x, qh, ql);
  }

  static V gelu(M &m, const Params &p, V x) {
    switch (p.approximation) {
    case GeluApproximation::none: {
      if (p.tables)
        return xTimesExp2Table(m, x, kGeluLog2Phi);
      // x Phi(x): x Phi(-|x|) below zero, x - x Phi(-|x|) above.
      NormalTail n = normalTail(m, p.accuracy, m.abs(x));
      V below = xTimesTail(m, x, n);
      V y = m.select(m.lt(x, m.c(0)), below, m.sub(x, below));
      // Below kGeluFlush |GELU(x)| < 2^-100 (DESIGN.md section 5 allows 0);
      // exp(-x^2/2) would soon lose precision to subnormals. Covers -inf.
      y = m.select(m.lt(x, m.c(kGeluFlush)), m.c(0), y);
      return m.select(m.eq(x, m.c(INFINITY)), x, y);
    }
    case GeluApproximation::tanh: {
      if (p.tables)
        return xTimesExp2Table(m, x, kGeluTanhLog2Sigmoid);
      auto [zh, zl] = geluTanhArgPair(m, p.accuracy, x);
      return xSigmoid(m, x, zh, zl);
    }
    case GeluApproximation::sigmoid: {
      auto [zh, zl] = mulExact(m, p.accuracy, x, kGeluSigmoidScale);
      return xSigmoid(m, x, zh, zl);
    }
    }
    llvm_unreachable("unknown GELU approximation");
  }

  static V geluDerivative(M &m, const Params &p, V x) {
    switch (p.approximation) {
    case GeluApproximation::none: {
      // Phi(x) + x phi(x), with Phi(x) = 1 - Phi(-x) above zero.
      NormalTail n = normalTail(m, p.accuracy, m.abs(x));
      V gauss = m.fma(n.gauss, m.neg(n.sl), n.gauss);
      V tail = m.mul(gauss, n.ratio);
      V cdf = m.select(m.lt(x, m.c(0)), tail, m.sub(m.c(1), tail));
      V y = m.fma(m.mul(x, m.c(kInvSqrtTwoPi)), gauss, cdf);
      if (p.accuracy == Accuracy::precise) {
        // Near zero Phi(x) + x phi(x) cancels: there f' = 1/2 + x E(x^2),
        // E(u) = (Phi(sqrt u) - 1/2)/sqrt u + phi(sqrt u) fitted on [0, 1]
        // (relative error 9.4e-11).
        static constexpr double nearZero[] = {
            7.274816238367794e-06, -0.00011060808289387047,
            0.0011524999156717983, -0.0094979755390503,
            0.05984123201620216,   -0.26596151321355227,
            0.7978845607280767};
        V small = m.fma(x, polynomial(m, m.mul(x, x), nearZero), m.c(0.5));
        y = m.select(m.lt(m.abs(x), m.c(1)), small, y);
      }
      return limits(m, x, y, m.c(0), m.c(1));
    }
    case GeluApproximation::tanh: {
      auto [zh, zl] = geluTanhArgPair(m, p.accuracy, x);
      // x z'(x) grows like x^3: clamp x so that it stays finite (the sigmoid
      // factors are already 0 or 1 there).
      V xc = m.max(m.min(x, m.c(1e4)), m.c(-1e4));
      // x z'(x) = x (c1 + c3 x^2), with the low parts of x^2 and of the
      // constants.
      double c1 = 2 * kSqrtTwoOverPi, c3 = 3 * c1 * kGeluTanhCubic;
      V x2h = m.mul(xc, xc);
      V x2l = m.fma(xc, xc, m.neg(x2h));
      V dz = m.fma(x2h, m.c(c3), m.c(c1));
      // dz's own rounding: c3 x2h + (c1 - dz), with c1 - dz exact where it
      // matters (dz within a few times c1).
      V dzLo = m.fma(x2h, m.c(c3), m.sub(m.c(c1), dz));
      dzLo = m.add(dzLo, m.fma(x2l, m.c(c3), m.fma(x2h, m.cLo(c3), m.cLo(c1))));
      return xSigmoidDerivative(m, p.accuracy, zh, zl, xc, dz, dzLo);
    }
    case GeluApproximation::sigmoid: {
      auto [zh, zl] = mulExact(m, p.accuracy, x, kGeluSigmoidScale);
      return xSigmoidDerivative(m, p.accuracy, zh, zl, x,
                                m.c(kGeluSigmoidScale),
                                m.cLo(kGeluSigmoidScale));
    }
    }
    llvm_unreachable("unknown GELU approximation");
  }
};

//===----------------------------------------------------------------------===//
// Double-precision backend
//===----------------------------------------------------------------------===//

/// Evaluates the formulas in double; used to fold constants.
struct DoubleMath {
  using Value = double;
  using Cond = bool;
  static constexpr bool kHasLookup = false;
  double c(double v) const { return v; }
  double cLo(double) const { return 0; }
  double add(double a, double b) const { return a + b; }
  double sub(double a, double b) const { return a - b; }
  double mul(double a, double b) const { return a * b; }
  double div(double a, double b) const { return a / b; }
  double fma(double a, double b, double c) const { return std::fma(a, b, c); }
  double neg(double a) const { return -a; }
  double abs(double a) const { return std::fabs(a); }
  double max(double a, double b) const {
    if (std::isnan(a) || std::isnan(b))
      return NAN;
    if (a == b)
      return std::signbit(a) ? b : a;
    return a > b ? a : b;
  }
  double min(double a, double b) const {
    if (std::isnan(a) || std::isnan(b))
      return NAN;
    if (a == b)
      return std::signbit(a) ? a : b;
    return a < b ? a : b;
  }
  double exp(double a) const { return std::exp(a); }
  double expm1(double a) const { return std::expm1(a); }
  bool gt(double a, double b) const { return a > b; }
  bool ge(double a, double b) const { return a >= b; }
  bool lt(double a, double b) const { return a < b; }
  bool le(double a, double b) const { return a <= b; }
  bool eq(double a, double b) const { return a == b; }
  bool andC(bool a, bool b) const { return a && b; }
  double select(bool cond, double a, double b) const { return cond ? a : b; }
  bool isNaN(double a) const { return std::isnan(a); }
  DoubleMath wide() const { return *this; }
  double widen(double a) const { return a; }
  double narrow(double a) const { return a; }
};

/// f(x) in double.
double evaluateActivation(ActivationKind kind, const ActivationParams &params,
                          double x);
/// dy * f'(x) in double.
double evaluateActivationGradient(ActivationKind kind,
                                  const ActivationParams &params, double x,
                                  double dy);

} // namespace mlir::act

#endif // ACT_MATH_ACTIVATION_H
