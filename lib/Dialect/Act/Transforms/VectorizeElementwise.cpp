//===- VectorizeElementwise.cpp - act-vectorize-elementwise ---*- C++ -*-===//
//
// Parallel linalg.generic ops on memrefs become scf.for loops over vectors:
// a main loop of full vectors along the contiguous innermost dimension and
// one masked iteration for the tail.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseBody.h"

#include "act/Dialect/Act/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::act {
#define GEN_PASS_DEF_ACTVECTORIZEELEMENTWISE
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;
using namespace mlir::act;

namespace {

/// Whether `map` selects loop dimensions in increasing order (an identity,
/// or a broadcast such as (d0, d1) -> (d1)).
bool isOrderedProjection(AffineMap map) {
  if (map.getNumSymbols() != 0)
    return false;
  int64_t last = -1;
  for (AffineExpr e : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(e);
    if (!dim || static_cast<int64_t>(dim.getPosition()) <= last)
      return false;
    last = dim.getPosition();
  }
  return true;
}

bool hasUnitInnermostStride(MemRefType type) {
  if (type.getRank() == 0)
    return true;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

/// Why `op` cannot be vectorized, or nullptr.
const char *getUnsupportedReason(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics())
    return "not on memrefs";
  if (op.getNumLoops() == 0)
    return "no loops";
  if (op.getNumParallelLoops() != op.getNumLoops())
    return "not all loops are parallel";
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!isOrderedProjection(map))
      return "an indexing map is not an ordered projection";
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type)
      return "a scalar operand";
    if (!VectorType::isValidElementType(type.getElementType()))
      return "an element type vectors cannot hold";
    bool usesInnermost =
        map.getNumResults() > 0 &&
        cast<AffineDimExpr>(map.getResults().back()).getPosition() ==
            op.getNumLoops() - 1;
    if (usesInnermost && !hasUnitInnermostStride(type))
      return "the innermost dimension is not contiguous";
  }
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!op.getMatchingIndexingMap(&init).isIdentity())
      return "an output map is not the identity";
  for (Operation &bodyOp : op.getBlock()->without_terminator()) {
    if (bodyOp.getNumRegions() != 0 || !isMemoryEffectFree(&bodyOp) ||
        isa<linalg::IndexOp>(bodyOp))
      return "the body is not elementwise";
    for (Type t : bodyOp.getResultTypes())
      if (!t.isIntOrIndexOrFloat())
        return "the body computes non-scalar values";
  }
  return nullptr;
}

/// Emits the vectorized loop nest of one generic.
class GenericVectorizer {
public:
  GenericVectorizer(linalg::GenericOp op, int64_t width, bool nontemporal,
                    int64_t prefetchDistance, RewriterBase &rewriter)
      : op(op), width(width), nontemporal(nontemporal),
        prefetchDistance(prefetchDistance), b(rewriter), loc(op.getLoc()) {}

  void emit() {
    int64_t rank = op.getNumLoops();
    Value shapeSource = op.getDpsInitOperand(0)->get();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(memref::DimOp::create(b, loc, shapeSource, d));
    SmallVector<Value> ivs;
    emitOuter(sizes, ivs);
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  void emitOuter(ArrayRef<Value> sizes, SmallVector<Value> &ivs) {
    if (ivs.size() + 1 == sizes.size()) {
      emitInnermost(sizes.back(), ivs);
      return;
    }
    auto loop =
        scf::ForOp::create(b, loc, index(0), sizes[ivs.size()], index(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    ivs.push_back(loop.getInductionVar());
    emitOuter(sizes, ivs);
    ivs.pop_back();
  }

  /// One masked iteration over [begin, begin + count) when count > 0.
  void emitMasked(ArrayRef<Value> outer, Value begin, Value count) {
    Value nonEmpty = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                           count, index(0));
    auto guard = scf::IfOp::create(b, loc, nonEmpty, /*withElse=*/false);
    OpBuilder::InsertionGuard insertion(b);
    b.setInsertionPointToStart(guard.thenBlock());
    Value mask = vector::CreateMaskOp::create(
        b, loc, VectorType::get({width}, b.getI1Type()), ValueRange{count});
    emitBody(outer, begin, mask);
  }

  void emitInnermost(Value size, ArrayRef<Value> outer) {
    Value vw = index(width);
    Value begin = index(0);
    storeAlignment = 0;
    if (nontemporal && outer.empty() && op.getNumDpsInits() == 1) {
      // Streaming stores need whole aligned vectors: peel up to the first
      // aligned element of the output with one masked iteration.
      Value out = op.getDpsInitOperand(0)->get();
      int64_t elementBytes =
          cast<MemRefType>(out.getType()).getElementTypeBitWidth() / 8;
      int64_t vectorBytes = width * elementBytes;
      Value address =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, out);
      Value misaligned =
          arith::RemUIOp::create(b, loc, address, index(vectorBytes));
      Value peelBytes = arith::RemUIOp::create(
          b, loc, arith::SubIOp::create(b, loc, index(vectorBytes), misaligned),
          index(vectorBytes));
      Value peel =
          arith::DivUIOp::create(b, loc, peelBytes, index(elementBytes));
      peel = arith::MinUIOp::create(b, loc, peel, size);
      emitMasked(outer, index(0), peel);
      begin = peel;
      storeAlignment = vectorBytes;
    }
    Value remaining =
        storeAlignment ? arith::SubIOp::create(b, loc, size, begin) : size;
    Value rem = arith::RemUIOp::create(b, loc, remaining, vw);
    Value mainEnd = arith::SubIOp::create(b, loc, size, rem);
    Value last;
    if (storeAlignment != 0 && prefetchDistance > 0)
      last = arith::SubIOp::create(b, loc, size, index(1));
    auto loop = scf::ForOp::create(b, loc, begin, mainEnd, vw);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      streaming = storeAlignment != 0;
      if (last)
        emitPrefetches(loop.getInductionVar(), last);
      emitBody(outer, loop.getInductionVar(), Value());
      streaming = false;
    }
    emitMasked(outer, mainEnd, rem);
  }

  /// Prefetches of every cache line of the inputs `prefetchDistance`
  /// elements ahead of `inner` (clamped to `last`), for streaming
  /// loops: with a long dependency chain per vector, the hardware
  /// prefetchers alone leave the loop waiting for DRAM (measured: sigmoid at
  /// 10M elements 5.0 -> 6.6 Gelem/s on Zen 5; one prefetch per iteration
  /// instead of one per line gained a third of that). Into L1 and L2
  /// (prefetcht0): prefetchnta ran relu, sigmoid and Mish at 10M 2.3-3x
  /// slower than t0 on an Emerald Rapids Xeon (relu 1.2 vs 3.6 Gelem/s).
  void emitPrefetches(Value inner, Value last) {
    for (OpOperand *input : op.getDpsInputOperands()) {
      if (!variesInnermost(*input))
        continue;
      auto type = cast<MemRefType>(input->get().getType());
      int64_t lineElements =
          std::max<int64_t>(1, 512 / type.getElementTypeBitWidth());
      for (int64_t offset = 0; offset < width; offset += lineElements) {
        Value ahead = arith::AddIOp::create(b, loc, inner,
                                            index(prefetchDistance + offset));
        ahead = arith::MinSIOp::create(b, loc, ahead, last);
        memref::PrefetchOp::create(b, loc, input->get(), ValueRange{ahead},
                                   /*isWrite=*/false, /*localityHint=*/3,
                                   /*isDataCache=*/true);
      }
    }
  }

  /// Indices into `operand` for the loop point (outer..., inner).
  SmallVector<Value> getIndices(OpOperand &operand, ArrayRef<Value> outer,
                                Value inner) {
    SmallVector<Value> indices;
    for (AffineExpr e : op.getMatchingIndexingMap(&operand).getResults()) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      indices.push_back(d == outer.size() ? inner : outer[d]);
    }
    return indices;
  }

  bool variesInnermost(OpOperand &operand) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    return map.getNumResults() > 0 &&
           cast<AffineDimExpr>(map.getResults().back()).getPosition() ==
               op.getNumLoops() - 1;
  }

  VectorType vectorOf(Type t) { return VectorType::get({width}, t); }

  Value load(OpOperand &operand, ArrayRef<Value> outer, Value inner,
             Value mask) {
    Value memref = operand.get();
    Type element = cast<MemRefType>(memref.getType()).getElementType();
    SmallVector<Value> indices = getIndices(operand, outer, inner);
    if (!variesInnermost(operand)) {
      Value scalar = memref::LoadOp::create(b, loc, memref, indices);
      return vector::BroadcastOp::create(b, loc, vectorOf(element), scalar);
    }
    if (!mask)
      return vector::LoadOp::create(b, loc, vectorOf(element), memref, indices);
    Value passThru = arith::ConstantOp::create(
        b, loc, vectorOf(element),
        DenseElementsAttr::get(vectorOf(element), b.getZeroAttr(element)));
    return vector::MaskedLoadOp::create(b, loc, vectorOf(element), memref,
                                        indices, mask, passThru);
  }

  void emitBody(ArrayRef<Value> outer, Value inner, Value mask) {
    Block *body = op.getBlock();
    IRMapping mapping;
    for (OpOperand &operand : op->getOpOperands()) {
      BlockArgument arg = body->getArgument(operand.getOperandNumber());
      if (arg.use_empty())
        continue;
      mapping.map(arg, load(operand, outer, inner, mask));
    }
    SmallVector<Value> results =
        cloneElementwiseBody(b, loc, body, mapping, width);
    for (auto [vec, init] : llvm::zip(results, op.getDpsInitsMutable())) {
      SmallVector<Value> indices = getIndices(init, outer, inner);
      if (mask) {
        vector::MaskedStoreOp::create(b, loc, init.get(), indices, mask, vec);
      } else {
        auto store = vector::StoreOp::create(b, loc, vec, init.get(), indices);
        if (streaming) {
          store.setNontemporal(true);
          store.setAlignment(storeAlignment);
        }
      }
    }
  }

  linalg::GenericOp op;
  int64_t width;
  bool nontemporal;
  int64_t prefetchDistance;
  RewriterBase &b;
  Location loc;
  /// Whether the main loop being emitted uses aligned streaming stores.
  bool streaming = false;
  int64_t storeAlignment = 0;
};

/// Functions with this unit attribute get non-temporal stores.
constexpr StringLiteral kNontemporalAttr = "act.nontemporal_stores";

/// Collapses an all-identity generic over contiguous memrefs to rank 1.
linalg::GenericOp collapseToOneDim(linalg::GenericOp op,
                                   RewriterBase &rewriter) {
  int64_t rank = op.getNumLoops();
  if (rank <= 1)
    return op;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = cast<MemRefType>(operand.get().getType());
    if (!op.getMatchingIndexingMap(&operand).isIdentity() ||
        !type.getLayout().isIdentity())
      return op;
  }
  Location loc = op.getLoc();
  SmallVector<ReassociationIndices> all(1);
  for (int64_t d = 0; d < rank; ++d)
    all[0].push_back(d);
  SmallVector<Value> collapsed;
  for (OpOperand &operand : op->getOpOperands())
    collapsed.push_back(
        memref::CollapseShapeOp::create(rewriter, loc, operand.get(), all));
  AffineMap id = rewriter.getMultiDimIdentityMap(1);
  SmallVector<AffineMap> maps(op->getNumOperands(), id);
  auto newOp = linalg::GenericOp::create(
      rewriter, loc, TypeRange{},
      ValueRange(collapsed).take_front(op.getNumDpsInputs()),
      ValueRange(collapsed).drop_front(op.getNumDpsInputs()), maps,
      SmallVector<utils::IteratorType>(1, utils::IteratorType::parallel));
  rewriter.inlineRegionBefore(op.getRegion(), newOp.getRegion(),
                              newOp.getRegion().begin());
  rewriter.eraseOp(op);
  return newOp;
}

struct ActVectorizeElementwisePass final
    : act::impl::ActVectorizeElementwiseBase<ActVectorizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    if (vectorWidth < 1) {
      getOperation()->emitError("vector-width must be positive, got ")
          << static_cast<int64_t>(vectorWidth);
      return signalPassFailure();
    }
    if (interleave < 1) {
      getOperation()->emitError("interleave must be positive, got ")
          << static_cast<int64_t>(interleave);
      return signalPassFailure();
    }
    if (prefetchDistance < 0) {
      getOperation()->emitError("prefetch-distance must be non-negative, got ")
          << static_cast<int64_t>(prefetchDistance);
      return signalPassFailure();
    }
    int64_t lanes = vectorWidth * interleave;
    SmallVector<linalg::GenericOp> generics;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (!getUnsupportedReason(op))
        generics.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : generics) {
      auto func = op->getParentOfType<FunctionOpInterface>();
      bool streaming = func && func->hasAttr(kNontemporalAttr);
      rewriter.setInsertionPoint(op);
      op = collapseToOneDim(op, rewriter);
      rewriter.setInsertionPoint(op);
      GenericVectorizer(op, lanes, streaming, prefetchDistance, rewriter)
          .emit();
      rewriter.eraseOp(op);
    }
  }
};

} // namespace

SmallVector<Value> mlir::act::cloneElementwiseBody(OpBuilder &b, Location loc,
                                                   Block *body,
                                                   IRMapping &mapping,
                                                   int64_t width) {
  auto widen = [&](Type t) -> Type {
    return width == 1 ? t : VectorType::get({width}, t);
  };
  auto vectorOf = [&](Value v) -> Value {
    if (Value mapped = mapping.lookupOrNull(v))
      return mapped;
    if (width == 1)
      return v;
    Value splat = vector::BroadcastOp::create(b, loc, widen(v.getType()), v);
    mapping.map(v, splat);
    return splat;
  };
  for (Operation &op : body->without_terminator()) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op);
        constant && width > 1) {
      auto type = cast<VectorType>(widen(constant.getType()));
      mapping.map(constant.getResult(),
                  arith::ConstantOp::create(
                      b, loc, type,
                      SplatElementsAttr::get(
                          type, cast<TypedAttr>(constant.getValue()))));
      continue;
    }
    for (Value operand : op.getOperands())
      vectorOf(operand);
    Operation *clone = b.clone(op, mapping);
    for (OpResult result : clone->getResults())
      result.setType(widen(result.getType()));
  }
  SmallVector<Value> results;
  for (Value value : cast<linalg::YieldOp>(body->getTerminator()).getValues())
    results.push_back(vectorOf(value));
  return results;
}
