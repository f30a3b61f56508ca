//===- ElementwiseBody.h - An elementwise body on vectors -----*- C++ -*-===//
//
// The one way act clones the body of an elementwise linalg.generic onto
// vectors: act-vectorize-elementwise (CPU loops) and act-gpu-elementwise
// (GPU kernels) both use it.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_LIB_DIALECT_ACT_TRANSFORMS_ELEMENTWISEBODY_H
#define ACT_LIB_DIALECT_ACT_TRANSFORMS_ELEMENTWISEBODY_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::act {

/// Clones the ops of `body` (an elementwise generic's block, its arguments
/// already mapped in `mapping`) at `b` on vectors of `width` lanes, or as
/// they are when `width` is 1: constants become splat constants, values
/// defined outside are broadcast once. Returns the yielded values.
SmallVector<Value> cloneElementwiseBody(OpBuilder &b, Location loc, Block *body,
                                        IRMapping &mapping, int64_t width);

} // namespace mlir::act

#endif // ACT_LIB_DIALECT_ACT_TRANSFORMS_ELEMENTWISEBODY_H
