//===- ActEnums.h - act enums ---------------------------------*- C++ -*-===//
//
// ActivationKind and GeluApproximation, generated from ActAttrs.td.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_IR_ACTENUMS_H
#define ACT_DIALECT_ACT_IR_ACTENUMS_H

#include "mlir/IR/BuiltinAttributes.h"

#include "act/Dialect/Act/IR/ActEnums.h.inc"

#endif // ACT_DIALECT_ACT_IR_ACTENUMS_H
