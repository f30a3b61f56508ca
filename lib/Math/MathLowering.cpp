//===- MathLowering.cpp - act's own f32 vector math -----------*- C++ -*-===//
//
// math.exp/expm1/log1p/erf/erfc/tanh on f32 as arith ops. Coefficients were
// fitted with mpmath (relative-error least squares on Chebyshev nodes);
// the accuracy harness (tools/act-accuracy) measures the result.
//
//===----------------------------------------------------------------------===//

#include "act/Math/MathLowering.h"
#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Math/ArithMath.h"
#include "act/Math/LogTables.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::act;

namespace {

/// What the builders below may use.
struct Options {
  Accuracy accuracy;
  LookupLowering lookup;
};

Value poly(ArithMath &m, Value t, ArrayRef<double> coefficients) {
  return ActivationFormulas<ArithMath>::polynomial(m, t, coefficients);
}

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

Reduced reduce(ArithMath &m, Accuracy accuracy, Value x) {
  // k holds n + 126 in its low mantissa bits.
  Value k = m.fma(x, m.c(kLog2E), m.c(kRoundMagic + 126));
  Value n = m.sub(k, m.c(kRoundMagic + 126));
  Value r = m.fma(n, m.c(-kLn2Hi), x);
  r = m.fma(n, m.c(-kLn2Lo), r);
  ArrayRef<double> coefficients = accuracy == Accuracy::precise
                                      ? ArrayRef<double>(kExpPrecise)
                                      : ArrayRef<double>(kExpFast);
  Value r2 = m.mul(r, r);
  Value em1 = m.fma(r2, poly(m, r, coefficients), r);
  Value halfScale = m.fromBits(m.shl(m.bits(k), 23));
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

/// The value of a scalar or splat float constant.
std::optional<double> getSplatConstant(Value v) {
  FloatAttr scalar;
  DenseElementsAttr dense;
  if (matchPattern(v, m_Constant(&scalar)))
    return scalar.getValueAsDouble();
  if (matchPattern(v, m_Constant(&dense)) && dense.isSplat())
    return dense.getSplatValue<APFloat>().convertToDouble();
  return std::nullopt;
}

/// Whether `x` is a clamp of `OpTy` (minimumf or maximumf) with a constant
/// for which `ok` holds, or such a clamp of the other kind around one.
template <typename OpTy, typename OtherTy, typename Ok>
bool isClampedBy(Value x, Ok ok) {
  if (auto other = x.getDefiningOp<OtherTy>())
    return llvm::any_of(other->getOperands(), [&](Value operand) {
      return isClampedBy<OpTy, OtherTy>(operand, ok);
    });
  auto clamp = x.getDefiningOp<OpTy>();
  return clamp && llvm::any_of(clamp->getOperands(), [&](Value operand) {
           std::optional<double> c = getSplatConstant(operand);
           return c && ok(*c);
         });
}

/// Whether exp(x) cannot overflow: x = -v with v known non-negative, or x
/// clamped by minimumf to a constant below the overflow threshold.
bool isKnownBelowOverflow(Value x) {
  if (auto neg = x.getDefiningOp<arith::NegFOp>())
    return isKnownNonNegative(neg.getOperand());
  return isClampedBy<arith::MinimumFOp, arith::MaximumFOp>(
      x, [](double c) { return c < kExpOverflow; });
}

/// Whether exp(x) is at least 2^-125 (or NaN): x clamped by maximumf to a
/// constant at or above the flush threshold.
bool isKnownAboveFlush(Value x) {
  return isClampedBy<arith::MaximumFOp, arith::MinimumFOp>(
      x, [](double c) { return c >= kExpFlush; });
}

/// Whether lookups on `x`'s type are one instruction each.
bool hasFastLookup(const Options &o, Value x) {
  auto vector = dyn_cast<VectorType>(x.getType());
  return o.lookup == LookupLowering::avx512 && vector &&
         vector.getRank() == 1 && vector.getNumElements() % 16 == 0;
}

// ln2/16 split so that m * kLn2SixteenthHi is exact for |m| < 2^15.
constexpr double kLn2SixteenthHi = 0.693359375 / 16;
constexpr double kLn2SixteenthLo = -2.12194440054690582e-4 / 16;

/// exp(x) = 2^e 2^(i/16) e^r with x = (16 e + i) ln2/16 + r, |r| <= ln2/32:
/// 2^(i/16) and its rounding error from 16-entry lookups, e^r - 1 a cubic,
/// 2^e added to the exponent field. Within 0.6 ULP (one rounding plus the
/// cubic's 5e-9); where x may exceed 88.7 (e = 128), the scale is halved
/// and the result doubled.
Value buildExpWithLookup(ArithMath &m, Value x, bool mayOverflow) {
  Value k = m.fma(x, m.c(16 * kLog2E), m.c(kRoundMagic));
  Value n = m.sub(k, m.c(kRoundMagic));
  Value r = m.fma(n, m.c(-kLn2SixteenthHi), x);
  r = m.fma(n, m.c(-kLn2SixteenthLo), r);
  Value q = m.fma(m.c(kExpMinusOneCubic[1]), r, m.c(kExpMinusOneCubic[0]));
  Value em1 = m.fma(m.mul(r, r), q, r);
  Value kBits = m.bits(k);
  // k's bits are those of kRoundMagic (a multiple of 16 whose bits above
  // the fourth leave 32 bits when shifted by 23) plus 16 e + i. 2^e goes
  // into the table value, which stays normal down to the flush threshold;
  // NaN propagates through em1.
  Value scaled = ActivationFormulas<ArithMath>::powerOfTwo(
      m, kBits, kExp2Sixteenths, mayOverflow ? -1 : 0);
  Value y =
      m.fma(scaled, m.add(em1, m.lookup(kExp2SixteenthsLo, kBits)), scaled);
  return mayOverflow ? m.add(y, y) : y;
}

Value buildExp(ArithMath &m, const Options &o, Value x) {
  bool mayOverflow = !isKnownBelowOverflow(x);
  bool mayFlush = !isKnownAboveFlush(x);
  if (hasFastLookup(o, x)) {
    Value y = buildExpWithLookup(m, x, mayOverflow);
    if (mayOverflow)
      y = m.select(m.gt(x, m.c(kExpOverflow)), m.c(INFINITY), y);
    if (mayFlush)
      y = m.select(m.lt(x, m.c(kExpFlush)), m.c(0), y);
    return y;
  }
  Reduced red = reduce(m, o.accuracy, x);
  Value y = m.fma(red.halfScale, red.em1, red.halfScale);
  y = m.add(y, y);
  if (mayOverflow)
    y = m.select(m.gt(x, m.c(kExpOverflow)), m.c(INFINITY), y);
  if (mayFlush)
    y = m.select(m.lt(x, m.c(kExpFlush)), m.c(0), y);
  return y;
}

/// expm1(x) = 2 (2^(n-1) (e^r - 1) + (2^(n-1) - 1/2)), exact for n = 0.
Value buildExpm1(ArithMath &m, const Options &o, Value x) {
  Reduced red = reduce(m, o.accuracy, x);
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
Value buildLog1p(ArithMath &m, const Options &o, Value x) {
  Value u = m.add(m.c(1), x);
  Value correction = m.div(m.sub(x, m.sub(u, m.c(1))), u);
  // Bring the mantissa into [sqrt(1/2), sqrt(2)) by biasing the exponent
  // split at sqrt(1/2): bits(u) - bits(sqrt(1/2)).
  Value bits = m.bits(u);
  Value shifted = m.subI(bits, m.ci(0x3f3504f3));
  Value e = m.intToFloat(m.shrS(shifted, 23));
  Value mantissa = m.fromBits(
      m.subI(bits, m.andI(shifted, m.ci(static_cast<int64_t>(0xff800000u)))));
  Value f = m.sub(mantissa, m.c(1));
  Value f2 = m.mul(f, f);
  ArrayRef<double> coefficients = o.accuracy == Accuracy::precise
                                      ? ArrayRef<double>(kLogPrecise)
                                      : ArrayRef<double>(kLogFast);
  Value tail = m.mul(m.mul(f, f2), poly(m, f, coefficients));
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
Value buildErfcOfAbs(ArithMath &m, const Options &o, Value x) {
  Value a = m.min(m.abs(x), m.c(10));
  Value s = m.mul(a, a);
  Value gauss = buildExp(m, o, m.neg(s));
  if (o.accuracy == Accuracy::precise)
    gauss = m.fma(gauss, m.neg(m.fma(a, a, m.neg(s))), gauss);
  Value ratio = ActivationFormulas<ArithMath>::millsRatio(
      m, o.accuracy, m.mul(a, m.c(1.41421356237309504880)));
  return m.mul(m.add(gauss, gauss), ratio);
}

Value buildErfc(ArithMath &m, const Options &o, Value x) {
  Value r = buildErfcOfAbs(m, o, x);
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

Value buildErf(ArithMath &m, const Options &o, Value x) {
  Value small = m.mul(x, poly(m, m.mul(x, x), kErfSmall));
  Value large = m.copySign(m.sub(m.c(1), buildErfcOfAbs(m, o, x)), x);
  return m.select(m.lt(m.abs(x), m.c(0.5)), small, large);
}

/// tanh(x) = sign(x) e / (e + 2) with e = expm1(2|x|); 1 beyond |x| = 10.
Value buildTanh(ArithMath &m, const Options &o, Value x) {
  Value a = m.abs(x);
  Value e = buildExpm1(m, o, m.add(a, a));
  Value y = m.div(e, m.add(e, m.c(2)));
  y = m.select(m.gt(a, m.c(10)), m.c(1), y);
  return m.copySign(y, x);
}

using Builder = Value (*)(ArithMath &, const Options &, Value);

/// Rewrites one unary math op on f32/f16/bf16 scalars or vectors.
template <typename OpTy> struct LowerUnaryMath final : OpRewritePattern<OpTy> {
  LowerUnaryMath(MLIRContext *ctx, Options options, Builder build)
      : OpRewritePattern<OpTy>(ctx), options(options), build(build) {}

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
    ArithMath m(rewriter, loc, x.getType());
    Value y = build(m, options, x);
    rewriter.replaceOp(op, truncateTo(rewriter, loc, y, type));
    return success();
  }

  Options options;
  Builder build;
};

/// Rewrites act.lookup into x86 permutes (one per register) or one extract
/// per lane.
struct LowerLookup final : OpRewritePattern<LookupOp> {
  LowerLookup(MLIRContext *ctx, LookupLowering lowering)
      : OpRewritePattern(ctx), lowering(lowering) {}

  LogicalResult matchAndRewrite(LookupOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getIndex().getType();
    auto vectorType = dyn_cast<VectorType>(type);
    if (!type.isInteger(32) &&
        (!vectorType || vectorType.getRank() != 1 || vectorType.isScalable()))
      return rewriter.notifyMatchFailure(op, "not a scalar or a 1-D vector");
    ArrayRef<float> values = op.getValues();
    int64_t lanes = vectorType ? vectorType.getNumElements() : 1;
    int64_t width = lowering == LookupLowering::avx512 ? 16
                    : lowering == LookupLowering::avx2 ? 8
                                                       : 0;
    int64_t maxValues = lowering == LookupLowering::avx512 ? 32 : width;
    Value result;
    if (width && lanes % width == 0 &&
        static_cast<int64_t>(values.size()) <= maxValues)
      result = permute(rewriter, op, width);
    else
      result = extractPerLane(rewriter, op);
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  /// A vector<width x f32> constant of values[offset + i mod size].
  static Value tableRegister(PatternRewriter &rewriter, Location loc,
                             ArrayRef<float> values, int64_t width,
                             int64_t offset) {
    SmallVector<float> lanes;
    for (int64_t i = 0; i < width; ++i)
      lanes.push_back(values[(offset + i) % values.size()]);
    auto type = VectorType::get({width}, rewriter.getF32Type());
    return arith::ConstantOp::create(
        rewriter, loc, type, DenseElementsAttr::get(type, ArrayRef(lanes)));
  }

  Value permute(PatternRewriter &rewriter, LookupOp op, int64_t width) const {
    Location loc = op.getLoc();
    ArrayRef<float> values = op.getValues();
    auto resultType = cast<VectorType>(op.getType());
    auto chunkType = VectorType::get({width}, rewriter.getF32Type());
    Value low = tableRegister(rewriter, loc, values, width, 0);
    Value high;
    StringRef intrinsic =
        width == 8 ? "llvm.x86.avx2.permps" : "llvm.x86.avx512.permvar.sf.512";
    if (static_cast<int64_t>(values.size()) > width) {
      high = tableRegister(rewriter, loc, values, width, width);
      intrinsic = "llvm.x86.avx512.vpermi2var.ps.512";
    }
    Value result = arith::ConstantOp::create(rewriter, loc, resultType,
                                             rewriter.getZeroAttr(resultType));
    int64_t lanes = resultType.getNumElements();
    for (int64_t offset = 0; offset < lanes; offset += width) {
      Value index = op.getIndex();
      if (lanes != width)
        index = vector::ExtractStridedSliceOp::create(
            rewriter, loc, index, ArrayRef<int64_t>{offset},
            ArrayRef<int64_t>{width}, ArrayRef<int64_t>{1});
      SmallVector<Value, 3> args = {low, index};
      if (high)
        args.push_back(high);
      Value chunk =
          LLVM::CallIntrinsicOp::create(rewriter, loc, chunkType,
                                        rewriter.getStringAttr(intrinsic), args)
              .getResult(0);
      if (lanes == width)
        return chunk;
      result = vector::InsertStridedSliceOp::create(
          rewriter, loc, chunk, result, ArrayRef<int64_t>{offset},
          ArrayRef<int64_t>{1});
    }
    return result;
  }

  static Value extractPerLane(PatternRewriter &rewriter, LookupOp op) {
    Location loc = op.getLoc();
    ArrayRef<float> values = op.getValues();
    int64_t size = values.size();
    Value table = tableRegister(rewriter, loc, values, size, 0);
    Value mask = arith::ConstantOp::create(
        rewriter, loc, rewriter.getI32IntegerAttr(size - 1));
    auto lookupOne = [&](Value index) -> Value {
      Value slot = arith::AndIOp::create(rewriter, loc, index, mask);
      Value position = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(), slot);
      return vector::ExtractOp::create(rewriter, loc, table,
                                       ArrayRef<OpFoldResult>{position});
    };
    auto vectorType = dyn_cast<VectorType>(op.getType());
    if (!vectorType)
      return lookupOne(op.getIndex());
    Value result = arith::ConstantOp::create(rewriter, loc, vectorType,
                                             rewriter.getZeroAttr(vectorType));
    for (int64_t i = 0, e = vectorType.getNumElements(); i < e; ++i) {
      Value index = vector::ExtractOp::create(rewriter, loc, op.getIndex(),
                                              ArrayRef<int64_t>{i});
      result = vector::InsertOp::create(rewriter, loc, lookupOne(index), result,
                                        ArrayRef<int64_t>{i});
    }
    return result;
  }

  LookupLowering lowering;
};

} // namespace

void mlir::act::populateActLookupLoweringPatterns(RewritePatternSet &patterns,
                                                  LookupLowering lowering) {
  patterns.add<LowerLookup>(patterns.getContext(), lowering);
}

void mlir::act::populateActMathLoweringPatterns(RewritePatternSet &patterns,
                                                Accuracy accuracy,
                                                LookupLowering lookup) {
  MLIRContext *ctx = patterns.getContext();
  Options options{accuracy, lookup};
  patterns.add<LowerUnaryMath<math::ExpOp>>(ctx, options, buildExp);
  patterns.add<LowerUnaryMath<math::ExpM1Op>>(ctx, options, buildExpm1);
  patterns.add<LowerUnaryMath<math::Log1pOp>>(ctx, options, buildLog1p);
  patterns.add<LowerUnaryMath<math::ErfOp>>(ctx, options, buildErf);
  patterns.add<LowerUnaryMath<math::ErfcOp>>(ctx, options, buildErfc);
  patterns.add<LowerUnaryMath<math::TanhOp>>(ctx, options, buildTanh);
}
