//===- act-opt.cpp - mlir-opt with act's dialect and passes ---*- C++ -*-===//
//
// The act optimizer driver.
//
//===----------------------------------------------------------------------===//

#include "act/InitAllDialects.h"
#include "act/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::act::registerAllDialects(registry);
  mlir::act::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "act optimizer driver\n", registry));
}
