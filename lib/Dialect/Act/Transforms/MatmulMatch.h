//===- MatmulMatch.h - recognizing and lowering matmuls -------*- C++ -*-===//
//
// What act-fuse-epilogue and act-fuse-glu recognize as "a matmul plus an
// optional bias": linalg.matmul / linalg.batch_matmul into a zero fill, or
// an act.matmul without epilogue, followed by a row-broadcast bias add.
// And act.matmul's epilogue on accumulators, for every lowering of it (CPU
// and GPU), and act.pack_b's layout for those that do not read it as is.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_LIB_DIALECT_ACT_TRANSFORMS_MATMULMATCH_H
#define ACT_LIB_DIALECT_ACT_TRANSFORMS_MATMULMATCH_H

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Math/Activation.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::act {

/// The indexing maps of a (batch) matmul of `rank` (2 or 3) over
/// (batch, m, n, k), with B read as N x K when `transposeB`.
ArrayAttr getMatmulMaps(MLIRContext *ctx, int64_t rank, bool transposeB);

/// A matmul (+ bias) that a fusion can absorb.
struct MatchedMatmul {
  Value lhs, rhs, bias;
  bool transposeB = false, packedB = false;
  /// The matmul op and, when present, the bias add, in program order.
  SmallVector<Operation *, 2> ops;
};

/// Matches `value` as the result of a matmul (+ bias add) of one element
/// type whose results have no users but the next op. On failure, sets
/// `reason`, and `sharedOp` to the matmul or bias add when what stopped the
/// match is another user of its result.
FailureOr<MatchedMatmul> matchMatmul(Value value, std::string &reason,
                                     Operation *&sharedOp);

/// The epilogue of `op` on accumulators in the compute type (f32 for
/// f16/bf16), scalars or vectors, bias already added: f(gate), or dy *
/// f'(gate) with `dy`, times `up` for the GLU (`up` null otherwise); not yet
/// rounded to the result type. An f16/bf16 result takes the formulas
/// getActivationAccuracy picks.
Value buildMatmulEpilogue(OpBuilder &b, Location loc, MatmulOp op,
                          MathOptions options, Value gate, Value up, Value dy);

/// act.pack_b as a tensor.generate: every panel element read from its
/// column of the input, or zero past the group's last column.
Value buildPackB(OpBuilder &b, Location loc, PackBOp op);

/// The K x (groups * n) matrix B back from act.pack_b's panels `packed`
/// (P x K x W, or 2 x P x K x W for the GLU's two groups of n columns), as
/// a tensor.generate: for lowerings that do not read panels.
Value buildUnpackB(OpBuilder &b, Location loc, Value packed, int64_t n);

/// Replaces a packed_b act.matmul by the same product on buildUnpackB's
/// matrix; returns the new op.
MatmulOp unpackMatmul(RewriterBase &rewriter, MatmulOp op);

} // namespace mlir::act

#endif // ACT_LIB_DIALECT_ACT_TRANSFORMS_MATMULMATCH_H
