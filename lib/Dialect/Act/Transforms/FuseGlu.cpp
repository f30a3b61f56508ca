//===- FuseGlu.cpp - act-fuse-glu -----------------------------*- C++ -*-===//
//
// Fuses the gate and up matmuls feeding an act.glu into one act.matmul over
// the concatenated weights, with the GLU as its epilogue.
//
//===----------------------------------------------------------------------===//

#include "MatmulMatch.h"

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Dialect/Act/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::act {
#define GEN_PASS_DEF_ACTFUSEGLU
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;
using namespace mlir::act;

namespace {

/// A zero 1-D tensor as long as `like`'s dimension `dim`.
Value createZeroRow(OpBuilder &b, Location loc, Value like, int64_t dim) {
  auto likeType = cast<RankedTensorType>(like.getType());
  auto type = RankedTensorType::get({likeType.getDimSize(dim)},
                                    likeType.getElementType());
  SmallVector<Value> sizes;
  if (type.isDynamicDim(0))
    sizes.push_back(tensor::DimOp::create(b, loc, like, dim));
  Value empty = tensor::EmptyOp::create(b, loc, type, sizes);
  Value zero = arith::ConstantOp::create(b, loc, type.getElementType(),
                                         b.getZeroAttr(type.getElementType()));
  return linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty})
      .getResult(0);
}

/// The two matmuls (+ bias) of one GLU, or its one matmul in the split form.
FailureOr<std::pair<MatchedMatmul, MatchedMatmul>>
matchGlu(GluOp op, std::string &reason, Operation *&shared) {
  if (!isa<RankedTensorType>(op.getType())) {
    reason = "not a tensor GLU";
    return failure();
  }
  int64_t rank = cast<RankedTensorType>(op.getType()).getRank();
  if (op.isSplit()) {
    if (op.getNormalizedAxis() != rank - 1) {
      reason = "the split is not along the last axis";
      return failure();
    }
    FailureOr<MatchedMatmul> both = matchMatmul(op.getLhs(), reason, shared);
    if (failed(both))
      return failure();
    if (both->packedB) {
      reason = "the matmul's rhs is packed for a plain product (pack it "
               "with act.pack_b glu)";
      return failure();
    }
    return std::make_pair(*both, MatchedMatmul());
  }
  FailureOr<MatchedMatmul> gate = matchMatmul(op.getLhs(), reason, shared);
  if (failed(gate))
    return failure();
  FailureOr<MatchedMatmul> up = matchMatmul(op.getRhs(), reason, shared);
  if (failed(up))
    return failure();
  if (gate->packedB || up->packedB) {
    reason = "a matmul's rhs is packed for a plain product (pack [Wg | Wu] "
             "with act.pack_b glu)";
    return failure();
  }
  if (gate->lhs != up->lhs || gate->transposeB != up->transposeB ||
      gate->rhs.getType() != up->rhs.getType()) {
    reason = "the gate and up matmuls do not share their input and form";
    return failure();
  }
  return std::make_pair(*gate, *up);
}

/// act.glu(matmul(x, Wg) + bg, matmul(x, Wu) + bu) →
/// act.matmul x, concat(Wg, Wu) bias concat(bg, bu) glu activation <f>;
/// act.glu(matmul(x, Wgu) + b) (split) → act.matmul x, Wgu bias b glu ...
struct FuseGlu final : OpRewritePattern<GluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GluOp op,
                                PatternRewriter &rewriter) const override {
    std::string reason;
    Operation *shared = nullptr;
    auto match = matchGlu(op, reason, shared);
    if (failed(match))
      return rewriter.notifyMatchFailure(op, reason);
    auto &[gate, up] = *match;
    Location loc = op.getLoc();
    Value rhs = gate.rhs, bias = gate.bias;
    if (!op.isSplit()) {
      int64_t rank = cast<RankedTensorType>(gate.rhs.getType()).getRank();
      // Columns of B are its last dimension, or the one before when B is
      // stored transposed (N x K).
      int64_t columnDim = gate.transposeB ? rank - 2 : rank - 1;
      rhs = tensor::ConcatOp::create(rewriter, loc, columnDim,
                                     ValueRange{gate.rhs, up.rhs});
      if (gate.bias || up.bias) {
        Value gateBias =
            gate.bias ? gate.bias : createZeroRow(rewriter, loc, up.bias, 0);
        Value upBias =
            up.bias ? up.bias : createZeroRow(rewriter, loc, gate.bias, 0);
        bias = tensor::ConcatOp::create(rewriter, loc, 0,
                                        ValueRange{gateBias, upBias});
      }
    }
    auto fused = MatmulOp::create(rewriter, loc, op.getType(), gate.lhs, rhs,
                                  bias, Value(), op.getGate(), gate.transposeB,
                                  /*glu=*/true);
    rewriter.replaceOp(op, fused.getResult());
    for (MatchedMatmul *m : {&up, &gate})
      for (Operation *dead : llvm::reverse(m->ops))
        rewriter.eraseOp(dead);
    return success();
  }
};

struct ActFuseGluPass final : act::impl::ActFuseGluBase<ActFuseGluPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseGluPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Say why the matmuls of a GLU stayed apart.
    getOperation()->walk([](GluOp op) {
      std::string reason;
      Operation *shared = nullptr;
      if (failed(matchGlu(op, reason, shared)) && shared)
        shared->emitRemark("not fused into a GLU epilogue: ")
            << reason << " (act.glu would recompute it)";
    });
  }
};

} // namespace

void mlir::act::populateFuseGluPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseGlu>(patterns.getContext());
  populateDecomposeFfnPatterns(patterns);
}
