//===- Properties.cpp - Measured properties of activations ------*- C++ -*-===//
//
// Error measurement over float32 inputs and the op-count cost model.
//
//===----------------------------------------------------------------------===//

#include "act/Math/Properties.h"
#include "act/Math/ArithMath.h"
#include "act/Math/MathLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>
#include <cmath>
#include <vector>

using namespace mlir;
using namespace mlir::act;

ErrorStats mlir::act::measureMaxDifference(function_ref<double(float)> f,
                                           function_ref<double(float)> g,
                                           double lo, double hi,
                                           int64_t samples,
                                           double relativeFloor) {
  ErrorStats stats;
  auto visit = [&](float x) {
    double a = f(x), b = g(x);
    if (!std::isfinite(a) || !std::isfinite(b))
      return;
    double abs = std::fabs(a - b);
    if (abs > stats.maxAbs) {
      stats.maxAbs = abs;
      stats.argMaxAbs = x;
    }
    if (b != 0 && std::fabs(b) >= relativeFloor) {
      double rel = abs / std::fabs(b);
      if (rel > stats.maxRel) {
        stats.maxRel = rel;
        stats.argMaxRel = x;
      }
    }
  };
  for (int64_t i = 0; i <= samples; ++i)
    visit(static_cast<float>(lo + (hi - lo) * i / samples));
  // Every float around the worst grid points.
  for (float center : {stats.argMaxAbs, stats.argMaxRel}) {
    float x = center;
    for (int i = 0; i < 4096; ++i)
      x = std::nextafter(x, -INFINITY);
    for (int i = 0; i < 8192; ++i, x = std::nextafter(x, INFINITY))
      if (x >= lo && x <= hi)
        visit(x);
  }
  return stats;
}

double mlir::act::referenceGelu(double x) {
  return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
}

ErrorStats
mlir::act::measureGeluApproximationError(GeluApproximation approximation) {
  ActivationParams params;
  params.approximation = approximation;
  return measureMaxDifference(
      [&](float x) {
        return evaluateActivation(ActivationKind::gelu, params, x);
      },
      [](float x) { return referenceGelu(x); }, -20, 20);
}

int64_t mlir::act::getActivationCost(ActivationKind kind,
                                     const ActivationParams &params,
                                     Accuracy accuracy) {
  MLIRContext context;
  context
      .loadDialect<arith::ArithDialect, math::MathDialect, func::FuncDialect>();
  OpBuilder b(&context);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(b, loc, "cost",
                                   b.getFunctionType({b.getF32Type()}, {}));
  b.setInsertionPointToStart(func.addEntryBlock());
  Value y = buildActivation(b, loc, kind, params, func.getArgument(0), Value(),
                            accuracy);
  // Keep the result alive, then expand exp & co. as the CPU pipeline does.
  func.setType(b.getFunctionType({b.getF32Type()}, {b.getF32Type()}));
  func::ReturnOp::create(b, loc, y);
  RewritePatternSet patterns(&context);
  populateActMathLoweringPatterns(patterns, accuracy);
  (void)applyPatternsGreedily(func, std::move(patterns));
  int64_t count = 0;
  // Constants are free: they are hoisted out of every loop.
  func.walk([&](Operation *op) {
    if (!isa<func::FuncOp, func::ReturnOp, arith::ConstantOp>(op))
      ++count;
  });
  return count;
}
