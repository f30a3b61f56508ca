//===- LLVMTarget.cpp - act-llvm-target -----------------------*- C++ -*-===//
//
// Stamps the target CPU and features on every llvm.func.
//
//===----------------------------------------------------------------------===//

#include "act/Dialect/Act/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::act {
#define GEN_PASS_DEF_ACTLLVMTARGET
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;

namespace {
struct ActLLVMTargetPass final
    : act::impl::ActLLVMTargetBase<ActLLVMTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    getOperation()->walk([&](LLVM::LLVMFuncOp func) {
      if (!cpu.empty())
        func.setTargetCpuAttr(StringAttr::get(ctx, cpu));
      if (!features.empty())
        func.setTargetFeaturesAttr(
            LLVM::TargetFeaturesAttr::get(ctx, features));
    });
  }
};
} // namespace
