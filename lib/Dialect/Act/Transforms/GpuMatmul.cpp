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
#include "act/GPU/MatmulKernel.h"
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
  Value minU(Value x, Value y) {
    return arith::MinUIOp::create(b, loc, x, y);
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
    Value v = vector::LoadOp::create(b, loc, VectorType::get({2}, type),
                                     memref, indices, /*nontemporal=*/false,
                                     pairAlignment(type));
    return extendToComputeType(b, loc, v);
  }

  Value pair(Value x, Value y) {
    auto type = VectorType::get({2}, b.getF32Type());
    return vector::FromElementsOp::create(b, loc, type, ValueRange{x, y});
  }

  /// The epilogue on the accumulators of outputs (row, col..col + 1): the
  /// gate (or only) pair and, for the GLU, the up pair; stores the result.
  void storePair(Value row, Value col, Value gate, Value up) {
    if (bias) {
      gate = arith::AddFOp::create(b, loc, gate, loadPair(bias, {col}));
      if (up)
        up = arith::AddFOp::create(b, loc, up,
                                   loadPair(bias, {add(col, outColumns)}));
    }
    Value dyPair = dy ? loadPair(dy, {row, col}) : Value();
    Value y = buildMatmulEpilogue(b, loc, op, accuracy, gate, up, dyPair);
    Type resultElement = cast<MemRefType>(c.getType()).getElementType();
    y = truncateTo(b, loc, y, VectorType::get({2}, resultElement));
    vector::StoreOp::create(b, loc, y, c, ValueRange{row, col},
                            /*nontemporal=*/false,
                            pairAlignment(resultElement));
  }

  OpBuilder &b;
  Location loc;
  MatmulOp op;
  const mm::Geometry &geometry;
  Accuracy accuracy;
  Value a, bMat, bias, dy, c;
  Type element;
  bool glu = false;
  Value m0, n0, outColumns, slices;
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
    tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    lane = remU(tid, 32);
    Value warp = divU(tid, 32);
    warpM = remU(warp, 2);
    warpN = divU(warp, 2);
    emitTileOrigin();
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
    NVVM::MMATypes ptxType = isa<BFloat16Type>(element)
                                 ? NVVM::MMATypes::bf16
                                 : NVVM::MMATypes::f16;
    for (int64_t i = 0; i < kTilesM; ++i)
      for (int64_t j = 0; j < kTilesN; ++j) {
        ArrayRef<Value> pair = fragB[j / 2];
        SmallVector<Value, 2> operandB = {pair[2 * (j % 2)],
                                          pair[2 * (j % 2) + 1]};
        int64_t at = (i * kTilesN + j) * 4;
        SmallVector<Value, 4> operandC(acc.begin() + at,
                                       acc.begin() + at + 4);
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
    auto at = [&](int64_t i, int64_t j, int64_t half) {
      int64_t v = (i * kTilesN + j) * 4 + 2 * half;
      return pair(acc[v], acc[v + 1]);
    };
    for (int64_t i = 0; i < kTilesM; ++i)
      for (int64_t half = 0; half < 2; ++half) {
        Value row =
            add(add(m0, mul(warpM, 64)), add(g, index(16 * i + 8 * half)));
        for (int64_t j = 0; j < outTilesN; ++j) {
          Value col = add(add(n0, mul(warpN, warpColumns)),
                          add(mul(t, 2), index(8 * j)));
          storePair(row, col, at(i, j, half),
                    glu ? at(i, j + 2, half) : Value());
        }
      }
  }

  Value smemA, smemB;
  Value tid, lane, warpM, warpN;
};

/// The wgmma kernel (sm_90a): a 128 x 256 CTA tile, 2 warpgroups of 64 x
/// 256 (m64n256k16, accumulators in registers), K slices of 64 through 4
/// stages of dynamic shared memory in the 128-byte swizzle wgmma reads: A
/// K-major (a row of 64 elements is one 128-byte line), B N-major in four
/// blocks of 64 columns. cp.async fills the stages; a slice's wgmma runs
/// while the next ones load.
class WgmmaKernelEmitter : KernelEmitterBase {
public:
  WgmmaKernelEmitter(OpBuilder &b, Location loc, const MatmulFunction &match,
                     ValueRange args, Accuracy accuracy)
      : KernelEmitterBase(b, loc, match, args, mm::kWgmma, accuracy) {}

  void emit() {
    tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    lane = remU(tid, 32);
    Value warp = divU(tid, 32);
    warpgroup = divU(warp, 4);
    warpInGroup = remU(warp, 4);
    emitTileOrigin();
    emitSharedMemory();
    Value lastSlice = sub(slices, index(1));
    int64_t stages = geometry.stages;

    // Slices kt + 1 and kt + 2 load while slice kt multiplies: stage
    // (kt + 2) % 4 was read by the wgmma of slice kt - 2, which every
    // warpgroup has waited for before the barrier of iteration kt.
    for (int64_t s = 0; s < stages - 2; ++s)
      loadSlice(minU(index(s), lastSlice), index(s));
    auto accType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(kAccumulators, b.getF32Type()));
    Value zero = LLVM::ZeroOp::create(b, loc, accType);
    auto loop = scf::ForOp::create(b, loc, index(0), slices, index(1),
                                   ValueRange{zero});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value kt = loop.getInductionVar();
      NVVM::CpAsyncWaitGroupOp::create(b, loc, stages - 3);
      // cp.async wrote through the generic proxy; wgmma reads through the
      // async proxy.
      NVVM::FenceProxyOp::create(
          b, loc,
          NVVM::ProxyKindAttr::get(b.getContext(),
                                   NVVM::ProxyKind::async_shared),
          NVVM::SharedSpaceAttr::get(b.getContext(),
                                     NVVM::SharedSpace::shared_cta));
      gpu::BarrierOp::create(b, loc);
      Value stage = remU(kt, stages);
      Value acc = loop.getRegionIterArgs()[0];
      NVVM::WgmmaFenceAlignedOp::create(b, loc);
      for (int64_t kk = 0; kk < geometry.tileK / 16; ++kk)
        acc = NVVM::WgmmaMmaAsyncOp::create(
            b, loc, accType, acc, descriptorA(stage, kk),
            descriptorB(stage, kk),
            NVVM::MMAShapeAttr::get(b.getContext(), 64, kWarpgroupN, 16),
            wgmmaType(), wgmmaType(), NVVM::WGMMATypes::f32,
            NVVM::WGMMAScaleOut::one, NVVM::WGMMAScaleIn::one,
            NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row,
            NVVM::MMALayout::row, nullptr);
      NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
      NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 1);
      Value next = add(kt, stages - 2);
      loadSlice(minU(next, lastSlice), remU(next, stages));
      scf::YieldOp::create(b, loc, acc);
    }
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
    NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
    emitEpilogue(loop.getResult(0));
  }

private:
  static constexpr int64_t kWarpgroupN = 256;
  static constexpr int64_t kAccumulators = kWarpgroupN / 2;

  NVVM::WGMMATypes wgmmaType() {
    return isa<BFloat16Type>(element) ? NVVM::WGMMATypes::bf16
                                      : NVVM::WGMMATypes::f16;
  }

  int64_t sliceElementsA() { return geometry.tileM * geometry.tileK; }
  int64_t sliceElementsB() { return geometry.tileK * geometry.tileN; }

  /// The stages as one 1-D memref of `element` starting on a 1024-byte
  /// boundary of dynamic shared memory (A's stages, then B's), and that
  /// boundary's shared-window address for the descriptors.
  void emitSharedMemory() {
    auto workgroup = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    Value raw = gpu::DynamicSharedMemoryOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                        MemRefLayoutAttrInterface(), workgroup));
    Value address =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, raw);
    Value pad = remU(sub(index(1024), remU(address, 1024)), 1024);
    int64_t elements =
        geometry.stages * (sliceElementsA() + sliceElementsB());
    smem = memref::ViewOp::create(
        b, loc,
        MemRefType::get({elements}, element, MemRefLayoutAttrInterface(),
                        workgroup),
        raw, pad, ValueRange{});
    sharedBase = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                            add(address, pad));
  }

  /// The 128-byte swizzle: 16-byte chunk `chunk` of 128-byte line `line`
  /// lands at chunk chunk ^ (line % 8); in elements.
  Value swizzled(Value line, Value chunk) {
    return add(mul(line, 64), mul(xorI(chunk, andI(line, 7)), 8));
  }

  /// cp.async of K slice `slice` into `stage`: A's 128 lines of 64
  /// elements (1024 chunks, 4 per thread), B's 64 lines of 256 elements
  /// as four blocks of 64 columns (2048 chunks, 8 per thread).
  void loadSlice(Value slice, Value stage) {
    Value k0 = mul(slice, geometry.tileK);
    Value baseA = mul(stage, sliceElementsA());
    for (int64_t rep = 0; rep < 4; ++rep) {
      Value chunk = add(tid, rep * geometry.threads);
      Value row = divU(chunk, 8), column = remU(chunk, 8);
      copy(smem, {add(baseA, swizzled(row, column))}, a,
           {add(m0, row), add(k0, mul(column, 8))});
    }
    Value baseB = add(mul(stage, sliceElementsB()),
                      index(geometry.stages * sliceElementsA()));
    for (int64_t rep = 0; rep < 8; ++rep) {
      Value chunk = add(tid, rep * geometry.threads);
      Value k = divU(chunk, 32), column = remU(chunk, 32);
      Value block = divU(column, 8);
      Value at = add(mul(block, geometry.tileK * 64),
                     swizzled(k, remU(column, 8)));
      copy(smem, {add(baseB, at)}, bMat,
           {add(k0, k), columnOfChunk(column, kWarpgroupN / 2)});
    }
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
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
        b, loc, arith::AndIOp::create(b, loc, address, c64(0x3ffff)),
        c64(4));
    int64_t fixed = ((leading >> 4) << 16) | ((stride >> 4) << 32) |
                    (int64_t(1) << 62);
    return arith::OrIOp::create(b, loc, start, c64(fixed));
  }

  /// A: this warpgroup's 64 rows of the stage, K-major, 8-row groups 1024
  /// bytes apart; k16 step kk starts 32 bytes further into the lines.
  Value descriptorA(Value stage, int64_t kk) {
    Value offset = mul(add(mul(stage, sliceElementsA()),
                           mul(warpgroup, 64 * geometry.tileK)),
                       2);
    return descriptor(add(offset, 32 * kk), 16, 1024);
  }

  /// B: N-major, 64-column blocks 8 KB apart (leading), 8-line groups of K
  /// 1024 bytes apart (stride); k16 step kk starts 16 lines further.
  Value descriptorB(Value stage, int64_t kk) {
    Value offset =
        mul(add(mul(stage, sliceElementsB()),
                index(geometry.stages * sliceElementsA())),
            2);
    return descriptor(add(offset, 2048 * kk), geometry.tileK * 64 * 2, 1024);
  }

  /// m64nNk16's accumulators: thread (warp w, g = lane / 4, t = lane % 4)
  /// holds, of each 8-column block j, (16 w + g, 8 j + 2 t..+1) at 4 j,
  /// 4 j + 1 and the same 8 rows lower at 4 j + 2, 4 j + 3.
  void emitEpilogue(Value acc) {
    Value g = divU(lane, 4), t = remU(lane, 4);
    int64_t blocks = kWarpgroupN / 8, outBlocks = glu ? blocks / 2 : blocks;
    auto at = [&](int64_t j, int64_t half) {
      int64_t v = 4 * j + 2 * half;
      return pair(LLVM::ExtractValueOp::create(b, loc, acc, v),
                  LLVM::ExtractValueOp::create(b, loc, acc, v + 1));
    };
    Value rowBase =
        add(add(m0, mul(warpgroup, 64)), add(mul(warpInGroup, 16), g));
    for (int64_t half = 0; half < 2; ++half) {
      Value row = add(rowBase, 8 * half);
      for (int64_t j = 0; j < outBlocks; ++j) {
        Value col = add(add(n0, mul(t, 2)), index(8 * j));
        storePair(row, col, at(j, half),
                  glu ? at(j + outBlocks, half) : Value());
      }
    }
  }

  Value tid, lane, warpgroup, warpInGroup, smem, sharedBase;
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
      Type element = cast<MemRefType>(func.getArgumentTypes()[match.lhs])
                         .getElementType();
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
    auto kernel = gpu::GPUFuncOp::create(b, func.getLoc(), func.getName(),
                                         func.getFunctionType(), attributions);
    kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    // cp.async and ldmatrix move 16-byte rows: align the stages to 128.
    for (unsigned i = 0; i < attributions.size(); ++i)
      kernel.setWorkgroupAttributionAttr(
          i, LLVM::LLVMDialect::getAlignAttrName(), b.getI64IntegerAttr(128));
    kernel.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr(
        {static_cast<int32_t>(geometry.threads), 1, 1}));
    Block &body = kernel.getBody().front();
    b.setInsertionPointToStart(&body);
    ValueRange args = body.getArguments().take_front(func.getNumArguments());
    if (wgmma) {
      WgmmaKernelEmitter(b, func.getLoc(), match, args, mode).emit();
    } else {
      ArrayRef<BlockArgument> smem = kernel.getWorkgroupAttributions();
      SyncKernelEmitter(b, func.getLoc(), match, args, smem[0], smem[1], mode)
          .emit();
    }
    gpu::ReturnOp::create(b, func.getLoc());
  }
};

} // namespace
