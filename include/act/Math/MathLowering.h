//===- MathLowering.h - act's own f32 vector math -------------*- C++ -*-===//
//
// Rewrites of math.exp, math.expm1, math.log1p, math.erf, math.erfc and
// math.tanh on f32 (scalars and vectors; f16/bf16 through f32) into arith
// ops: range reduction, fitted polynomials and explicit special values, no
// libm calls. Shared by the CPU and GPU pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_MATH_MATHLOWERING_H
#define ACT_MATH_MATHLOWERING_H

#include "act/Math/Activation.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mlir::act {

/// Adds the rewrites of math.exp, expm1, log1p, erf, erfc and tanh on f32,
/// f16 and bf16 (scalars or vectors) into arith ops. `precise` is within 2
/// ULP of the true result for every finite input where the result is at least
/// 2^-100 in magnitude (smaller results may be flushed to zero); `fast` uses
/// shorter polynomials.
void populateActMathLoweringPatterns(RewritePatternSet &patterns,
                                     Accuracy accuracy);

} // namespace mlir::act

#endif // ACT_MATH_MATHLOWERING_H
