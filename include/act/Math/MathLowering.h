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

/// The instructions act.lookup becomes.
enum class LookupLowering {
  /// One extract per lane: correct on any target.
  generic,
  /// vpermps on 8 lanes, for tables of up to 8 values.
  avx2,
  /// vpermps / vpermt2ps on 16 lanes, for tables of up to 32 values.
  avx512,
};

/// Adds the rewrites of math.exp, expm1, log1p, erf, erfc and tanh on f32,
/// f16 and bf16 (scalars or vectors) into arith ops. `precise` is within 2
/// ULP of the true result for every finite input where the result is at least
/// 2^-100 in magnitude (smaller results may be flushed to zero); `fast` uses
/// shorter polynomials.
/// With `lookup` = avx512, exp of vectors whose length is a multiple of
/// 16 reduces by ln2/16 and takes 2^(i/16) from a 16-entry lookup (a cubic
/// instead of a degree-7 polynomial).
void populateActMathLoweringPatterns(
    RewritePatternSet &patterns, Accuracy accuracy,
    LookupLowering lookup = LookupLowering::generic);

/// Adds the rewrite of act.lookup on i32 scalars and 1-D vectors: with
/// `avx512` or `avx2`, vectors whose length is a multiple of the register
/// width become one permute per register (LLVM x86 intrinsics), other
/// lookups one extract per lane.
void populateActLookupLoweringPatterns(RewritePatternSet &patterns,
                                       LookupLowering lowering);

} // namespace mlir::act

#endif // ACT_MATH_MATHLOWERING_H
