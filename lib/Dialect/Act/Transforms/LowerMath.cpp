//===- LowerMath.cpp - act-lower-math -------------------------*- C++ -*-===//
//
// The pass wrapper around populateActMathLoweringPatterns and
// populateActLookupLoweringPatterns.
//
//===----------------------------------------------------------------------===//

#include "act/Dialect/Act/IR/ActDialect.h"
#include "act/Dialect/Act/Transforms/Passes.h"
#include "act/Math/MathLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::act {
#define GEN_PASS_DEF_ACTLOWERMATH
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;

namespace {
struct ActLowerMathPass final : act::impl::ActLowerMathBase<ActLowerMathPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    act::populateActMathLoweringPatterns(patterns, accuracy, lookup);
    act::populateActLookupLoweringPatterns(patterns, lookup);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
