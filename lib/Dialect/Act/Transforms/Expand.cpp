//===- Expand.cpp - act-expand: act ops to upstream dialects ---*- C++ -*-===//
//
// Rewrites every act op into arith/math (scalars, vectors, linalg.generic
// bodies), tensor and linalg ops. This is the dialect's reference semantics.
//
//===----------------------------------------------------------------------===//

#include "MatmulMatch.h"

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Dialect/Act/Transforms/Passes.h"
#include "act/Math/ArithMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::act {
#define GEN_PASS_DEF_ACTEXPAND
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;
using namespace mlir::act;

namespace {

using BodyBuilder =
    function_ref<Value(OpBuilder &, Location, ValueRange /*scalars*/)>;

/// An empty tensor of `type` whose dynamic sizes are read off `shapeSource`
/// dimension by dimension (`sourceDims[i]` gives the dimension of
/// `shapeSource` for result dimension i).
Value createEmptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                      ArrayRef<std::pair<Value, int64_t>> dimSources) {
  SmallVector<Value> dynamicSizes;
  for (auto [i, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, dimSources[i].first,
                                                   dimSources[i].second));
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes);
}

/// A parallel linalg.generic over `resultType` with `inputs` read through
/// `inputMaps` (identity when empty); `body` maps the scalar inputs to the
/// scalar result.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                       BodyBuilder body) {
  int64_t rank = resultType.getRank();
  SmallVector<std::pair<Value, int64_t>> dimSources;
  for (int64_t d = 0; d < rank; ++d)
    dimSources.push_back({inputs.front(), d});
  Value init = createEmptyLike(b, loc, resultType, dimSources);
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<AffineMap> maps;
  for (size_t i = 0; i < inputs.size(); ++i)
    maps.push_back(inputMaps.empty() ? identity : inputMaps[i]);
  maps.push_back(identity);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

/// Applies `body` to scalars/vectors directly and to tensors elementwise.
Value buildMapped(OpBuilder &b, Location loc, Type resultType,
                  ValueRange inputs, BodyBuilder body) {
  if (auto tensorType = dyn_cast<RankedTensorType>(resultType))
    return buildElementwise(b, loc, tensorType, inputs, {}, body);
  return body(b, loc, inputs);
}

/// act.<activation> and act.<activation>_grad → arith/math.
struct ExpandActivation final
    : OpInterfaceRewritePattern<ActivationOpInterface> {
  ExpandActivation(MLIRContext *ctx, MathOptions options)
      : OpInterfaceRewritePattern(ctx), options(options) {}
  MathOptions options;

  LogicalResult matchAndRewrite(ActivationOpInterface op,
                                PatternRewriter &rewriter) const override {
    ActivationAttr activation = op.getActivation();
    bool gradient = op.isGradient();
    Value result = buildMapped(
        rewriter, op.getLoc(), op->getResult(0).getType(), op->getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          if (gradient)
            return buildActivationGradient(b, loc, activation.getKind(),
                                           activation.getParams(), args[0],
                                           args[1], Value(), options);
          return buildActivation(b, loc, activation.getKind(),
                                 activation.getParams(), args[0], Value(),
                                 options);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Maps for (input, beta[, dy]) of a per-channel Swish along `axis`.
SmallVector<AffineMap> getSwishMaps(MLIRContext *ctx, int64_t rank,
                                    int64_t axis, bool withDy) {
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx), ctx);
  SmallVector<AffineMap> maps = {identity, channel};
  if (withDy)
    maps.push_back(identity);
  return maps;
}

/// act.swish / act.swish_grad → linalg.generic with beta broadcast.
template <typename OpTy> struct ExpandSwish final : OpRewritePattern<OpTy> {
  ExpandSwish(MLIRContext *ctx, MathOptions options)
      : OpRewritePattern<OpTy>(ctx), options(options) {}
  MathOptions options;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool gradient = std::is_same_v<OpTy, SwishGradOp>;
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getNormalizedAxis();
    SmallVector<Value> inputs = {op.getInput(), op.getBeta()};
    if constexpr (gradient)
      inputs.push_back(op.getDy());
    ActivationParams params;
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, inputs,
        getSwishMaps(op.getContext(), type.getRank(), axis, gradient),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          if (gradient)
            return buildActivationGradient(b, loc, ActivationKind::silu, params,
                                           args[0], args[2], args[1], options);
          return buildActivation(b, loc, ActivationKind::silu, params, args[0],
                                 args[1], options);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// act(a) * b in the compute type, rounded once.
Value buildGate(OpBuilder &b, Location loc, ActivationAttr gate, Value a,
                Value linear, MathOptions options) {
  Type type = a.getType();
  Value gated =
      buildActivation(b, loc, gate.getKind(), gate.getParams(),
                      extendToComputeType(b, loc, a), Value(), options);
  Value product =
      arith::MulFOp::create(b, loc, gated, extendToComputeType(b, loc, linear));
  return truncateTo(b, loc, product, type);
}

/// act.glu → linalg.generic (tensors) or arith/math (vectors); the split
/// form first extracts the two halves.
struct ExpandGlu final : OpRewritePattern<GluOp> {
  ExpandGlu(MLIRContext *ctx, MathOptions options)
      : OpRewritePattern(ctx), options(options) {}
  MathOptions options;

  LogicalResult matchAndRewrite(GluOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value gate = op.getLhs(), linear = op.getRhs();
    if (op.isSplit()) {
      int64_t axis = op.getNormalizedAxis();
      auto resultType = cast<RankedTensorType>(op.getType());
      SmallVector<OpFoldResult> sizes =
          tensor::getMixedSizes(rewriter, loc, op.getLhs());
      OpFoldResult half;
      if (!resultType.isDynamicDim(axis)) {
        half = rewriter.getIndexAttr(resultType.getDimSize(axis));
      } else {
        Value width =
            getValueOrCreateConstantIndexOp(rewriter, loc, sizes[axis]);
        half = arith::DivUIOp::create(
                   rewriter, loc, width,
                   arith::ConstantIndexOp::create(rewriter, loc, 2))
                   .getResult();
      }
      sizes[axis] = half;
      SmallVector<OpFoldResult> offsets(resultType.getRank(),
                                        rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(resultType.getRank(),
                                        rewriter.getIndexAttr(1));
      gate = tensor::ExtractSliceOp::create(
          rewriter, loc, resultType, op.getLhs(), offsets, sizes, strides);
      offsets[axis] = half;
      linear = tensor::ExtractSliceOp::create(
          rewriter, loc, resultType, op.getLhs(), offsets, sizes, strides);
    }
    ActivationAttr activation = op.getGate();
    Value result = buildMapped(
        rewriter, loc, op.getType(), ValueRange{gate, linear},
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          return buildGate(b, nloc, activation, args[0], args[1], options);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// act.matmul → linalg.fill + linalg.matmul (linalg.batch_matmul) into an
/// f32 (f64 for f64) accumulator, then one elementwise epilogue: + bias, the
/// activation, its derivative times dy, or the GLU of the two halves; round.
/// A packed_b rhs is unpacked first.
struct ExpandMatmul final : OpRewritePattern<MatmulOp> {
  ExpandMatmul(MLIRContext *ctx, MathOptions options)
      : OpRewritePattern(ctx), options(options) {}
  MathOptions options;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getPackedB()) {
      unpackMatmul(rewriter, op);
      return success();
    }
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    Type accElement = getComputeType(resultType.getElementType());
    // The accumulator has the rhs's column count (2N for the GLU).
    SmallVector<int64_t> accShape(resultType.getShape());
    accShape.back() = op.getRhsColumns();
    auto accType = RankedTensorType::get(accShape, accElement);
    SmallVector<std::pair<Value, int64_t>> dimSources;
    if (rank == 3)
      dimSources.push_back({op.getLhs(), 0});
    dimSources.push_back({op.getLhs(), rank - 2});
    dimSources.push_back(
        {op.getRhs(), op.getTransposeB() ? rank - 2 : rank - 1});
    Value init = createEmptyLike(rewriter, loc, accType, dimSources);
    Value zero = arith::ConstantOp::create(rewriter, loc, accElement,
                                           rewriter.getZeroAttr(accElement));
    Value acc = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                       ValueRange{init})
                    .getResult(0);
    SmallVector<Value, 2> operands = {op.getLhs(), op.getRhs()};
    SmallVector<NamedAttribute> attrs;
    if (op.getTransposeB())
      attrs.push_back(rewriter.getNamedAttr(
          "indexing_maps", getMatmulMaps(ctx, rank, /*transposeB=*/true)));
    if (rank == 2)
      acc = linalg::MatmulOp::create(rewriter, loc, TypeRange{accType},
                                     operands, ValueRange{acc}, attrs)
                .getResult(0);
    else
      acc = linalg::BatchMatmulOp::create(rewriter, loc, TypeRange{accType},
                                          operands, ValueRange{acc}, attrs)
                .getResult(0);
    std::optional<ActivationAttr> activation = op.getActivation();
    Value bias = op.getBias();
    if (!activation && !bias && accType == resultType) {
      rewriter.replaceOp(op, acc);
      return success();
    }

    // Epilogue inputs: the accumulator (its two halves for the GLU), the
    // bias (its two halves), dy.
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap row =
        AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx);
    bool glu = op.getGlu();
    auto half = [&](Value v, bool second) -> Value {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, v);
      OpFoldResult n;
      if (!type.isDynamicDim(type.getRank() - 1))
        n = rewriter.getIndexAttr(type.getShape().back() / 2);
      else
        n = arith::DivUIOp::create(
                rewriter, loc, cast<Value>(sizes.back()),
                arith::ConstantIndexOp::create(rewriter, loc, 2))
                .getResult();
      SmallVector<OpFoldResult> offsets(type.getRank(),
                                        rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(type.getRank(),
                                        rewriter.getIndexAttr(1));
      sizes.back() = n;
      if (second)
        offsets.back() = n;
      SmallVector<int64_t> shape(type.getShape());
      shape.back() =
          ShapedType::isDynamic(shape.back()) ? shape.back() : shape.back() / 2;
      return tensor::ExtractSliceOp::create(rewriter, loc, type.clone(shape), v,
                                            offsets, sizes, strides);
    };
    static constexpr bool kHalves[] = {false, true};
    for (bool second : ArrayRef<bool>(kHalves).take_front(glu ? 2 : 1)) {
      inputs.push_back(glu ? half(acc, second) : acc);
      maps.push_back(identity);
      if (bias) {
        inputs.push_back(glu ? half(bias, second) : bias);
        maps.push_back(row);
      }
    }
    if (Value dy = op.getDy()) {
      inputs.push_back(dy);
      maps.push_back(identity);
    }
    Value result = buildElementwise(
        rewriter, loc, resultType, inputs, maps,
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          auto addBias = [&](ValueRange pair) {
            Value v = pair[0];
            if (bias)
              v = arith::AddFOp::create(b, nloc, v,
                                        extendToComputeType(b, nloc, pair[1]));
            return v;
          };
          size_t stride = bias ? 2 : 1;
          Value v = addBias(args.take_front(stride));
          if (op.getDy())
            v = buildActivationGradient(
                b, nloc, activation->getKind(), activation->getParams(), v,
                extendToComputeType(b, nloc, args.back()), Value(), options);
          else if (activation)
            v = buildActivation(b, nloc, activation->getKind(),
                                activation->getParams(), v, Value(), options);
          if (glu)
            v = arith::MulFOp::create(b, nloc, v,
                                      addBias(args.slice(stride, stride)));
          return truncateTo(b, nloc, v, resultType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// act.pack_b → tensor.generate (see buildPackB).
struct ExpandPackB final : OpRewritePattern<PackBOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PackBOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildPackB(rewriter, op.getLoc(), op));
    return success();
  }
};

/// The M x N result type of `lhs` times `rhs`.
RankedTensorType getProductType(Value lhs, Value rhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  return RankedTensorType::get({lhsType.getDimSize(0), rhsType.getDimSize(1)},
                               lhsType.getElementType());
}

/// act.ffn → act.matmul (+ bias + activation) → act.matmul (+ bias).
struct ExpandFfn final : OpRewritePattern<FfnOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FfnOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value hidden = MatmulOp::create(
        rewriter, loc, getProductType(op.getInput(), op.getUpWeight()),
        op.getInput(), op.getUpWeight(), op.getUpBias(), op.getActivation());
    rewriter.replaceOpWithNewOp<MatmulOp>(op, op.getType(), hidden,
                                          op.getDownWeight(), op.getDownBias(),
                                          ActivationAttr());
    return success();
  }
};

/// act.gated_ffn → two act.matmul, act.glu, act.matmul.
struct ExpandGatedFfn final : OpRewritePattern<GatedFfnOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatedFfnOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType hiddenType =
        getProductType(op.getInput(), op.getGateWeight());
    Value gate = MatmulOp::create(rewriter, loc, hiddenType, op.getInput(),
                                  op.getGateWeight(), op.getGateBias(),
                                  ActivationAttr());
    Value up =
        MatmulOp::create(rewriter, loc, hiddenType, op.getInput(),
                         op.getUpWeight(), op.getUpBias(), ActivationAttr());
    Value hidden = GluOp::create(rewriter, loc, hiddenType, op.getActivation(),
                                 gate, up, /*axis=*/-1);
    rewriter.replaceOpWithNewOp<MatmulOp>(op, op.getType(), hidden,
                                          op.getDownWeight(), op.getDownBias(),
                                          ActivationAttr());
    return success();
  }
};

struct ActExpandPass final : act::impl::ActExpandBase<ActExpandPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateActExpandPatterns(patterns, {accuracy, lookupTables});
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::act::populateActExpandPatterns(RewritePatternSet &patterns,
                                          MathOptions options) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ExpandActivation, ExpandSwish<SwishOp>, ExpandSwish<SwishGradOp>,
               ExpandGlu, ExpandMatmul>(ctx, options);
  patterns.add<ExpandPackB>(ctx);
  populateDecomposeFfnPatterns(patterns);
}

void mlir::act::populateDecomposeFfnPatterns(RewritePatternSet &patterns) {
  patterns.add<ExpandFfn, ExpandGatedFfn>(patterns.getContext());
}
