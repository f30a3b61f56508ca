//===- FuseEpilogue.cpp - act-fuse-epilogue -------------------*- C++ -*-===//
//
// Fuses a matmul, an optional row-broadcast bias add and an act activation
// (or derivative) into one act.matmul with that epilogue.
//
//===----------------------------------------------------------------------===//

#include "MatmulMatch.h"

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Dialect/Act/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::act {
#define GEN_PASS_DEF_ACTFUSEEPILOGUE
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;
using namespace mlir::act;

namespace {

/// act.<f>(matmul + bias) → act.matmul bias activation <f>;
/// act.<f>_grad(matmul + bias, dy) → act.matmul ... grad %dy.
struct FuseActivation final : OpInterfaceRewritePattern<ActivationOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(ActivationOpInterface op,
                                PatternRewriter &rewriter) const override {
    Value x = op->getOperand(0);
    if (!isa<RankedTensorType>(x.getType()))
      return rewriter.notifyMatchFailure(op, "not a tensor activation");
    std::string reason;
    Operation *shared = nullptr;
    FailureOr<MatchedMatmul> match = matchMatmul(x, reason, shared);
    if (failed(match))
      return rewriter.notifyMatchFailure(op, reason);
    Value dy = op.isGradient() ? op->getOperand(1) : Value();
    auto fused = MatmulOp::create(rewriter, op.getLoc(), x.getType(),
                                  match->lhs, match->rhs, match->bias, dy,
                                  op.getActivation(), match->transposeB,
                                  /*glu=*/false, match->packedB);
    rewriter.replaceOp(op, fused.getResult());
    for (Operation *dead : llvm::reverse(match->ops))
      rewriter.eraseOp(dead);
    return success();
  }
};

struct ActFuseEpiloguePass final
    : act::impl::ActFuseEpilogueBase<ActFuseEpiloguePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseEpiloguePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Say why a matmul feeding an activation stayed apart.
    getOperation()->walk([](ActivationOpInterface op) {
      std::string reason;
      Operation *shared = nullptr;
      if (isa<RankedTensorType>(op->getOperand(0).getType()) &&
          failed(matchMatmul(op->getOperand(0), reason, shared)) && shared)
        shared->emitRemark("not fused into an epilogue: ")
            << reason << " (" << op->getName() << " would recompute it)";
    });
  }
};

} // namespace

void mlir::act::populateFuseEpiloguePatterns(RewritePatternSet &patterns) {
  patterns.add<FuseActivation>(patterns.getContext());
  populateDecomposeFfnPatterns(patterns);
}
