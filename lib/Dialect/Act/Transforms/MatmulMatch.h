//===- MatmulMatch.h - recognizing matmuls for fusion ---------*- C++ -*-===//
//
// What act-fuse-epilogue and act-fuse-glu recognize as "a matmul plus an
// optional bias": linalg.matmul / linalg.batch_matmul into a zero fill, or
// an act.matmul without epilogue, followed by a row-broadcast bias add.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_LIB_DIALECT_ACT_TRANSFORMS_MATMULMATCH_H
#define ACT_LIB_DIALECT_ACT_TRANSFORMS_MATMULMATCH_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::act {

/// The indexing maps of a (batch) matmul of `rank` (2 or 3) over
/// (batch, m, n, k), with B read as N x K when `transposeB`.
ArrayAttr getMatmulMaps(MLIRContext *ctx, int64_t rank, bool transposeB);

/// A matmul (+ bias) that a fusion can absorb.
struct MatchedMatmul {
  Value lhs, rhs, bias;
  bool transposeB = false;
  /// The matmul op and, when present, the bias add, in program order.
  SmallVector<Operation *, 2> ops;
};

/// Matches `value` as the result of a matmul (+ bias add) of one element
/// type whose results have no users but the next op. On failure, sets
/// `reason`, and `sharedOp` to the matmul or bias add when what stopped the
/// match is another user of its result.
FailureOr<MatchedMatmul> matchMatmul(Value value, std::string &reason,
                                     Operation *&sharedOp);

} // namespace mlir::act

#endif // ACT_LIB_DIALECT_ACT_TRANSFORMS_MATMULMATCH_H
