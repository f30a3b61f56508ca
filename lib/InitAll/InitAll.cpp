//===- InitAll.cpp - Register act and upstream dialects, passes -*- C++ -*-===//
//
// The only TU that includes MLIR's InitAll* headers (they are expensive to
// compile); everything else includes act/InitAllDialects.h/InitAllPasses.h.
//
//===----------------------------------------------------------------------===//

#include "act/InitAllDialects.h"
#include "act/InitAllPasses.h"

#include "act/Dialect/Act/IR/ActDialect.h"
#include "act/Dialect/Act/Transforms/Passes.h"
#include "act/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::act::registerAllDialects(DialectRegistry &registry) {
  registry.insert<ActDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void mlir::act::registerAllPasses() {
  mlir::registerAllPasses();
  registerActPasses();
  registerActPipelines();
}
