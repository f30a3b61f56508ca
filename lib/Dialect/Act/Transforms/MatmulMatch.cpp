//===- MatmulMatch.cpp - recognizing matmuls for fusion -------*- C++ -*-===//
//
// The matcher shared by act-fuse-epilogue and act-fuse-glu.
//
//===----------------------------------------------------------------------===//

#include "MatmulMatch.h"

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Math/ArithMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
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
