//===- ActDialect.cpp - The act dialect -----------------------*- C++ -*-===//
//
// Registers the act dialect's ops and attributes.
//
//===----------------------------------------------------------------------===//

#include "act/Dialect/Act/IR/ActDialect.h"
#include "act/Dialect/Act/IR/ActOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::act;

#include "act/Dialect/Act/IR/ActOpsDialect.cpp.inc"

void ActDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "act/Dialect/Act/IR/ActOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *ActDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
