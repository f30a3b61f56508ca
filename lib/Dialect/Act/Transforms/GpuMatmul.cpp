//===- GpuMatmul.cpp - act-gpu-matmul: tensor-core act.matmul kernels -----===//
//
// Turns a function whose work is one f16/bf16 act.matmul into a GPU kernel
// on the tensor cores (mma.sync m16n8k16, f32 accumulate, sm_80 and later):
//
// - a CTA computes a 128 x 128 tile of A B with 8 warps of 64 x 32 each;
// - A and B come through shared memory in 32-deep K slices, three stages of
//   cp.async in flight, stored with an XOR swizzle so that ldmatrix reads
//   without bank conflicts;
// - ldmatrix (.trans for B) feeds nvvm.mma.sync;
// - the epilogue (bias, activation or derivative, GLU) runs on the
//   accumulator registers, with act's own formulas, and stores the result.
//
// For the GLU the CTA's 128 B columns are, per warp, 16 gate columns and
// the 16 up columns of the same outputs, so gate and up meet in one thread.
//
//===----------------------------------------------------------------------===//

#include "MatmulMatch.h"

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/Dialect/Act/Transforms/Passes.h"
#include "act/GPU/KernelGeometry.h"
#include "act/Math/ArithMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::act {
#define GEN_PASS_DEF_ACTGPUMATMUL
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;
using namespace mlir::act;
namespace mm = ::act::gpu::matmul;

namespace {

/// A function `@f(%a, %b, [%bias], [%dy], %c)` whose body reads its memref
/// arguments with bufferization.to_tensor, runs one act.matmul and
/// materializes it into an argument.
struct MatmulFunction {
  MatmulOp op;
  /// Argument numbers of lhs, rhs, bias, dy (-1: none) and the result.
  int lhs = -1, rhs = -1, bias = -1, dy = -1, result = -1;
};

FailureOr<MatmulFunction> matchMatmulFunction(func::FuncOp func,
                                              const mm::Geometry &geometry,
                                              std::string &reason) {
  MatmulFunction match;
  auto matmuls = func.getOps<MatmulOp>();
  if (std::distance(matmuls.begin(), matmuls.end()) != 1)
    return failure();
  match.op = *matmuls.begin();
  auto argumentOf = [&](Value v) -> int {
    if (!v)
      return -1;
    auto toTensor = v.getDefiningOp<bufferization::ToTensorOp>();
    auto arg = toTensor ? dyn_cast<BlockArgument>(toTensor.getBuffer())
                        : BlockArgument();
    return arg && arg.getOwner()->getParentOp() == func
               ? static_cast<int>(arg.getArgNumber())
               : -2;
  };
  MatmulOp op = match.op;
  match.lhs = argumentOf(op.getLhs());
  match.rhs = argumentOf(op.getRhs());
  match.bias = argumentOf(op.getBias());
  match.dy = argumentOf(op.getDy());
  if (match.lhs < 0 || match.rhs < 0 || match.bias == -2 || match.dy == -2) {
    reason = "the matmul's operands are not read from its arguments";
    return failure();
  }
  if (!op->hasOneUse()) {
    reason = "the matmul's result is not only stored into an argument";
    return failure();
  }
  auto store = dyn_cast<bufferization::MaterializeInDestinationOp>(
      *op->getUsers().begin());
  auto out = store ? dyn_cast<BlockArgument>(store.getDest()) : nullptr;
  if (!out || out.getOwner()->getParentOp() != func) {
    reason = "the matmul's result is not only stored into an argument";
    return failure();
  }
  match.result = out.getArgNumber();
  for (Operation &o : func.getBody().front())
    if (!isa<bufferization::ToTensorOp, MatmulOp,
             bufferization::MaterializeInDestinationOp, func::ReturnOp>(o)) {
      reason = "the function does more than one matmul";
      return failure();
    }
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  Type element = lhsType.getElementType();
  if (!isa<Float16Type, BFloat16Type>(element)) {
    reason = "the tensor-core matmul takes f16 or bf16 inputs";
    return failure();
  }
  if (lhsType.getRank() != 2) {
    reason = "the GPU matmul takes 2-D operands (no batches yet)";
    return failure();
  }
  if (op.getTransposeB()) {
    reason = "the GPU matmul does not take transpose_b yet";
    return failure();
  }
  if (op.getPackedB()) {
    reason = "the GPU matmul does not take packed_b (act.pack_b's panels "
             "are a CPU layout)";
    return failure();
  }
  // Static sizes must fit the tiles now; dynamic ones are checked at launch.
  ArrayRef<int64_t> a = lhsType.getShape();
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t n = resultType.getDimSize(1);
  if (!ShapedType::isDynamicShape(a) && !resultType.isDynamicDim(1)) {
    std::string error;
    if (!mm::gridSize(geometry, a[0], n, a[1], op.getGlu(), error)) {
      reason = error;
      return failure();
    }
  }
  return match;
}

/// What both kernel families share: operands, index arithmetic, the CTA's
/// tile in grouped order, B's column layout and the epilogue on one pair of
/// accumulators.
class KernelEmitterBase {
public:
  KernelEmitterBase(OpBuilder &b, Location loc, const MatmulFunction &match,
                    ValueRange args, const mm::Geometry &geometry,
                    Accuracy accuracy)
      : b(b), loc(loc), op(match.op), geometry(geometry), accuracy(accuracy) {
    a = args[match.lhs];
    bMat = args[match.rhs];
    c = args[match.result];
    if (match.bias >= 0)
      bias = args[match.bias];
    if (match.dy >= 0)
      dy = args[match.dy];
    element = cast<MemRefType>(a.getType()).getElementType();
    glu = op.getGlu();
  }

protected:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value add(Value x, int64_t y) { return add(x, index(y)); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t y) { return mul(x, index(y)); }
  Value divU(Value x, int64_t y) {
    return arith::DivUIOp::create(b, loc, x, index(y));
  }
  Value divU(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value remU(Value x, int64_t y) {
    return arith::RemUIOp::create(b, loc, x, index(y));
  }
  Value remU(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value xorI(Value x, Value y) { return arith::XOrIOp::create(b, loc, x, y); }
  Value andI(Value x, int64_t y) {
    return arith::AndIOp::create(b, loc, x, index(y));
  }
  Value shrU(Value x, int64_t y) {
    return arith::ShRUIOp::create(b, loc, x, index(y));
  }
  Value minU(Value x, Value y) { return arith::MinUIOp::create(b, loc, x, y); }

  /// Sets tid and lane, and the CTA's tile (emitTileOrigin); returns the
  /// warp's index in the CTA.
  Value emitThreadAndTile() {
    tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    lane = remU(tid, 32);
    emitTileOrigin();
    return divU(tid, 32);
  }

  /// Sets m0, n0 (the CTA's first row and output column), outColumns and
  /// the number of K slices. CTAs run in groups of groupM tile rows, column
  /// by column, so that the B columns of the CTAs in flight stay in L2.
  void emitTileOrigin() {
    Value m = memref::DimOp::create(b, loc, a, 0);
    Value k = memref::DimOp::create(b, loc, a, 1);
    outColumns = memref::DimOp::create(b, loc, c, 1);
    int64_t columns = mm::outputTileColumns(geometry, glu);
    Value tilesM = divU(m, geometry.tileM);
    Value tilesN = divU(outColumns, columns);
    Value pid = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
    Value groupSize = mul(tilesN, geometry.groupM);
    Value firstM = mul(divU(pid, groupSize), geometry.groupM);
    Value rowsInGroup = minU(sub(tilesM, firstM), index(geometry.groupM));
    Value inGroup = remU(pid, groupSize);
    m0 = mul(add(firstM, remU(inGroup, rowsInGroup)), geometry.tileM);
    n0 = mul(divU(inGroup, rowsInGroup), columns);
    slices = divU(k, geometry.tileK);
  }

  /// The column of B where the CTA's 8-column chunk `chunk` starts:
  /// consecutive for a plain matmul; for the GLU, blocks of `block` gate
  /// columns each followed by the `block` up columns of the same outputs
  /// (so that gate and up meet in one thread's accumulators).
  Value columnOfChunk(Value chunk, int64_t block) {
    if (!glu)
      return add(n0, mul(chunk, 8));
    int64_t perBlock = block / 8;
    Value pair = divU(chunk, 2 * perBlock), q = remU(chunk, 2 * perBlock);
    Value isUp = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, q,
                                       index(perBlock));
    Value gate = add(add(n0, mul(pair, block)), mul(remU(q, perBlock), 8));
    return arith::SelectOp::create(b, loc, isUp, add(gate, outColumns), gate);
  }

  void copy(Value dst, ValueRange dstIndices, Value src,
            ValueRange srcIndices) {
    nvgpu::DeviceAsyncCopyOp::create(
        b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), dst,
        dstIndices, src, srcIndices, b.getIndexAttr(8), Value(),
        b.getUnitAttr());
  }

  /// Pairs start at even columns of rows of an even number of elements.
  static llvm::MaybeAlign pairAlignment(Type element) {
    return llvm::MaybeAlign(2 * element.getIntOrFloatBitWidth() / 8);
  }

  /// Two adjacent elements of a row-broadcast bias or of dy, in f32.
  Value loadPair(Value memref, ValueRange indices) {
    Type type = cast<MemRefType>(memref.getType()).getElementType();
    Value v = vector::LoadOp::create(b, loc, VectorType::get({2}, type), memref,
                                     indices, /*nontemporal=*/false,
                                     pairAlignment(type));
    return extendToComputeType(b, loc, v);
  }

  /// Two elements of `v` (a vector<2xf32> load) as scalars, appended.
  void appendPair(SmallVector<Value> &to, Value v) {
    for (int64_t e = 0; e < 2; ++e)
      to.push_back(vector::ExtractOp::create(b, loc, v, e));
  }

  /// The epilogue on the accumulators of outputs (row, cols[i]..+1), one
  /// pair per column: `gate` holds the gate (or only) values in that order
  /// and, for the GLU, `up` the up values. All pairs go through act's
  /// formulas as one vector, so that the scheduler sees independent chains
  /// (one pair at a time left the epilogue latency-bound, at two warps per
  /// scheduler); then each pair is stored.
  void storePairs(Value row, ArrayRef<Value> cols, ArrayRef<Value> gate,
                  ArrayRef<Value> up) {
    auto type =
        VectorType::get({static_cast<int64_t>(gate.size())}, b.getF32Type());
    auto gather = [&](ArrayRef<Value> scalars) {
      return vector::FromElementsOp::create(b, loc, type, scalars);
    };
    Value gateV = gather(gate), upV = up.empty() ? Value() : gather(up);
    if (bias) {
      SmallVector<Value> gateBias, upBias;
      for (Value col : cols) {
        appendPair(gateBias, loadPair(bias, {col}));
        if (upV)
          appendPair(upBias, loadPair(bias, {add(col, outColumns)}));
      }
      gateV = arith::AddFOp::create(b, loc, gateV, gather(gateBias));
      if (upV)
        upV = arith::AddFOp::create(b, loc, upV, gather(upBias));
    }
    Value dyV;
    if (dy) {
      SmallVector<Value> dyScalars;
      for (Value col : cols)
        appendPair(dyScalars, loadPair(dy, {row, col}));
      dyV = gather(dyScalars);
    }
    Value y = buildMatmulEpilogue(b, loc, op, accuracy, gateV, upV, dyV);
    Type resultElement = cast<MemRefType>(c.getType()).getElementType();
    y = truncateTo(b, loc, y, VectorType::get(type.getShape(), resultElement));
    auto pairType = VectorType::get({2}, resultElement);
    for (auto [i, col] : llvm::enumerate(cols)) {
      int64_t at = 2 * static_cast<int64_t>(i);
      Value pair = vector::FromElementsOp::create(
          b, loc, pairType,
          ValueRange{vector::ExtractOp::create(b, loc, y, at),
                     vector::ExtractOp::create(b, loc, y, at + 1)});
      vector::StoreOp::create(b, loc, pair, c, ValueRange{row, col},
                              /*nontemporal=*/false,
                              pairAlignment(resultElement));
    }
  }

  OpBuilder &b;
  Location loc;
  MatmulOp op;
  const mm::Geometry &geometry;
  Accuracy accuracy;
  Value a, bMat, bias, dy, c;
  Type element;
  bool glu = false;
  Value tid, lane, m0, n0, outColumns, slices;
};

/// The mma.sync kernel (sm_80 and later): a 128 x 128 CTA tile, 8 warps of
/// 64 x 32, K slices of 32 through 3 static shared-memory stages.
class SyncKernelEmitter : KernelEmitterBase {
public:
  SyncKernelEmitter(OpBuilder &b, Location loc, const MatmulFunction &match,
                    ValueRange args, Value smemA, Value smemB,
                    Accuracy accuracy)
      : KernelEmitterBase(b, loc, match, args, mm::kSync, accuracy),
        smemA(smemA), smemB(smemB) {}

  void emit() {
    Value warp = emitThreadAndTile();
    warpM = remU(warp, 2);
    warpN = divU(warp, 2);
    Value lastSlice = sub(slices, index(1));
    int64_t stages = geometry.stages;

    // Prologue: the first stages - 1 slices in flight.
    for (int64_t s = 0; s < stages - 1; ++s)
      loadSlice(minU(index(s), lastSlice), index(s));

    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    SmallVector<Value> init(kTilesM * kTilesN * 4, zero);
    auto loop = scf::ForOp::create(b, loc, index(0), slices, index(1), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value kt = loop.getInductionVar();
      // Slice kt has landed once at most stages - 2 groups are pending;
      // the barrier also frees the stage that the next load overwrites
      // (read in the previous iteration).
      NVVM::CpAsyncWaitGroupOp::create(b, loc, stages - 2);
      gpu::BarrierOp::create(b, loc);
      Value next = add(kt, stages - 1);
      loadSlice(minU(next, lastSlice), remU(next, stages));
      SmallVector<Value> acc(loop.getRegionIterArgs());
      Value stage = remU(kt, stages);
      for (int64_t kk = 0; kk < geometry.tileK / 16; ++kk)
        multiplyStep(stage, kk, acc);
      scf::YieldOp::create(b, loc, acc);
    }
    NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
    emitEpilogue(loop.getResults());
  }

private:
  // Warp tile: kTilesM x kTilesN mma tiles of 16 x 8.
  static constexpr int64_t kTilesM = 4, kTilesN = 4;

  /// The swizzled column (in elements) of 16-byte chunk `chunk` of row
  /// `row` of an A slice (4 chunks per row) or a B slice (16 per row).
  Value swizzleA(Value row, Value chunk) {
    return mul(xorI(chunk, andI(shrU(row, 1), 3)), 8);
  }
  Value swizzleB(Value row, Value chunk) {
    return mul(xorI(chunk, andI(row, 7)), 8);
  }

  /// cp.async of K slice `slice` of A's and B's tiles into `stage`, then
  /// one commit group. 512 16-byte chunks each, two per thread.
  void loadSlice(Value slice, Value stage) {
    Value k0 = mul(slice, geometry.tileK);
    for (int64_t rep = 0; rep < 2; ++rep) {
      Value chunk = add(tid, rep * geometry.threads);
      Value rowA = divU(chunk, 4), chunkA = remU(chunk, 4);
      copy(smemA, {stage, rowA, swizzleA(rowA, chunkA)}, a,
           {add(m0, rowA), add(k0, mul(chunkA, 8))});
      Value rowB = divU(chunk, 16), chunkB = remU(chunk, 16);
      copy(smemB, {stage, rowB, swizzleB(rowB, chunkB)}, bMat,
           {add(k0, rowB), columnOfChunk(chunkB, 16)});
    }
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
  }

  /// The four 32-bit registers of an ldmatrix.x4 at lane's address, as
  /// nvvm.mma.sync takes them: vector<2xf16>, or i32 for bf16.
  SmallVector<Value, 4> ldmatrix(Value memref, ValueRange indices,
                                 bool transpose) {
    auto type = VectorType::get({4, 2}, element);
    Value tiles =
        nvgpu::LdMatrixOp::create(b, loc, type, memref, indices, transpose, 4);
    SmallVector<Value, 4> regs;
    for (int64_t r = 0; r < 4; ++r) {
      Value pair = vector::ExtractOp::create(b, loc, tiles, r);
      if (isa<BFloat16Type>(element)) {
        Value bits = vector::BitCastOp::create(
            b, loc, VectorType::get({1}, b.getI32Type()), pair);
        pair = vector::ExtractOp::create(b, loc, bits, 0);
      }
      regs.push_back(pair);
    }
    return regs;
  }

  /// One k16 step of the warp tile on slice `stage`, step `kk` of the slice.
  void multiplyStep(Value stage, int64_t kk, SmallVector<Value> &acc) {
    Value laneRow = remU(lane, 16), laneChunk = divU(lane, 16);
    SmallVector<SmallVector<Value, 4>> fragA, fragB;
    for (int64_t i = 0; i < kTilesM; ++i) {
      Value row = add(add(mul(warpM, 64), index(16 * i)), laneRow);
      Value chunk = add(laneChunk, 2 * kk);
      fragA.push_back(
          ldmatrix(smemA, {stage, row, swizzleA(row, chunk)}, false));
    }
    for (int64_t p = 0; p < kTilesN / 2; ++p) {
      Value row = add(laneRow, 16 * kk);
      Value chunk = add(add(mul(warpN, 4), index(2 * p)), laneChunk);
      fragB.push_back(
          ldmatrix(smemB, {stage, row, swizzleB(row, chunk)}, true));
    }
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(4, b.getF32Type()));
    NVVM::MMATypes ptxType =
        isa<BFloat16Type>(element) ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
    for (int64_t i = 0; i < kTilesM; ++i)
      for (int64_t j = 0; j < kTilesN; ++j) {
        ArrayRef<Value> pair = fragB[j / 2];
        SmallVector<Value, 2> operandB = {pair[2 * (j % 2)],
                                          pair[2 * (j % 2) + 1]};
        int64_t at = (i * kTilesN + j) * 4;
        SmallVector<Value, 4> operandC(acc.begin() + at, acc.begin() + at + 4);
        Value d = NVVM::MmaOp::create(
            b, loc, resultType, fragA[i], operandB, operandC, {16, 8, 16},
            std::nullopt, std::nullopt,
            std::array<NVVM::MMATypes, 2>{ptxType, ptxType},
            std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                           NVVM::MMALayout::col});
        for (int64_t e = 0; e < 4; ++e)
          acc[at + e] = LLVM::ExtractValueOp::create(b, loc, d, e);
      }
  }

  /// Thread (g, t) = (lane / 4, lane % 4) holds, of each 16 x 8 tile, the
  /// pairs (g, 2t..2t+1) and (g + 8, 2t..2t+1).
  void emitEpilogue(ValueRange acc) {
    Value g = divU(lane, 4), t = remU(lane, 4);
    int64_t outTilesN = glu ? kTilesN / 2 : kTilesN;
    int64_t warpColumns = glu ? 16 : 32;
    for (int64_t i = 0; i < kTilesM; ++i)
      for (int64_t half = 0; half < 2; ++half) {
        Value row =
            add(add(m0, mul(warpM, 64)), add(g, index(16 * i + 8 * half)));
        SmallVector<Value> cols, gate, up;
        for (int64_t j = 0; j < outTilesN; ++j) {
          cols.push_back(add(add(n0, mul(warpN, warpColumns)),
                             add(mul(t, 2), index(8 * j))));
          int64_t v = (i * kTilesN + j) * 4 + 2 * half;
          gate.append({acc[v], acc[v + 1]});
          if (glu)
            up.append({acc[v + 8], acc[v + 9]});
        }
        storePairs(row, cols, gate, up);
      }
  }

  Value smemA, smemB;
  Value warpM, warpN;
};

/// The wgmma kernel (sm_90a): a 128 x 256 CTA tile, 2 warpgroups of 64 x
/// 256 (m64n256k16, accumulators in registers), K slices of 64 through 4
/// stages of dynamic shared memory in the 128-byte swizzle that both TMA
/// writes and wgmma reads: A K-major (a row of 64 elements is one 128-byte
/// line), B N-major in four blocks of 64 columns. Thread 0 issues the TMA
/// copies (tensor maps from the launcher, see act/GPU/KernelGeometry.h);
/// mbarriers say when a stage is full (TMA bytes landed) and when it is
/// empty again (all 256 threads' wgmma on it done), so loads run
/// stages - 1 slices ahead with no CTA-wide barrier in the loop.
class WgmmaKernelEmitter : KernelEmitterBase {
public:
  WgmmaKernelEmitter(OpBuilder &b, Location loc, const MatmulFunction &match,
                     ValueRange args, Value mapA, Value mapB, Accuracy accuracy)
      : KernelEmitterBase(b, loc, match, args, mm::kWgmma, accuracy) {
    tensorMapA = toPointer(mapA);
    tensorMapB = toPointer(mapB);
  }

  void emit() {
    Value warp = emitThreadAndTile();
    warpgroup = divU(warp, 4);
    warpInGroup = remU(warp, 4);
    emitSharedMemory();
    int64_t stages = geometry.stages;
    Value isProducer =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, index(0));

    // Thread 0 sets up the barriers, then the first stages - 1 loads.
    ifThen(isProducer, [&] {
      for (int64_t s = 0; s < stages; ++s) {
        NVVM::MBarrierInitOp::create(b, loc, barrier(full, index(s)), i32(1),
                                     Value());
        NVVM::MBarrierInitOp::create(b, loc, barrier(empty, index(s)),
                                     i32(geometry.threads), Value());
      }
      NVVM::FenceMbarrierInitOp::create(b, loc);
    });
    gpu::BarrierOp::create(b, loc);
    ifThen(isProducer, [&] {
      for (int64_t s = 0; s < stages - 1; ++s)
        ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                     index(s), slices),
               [&] { loadSlice(index(s), index(s)); });
    });

    auto accType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(kAccumulators, b.getF32Type()));
    Value zero = LLVM::ZeroOp::create(b, loc, accType);
    auto loop = scf::ForOp::create(b, loc, index(0), slices, index(1),
                                   ValueRange{zero});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value kt = loop.getInductionVar();
      Value stage = remU(kt, stages);
      // The u-th fill of a stage completes the full barrier's phase u.
      wait(barrier(full, stage), divU(kt, stages));
      Value acc = loop.getRegionIterArgs()[0];
      NVVM::WgmmaFenceAlignedOp::create(b, loc);
      for (int64_t kk = 0; kk < geometry.tileK / 16; ++kk)
        acc = NVVM::WgmmaMmaAsyncOp::create(
            b, loc, accType, acc, descriptorA(stage, kk),
            descriptorB(stage, kk),
            NVVM::MMAShapeAttr::get(b.getContext(), 64, kWarpgroupN, 16),
            wgmmaType(), wgmmaType(), NVVM::WGMMATypes::f32,
            NVVM::WGMMAScaleOut::one, NVVM::WGMMAScaleIn::one,
            NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row, NVVM::MMALayout::row,
            nullptr);
      NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
      // Slice kt - 1's wgmma is done: its stage is free as far as this
      // thread is concerned.
      NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 1);
      Value previous = sub(add(kt, stages), index(1));
      ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, kt,
                                   index(0)),
             [&] { arrive(barrier(empty, remU(previous, stages))); });
      // Thread 0 refills that stage with slice kt + stages - 1 once every
      // thread has arrived.
      Value next = previous;
      Value wanted = arith::AndIOp::create(
          b, loc, isProducer,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, next,
                                slices));
      ifThen(wanted, [&] {
        Value nextStage = remU(next, stages);
        ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, next,
                                     index(stages)),
               [&] {
                 wait(barrier(empty, nextStage),
                      sub(divU(next, stages), index(1)));
               });
        loadSlice(next, nextStage);
      });
      scf::YieldOp::create(b, loc, acc);
    }
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
    emitEpilogue(loop.getResult(0));
  }

private:
  /// A warpgroup covers the tile's columns (m64nNk16, N/2 accumulators
  /// per thread).
  static constexpr int64_t kWarpgroupN = mm::kWgmma.tileN;
  static constexpr int64_t kAccumulators = kWarpgroupN / 2;
  /// 8-column blocks whose epilogue runs as one vector.
  static constexpr int64_t kEpilogueBlocks = 8;

  NVVM::WGMMATypes wgmmaType() {
    return isa<BFloat16Type>(element) ? NVVM::WGMMATypes::bf16
                                      : NVVM::WGMMATypes::f16;
  }

  int64_t sliceBytesA() { return geometry.tileM * geometry.tileK * 2; }
  int64_t sliceBytesB() { return geometry.tileK * geometry.tileN * 2; }

  Value i32(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  Value toI32(Value v) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), v);
  }

  void ifThen(Value condition, function_ref<void()> body) {
    auto op = scf::IfOp::create(b, loc, condition, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(op.thenBlock());
    body();
  }

  /// A global memref argument (a tensor map) as a generic pointer.
  Value toPointer(Value memref) {
    Value address =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    Value bits = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext()), bits);
  }

  /// A shared-memory pointer `byteOffset` bytes past the aligned base.
  Value shared(Value byteOffset) {
    Value address = arith::AddIOp::create(
        b, loc, sharedBase,
        arith::IndexCastOp::create(b, loc, b.getI64Type(), byteOffset));
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext(), 3), address);
  }

  Value barrier(int64_t first, Value stage) {
    return shared(add(index(first), mul(stage, 8)));
  }

  void wait(Value bar, Value use) {
    Value parity = toI32(andI(use, 1));
    NVVM::MBarrierTryWaitParityOp::create(b, loc, bar, parity, i32(0));
  }

  void arrive(Value bar) {
    NVVM::MBarrierArriveOp::create(b, loc, b.getI64Type(), bar, Value(),
                                   NVVM::MemScopeKindAttr());
  }

  /// The stages start on a 1024-byte boundary of dynamic shared memory (the
  /// 128-byte swizzle's period): A's stages, B's, then the full and empty
  /// barriers.
  void emitSharedMemory() {
    auto workgroup = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    Value raw = gpu::DynamicSharedMemoryOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                        MemRefLayoutAttrInterface(), workgroup));
    Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, raw);
    Value pad = remU(sub(index(1024), remU(address, 1024)), 1024);
    sharedBase =
        arith::IndexCastOp::create(b, loc, b.getI64Type(), add(address, pad));
    bStages = geometry.stages * sliceBytesA();
    full = bStages + geometry.stages * sliceBytesB();
    empty = full + 8 * geometry.stages;
  }

  /// Thread 0: expect the slice's bytes on the stage's full barrier, then
  /// one TMA copy of A's 128 x 64 box and four of B's 64 x 64 boxes.
  void loadSlice(Value slice, Value stage) {
    Value bar = barrier(full, stage);
    NVVM::MBarrierArriveExpectTxOp::create(
        b, loc, Type(), bar, i32(sliceBytesA() + sliceBytesB()),
        NVVM::MemScopeKindAttr(), nullptr, Value());
    Value k0 = toI32(mul(slice, geometry.tileK));
    tma(shared(mul(stage, sliceBytesA())), tensorMapA, {k0, toI32(m0)}, bar);
    Value baseB = add(index(bStages), mul(stage, sliceBytesB()));
    int64_t blockBytes = geometry.tileK * 64 * 2;
    for (int64_t j = 0; j < geometry.tileN / 64; ++j)
      tma(shared(add(baseB, index(j * blockBytes))), tensorMapB,
          {toI32(columnOfChunk(index(8 * j), kWarpgroupN / 2)), k0}, bar);
  }

  /// A TMA copy into this CTA's shared memory, addressed as
  /// shared::cluster (a launch without clusters is a cluster of one).
  void tma(Value dst, Value map, ValueRange coordinates, Value bar) {
    Value cluster = LLVM::AddrSpaceCastOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext(), 7), dst);
    NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
        b, loc, cluster, map, coordinates, bar, ValueRange(), Value(), Value(),
        NVVM::TMALoadModeAttr::get(b.getContext(), NVVM::TMALoadMode::TILE),
        b.getBoolAttr(false), nullptr, Value());
  }

  /// A wgmma shared-memory descriptor: start address, leading and stride
  /// byte offsets (each >> 4) and the 128-byte swizzle mode.
  Value descriptor(Value byteOffset, int64_t leading, int64_t stride) {
    Type i64 = b.getI64Type();
    auto c64 = [&](int64_t v) {
      return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
    };
    Value address = arith::AddIOp::create(
        b, loc, sharedBase,
        arith::IndexCastOp::create(b, loc, i64, byteOffset));
    Value start = arith::ShRUIOp::create(
        b, loc, arith::AndIOp::create(b, loc, address, c64(0x3ffff)), c64(4));
    int64_t fixed =
        ((leading >> 4) << 16) | ((stride >> 4) << 32) | (int64_t(1) << 62);
    return arith::OrIOp::create(b, loc, start, c64(fixed));
  }

  /// A: this warpgroup's 64 rows of the stage, K-major, 8-row groups 1024
  /// bytes apart; k16 step kk starts 32 bytes further into the lines.
  Value descriptorA(Value stage, int64_t kk) {
    Value offset =
        add(mul(stage, sliceBytesA()), mul(warpgroup, 64 * geometry.tileK * 2));
    return descriptor(add(offset, 32 * kk), 16, 1024);
  }

  /// B: N-major, 64-column blocks 8 KB apart (leading), 8-line groups of K
  /// 1024 bytes apart (stride); k16 step kk starts 16 lines further.
  Value descriptorB(Value stage, int64_t kk) {
    Value offset = add(mul(stage, sliceBytesB()), index(bStages));
    return descriptor(add(offset, 2048 * kk), geometry.tileK * 64 * 2, 1024);
  }

  /// m64nNk16's accumulators: thread (warp w, g = lane / 4, t = lane % 4)
  /// holds, of each 8-column block j, (16 w + g, 8 j + 2 t..+1) at 4 j,
  /// 4 j + 1 and the same 8 rows lower at 4 j + 2, 4 j + 3.
  void emitEpilogue(Value acc) {
    Value g = divU(lane, 4), t = remU(lane, 4);
    int64_t blocks = kWarpgroupN / 8, outBlocks = glu ? blocks / 2 : blocks;
    auto value = [&](int64_t v) -> Value {
      return LLVM::ExtractValueOp::create(b, loc, acc, v);
    };
    Value rowBase =
        add(add(m0, mul(warpgroup, 64)), add(mul(warpInGroup, 16), g));
    for (int64_t half = 0; half < 2; ++half) {
      Value row = add(rowBase, 8 * half);
      for (int64_t j0 = 0; j0 < outBlocks; j0 += kEpilogueBlocks) {
        SmallVector<Value> cols, gate, up;
        for (int64_t j = j0; j < j0 + kEpilogueBlocks; ++j) {
          cols.push_back(add(add(n0, mul(t, 2)), index(8 * j)));
          int64_t v = 4 * j + 2 * half;
          gate.append({value(v), value(v + 1)});
          if (glu)
            up.append({value(v + 4 * outBlocks), value(v + 4 * outBlocks + 1)});
        }
        storePairs(row, cols, gate, up);
      }
    }
  }

  Value warpgroup, warpInGroup, sharedBase;
  Value tensorMapA, tensorMapB;
  /// Byte offsets past sharedBase: B's stages, the full and empty barriers.
  int64_t bStages = 0, full = 0, empty = 0;
};

struct ActGpuMatmulPass final
    : mlir::act::impl::ActGpuMatmulBase<ActGpuMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Accuracy mode = accuracy;
    gpu::GPUModuleOp kernels;
    for (func::FuncOp func :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      std::string reason;
      FailureOr<MatmulFunction> match =
          matchMatmulFunction(func, wgmma ? mm::kWgmma : mm::kSync, reason);
      if (failed(match)) {
        if (reason.empty())
          continue;
        func.emitError("cannot make a GPU matmul kernel of this function: ")
            << reason;
        return signalPassFailure();
      }
      if (!kernels)
        kernels = getOrCreateKernelModule(module);
      emitKernel(func, *match, kernels, mode);
      func.erase();
    }
  }

  gpu::GPUModuleOp getOrCreateKernelModule(ModuleOp module) {
    for (auto existing : module.getOps<gpu::GPUModuleOp>())
      if (existing.getName() == moduleName)
        return existing;
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    return gpu::GPUModuleOp::create(b, module.getLoc(), moduleName);
  }

  void emitKernel(func::FuncOp func, const MatmulFunction &match,
                  gpu::GPUModuleOp kernels, Accuracy mode) {
    OpBuilder b(kernels.getBodyRegion());
    b.setInsertionPointToEnd(kernels.getBody());
    const mm::Geometry &geometry = wgmma ? mm::kWgmma : mm::kSync;
    SmallVector<Type, 2> attributions;
    if (!wgmma) {
      Type element =
          cast<MemRefType>(func.getArgumentTypes()[match.lhs]).getElementType();
      auto workgroup = gpu::AddressSpaceAttr::get(
          b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
      int64_t stages = geometry.stages;
      attributions.push_back(
          MemRefType::get({stages, geometry.tileM, geometry.tileK}, element,
                          MemRefLayoutAttrInterface(), workgroup));
      attributions.push_back(
          MemRefType::get({stages, geometry.tileK, geometry.tileN}, element,
                          MemRefLayoutAttrInterface(), workgroup));
    }
    // The wgmma kernel also takes A's and B's TMA tensor maps (128 bytes
    // each, in global memory), after the function's arguments.
    SmallVector<Type> inputs(func.getArgumentTypes());
    if (wgmma)
      inputs.append(2, MemRefType::get({16}, b.getI64Type()));
    auto kernel = gpu::GPUFuncOp::create(b, func.getLoc(), func.getName(),
                                         b.getFunctionType(inputs, TypeRange()),
                                         attributions);
    kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    // cp.async and ldmatrix move 16-byte rows: align the stages to 128.
    for (unsigned i = 0; i < attributions.size(); ++i)
      kernel.setWorkgroupAttributionAttr(
          i, LLVM::LLVMDialect::getAlignAttrName(), b.getI64IntegerAttr(128));
    kernel.setKnownBlockSizeAttr(
        b.getDenseI32ArrayAttr({static_cast<int32_t>(geometry.threads), 1, 1}));
    Block &body = kernel.getBody().front();
    b.setInsertionPointToStart(&body);
    ValueRange args = body.getArguments().take_front(func.getNumArguments());
    if (wgmma) {
      unsigned maps = func.getNumArguments();
      WgmmaKernelEmitter(b, func.getLoc(), match, args, body.getArgument(maps),
                         body.getArgument(maps + 1), mode)
          .emit();
    } else {
      ArrayRef<BlockArgument> smem = kernel.getWorkgroupAttributions();
      SyncKernelEmitter(b, func.getLoc(), match, args, smem[0], smem[1], mode)
          .emit();
    }
    gpu::ReturnOp::create(b, func.getLoc());
  }
};

} // namespace
