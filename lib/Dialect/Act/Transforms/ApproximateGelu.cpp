//===- ApproximateGelu.cpp - act-approximate-gelu -------------*- C++ -*-===//
//
// Rewrites exact GELU (and, opt-in, SiLU and sigmoid) to cheaper forms, in
// elementwise ops and in every #act.activation, choosing by measured error.
//
//===----------------------------------------------------------------------===//

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Dialect/Act/Transforms/Passes.h"
#include "act/Math/Properties.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <mutex>

namespace mlir::act {
#define GEN_PASS_DEF_ACTAPPROXIMATEGELU
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;
using namespace mlir::act;

namespace {

/// The measured error of each GELU approximation, computed once per process.
const ErrorStats &getMeasuredError(GeluApproximation approximation) {
  static std::once_flag once;
  static ErrorStats tanhError, sigmoidError;
  std::call_once(once, [] {
    tanhError = measureGeluApproximationError(GeluApproximation::tanh);
    sigmoidError = measureGeluApproximationError(GeluApproximation::sigmoid);
  });
  return approximation == GeluApproximation::tanh ? tanhError : sigmoidError;
}

struct Decision {
  /// GeluApproximation::none keeps exact GELU.
  GeluApproximation choice = GeluApproximation::none;
  std::string remark;
};

Decision decide(GeluApproximationMode mode, double maxAbsError) {
  if (mode == GeluApproximationMode::tanh)
    return {GeluApproximation::tanh, ""};
  if (mode == GeluApproximationMode::sigmoid)
    return {GeluApproximation::sigmoid, ""};
  SmallVector<std::pair<int64_t, GeluApproximation>> candidates;
  for (GeluApproximation a :
       {GeluApproximation::tanh, GeluApproximation::sigmoid}) {
    ActivationParams params;
    params.approximation = a;
    candidates.push_back({getActivationCost(ActivationKind::gelu, params), a});
  }
  llvm::sort(candidates);
  std::string rejected;
  for (auto [cost, a] : candidates) {
    const ErrorStats &error = getMeasuredError(a);
    if (error.maxAbs <= maxAbsError)
      return {a, llvm::formatv("act-approximate-gelu: exact GELU -> {0} "
                               "(measured max |error| {1:e} at x = {2:f4} <= "
                               "max-abs-error {3:e}; {4} ops)",
                               stringifyGeluApproximation(a), error.maxAbs,
                               error.argMaxAbs, maxAbsError, cost)
                     .str()};
    rejected += llvm::formatv("{0}{1} {2:e}", rejected.empty() ? "" : ", ",
                              stringifyGeluApproximation(a), error.maxAbs)
                    .str();
  }
  return {GeluApproximation::none,
          llvm::formatv("act-approximate-gelu: kept exact GELU (measured max "
                        "|error| {0} > max-abs-error {1:e})",
                        rejected, maxAbsError)
              .str()};
}

struct ActApproximateGeluPass final
    : act::impl::ActApproximateGeluBase<ActApproximateGeluPass> {
  using Base::Base;

  /// The rewritten activation, or nullopt when it stays.
  std::optional<std::pair<ActivationKind, ActivationParams>>
  rewrite(ActivationKind kind, ActivationParams params,
          GeluApproximation choice) {
    if (kind == ActivationKind::gelu &&
        params.approximation == GeluApproximation::none &&
        choice != GeluApproximation::none) {
      params.approximation = choice;
      return std::make_pair(kind, params);
    }
    if (kind == ActivationKind::silu && siluToHardSwish && params.beta == 1)
      return std::make_pair(ActivationKind::hard_swish, ActivationParams());
    if (kind == ActivationKind::sigmoid && sigmoidToHardSigmoid)
      return std::make_pair(ActivationKind::hard_sigmoid, ActivationParams());
    return std::nullopt;
  }

  void runOnOperation() override {
    if (!std::isfinite(maxAbsError) || maxAbsError < 0) {
      getOperation()->emitError("act-approximate-gelu: max-abs-error must be "
                                "finite and non-negative, got ")
          << maxAbsError;
      return signalPassFailure();
    }
    Decision decision = decide(mode, maxAbsError);
    MLIRContext *ctx = &getContext();
    auto isExactGelu = [](ActivationAttr a) {
      return a.getKind() == ActivationKind::gelu &&
             a.getParams().approximation == GeluApproximation::none;
    };
    SmallVector<Operation *> replaced;
    getOperation()->walk([&](Operation *op) {
      bool touchesGelu = false;
      // Activations held as attributes: GLU gates, FFN and matmul epilogues.
      for (NamedAttribute named : op->getAttrs()) {
        auto activation = dyn_cast<ActivationAttr>(named.getValue());
        if (!activation)
          continue;
        touchesGelu |= isExactGelu(activation);
        auto result = rewrite(activation.getKind(), activation.getParams(),
                              decision.choice);
        if (result)
          op->setAttr(named.getName(),
                      ActivationAttr::get(ctx, result->first, result->second));
      }
      // Elementwise activation and gradient ops.
      if (auto elementwise = dyn_cast<ActivationOpInterface>(op)) {
        ActivationAttr activation = elementwise.getActivation();
        touchesGelu |= isExactGelu(activation);
        auto result = rewrite(activation.getKind(), activation.getParams(),
                              decision.choice);
        if (result && result->first == activation.getKind()) {
          op->setAttr("approximation", GeluApproximationAttr::get(
                                           ctx, result->second.approximation));
        } else if (result) {
          // A different op: act.hard_swish for act.silu, and so on.
          std::string name = ("act." + stringifyActivationKind(result->first) +
                              (elementwise.isGradient() ? "_grad" : ""))
                                 .str();
          OpBuilder b(op);
          OperationState state(op->getLoc(), name, op->getOperands(),
                               op->getResultTypes());
          Operation *created = b.create(state);
          op->replaceAllUsesWith(created);
          replaced.push_back(op);
        }
      }
      if (touchesGelu && !decision.remark.empty())
        op->emitRemark(decision.remark);
    });
    for (Operation *op : replaced)
      op->erase();
  }
};

} // namespace
