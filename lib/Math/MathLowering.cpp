//===- MathLowering.cpp - act's own f32 vector math -----------*- C++ -*-===//
//
// math.exp/expm1/log1p/erf/erfc/tanh on f32 as arith ops. Coefficients were
// fitted with mpmath (relative-error least squares on Chebyshev nodes);
// the accuracy harness (tools/act-accuracy) measures the result.
//
//===----------------------------------------------------------------------===//

#include "act/Math/MathLowering.h"
#include "act/Math/ArithMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::act;

namespace {

/// ArithMath plus the integer view of f32 values that range reduction needs.
class F32Math : public ArithMath {
public:
  F32Math(OpBuilder &b, Location loc, Type floatType)
      : ArithMath(b, loc, floatType), b(b), loc(loc), floatType(floatType) {
    intType = IntegerType::get(b.getContext(), 32);
    if (auto vec = dyn_cast<VectorType>(floatType))
      intType = vec.clone(intType);
  }

  Value bitsOf(Value v) { return arith::BitcastOp::create(b, loc, intType, v); }
  Value fromBits(Value v) {
    return arith::BitcastOp::create(b, loc, floatType, v);
  }
  Value i(int64_t v) {
    auto attr = b.getIntegerAttr(getElementTypeOrSelf(intType), v);
    if (auto vec = dyn_cast<VectorType>(intType))
      return arith::ConstantOp::create(b, loc, vec,
                                       SplatElementsAttr::get(vec, attr));
    return arith::ConstantOp::create(b, loc, intType, attr);
  }
  Value shl(Value v, int64_t s) {
    return arith::ShLIOp::create(b, loc, v, i(s));
  }
  Value andI(Value v, int64_t mask) {
    return arith::AndIOp::create(b, loc, v, i(mask));
  }
  Value subI(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value intToFloat(Value v) {
    return arith::SIToFPOp::create(b, loc, floatType, v);
  }
  Value copySign(Value mag, Value sign) {
    return math::CopySignOp::create(b, loc, mag, sign);
  }
  Value shrSigned(Value v, int64_t s) {
    return arith::ShRSIOp::create(b, loc, v, i(s));
  }
  Value poly(Value t, ArrayRef<double> coefficients) {
    Value acc = c(coefficients.front());
    for (double coefficient : coefficients.drop_front())
      acc = fma(acc, t, c(coefficient));
    return acc;
  }

private:
  OpBuilder &b;
  Location loc;
  Type floatType;
  Type intType;
};

constexpr double kLog2E = 1.44269504088896340736;
// ln 2 split so that n * kLn2Hi is exact for |n| < 2^10.
constexpr double kLn2Hi = 0.693145751953125;
constexpr double kLn2Lo = 1.42860682030941723212e-6;
// 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits.
constexpr double kRoundMagic = 12582912.0;
// exp overflows above this, and is below 2^-125 (flushed) under kExpFlush.
constexpr double kExpOverflow = 88.72283935546875;
constexpr double kExpFlush = -86.5;

/// (e^r - 1 - r) / r^2 on |r| <= ln2/2.
constexpr double kExpPrecise[] = {0.00019849518511963127, 0.001393358127916411,
                                  0.00833337312756318,    0.041666465723277875,
                                  0.166666664952136,      0.5000000013350249};
constexpr double kExpFast[] = {0.008335302607259547, 0.04183347785795988,
                               0.16666827760976274, 0.49999750943899945};

/// Range reduction shared by exp and expm1: x = n ln2 + r, |r| <= ln2/2;
/// returns r, e^r - 1 and 2^(n-1).
struct Reduced {
  Value r, em1, halfScale;
};

Reduced reduce(F32Math &m, Accuracy accuracy, Value x) {
  // k holds n + 126 in its low mantissa bits.
  Value k = m.fma(x, m.c(kLog2E), m.c(kRoundMagic + 126));
  Value n = m.sub(k, m.c(kRoundMagic + 126));
  Value r = m.fma(n, m.c(-kLn2Hi), x);
  r = m.fma(n, m.c(-kLn2Lo), r);
  ArrayRef<double> coefficients = accuracy == Accuracy::precise
                                      ? ArrayRef<double>(kExpPrecise)
                                      : ArrayRef<double>(kExpFast);
  Value r2 = m.mul(r, r);
  Value em1 = m.fma(r2, m.poly(r, coefficients), r);
  Value halfScale = m.fromBits(m.shl(m.bitsOf(k), 23));
  return {r, em1, halfScale};
}

/// exp(x) = 2 * 2^(n-1) * (1 + (e^r - 1)); the halved scale keeps n = 128
/// representable.
/// Whether `v` is >= 0 or NaN by construction (|y|, products and minima of
/// such values, non-negative constants): then exp(-v) cannot overflow.
bool isKnownNonNegative(Value v, int depth = 0) {
  if (depth > 4)
    return false;
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isa<math::AbsFOp>(def))
    return true;
  if (isa<arith::MulFOp, arith::MinimumFOp, arith::MaximumFOp, arith::AddFOp>(
          def))
    return llvm::all_of(def->getOperands(), [&](Value operand) {
      return isKnownNonNegative(operand, depth + 1);
    });
  if (isa<arith::ExtFOp>(def))
    return isKnownNonNegative(def->getOperand(0), depth + 1);
  DenseElementsAttr dense;
  FloatAttr scalar;
  if (matchPattern(v, m_Constant(&scalar)))
    return !scalar.getValue().isNegative();
  if (matchPattern(v, m_Constant(&dense)) && dense.isSplat())
    return !dense.getSplatValue<APFloat>().isNegative();
  return false;
}

/// Whether exp(x) cannot overflow: x = -v with v known non-negative, or x
/// clamped by minimumf to a constant below the overflow threshold.
bool isKnownBelowOverflow(Value x) {
  if (auto neg = x.getDefiningOp<arith::NegFOp>())
    return isKnownNonNegative(neg.getOperand());
  if (auto min = x.getDefiningOp<arith::MinimumFOp>()) {
    for (Value operand : min->getOperands()) {
      FloatAttr scalar;
      DenseElementsAttr dense;
      if (matchPattern(operand, m_Constant(&scalar)) &&
          scalar.getValueAsDouble() < kExpOverflow)
        return true;
      if (matchPattern(operand, m_Constant(&dense)) && dense.isSplat() &&
          dense.getSplatValue<APFloat>().convertToDouble() < kExpOverflow)
        return true;
    }
  }
  return false;
}

Value buildExp(F32Math &m, Accuracy accuracy, Value x) {
  Reduced red = reduce(m, accuracy, x);
  Value y = m.fma(red.halfScale, red.em1, red.halfScale);
  y = m.add(y, y);
  if (!isKnownBelowOverflow(x))
    y = m.select(m.gt(x, m.c(kExpOverflow)), m.c(INFINITY), y);
  return m.select(m.lt(x, m.c(kExpFlush)), m.c(0), y);
}

/// expm1(x) = 2 (2^(n-1) (e^r - 1) + (2^(n-1) - 1/2)), exact for n = 0.
Value buildExpm1(F32Math &m, Accuracy accuracy, Value x) {
  Reduced red = reduce(m, accuracy, x);
  Value y = m.fma(red.halfScale, red.em1, m.sub(red.halfScale, m.c(0.5)));
  y = m.add(y, y);
  y = m.select(m.gt(x, m.c(kExpOverflow)), m.c(INFINITY), y);
  return m.select(m.lt(x, m.c(kExpFlush)), m.c(-1), y);
}

/// log(1 + f) - f + f^2/2 over f^3 on [sqrt(1/2) - 1, sqrt(2) - 1] (Cephes
/// logf).
constexpr double kLogPrecise[] = {
    7.0376836292E-2,  -1.1514610310E-1, 1.1676998740E-1,
    -1.2420140846E-1, 1.4249322787E-1,  -1.6668057665E-1,
    2.0000714765E-1,  -2.4999993993E-1, 3.3333331174E-1};
constexpr double kLogFast[] = {-1.6668057665E-1, 2.0000714765E-1,
                               -2.4999993993E-1, 3.3333331174E-1};

/// log1p(x): u = 1 + x = 2^e m with m in [sqrt(1/2), sqrt(2)), log(m) by
/// polynomial, plus the rounding error of u, (x - (u - 1)) / u.
Value buildLog1p(F32Math &m, Accuracy accuracy, Value x) {
  Value u = m.add(m.c(1), x);
  Value correction = m.div(m.sub(x, m.sub(u, m.c(1))), u);
  // Bring the mantissa into [sqrt(1/2), sqrt(2)) by biasing the exponent
  // split at sqrt(1/2): bits(u) - bits(sqrt(1/2)).
  Value bits = m.bitsOf(u);
  Value shifted = m.subI(bits, m.i(0x3f3504f3));
  Value e = m.intToFloat(m.shrSigned(shifted, 23));
  Value mantissa = m.fromBits(
      m.subI(bits, m.andI(shifted, static_cast<int64_t>(0xff800000u))));
  Value f = m.sub(mantissa, m.c(1));
  Value f2 = m.mul(f, f);
  ArrayRef<double> coefficients = accuracy == Accuracy::precise
                                      ? ArrayRef<double>(kLogPrecise)
                                      : ArrayRef<double>(kLogFast);
  Value tail = m.mul(m.mul(f, f2), m.poly(f, coefficients));
  tail = m.fma(f2, m.c(-0.5), tail);
  Value lo = m.fma(e, m.c(-2.12194440e-4), correction);
  Value y = m.add(f, m.add(tail, lo));
  y = m.fma(e, m.c(0.693359375), y);
  // log1p(-1) = -inf, below -1 NaN, +inf stays +inf; NaN propagates.
  y = m.select(m.eq(x, m.c(INFINITY)), x, y);
  y = m.select(m.eq(x, m.c(-1)), m.c(-INFINITY), y);
  return m.select(m.lt(x, m.c(-1)), m.c(NAN), y);
}

/// erfc(|x|) = exp(-x^2) 2 Psi(sqrt(2) |x|), with Psi the Mills ratio of
/// ActivationFormulas and |x| clamped to 10, where erfc is below 2^-140.
Value buildErfcOfAbs(F32Math &m, Accuracy accuracy, Value x) {
  Value a = m.min(m.abs(x), m.c(10));
  Value s = m.mul(a, a);
  Value gauss = buildExp(m, accuracy, m.neg(s));
  if (accuracy == Accuracy::precise)
    gauss = m.fma(gauss, m.neg(m.fma(a, a, m.neg(s))), gauss);
  Value ratio = ActivationFormulas<ArithMath>::millsRatio(
      m, accuracy, m.mul(a, m.c(1.41421356237309504880)));
  return m.mul(m.add(gauss, gauss), ratio);
}

Value buildErfc(F32Math &m, Accuracy accuracy, Value x) {
  Value r = buildErfcOfAbs(m, accuracy, x);
  return m.select(m.lt(x, m.c(0)), m.sub(m.c(2), r), r);
}

/// Taylor series of erf(x) / x in x^2, for |x| < 1/2.
constexpr double kErfSmall[] = {-2.0 / 1.7724538509055160273 / 75600.0 * 1.0,
                                2.0 / 1.7724538509055160273 / 9360.0,
                                -2.0 / 1.7724538509055160273 / 1320.0,
                                2.0 / 1.7724538509055160273 / 216.0,
                                -2.0 / 1.7724538509055160273 / 42.0,
                                2.0 / 1.7724538509055160273 / 10.0,
                                -2.0 / 1.7724538509055160273 / 3.0,
                                2.0 / 1.7724538509055160273};

Value buildErf(F32Math &m, Accuracy accuracy, Value x) {
  Value small = m.mul(x, m.poly(m.mul(x, x), kErfSmall));
  Value large = m.copySign(m.sub(m.c(1), buildErfcOfAbs(m, accuracy, x)), x);
  return m.select(m.lt(m.abs(x), m.c(0.5)), small, large);
}

/// tanh(x) = sign(x) e / (e + 2) with e = expm1(2|x|); 1 beyond |x| = 10.
Value buildTanh(F32Math &m, Accuracy accuracy, Value x) {
  Value a = m.abs(x);
  Value e = buildExpm1(m, accuracy, m.add(a, a));
  Value y = m.div(e, m.add(e, m.c(2)));
  y = m.select(m.gt(a, m.c(10)), m.c(1), y);
  return m.copySign(y, x);
}

using Builder = Value (*)(F32Math &, Accuracy, Value);

/// Rewrites one unary math op on f32/f16/bf16 scalars or vectors.
template <typename OpTy> struct LowerUnaryMath final : OpRewritePattern<OpTy> {
  LowerUnaryMath(MLIRContext *ctx, Accuracy accuracy, Builder build)
      : OpRewritePattern<OpTy>(ctx), accuracy(accuracy), build(build) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    Type element = getElementTypeOrSelf(type);
    if (!element.isF32() && !element.isF16() && !element.isBF16())
      return rewriter.notifyMatchFailure(op, "not f32, f16 or bf16");
    if (!isa<FloatType, VectorType>(type))
      return rewriter.notifyMatchFailure(op, "not a scalar or vector");
    Location loc = op.getLoc();
    Value x = extendToComputeType(rewriter, loc, op.getOperand());
    F32Math m(rewriter, loc, x.getType());
    Value y = build(m, accuracy, x);
    rewriter.replaceOp(op, truncateTo(rewriter, loc, y, type));
    return success();
  }

  Accuracy accuracy;
  Builder build;
};

} // namespace

void mlir::act::populateActMathLoweringPatterns(RewritePatternSet &patterns,
                                                Accuracy accuracy) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerUnaryMath<math::ExpOp>>(ctx, accuracy, buildExp);
  patterns.add<LowerUnaryMath<math::ExpM1Op>>(ctx, accuracy, buildExpm1);
  patterns.add<LowerUnaryMath<math::Log1pOp>>(ctx, accuracy, buildLog1p);
  patterns.add<LowerUnaryMath<math::ErfOp>>(ctx, accuracy, buildErf);
  patterns.add<LowerUnaryMath<math::ErfcOp>>(ctx, accuracy, buildErfc);
  patterns.add<LowerUnaryMath<math::TanhOp>>(ctx, accuracy, buildTanh);
}
