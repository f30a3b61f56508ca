//===- LowerMatmul.cpp - act-lower-matmul: register-tiled CPU GEMM -*- C++ -*-//
//
// Lowers act.matmul to register-tiled, vectorized loops whose epilogue (bias,
// activation, derivative, GLU) runs on the accumulators before the store.
//
//===----------------------------------------------------------------------===//

#include "MatmulMatch.h"

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Dialect/Act/Transforms/Passes.h"
#include "act/Math/ArithMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>
#include <optional>

namespace mlir::act {
#define GEN_PASS_DEF_ACTLOWERMATMUL
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;
using namespace mlir::act;

namespace {

/// The operands of one 2-D product, as memrefs: C = epilogue(A B), where B
/// is one or (GLU) two column groups of N columns each (K x N, N x K, or
/// act.pack_b's P x K x W panels).
struct Operands2D {
  Value a, c, dy;
  SmallVector<Value, 2> b, bias;
};

/// The vectors of `width` lanes per act.pack_b panel of a packed_b matmul,
/// or 0 when its panels are no register tile (not a multiple of the width,
/// or more than 4 vectors wide).
int64_t getPackedVectors(MatmulOp op, int64_t width) {
  int64_t panelWidth =
      cast<ShapedType>(op.getRhs().getType()).getShape().back();
  if (panelWidth % width != 0 || panelWidth / width > 4)
    return 0;
  return panelWidth / width;
}

/// Emits the loops of one act.matmul. A tile is `rows` rows by `vectors`
/// vectors of `width` lanes of one column group; its accumulators stay in
/// registers over a K chunk, then wait in scratch or go through the
/// epilogue (see act-lower-matmul's description in Passes.td).
class MatmulEmitter {
public:
  MatmulEmitter(OpBuilder &b, Location loc, MatmulOp op,
                const MatmulLoweringOptions &options)
      : b(b), loc(loc), op(op), options(options), width(options.vectorWidth),
        groups(op.getGlu() ? 2 : 1), transposeB(op.getTransposeB()),
        prepacked(op.getPackedB()),
        packB(!prepacked && (transposeB || options.packB)) {
    auto elementType = cast<FloatType>(op.getType().getElementType());
    element = elementType;
    computeType = cast<FloatType>(getComputeType(elementType));
    vecType = VectorType::get({width}, computeType);
    maskType = VectorType::get({width}, b.getI1Type());
    // Tiles sized for the register file: 32 vector registers with AVX-512
    // (8 rows x 3 vectors: 24 accumulators, 3 B vectors and a broadcast),
    // 16 with AVX2 (6 x 2: 12 accumulators). Measured in
    // docs/matmul-tuning.md.
    bool wide = width >= 16;
    vectors =
        options.vectors > 0 ? options.vectors : getDefaultMatmulVectors(width);
    // Prepacked panels fix the tile's width; its rows then take the
    // registers left beside a B vector each and a broadcast.
    if (prepacked)
      vectors = getPackedVectors(op, width);
    int64_t registers = wide ? 32 : 16;
    rows = options.rows > 0
               ? options.rows
               : std::min<int64_t>(wide ? 8 : 6,
                                   (registers - vectors - 1) / vectors);
    panelWidth = width * vectors;
    // A GLU's block holds two groups' partial sums and B copies: with 8
    // panels they crowd L2 (measured: LLaMA-size SwiGLU 161 -> 186 GFLOP/s
    // with 2 panels on Zen 5, docs/matmul-tuning.md).
    panelsPerBlock = options.panelsPerBlock > 0 ? options.panelsPerBlock
                     : groups == 2              ? 2
                                                : 8;
  }

  /// Emits the whole product over `operands`, `m` x `n` x `k`.
  void emit(const Operands2D &operands, Value m, Value n, Value k) {
    this->operands = operands;
    this->m = m;
    this->n = n;
    this->k = k;
    // A static K shorter than a chunk is one chunk of exactly K steps.
    chunk = options.kChunk;
    int64_t staticK = cast<MemRefType>(operands.a.getType()).getDimSize(1);
    if (!ShapedType::isDynamic(staticK))
      chunk = std::clamp<int64_t>(staticK, 1, chunk);
    // Column blocks are the unit of work: each owns whole panels.
    int64_t blockWidth = this->blockWidth();
    Value blocks = ceilDiv(n, index(blockWidth));
    auto runBlocks = [&](Value first, Value step) {
      if (options.packA)
        emitPackA();
      auto loop = scf::ForOp::create(b, loc, first, blocks, step);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(loop.getBody()->getTerminator());
      Value begin = arith::MulIOp::create(b, loc, loop.getInductionVar(),
                                          index(blockWidth));
      Value end = arith::MinUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, begin, index(blockWidth)), n);
      emitBlock(begin, end);
    };
    auto module = op->getParentOfType<ModuleOp>();
    if (!options.parallel || !module) {
      runBlocks(index(0), index(1));
      return;
    }
    // One worker per OpenMP thread, blocks dealt round-robin. Each worker
    // copies A for itself: a copy made once before the parallel loop is
    // written by one core and read by all, every call (measured at the
    // BERT shape with 768 columns on 2 threads: 300 -> 345 GFLOP/s,
    // docs/matmul-tuning.md).
    Value workers = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                               emitThreadCount(module));
    workers = arith::MaxUIOp::create(
        b, loc, arith::MinUIOp::create(b, loc, workers, blocks), index(1));
    auto parallel =
        scf::ParallelOp::create(b, loc, ValueRange{index(0)},
                                ValueRange{workers}, ValueRange{index(1)});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(parallel.getBody()->getTerminator());
    runBlocks(parallel.getInductionVars()[0], workers);
  }

  /// omp_get_max_threads(): the size of the team the parallel loop gets
  /// (declared in `module` on first use).
  Value emitThreadCount(ModuleOp module) {
    constexpr StringLiteral kName = "omp_get_max_threads";
    auto type = b.getFunctionType({}, {b.getI32Type()});
    if (!module.lookupSymbol<func::FuncOp>(kName)) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(module.getBody());
      func::FuncOp::create(b, loc, kName, type).setPrivate();
    }
    return func::CallOp::create(b, loc, kName, type.getResults(), ValueRange{})
        .getResult(0);
  }

private:
  int64_t blockWidth() const { return panelWidth * panelsPerBlock; }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  Value ceilDiv(Value a, Value d) {
    return arith::CeilDivUIOp::create(b, loc, a, d);
  }

  /// Loops `body(iv)` over [lb, ub) by `step`.
  void forLoop(Value lb, Value ub, int64_t step,
               function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, loc, lb, ub, index(step));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  /// The columns [begin, end) of C, K chunk by K chunk (so that a chunk of
  /// A and of B's panel stay in L2 and L1 while all row tiles use them):
  /// full panels, then a masked one.
  void emitBlock(Value begin, Value end) {
    blockBegin = begin;
    Value count = arith::SubIOp::create(b, loc, end, begin);
    // Partial sums between K chunks, per group: the block's columns of C in
    // f32 (C itself holds only N columns, maybe in f16/bf16).
    auto scratchType =
        MemRefType::get({ShapedType::kDynamic, blockWidth()}, computeType);
    for (int64_t g = 0; g < groups; ++g)
      scratch[g] = memref::AllocOp::create(b, loc, scratchType, ValueRange{m},
                                           b.getI64IntegerAttr(64));
    // B is read through a panel-major copy of the chunk of the block's
    // columns (panels x chunk x panel width per group; transposed when B is
    // stored N x K): rows of a wide B are a multiple of 4 KiB apart, so a
    // panel read in place maps to few cache sets and leaves L1 before the
    // next row tile reuses it; in the copy a panel's chunk is one
    // contiguous stream that stays there.
    if (packB) {
      auto packedType =
          MemRefType::get({panelsPerBlock, chunk, panelWidth}, element);
      for (int64_t g = 0; g < groups; ++g)
        packed[g] = memref::AllocOp::create(b, loc, packedType, ValueRange{},
                                            b.getI64IntegerAttr(64));
    }
    // At least one chunk, so that K = 0 still runs the epilogue on zeros.
    Value chunksEnd = arith::MaxUIOp::create(b, loc, k, index(1));
    forLoop(index(0), chunksEnd, chunk, [&](Value kc) {
      kcBegin = kc;
      kcEnd = arith::MinUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, kc, index(chunk)), k);
      firstChunk =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, kc, index(0));
      lastChunk =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, kcEnd, k);
      if (packB)
        for (int64_t g = 0; g < groups; ++g)
          emitPackB(g, begin, count);
      emitPanels(begin, end, count);
    });
    // The buffer deallocation pipeline frees scratch and packed buffers.
  }

  void emitPanels(Value begin, Value end, Value count) {
    Value fullEnd = arith::AddIOp::create(
        b, loc, begin,
        arith::MulIOp::create(
            b, loc, arith::DivUIOp::create(b, loc, count, index(panelWidth)),
            index(panelWidth)));
    forLoop(begin, fullEnd, panelWidth, [&](Value n0) { emitPanel(n0, {}); });
    // Blocks are whole panels wide: N a multiple of a panel has no tail.
    int64_t staticN = cast<MemRefType>(operands.c.getType()).getDimSize(1);
    if (!ShapedType::isDynamic(staticN) && staticN % panelWidth == 0)
      return;
    Value rest = arith::SubIOp::create(b, loc, end, fullEnd);
    Value nonEmpty =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rest, index(0));
    auto guard = scf::IfOp::create(b, loc, nonEmpty, /*withElse=*/false);
    OpBuilder::InsertionGuard insertion(b);
    b.setInsertionPointToStart(guard.thenBlock());
    SmallVector<Value> masks;
    for (int64_t v = 0; v < vectors; ++v) {
      Value lanes = arith::SubIOp::create(b, loc, rest, index(v * width));
      lanes = arith::MaxSIOp::create(b, loc, lanes, index(0));
      lanes = arith::MinSIOp::create(b, loc, lanes, index(width));
      masks.push_back(
          vector::CreateMaskOp::create(b, loc, maskType, ValueRange{lanes}));
    }
    emitPanel(fullEnd, masks);
  }

  /// Copies A's full row tiles into packedA[t, k, i] = A[t * rows + i, k]:
  /// a tile's K loop then broadcasts from one cache line per step instead
  /// of one line per row (rows of A are often a multiple of 4 KiB apart).
  void emitPackA() {
    Value tiles = arith::DivUIOp::create(b, loc, m, index(rows));
    auto type = MemRefType::get(
        {ShapedType::kDynamic, ShapedType::kDynamic, rows}, element);
    packedA = memref::AllocOp::create(b, loc, type, ValueRange{tiles, k},
                                      b.getI64IntegerAttr(64));
    forLoop(index(0), tiles, 1, [&](Value t) {
      Value row0 = arith::MulIOp::create(b, loc, t, index(rows));
      forLoop(index(0), k, 1, [&](Value kk) {
        for (int64_t i = 0; i < rows; ++i) {
          Value row = arith::AddIOp::create(b, loc, row0, index(i));
          Value v =
              memref::LoadOp::create(b, loc, operands.a, ValueRange{row, kk});
          memref::StoreOp::create(b, loc, v, packedA,
                                  ValueRange{t, kk, index(i)});
        }
      });
    });
  }

  /// Where a tile's K loop prefetches (towards L2) the lines of B that the
  /// copy of the next K chunk will read: row kk + delta of column `col`.
  /// That is row kk + chunk (+ the tile's step offset within an iteration),
  /// or in the last chunk the same row of the next block's first chunk.
  /// B's rows are pages apart, where the hardware prefetchers do not
  /// follow; spread over the K loops, the lines arrive without stalling the
  /// copy.
  struct PrefetchAhead {
    Value delta, col;
  };
  PrefetchAhead prefetchAhead(Value col, Value rowOffset) {
    Value delta = arith::SelectOp::create(
        b, loc, lastChunk, arith::SubIOp::create(b, loc, index(0), kcBegin),
        index(chunk));
    delta = arith::AddIOp::create(b, loc, delta, rowOffset);
    Value nextCol = arith::AddIOp::create(b, loc, col, index(blockWidth()));
    col = arith::SelectOp::create(b, loc, lastChunk, nextCol, col);
    col = arith::MinUIOp::create(b, loc, col,
                                 arith::SubIOp::create(b, loc, n, index(1)));
    return {delta, col};
  }
  void emitPrefetchAhead(int64_t g, Value kk, const PrefetchAhead &ahead) {
    Value row = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, kk, ahead.delta),
        arith::SubIOp::create(b, loc, k, index(1)));
    memref::PrefetchOp::create(b, loc, operands.b[g],
                               ValueRange{row, ahead.col},
                               /*isWrite=*/false, /*localityHint=*/2,
                               /*isDataCache=*/true);
  }

  /// Where a tile's K loop prefetches (towards L2) the prepacked panel
  /// read next: group 1's panel after the GLU's gate, the block's next
  /// panel, then the block's first panel in the next chunk, then the next
  /// block's first panel in its first chunk. Lines are (panel, kk + delta,
  /// lane) in group `group`'s panels.
  struct PanelAhead {
    int64_t group;
    Value panel, delta, lane;
  };
  PanelAhead prepackedAhead(int64_t g, Value n0, Value lane) {
    Value panel = arith::DivUIOp::create(b, loc, n0, index(panelWidth));
    if (g + 1 < groups)
      return {g + 1, panel, index(0), lane};
    Value first = arith::DivUIOp::create(b, loc, blockBegin, index(panelWidth));
    Value end = arith::AddIOp::create(b, loc, first, index(panelsPerBlock));
    Value next = arith::AddIOp::create(b, loc, panel, index(1));
    Value inBlock =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, next, end);
    Value later = arith::SelectOp::create(b, loc, lastChunk, end, first);
    Value laterDelta = arith::SelectOp::create(
        b, loc, lastChunk, arith::SubIOp::create(b, loc, index(0), kcBegin),
        index(chunk));
    Value last = arith::SubIOp::create(
        b, loc, memref::DimOp::create(b, loc, operands.b[0], 0), index(1));
    return {0,
            arith::MinUIOp::create(
                b, loc, arith::SelectOp::create(b, loc, inBlock, next, later),
                last),
            arith::SelectOp::create(b, loc, inBlock, index(0), laterDelta),
            lane};
  }
  void emitPrefetchPanel(Value kk, const PanelAhead &ahead) {
    // Rows past K occur only where the next chunk is shorter than this
    // one; with K a multiple of the chunk the row needs no clamp (and the
    // address is one increment per step).
    Value row = arith::AddIOp::create(b, loc, kk, ahead.delta);
    auto panels = cast<MemRefType>(operands.b[ahead.group].getType());
    int64_t staticK = panels.getDimSize(1);
    if (ShapedType::isDynamic(staticK) || staticK % chunk != 0)
      row = arith::MinUIOp::create(b, loc, row,
                                   arith::SubIOp::create(b, loc, k, index(1)));
    memref::PrefetchOp::create(b, loc, operands.b[ahead.group],
                               ValueRange{ahead.panel, row, ahead.lane},
                               /*isWrite=*/false, /*localityHint=*/2,
                               /*isDataCache=*/true);
  }

  /// Where row `row` of the chunk, column `col` of the block lives in the
  /// panel-major copy: (panel, row, column in the panel).
  SmallVector<Value, 3> packedAt(Value row, Value col) {
    Value width = index(panelWidth);
    return {arith::DivUIOp::create(b, loc, col, width), row,
            arith::RemUIOp::create(b, loc, col, width)};
  }

  /// Copies rows [kcBegin, kcEnd) of columns [begin, begin + count) of group
  /// g's B into packed[g] (see packedAt): rows as vectors (the last one
  /// masked), or transposed element by element when B is N x K.
  void emitPackB(int64_t g, Value begin, Value count) {
    if (transposeB) {
      forLoop(index(0), count, 1, [&](Value j) {
        Value row = arith::AddIOp::create(b, loc, begin, j);
        forLoop(kcBegin, kcEnd, 1, [&](Value kk) {
          Value v = memref::LoadOp::create(b, loc, operands.b[g],
                                           ValueRange{row, kk});
          Value at = arith::SubIOp::create(b, loc, kk, kcBegin);
          memref::StoreOp::create(b, loc, v, packed[g], packedAt(at, j));
        });
      });
      return;
    }
    auto type = VectorType::get({width}, element);
    Value full = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, count, index(width)),
        index(width));
    Value rest = arith::SubIOp::create(b, loc, count, full);
    Value mask =
        vector::CreateMaskOp::create(b, loc, maskType, ValueRange{rest});
    Value zero = arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, b.getZeroAttr(element)));
    forLoop(kcBegin, kcEnd, 1, [&](Value kk) {
      Value at = arith::SubIOp::create(b, loc, kk, kcBegin);
      forLoop(index(0), full, width, [&](Value c) {
        Value col = arith::AddIOp::create(b, loc, begin, c);
        Value v = vector::LoadOp::create(b, loc, type, operands.b[g],
                                         ValueRange{kk, col});
        vector::StoreOp::create(b, loc, v, packed[g], packedAt(at, c));
      });
      Value col = arith::AddIOp::create(b, loc, begin, full);
      Value v = vector::MaskedLoadOp::create(b, loc, type, operands.b[g],
                                             ValueRange{kk, col}, mask, zero);
      vector::MaskedStoreOp::create(b, loc, packed[g], packedAt(at, full), mask,
                                    v);
    });
  }

  /// One panel of columns starting at n0: every row tile of C. `masks` are
  /// empty for a full panel; `columns` is the live column count when masked.
  void emitPanel(Value n0, ArrayRef<Value> masks) {
    // The bias of each group and vector, loaded once per panel.
    SmallVector<Value> bias;
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t v = 0; v < vectors; ++v)
        bias.push_back(operands.bias.empty()
                           ? Value()
                           : loadRow(operands.bias[g], n0, v, masks));
    Value mainEnd = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, m, index(rows)), index(rows));
    Source source = prepacked ? Source::prepacked
                    : packB   ? Source::packed
                              : Source::inPlace;
    nextPanel = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, n0, index(panelWidth)),
        arith::SubIOp::create(b, loc, n, index(1)));
    // The GLU's gate for every row tile, then its up projection: each pass
    // reads one panel of B, like a plain matmul.
    for (int64_t g = 0; g < groups; ++g) {
      forLoop(index(0), mainEnd, rows, [&](Value m0) {
        emitTile(m0, rows, n0, masks, bias, source, g);
      });
      // The last M % rows rows: one tile when M is static, else row by row.
      int64_t staticM = cast<MemRefType>(operands.a.getType()).getDimSize(0);
      if (!ShapedType::isDynamic(staticM)) {
        if (int64_t rest = staticM % rows)
          emitTile(mainEnd, rest, n0, masks, bias, source, g);
      } else {
        forLoop(mainEnd, m, 1,
                [&](Value m0) { emitTile(m0, 1, n0, masks, bias, source, g); });
      }
    }
  }

  /// bias[n0 + v * width : ...] extended to the compute type.
  Value loadRow(Value row, Value n0, int64_t v, ArrayRef<Value> masks) {
    Value col = arith::AddIOp::create(b, loc, n0, index(v * width));
    return extendToComputeType(b, loc,
                               loadVector(row, ValueRange{col}, masks, v));
  }

  Value loadVector(Value memref, ValueRange indices, ArrayRef<Value> masks,
                   int64_t v) {
    auto type = VectorType::get({width}, element);
    if (masks.empty())
      return vector::LoadOp::create(b, loc, type, memref, indices);
    Value zero = arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, b.getZeroAttr(element)));
    return vector::MaskedLoadOp::create(b, loc, type, memref, indices, masks[v],
                                        zero);
  }

  /// Where a tile reads B from.
  enum class Source {
    inPlace,   ///< B itself.
    packed,    ///< The block's copy.
    prepacked, ///< act.pack_b's panels.
  };

  /// B's row kk, vector v of group g, for the panel at n0.
  Value loadB(int64_t g, int64_t v, Value kk, Value n0, ArrayRef<Value> masks,
              Source source) {
    if (source == Source::prepacked) {
      // Whole panels, zero past the last column: no masks.
      Value panel = arith::DivUIOp::create(b, loc, n0, index(panelWidth));
      return loadVector(operands.b[g], ValueRange{panel, kk, index(v * width)},
                        {}, v);
    }
    Value col = arith::AddIOp::create(b, loc, n0, index(v * width));
    if (source == Source::inPlace)
      return loadVector(operands.b[g], ValueRange{kk, col}, masks, v);
    // Masked-off columns of the copy are never stored. Panels start at
    // multiples of the panel width from the block's start, so vector v is
    // at column v * width of panel (n0 - blockBegin) / panelWidth: one
    // address for the tile's vectors (with the column divided per vector,
    // LLVM kept one pointer per vector and ran out of registers).
    Value panel = arith::DivUIOp::create(
        b, loc, arith::SubIOp::create(b, loc, n0, blockBegin),
        index(panelWidth));
    Value row = arith::SubIOp::create(b, loc, kk, kcBegin);
    return loadVector(packed[g], ValueRange{panel, row, index(v * width)},
                      masks, v);
  }

  /// Rows [m0, m0 + tileRows) of the panel at n0: the K loop on
  /// accumulators, then the epilogue and the store.
  void emitTile(Value m0, int64_t tileRows, Value n0, ArrayRef<Value> masks,
                ArrayRef<Value> bias, Source source, int64_t g) {
    // The K loop of group g keeps rows x vectors accumulators in registers.
    // Sums wait in scratch[g] between K chunks; the GLU's gate sums also
    // wait there, finished, for the up projection's epilogue.
    int64_t count = tileRows * vectors;
    Value zero = arith::ConstantOp::create(
        b, loc, vecType,
        DenseElementsAttr::get(vecType, b.getZeroAttr(computeType)));
    Value tile = packedA && tileRows == rows
                     ? arith::DivUIOp::create(b, loc, m0, index(rows))
                     : Value();
    // The B line this tile sends towards L2 once per K-loop iteration (see
    // prefetchAhead): row tile t takes vector t mod vectors of its panel
    // and step (t / vectors) mod unroll of the iteration, so the panel's
    // first vectors x unroll tiles cover all of the next chunk's lines.
    int64_t unroll = std::max<int64_t>(options.unrollK, 1);
    std::optional<PrefetchAhead> ahead;
    if (source == Source::packed && options.prefetch && !transposeB) {
      Value prefetchColumn = n0, rowOffset = index(0);
      if (tileRows == rows) {
        Value t = arith::DivUIOp::create(b, loc, m0, index(rows));
        Value v = arith::RemUIOp::create(b, loc, t, index(vectors));
        prefetchColumn = arith::AddIOp::create(
            b, loc, n0, arith::MulIOp::create(b, loc, v, index(width)));
        rowOffset = arith::RemUIOp::create(
            b, loc, arith::DivUIOp::create(b, loc, t, index(vectors)),
            index(unroll));
      }
      ahead = prefetchAhead(prefetchColumn, rowOffset);
    }
    // Prepacked panels: row tile t sends vector t mod vectors of the panel
    // read next.
    std::optional<PanelAhead> panelAhead;
    if (source == Source::prepacked && options.prefetch) {
      Value lane = index(0);
      if (tileRows == rows)
        lane = arith::MulIOp::create(
            b, loc,
            arith::RemUIOp::create(
                b, loc, arith::DivUIOp::create(b, loc, m0, index(rows)),
                index(vectors)),
            index(width));
      panelAhead = prepackedAhead(g, n0, lane);
    }
    SmallVector<Value> rowIndex;
    for (int64_t i = 0; i < tileRows; ++i)
      rowIndex.push_back(arith::AddIOp::create(b, loc, m0, index(i)));
    auto scratchAt = [&](int64_t i, int64_t v) -> SmallVector<Value, 2> {
      Value col = arith::AddIOp::create(
          b, loc, arith::SubIOp::create(b, loc, n0, blockBegin),
          index(v * width));
      return {rowIndex[i], col};
    };
    // Accumulators start at zero in the first K chunk, else from scratch.
    auto initial = [&](int64_t g) {
      SmallVector<Type> types(count, vecType);
      auto start = scf::IfOp::create(b, loc, types, firstChunk,
                                     /*withElse=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(start.thenBlock());
      scf::YieldOp::create(b, loc, SmallVector<Value>(count, zero));
      b.setInsertionPointToStart(start.elseBlock());
      SmallVector<Value> loaded;
      for (int64_t i = 0; i < tileRows; ++i)
        for (int64_t v = 0; v < vectors; ++v)
          loaded.push_back(vector::LoadOp::create(b, loc, vecType, scratch[g],
                                                  scratchAt(i, v)));
      scf::YieldOp::create(b, loc, loaded);
      return SmallVector<Value>(start.getResults());
    };
    // One K step: a B vector per lane group, then a broadcast FMA per row.
    auto step = [&](Value kk, SmallVector<Value> accs, bool prefetch) {
      SmallVector<Value> bv;
      for (int64_t v = 0; v < vectors; ++v)
        bv.push_back(
            extendToComputeType(b, loc, loadB(g, v, kk, n0, masks, source)));
      // The next panel's line of this row, on its way to L2: B's rows are
      // pages apart, beyond the hardware prefetchers.
      if (source == Source::inPlace && options.prefetch)
        memref::PrefetchOp::create(b, loc, operands.b[g],
                                   ValueRange{kk, nextPanel},
                                   /*isWrite=*/false, /*localityHint=*/2,
                                   /*isDataCache=*/true);
      if (ahead && prefetch)
        emitPrefetchAhead(g, kk, *ahead);
      if (panelAhead && prefetch)
        emitPrefetchPanel(kk, *panelAhead);
      for (int64_t i = 0; i < tileRows; ++i) {
        Value a = tile ? memref::LoadOp::create(b, loc, packedA,
                                                ValueRange{tile, kk, index(i)})
                       : memref::LoadOp::create(b, loc, operands.a,
                                                ValueRange{rowIndex[i], kk});
        a = vector::BroadcastOp::create(b, loc, vecType,
                                        extendToComputeType(b, loc, a));
        for (int64_t v = 0; v < vectors; ++v)
          accs[i * vectors + v] =
              vector::FMAOp::create(b, loc, a, bv[v], accs[i * vectors + v]);
      }
      return accs;
    };
    // K steps per loop iteration (the rest one at a time): measured better
    // than one step (docs/matmul-tuning.md).
    Value evenEnd = kcEnd;
    if (unroll > 1)
      evenEnd = arith::SubIOp::create(
          b, loc, kcEnd,
          arith::RemUIOp::create(b, loc,
                                 arith::SubIOp::create(b, loc, kcEnd, kcBegin),
                                 index(unroll)));
    auto main = scf::ForOp::create(
        b, loc, kcBegin, evenEnd, index(unroll), initial(g),
        [&](OpBuilder &, Location, Value kk, ValueRange accs) {
          SmallVector<Value> next(accs);
          for (int64_t u = 0; u < unroll; ++u)
            next = step(
                u == 0
                    ? kk
                    : arith::AddIOp::create(b, loc, kk, index(u)).getResult(),
                next, /*prefetch=*/u == 0);
          scf::YieldOp::create(b, loc, next);
        });
    scf::ForOp loop = main;
    if (unroll > 1)
      loop = scf::ForOp::create(
          b, loc, evenEnd, kcEnd, index(1), main.getResults(),
          [&](OpBuilder &, Location, Value kk, ValueRange accs) {
            scf::YieldOp::create(
                b, loc, step(kk, SmallVector<Value>(accs), /*prefetch=*/true));
          });
    auto park = [&] {
      for (int64_t i = 0; i < tileRows; ++i)
        for (int64_t v = 0; v < vectors; ++v)
          vector::StoreOp::create(b, loc, loop.getResult(i * vectors + v),
                                  scratch[g], scratchAt(i, v));
    };
    // The gate of a GLU: its sums are parked in every chunk, the last too.
    if (g + 1 < groups) {
      park();
      return;
    }
    // Not the last K chunk: park the sums.
    auto last = scf::IfOp::create(b, loc, lastChunk, /*withElse=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(last.elseBlock());
    park();
    b.setInsertionPointToStart(last.thenBlock());
    for (int64_t i = 0; i < tileRows; ++i)
      for (int64_t v = 0; v < vectors; ++v) {
        SmallVector<Value, 2> x;
        for (int64_t h = 0; h < groups; ++h) {
          Value acc = h == g ? loop.getResult(i * vectors + v)
                             : vector::LoadOp::create(
                                   b, loc, vecType, scratch[h], scratchAt(i, v))
                                   .getResult();
          if (Value bv = bias[h * vectors + v])
            acc = arith::AddFOp::create(b, loc, acc, bv);
          x.push_back(acc);
        }
        Value col = arith::AddIOp::create(b, loc, n0, index(v * width));
        SmallVector<Value, 2> at = {rowIndex[i], col};
        Value dy;
        if (operands.dy)
          dy = extendToComputeType(b, loc,
                                   loadVector(operands.dy, at, masks, v));
        Value result = buildMatmulEpilogue(b, loc, op, options.math, x[0],
                                           groups == 2 ? x[1] : Value(), dy);
        result = truncateTo(b, loc, result, VectorType::get({width}, element));
        if (masks.empty())
          vector::StoreOp::create(b, loc, result, operands.c, at);
        else
          vector::MaskedStoreOp::create(b, loc, operands.c, at, masks[v],
                                        result);
      }
  }

  OpBuilder &b;
  Location loc;
  MatmulOp op;
  MatmulLoweringOptions options;
  int64_t width, groups;
  bool transposeB, prepacked, packB;
  FloatType element, computeType;
  VectorType vecType, maskType;
  int64_t rows = 0, vectors = 0, panelWidth = 0, panelsPerBlock = 0;
  Operands2D operands;
  Value m, n, k;
  Value packed[2], scratch[2], packedA, blockBegin;
  Value kcBegin, kcEnd, firstChunk, lastChunk, nextPanel;
  int64_t chunk = 0;
};

/// A memref view of `tensor` (identity layout, so static strides stay
/// static).
Value toBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

/// The slice `batch` of a memref's leading dimension (a batch's 2-D
/// matrix, a prepacked GLU's group of panels), or a 2-D memref itself.
Value sliceBatch(OpBuilder &b, Location loc, Value memref, Value batch) {
  auto type = cast<MemRefType>(memref.getType());
  int64_t rank = type.getRank();
  if (rank < 3)
    return memref;
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  for (int64_t d = 1; d < rank; ++d)
    sizes.push_back(memref::getMixedSize(b, loc, memref, d));
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  offsets[0] = batch;
  auto resultType =
      cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
          type.getShape().drop_front(), type, offsets, sizes, strides));
  return memref::SubViewOp::create(b, loc, resultType, memref, offsets, sizes,
                                   strides);
}

/// Columns [offset, offset + size) of a 2-D memref along `dim`.
Value sliceColumns(OpBuilder &b, Location loc, Value memref, int64_t dim,
                   Value offset, Value size) {
  auto type = cast<MemRefType>(memref.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(memref::getMixedSize(b, loc, memref, d));
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  offsets[dim] = offset;
  sizes[dim] = size;
  return memref::SubViewOp::create(b, loc, memref, offsets, sizes, strides);
}

/// act.matmul on f16/bf16/f32 tensors → its output buffer filled by
/// register-tiled loops (see MatmulEmitter), returned as a tensor.
struct LowerMatmul final : OpRewritePattern<MatmulOp> {
  LowerMatmul(MLIRContext *ctx, const MatmulLoweringOptions &options)
      : OpRewritePattern(ctx), options(options) {}
  MatmulLoweringOptions options;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    if (resultType.getElementType().isF64())
      return rewriter.notifyMatchFailure(op, "f64 stays with act-expand");
    // Panels that are no register tile here: B unpacked again, then lowered.
    bool prepacked = op.getPackedB();
    if (prepacked && getPackedVectors(op, options.vectorWidth) == 0) {
      unpackMatmul(rewriter, op);
      return success();
    }
    Location loc = op.getLoc();
    int64_t rank = resultType.getRank();
    Value lhs = toBuffer(rewriter, loc, op.getLhs());
    // The GLU's [Wg | Wu] when it is a concat of the two: read them in place;
    // a prepacked GLU's two groups of panels.
    SmallVector<Value, 2> rhsParts;
    auto concat = op.getRhs().getDefiningOp<tensor::ConcatOp>();
    int64_t columnDim = op.getTransposeB() ? rank - 2 : rank - 1;
    if (prepacked) {
      Value panels = toBuffer(rewriter, loc, op.getRhs());
      if (op.getGlu())
        for (int64_t g = 0; g < 2; ++g)
          rhsParts.push_back(
              sliceBatch(rewriter, loc, panels,
                         arith::ConstantIndexOp::create(rewriter, loc, g)));
      else
        rhsParts.push_back(panels);
    } else if (op.getGlu() && concat && concat.getInputs().size() == 2 &&
               static_cast<int64_t>(concat.getDim()) == columnDim &&
               concat.getInputs()[0].getType() ==
                   concat.getInputs()[1].getType()) {
      for (Value part : concat.getInputs())
        rhsParts.push_back(toBuffer(rewriter, loc, part));
    }
    Value rhs =
        rhsParts.empty() ? toBuffer(rewriter, loc, op.getRhs()) : Value();
    Value bias = op.getBias() ? toBuffer(rewriter, loc, op.getBias()) : Value();
    Value dy = op.getDy() ? toBuffer(rewriter, loc, op.getDy()) : Value();
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (!resultType.isDynamicDim(d))
        continue;
      if (d == rank - 1) {
        Value columns = memref::DimOp::create(
            rewriter, loc, rhsParts.empty() ? rhs : rhsParts[0], columnDim);
        if (op.getGlu() && rhsParts.empty())
          columns = arith::DivUIOp::create(
              rewriter, loc, columns,
              arith::ConstantIndexOp::create(rewriter, loc, 2));
        dynamicSizes.push_back(columns);
      } else {
        dynamicSizes.push_back(memref::DimOp::create(rewriter, loc, lhs, d));
      }
    }
    auto outType =
        MemRefType::get(resultType.getShape(), resultType.getElementType());
    // A result only stored into a caller's buffer (the JIT's kernels) is
    // computed in place there; otherwise into a new buffer.
    Value out;
    auto materialize =
        op->hasOneUse() ? dyn_cast<bufferization::MaterializeInDestinationOp>(
                              *op->getUsers().begin())
                        : nullptr;
    if (materialize && materialize->getPrevNode() == op &&
        materialize.getRestrict() && materialize.getWritable() &&
        materialize.getDest().getType() == outType) {
      out = materialize.getDest();
      rewriter.eraseOp(materialize);
    } else {
      out = memref::AllocOp::create(rewriter, loc, outType, dynamicSizes,
                                    rewriter.getI64IntegerAttr(64));
    }

    MatmulEmitter emitter(rewriter, loc, op, options);
    auto emit2D = [&](Value batch) {
      Operands2D o;
      o.a = sliceBatch(rewriter, loc, lhs, batch);
      o.c = sliceBatch(rewriter, loc, out, batch);
      if (dy)
        o.dy = sliceBatch(rewriter, loc, dy, batch);
      Value m = memref::DimOp::create(rewriter, loc, o.a, 0);
      Value k = memref::DimOp::create(rewriter, loc, o.a, 1);
      Value n = memref::DimOp::create(rewriter, loc, o.c, 1);
      int64_t bColumnDim = op.getTransposeB() ? 0 : 1;
      if (prepacked) {
        o.b = rhsParts;
      } else if (!rhsParts.empty()) {
        for (Value part : rhsParts)
          o.b.push_back(sliceBatch(rewriter, loc, part, batch));
      } else {
        Value b2 = sliceBatch(rewriter, loc, rhs, batch);
        if (op.getGlu()) {
          o.b.push_back(sliceColumns(
              rewriter, loc, b2, bColumnDim,
              arith::ConstantIndexOp::create(rewriter, loc, 0), n));
          o.b.push_back(sliceColumns(rewriter, loc, b2, bColumnDim, n, n));
        } else {
          o.b.push_back(b2);
        }
      }
      if (bias) {
        if (op.getGlu()) {
          o.bias.push_back(sliceColumns(
              rewriter, loc, bias, 0,
              arith::ConstantIndexOp::create(rewriter, loc, 0), n));
          o.bias.push_back(sliceColumns(rewriter, loc, bias, 0, n, n));
        } else {
          o.bias.push_back(bias);
        }
      }
      emitter.emit(o, m, n, k);
    };
    if (rank == 3) {
      Value batches = memref::DimOp::create(rewriter, loc, lhs, 0);
      auto loop = scf::ForOp::create(
          rewriter, loc, arith::ConstantIndexOp::create(rewriter, loc, 0),
          batches, arith::ConstantIndexOp::create(rewriter, loc, 1));
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(loop.getBody()->getTerminator());
      emit2D(loop.getInductionVar());
    } else {
      emit2D(Value());
    }
    if (op->use_empty()) {
      rewriter.eraseOp(op);
      return success();
    }
    Value result = bufferization::ToTensorOp::create(
        rewriter, loc, resultType, out, /*restrict=*/true, /*writable=*/true);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ActLowerMatmulPass final
    : act::impl::ActLowerMatmulBase<ActLowerMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    if (rows < 0 || vectors < 0 || kChunk < 1 || unrollK < 1 ||
        panelsPerBlock < 0) {
      getOperation()->emitError()
          << "act-lower-matmul: rows, vectors and panels-per-block must be "
             ">= 0, k-chunk and unroll-k >= 1";
      return signalPassFailure();
    }
    MatmulLoweringOptions lowering;
    lowering.vectorWidth = vectorWidth;
    lowering.rows = rows;
    lowering.vectors = vectors;
    lowering.kChunk = kChunk;
    lowering.panelsPerBlock = panelsPerBlock;
    lowering.unrollK = unrollK;
    lowering.packB = packB;
    lowering.parallel = parallel;
    lowering.math = {accuracy, lookupTables};
    RewritePatternSet patterns(&getContext());
    populateLowerMatmulPatterns(patterns, lowering);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::act::populateLowerMatmulPatterns(
    RewritePatternSet &patterns, const MatmulLoweringOptions &options) {
  patterns.add<LowerMatmul>(patterns.getContext(), options);
}
