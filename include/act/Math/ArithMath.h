//===- ArithMath.h - Activation formulas as arith/math IR -------*- C++ -*-===//
//
// The IR backend of ActivationFormulas: every activation and derivative is
// emitted through it, so act-expand, the GLU/FFN/matmul epilogues and the
// targets share one expansion.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_MATH_ARITHMATH_H
#define ACT_MATH_ARITHMATH_H

#include "act/Math/Activation.h"

#include "mlir/IR/Builders.h"

namespace mlir::act {

/// Emits arith and math ops on a float or vector-of-float working type.
class ArithMath {
public:
  using Value = mlir::Value;
  using Cond = mlir::Value;
  /// An i32 value of the working type's shape (the bits of f32 values).
  using Int = mlir::Value;
  /// Lookups and the integer view below exist (f32 working types only).
  static constexpr bool kHasLookup = true;

  ArithMath(OpBuilder &builder, Location loc, Type type)
      : b(builder), loc(loc), type(type) {}

  Value c(double v);
  Value cLo(double v);
  Value add(Value a, Value b);
  Value sub(Value a, Value b);
  Value mul(Value a, Value b);
  Value div(Value a, Value b);
  Value fma(Value a, Value b, Value c);
  Value neg(Value a);
  Value abs(Value a);
  Value max(Value a, Value b);
  Value min(Value a, Value b);
  Value exp(Value a);
  Value expm1(Value a);
  Cond gt(Value a, Value b);
  Cond ge(Value a, Value b);
  Cond lt(Value a, Value b);
  Cond le(Value a, Value b);
  Cond eq(Value a, Value b);
  Cond andC(Cond a, Cond b);
  Value select(Cond cond, Value a, Value b);
  Cond isNaN(Value a);
  /// The same math in f64 (same shape), and the conversions to and from it.
  ArithMath wide();
  Value widen(Value a);
  Value narrow(Value a);

  /// Whether the integer view below exists: the working type is f32.
  bool hasIntegerView() const;
  /// The integer view of f32 values, for range reductions that build or
  /// read exponent fields.
  Int bits(Value a);
  Value fromBits(Int a);
  Int ci(int64_t v);
  Int addI(Int a, Int b);
  Int subI(Int a, Int b);
  Int andI(Int a, Int b);
  Int shl(Int a, int64_t shift);
  Int shrU(Int a, int64_t shift);
  Int shrS(Int a, int64_t shift);
  Int minSI(Int a, Int b);
  Int maxSI(Int a, Int b);
  Value intToFloat(Int a);
  Value copySign(Value magnitude, Value sign);
  /// values[index mod values.size()] (act.lookup; a power of two of values).
  Value lookup(ArrayRef<float> values, Int index);

private:
  Type intType();

  OpBuilder &b;
  Location loc;
  Type type;
};

/// The type activations are computed in for values of `type`: f16 and bf16
/// (scalar or vector) compute in f32 and round once; f32 and f64 as they are.
Type getComputeType(Type type);

/// The formulas an activation (not a derivative) rounded to `resultElement`
/// needs under `requested`. `precise` on an f16/bf16 result means within 1
/// ULP of the narrow type (DESIGN.md section 5), and the fast formulas
/// already meet that: their measured bound (docs/accuracy.md) is at most
/// 199 f32 ULP (gelu_tanh), under 2^12 f32 ULP, half an f16 ULP (2^15 for
/// bf16), so the one rounding to the narrow type stays within 1 ULP. Others
/// keep `requested`; derivatives should not ask (their cancellation zones
/// are bounded in absolute error).
Accuracy getActivationAccuracy(Accuracy requested, Type resultElement);

/// Extends `v` to getComputeType of its type (no-op for f32/f64).
Value extendToComputeType(OpBuilder &b, Location loc, Value v);

/// Rounds `v` to `type` once (no-op when it already has it).
Value truncateTo(OpBuilder &b, Location loc, Value v, Type type);

/// Emits f(x) for a scalar or vector `x`. `beta`, when given, replaces
/// params.beta by a runtime value of x's type (learnable Swish).
Value buildActivation(OpBuilder &b, Location loc, ActivationKind kind,
                      const ActivationParams &params, Value x, Value beta = {},
                      MathOptions options = {});

/// Emits dy * f'(x) for scalars or vectors `x` and `dy` of one type.
Value buildActivationGradient(OpBuilder &b, Location loc, ActivationKind kind,
                              const ActivationParams &params, Value x, Value dy,
                              Value beta = {}, MathOptions options = {});

} // namespace mlir::act

#endif // ACT_MATH_ARITHMATH_H
