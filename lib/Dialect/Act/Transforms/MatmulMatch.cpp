//===- MatmulMatch.cpp - recognizing matmuls for fusion -------*- C++ -*-===//
//
// The matcher shared by act-fuse-epilogue and act-fuse-glu, the matmul
// epilogue and act.pack_b's layout as tensor code.
//
//===----------------------------------------------------------------------===//

#include "MatmulMatch.h"

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Math/ArithMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::act;

ArrayAttr mlir::act::getMatmulMaps(MLIRContext *ctx, int64_t rank,
                                   bool transposeB) {
  int64_t batch = rank - 2;
  auto dims = [&](std::initializer_list<int64_t> tail) -> Attribute {
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < batch; ++d)
      exprs.push_back(getAffineDimExpr(d, ctx));
    for (int64_t d : tail)
      exprs.push_back(getAffineDimExpr(batch + d, ctx));
    return AffineMapAttr::get(AffineMap::get(rank + 1, 0, exprs, ctx));
  };
  // m = 0, n = 1, k = 2 after the batch dimension.
  return ArrayAttr::get(
      ctx,
      {dims({0, 2}), transposeB ? dims({1, 2}) : dims({2, 1}), dims({0, 1})});
}

/// Whether `v` broadcasts a 1-D value along every dimension but the last of
/// a rank-`rank` result; returns that 1-D value.
static Value matchRowBroadcast(Value v, int64_t rank) {
  auto broadcast = v.getDefiningOp<linalg::BroadcastOp>();
  if (!broadcast || broadcast.getInput().getType().getRank() != 1)
    return {};
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank - 1; ++d)
    expected.push_back(d);
  if (broadcast.getDimensions() != ArrayRef<int64_t>(expected))
    return {};
  return broadcast.getInput();
}

/// Matches `value = matmul + bias[row]`; returns {matmul result, bias}.
static std::optional<std::pair<Value, Value>> matchBiasAdd(Value value) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  if (auto add = value.getDefiningOp<linalg::AddOp>()) {
    if (!add.hasPureTensorSemantics())
      return std::nullopt;
    Value lhs = add.getInputs()[0], rhs = add.getInputs()[1];
    if (Value bias = matchRowBroadcast(rhs, rank))
      return std::make_pair(lhs, bias);
    if (Value bias = matchRowBroadcast(lhs, rank))
      return std::make_pair(rhs, bias);
    return std::nullopt;
  }
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic || !generic.hasPureTensorSemantics() ||
      generic.getNumDpsInputs() != 2 || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return std::nullopt;
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 2)
    return std::nullopt;
  auto addf = dyn_cast<arith::AddFOp>(body.front());
  auto yield = cast<linalg::YieldOp>(body.back());
  if (!addf || yield.getValues().size() != 1 ||
      yield.getValues()[0] != addf.getResult())
    return std::nullopt;
  auto lhsArg = dyn_cast<BlockArgument>(addf.getLhs());
  auto rhsArg = dyn_cast<BlockArgument>(addf.getRhs());
  if (!lhsArg || !rhsArg || lhsArg.getArgNumber() > 1 ||
      rhsArg.getArgNumber() > 1 || lhsArg == rhsArg)
    return std::nullopt;
  MLIRContext *ctx = value.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap row = AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx);
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (maps[2] != identity)
    return std::nullopt;
  for (int i = 0; i < 2; ++i)
    if (maps[i] == identity && maps[1 - i] == row)
      return std::make_pair(generic.getDpsInputs()[i],
                            generic.getDpsInputs()[1 - i]);
  return std::nullopt;
}

/// Whether `init` is a linalg.fill of +-0.
static bool isZeroFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

FailureOr<MatchedMatmul>
mlir::act::matchMatmul(Value value, std::string &reason, Operation *&sharedOp) {
  sharedOp = nullptr;
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || (type.getRank() != 2 && type.getRank() != 3)) {
    reason = "not a rank-2 or rank-3 tensor";
    return failure();
  }
  MatchedMatmul match;
  Value product = value;
  if (std::optional<std::pair<Value, Value>> add = matchBiasAdd(value)) {
    product = add->first;
    match.bias = add->second;
    match.ops.push_back(value.getDefiningOp());
  }
  Operation *producer = product.getDefiningOp();
  if (!producer) {
    reason = "not produced by a matmul";
    return failure();
  }
  Type element = type.getElementType();
  if (auto matmul = dyn_cast<MatmulOp>(producer)) {
    if (matmul.getActivation() || matmul.getGlu() || matmul.getDy()) {
      reason = "the act.matmul already has an epilogue";
      return failure();
    }
    if (match.bias && matmul.getBias()) {
      reason = "the act.matmul already has a bias";
      return failure();
    }
    match.lhs = matmul.getLhs();
    match.rhs = matmul.getRhs();
    if (!match.bias)
      match.bias = matmul.getBias();
    match.transposeB = matmul.getTransposeB();
    match.packedB = matmul.getPackedB();
  } else if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(producer)) {
    auto linalgOp = cast<linalg::LinalgOp>(producer);
    if (!linalgOp.hasPureTensorSemantics() || linalgOp.getNumDpsInputs() != 2 ||
        !isZeroFill(linalgOp.getDpsInits()[0])) {
      reason = "the matmul does not start from a zero fill";
      return failure();
    }
    ArrayAttr maps = linalgOp.getIndexingMaps();
    int64_t rank = type.getRank();
    if (maps == getMatmulMaps(value.getContext(), rank, false))
      match.transposeB = false;
    else if (maps == getMatmulMaps(value.getContext(), rank, true))
      match.transposeB = true;
    else {
      reason = "the matmul's indexing maps are neither plain nor B-transposed";
      return failure();
    }
    match.lhs = linalgOp.getDpsInputs()[0];
    match.rhs = linalgOp.getDpsInputs()[1];
  } else {
    reason = "not produced by a matmul";
    return failure();
  }
  for (Value v : {match.lhs, match.rhs, match.bias})
    if (v && getElementTypeOrSelf(v.getType()) != element) {
      reason = "the matmul mixes element types";
      return failure();
    }
  match.ops.insert(match.ops.begin(), producer);
  for (Operation *op : match.ops)
    if (!op->getResult(0).hasOneUse()) {
      sharedOp = op;
      reason = "its result has other users";
      return failure();
    }
  return match;
}

Value mlir::act::buildMatmulEpilogue(OpBuilder &b, Location loc, MatmulOp op,
                                     MathOptions options, Value gate, Value up,
                                     Value dy) {
  Value result = gate;
  std::optional<ActivationAttr> activation = op.getActivation();
  if (dy)
    result = buildActivationGradient(b, loc, activation->getKind(),
                                     activation->getParams(), gate, dy, Value(),
                                     options);
  else if (activation)
    result = buildActivation(
        b, loc, activation->getKind(), activation->getParams(), gate, Value(),
        MathOptions(getActivationAccuracy(options.accuracy,
                                          getElementTypeOrSelf(op.getType())),
                    options.lookupTables));
  if (up)
    result = arith::MulFOp::create(b, loc, result, up);
  return result;
}

/// Where column `col` (< n) of group `group` lives in panels of `width`:
/// (group,) panel, row `k`, lane; the group only for rank-4 panels.
static SmallVector<Value, 4> packedIndices(OpBuilder &b, Location loc,
                                           Value group, Value k, Value col,
                                           int64_t width) {
  Value w = arith::ConstantIndexOp::create(b, loc, width);
  SmallVector<Value, 4> indices;
  if (group)
    indices.push_back(group);
  indices.append({arith::DivUIOp::create(b, loc, col, w), k,
                  arith::RemUIOp::create(b, loc, col, w)});
  return indices;
}

Value mlir::act::buildPackB(OpBuilder &b, Location loc, PackBOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  int64_t rank = type.getRank();
  int64_t width = type.getDimSize(rank - 1);
  Value input = op.getInput();
  bool transposed = op.getTransposeB();
  SmallVector<Value> extents;
  if (type.isDynamicDim(rank - 2))
    extents.push_back(tensor::DimOp::create(b, loc, input, transposed ? 1 : 0));
  int64_t columns =
      cast<RankedTensorType>(input.getType()).getDimSize(transposed ? 0 : 1);
  int64_t n = op.getGlu() ? columns / 2 : columns;
  Type element = type.getElementType();
  auto generate = tensor::GenerateOp::create(
      b, loc, type, extents, [&](OpBuilder &nb, Location nloc, ValueRange iv) {
        auto index = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(nb, nloc, v);
        };
        Value panel = iv[rank - 3], k = iv[rank - 2], lane = iv[rank - 1];
        Value col = arith::AddIOp::create(
            nb, nloc, arith::MulIOp::create(nb, nloc, panel, index(width)),
            lane);
        Value inside = arith::CmpIOp::create(
            nb, nloc, arith::CmpIPredicate::ult, col, index(n));
        // Padding reads the last column, then selects zero.
        Value source = arith::MinUIOp::create(nb, nloc, col, index(n - 1));
        if (op.getGlu())
          source = arith::AddIOp::create(
              nb, nloc, source,
              arith::MulIOp::create(nb, nloc, iv[0], index(n)));
        SmallVector<Value, 2> at = {k, source};
        if (transposed)
          std::swap(at[0], at[1]);
        Value v = tensor::ExtractOp::create(nb, nloc, input, at);
        Value zero = arith::ConstantOp::create(nb, nloc, element,
                                               nb.getZeroAttr(element));
        tensor::YieldOp::create(
            nb, nloc, arith::SelectOp::create(nb, nloc, inside, v, zero));
      });
  return generate.getResult();
}

Value mlir::act::buildUnpackB(OpBuilder &b, Location loc, Value packed,
                              int64_t n) {
  auto packedType = cast<RankedTensorType>(packed.getType());
  int64_t rank = packedType.getRank();
  bool glu = rank == 4;
  int64_t width = packedType.getDimSize(rank - 1);
  int64_t k = packedType.getDimSize(rank - 2);
  auto type =
      RankedTensorType::get({k, glu ? 2 * n : n}, packedType.getElementType());
  SmallVector<Value> extents;
  if (ShapedType::isDynamic(k))
    extents.push_back(tensor::DimOp::create(b, loc, packed, rank - 2));
  auto generate = tensor::GenerateOp::create(
      b, loc, type, extents, [&](OpBuilder &nb, Location nloc, ValueRange iv) {
        Value col = iv[1], group;
        if (glu) {
          Value columns = arith::ConstantIndexOp::create(nb, nloc, n);
          group = arith::DivUIOp::create(nb, nloc, col, columns);
          col = arith::RemUIOp::create(nb, nloc, col, columns);
        }
        Value v = tensor::ExtractOp::create(
            nb, nloc, packed,
            packedIndices(nb, nloc, group, iv[0], col, width));
        tensor::YieldOp::create(nb, nloc, v);
      });
  return generate.getResult();
}

MatmulOp mlir::act::unpackMatmul(RewriterBase &rewriter, MatmulOp op) {
  auto resultType = cast<RankedTensorType>(op.getType());
  Value rhs = buildUnpackB(rewriter, op.getLoc(), op.getRhs(),
                           resultType.getDimSize(1));
  auto unpacked = MatmulOp::create(
      rewriter, op.getLoc(), resultType, op.getLhs(), rhs, op.getBias(),
      op.getDy(), op.getActivationAttr(), op.getTransposeB(), op.getGlu(),
      /*packed_b=*/false);
  rewriter.replaceOp(op, unpacked.getResult());
  return unpacked;
}
