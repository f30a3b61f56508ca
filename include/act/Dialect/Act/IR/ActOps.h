//===- ActOps.h - act operations ------------------------------*- C++ -*-===//
//
// Declares the act ops, their interface and the helpers their generated
// methods call.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_IR_ACTOPS_H
#define ACT_DIALECT_ACT_IR_ACTOPS_H

#include "act/Dialect/Act/IR/ActAttrs.h"
#include "act/Dialect/Act/IR/ActDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "act/Dialect/Act/IR/ActInterfaces.h.inc"

namespace mlir::act {
/// Folds an elementwise activation or gradient op whose operands are all
/// constant (FloatAttr or dense elements).
OpFoldResult foldActivationOp(ActivationOpInterface op,
                              ArrayRef<Attribute> operands);
/// `axis` in [-rank, rank) as a dimension in [0, rank).
inline int64_t getNormalizedAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}
/// Checks the parameters of an elementwise activation or gradient op.
LogicalResult verifyActivationOp(ActivationOpInterface op);
/// The panels of act.pack_b: `width` columns each, ceil(n / width) per
/// group (two for the GLU) of n columns.
inline int64_t getPackedPanels(int64_t n, int64_t width) {
  return (n + width - 1) / width;
}
} // namespace mlir::act

#define GET_OP_CLASSES
#include "act/Dialect/Act/IR/ActOps.h.inc"

#endif // ACT_DIALECT_ACT_IR_ACTOPS_H
