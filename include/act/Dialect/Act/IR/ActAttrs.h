//===- ActAttrs.h - act attributes ----------------------------*- C++ -*-===//
//
// Declares #act.activation and #act.approximation.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_IR_ACTATTRS_H
#define ACT_DIALECT_ACT_IR_ACTATTRS_H

#include "act/Dialect/Act/IR/ActEnums.h"
#include "act/Math/Activation.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/DialectImplementation.h"

#define GET_ATTRDEF_CLASSES
#include "act/Dialect/Act/IR/ActAttrs.h.inc"

#endif // ACT_DIALECT_ACT_IR_ACTATTRS_H
