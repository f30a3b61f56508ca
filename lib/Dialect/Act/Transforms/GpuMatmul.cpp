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
    if (!mm::gridSize(a[0], n, a[1], op.getGlu(), error)) {
      reason = error;
      return failure();
    }
  }
  return match;
}

/// Emits the kernel body for `op` into a gpu.func whose arguments are the
/// function's memrefs.
class KernelEmitter {
public:
  KernelEmitter(OpBuilder &b, Location loc, const MatmulFunction &match,
                ValueRange args, Value smemA, Value smemB, Accuracy accuracy)
      : b(b), loc(loc), op(match.op), accuracy(accuracy), smemA(smemA),
        smemB(smemB) {
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

  void emit() {
    Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    lane = remU(tid, 32);
    Value warp = divU(tid, 32);
    warpM = remU(warp, 2);
    warpN = divU(warp, 2);
    Value m = memref::DimOp::create(b, loc, a, 0);
    Value k = memref::DimOp::create(b, loc, a, 1);
    outColumns = memref::DimOp::create(b, loc, c, 1);
    // Grouped order: kGroupM tile rows at a time, column by column.
    Value tilesM = divU(m, mm::kTileM);
    Value tilesN = divU(outColumns, mm::outputTileColumns(glu));
    Value pid = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
    Value groupSize = mul(tilesN, index(mm::kGroupM));
    Value firstM = mul(divU(pid, groupSize), index(mm::kGroupM));
    Value rowsInGroup =
        arith::MinUIOp::create(b, loc, sub(tilesM, firstM), index(mm::kGroupM));
    Value inGroup = remU(pid, groupSize);
    m0 = mul(add(firstM, remU(inGroup, rowsInGroup)), index(mm::kTileM));
    n0 = mul(divU(inGroup, rowsInGroup), index(mm::outputTileColumns(glu)));
    Value slices = divU(k, mm::kTileK);
    Value lastSlice = sub(slices, index(1));

    // Prologue: the first kStages - 1 slices in flight.
    for (int64_t s = 0; s < mm::kStages - 1; ++s)
      loadSlice(arith::MinUIOp::create(b, loc, index(s), lastSlice), index(s));

    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    SmallVector<Value> init(kTilesM * kTilesN * 4, zero);
    auto loop = scf::ForOp::create(b, loc, index(0), slices, index(1), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value kt = loop.getInductionVar();
      // Slice kt has landed once at most kStages - 2 groups are pending;
      // the barrier also frees the stage that the next load overwrites
      // (read in the previous iteration).
      NVVM::CpAsyncWaitGroupOp::create(b, loc, mm::kStages - 2);
      gpu::BarrierOp::create(b, loc);
      Value next = add(kt, index(mm::kStages - 1));
      loadSlice(arith::MinUIOp::create(b, loc, next, lastSlice),
                remU(next, mm::kStages));
      SmallVector<Value> acc(loop.getRegionIterArgs());
      Value stage = remU(kt, mm::kStages);
      for (int64_t kk = 0; kk < mm::kTileK / 16; ++kk)
        multiplyStep(stage, kk, acc);
      scf::YieldOp::create(b, loc, acc);
    }
    NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
    emitEpilogue(loop.getResults());
  }

private:
  // Warp tile: kTilesM x kTilesN mma tiles of 16 x 8.
  static constexpr int64_t kTilesM = 4, kTilesN = 4;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
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

  /// The swizzled column (in elements) of 16-byte chunk `chunk` of row
  /// `row` of an A slice (4 chunks per row) or a B slice (16 per row).
  Value swizzleA(Value row, Value chunk) {
    return mul(xorI(chunk, andI(shrU(row, 1), 3)), index(8));
  }
  Value swizzleB(Value row, Value chunk) {
    return mul(xorI(chunk, andI(row, 7)), index(8));
  }

  /// The column of B where chunk `chunk` (of 16) of the CTA's B slice
  /// starts: consecutive for a plain matmul; for the GLU, per warp column
  /// w, 16 gate columns then the 16 up columns of the same outputs.
  Value columnOfChunk(Value chunk) {
    if (!glu)
      return add(n0, mul(chunk, index(8)));
    Value w = divU(chunk, 4), q = remU(chunk, 4);
    Value isUp =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, q, index(2));
    Value within = mul(remU(q, 2), index(8));
    Value gate = add(add(n0, mul(w, index(16))), within);
    return arith::SelectOp::create(b, loc, isUp, add(gate, outColumns), gate);
  }

  /// cp.async of K slice `slice` of A's and B's tiles into `stage`, then
  /// one commit group. 512 16-byte chunks each, two per thread.
  void loadSlice(Value slice, Value stage) {
    Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value k0 = mul(slice, index(mm::kTileK));
    for (int64_t rep = 0; rep < 2; ++rep) {
      Value chunk = add(tid, index(rep * mm::kThreads));
      Value rowA = divU(chunk, 4), chunkA = remU(chunk, 4);
      copy(smemA, {stage, rowA, swizzleA(rowA, chunkA)}, a,
           {add(m0, rowA), add(k0, mul(chunkA, index(8)))});
      Value rowB = divU(chunk, 16), chunkB = remU(chunk, 16);
      copy(smemB, {stage, rowB, swizzleB(rowB, chunkB)}, bMat,
           {add(k0, rowB), columnOfChunk(chunkB)});
    }
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
  }

  void copy(Value dst, ValueRange dstIndices, Value src,
            ValueRange srcIndices) {
    nvgpu::DeviceAsyncCopyOp::create(
        b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), dst,
        dstIndices, src, srcIndices, b.getIndexAttr(8), Value(),
        b.getUnitAttr());
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
      Value row = add(mul(warpM, index(64)), index(16 * i));
      row = add(row, laneRow);
      Value chunk = add(laneChunk, index(2 * kk));
      fragA.push_back(
          ldmatrix(smemA, {stage, row, swizzleA(row, chunk)}, false));
    }
    for (int64_t p = 0; p < kTilesN / 2; ++p) {
      Value row = add(laneRow, index(16 * kk));
      Value chunk = add(add(mul(warpN, index(4)), index(2 * p)), laneChunk);
      fragB.push_back(
          ldmatrix(smemB, {stage, row, swizzleB(row, chunk)}, true));
    }
    Type f32 = b.getF32Type();
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(4, f32));
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

  Value pairOf(ValueRange acc, int64_t at) {
    auto type = VectorType::get({2}, b.getF32Type());
    return vector::FromElementsOp::create(b, loc, type,
                                          ValueRange{acc[at], acc[at + 1]});
  }

  /// Thread (g, t) = (lane / 4, lane % 4) holds, of each 16 x 8 tile, the
  /// pairs (g, 2t..2t+1) and (g + 8, 2t..2t+1).
  void emitEpilogue(ValueRange acc) {
    Value g = divU(lane, 4), t = remU(lane, 4);
    Type resultElement = cast<MemRefType>(c.getType()).getElementType();
    auto resultPair = VectorType::get({2}, resultElement);
    int64_t outTilesN = glu ? kTilesN / 2 : kTilesN;
    int64_t warpColumns = glu ? 16 : 32;
    for (int64_t i = 0; i < kTilesM; ++i)
      for (int64_t half = 0; half < 2; ++half) {
        Value row = add(add(m0, mul(warpM, index(64))),
                        add(index(16 * i + 8 * half), g));
        for (int64_t j = 0; j < outTilesN; ++j) {
          Value col = add(add(n0, mul(warpN, index(warpColumns))),
                          add(index(8 * j), mul(t, index(2))));
          Value gate = pairOf(acc, (i * kTilesN + j) * 4 + 2 * half);
          Value up;
          if (glu)
            up = pairOf(acc, (i * kTilesN + j + 2) * 4 + 2 * half);
          if (bias) {
            gate = arith::AddFOp::create(b, loc, gate, loadPair(bias, {col}));
            if (glu)
              up = arith::AddFOp::create(
                  b, loc, up, loadPair(bias, {add(col, outColumns)}));
          }
          Value dyPair = dy ? loadPair(dy, {row, col}) : Value();
          Value y = buildMatmulEpilogue(b, loc, op, accuracy, gate, up, dyPair);
          y = truncateTo(b, loc, y, resultPair);
          vector::StoreOp::create(b, loc, y, c, ValueRange{row, col},
                                  /*nontemporal=*/false,
                                  pairAlignment(resultElement));
        }
      }
  }

  OpBuilder &b;
  Location loc;
  MatmulOp op;
  Accuracy accuracy;
  Value smemA, smemB;
  Value a, bMat, bias, dy, c;
  Type element;
  bool glu = false;
  Value lane, warpM, warpN, m0, n0, outColumns;
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
      FailureOr<MatmulFunction> match = matchMatmulFunction(func, reason);
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
    Type element =
        cast<MemRefType>(func.getArgumentTypes()[match.lhs]).getElementType();
    auto workgroup = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    auto smemA = MemRefType::get({mm::kStages, mm::kTileM, mm::kTileK}, element,
                                 MemRefLayoutAttrInterface(), workgroup);
    auto smemB = MemRefType::get({mm::kStages, mm::kTileK, mm::kTileN}, element,
                                 MemRefLayoutAttrInterface(), workgroup);
    auto kernel =
        gpu::GPUFuncOp::create(b, func.getLoc(), func.getName(),
                               func.getFunctionType(), TypeRange{smemA, smemB});
    kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    // cp.async and ldmatrix move 16-byte rows: align the stages to 128.
    for (unsigned i = 0; i < 2; ++i)
      kernel.setWorkgroupAttributionAttr(
          i, LLVM::LLVMDialect::getAlignAttrName(), b.getI64IntegerAttr(128));
    kernel.setKnownBlockSizeAttr(
        b.getDenseI32ArrayAttr({static_cast<int32_t>(mm::kThreads), 1, 1}));
    Block &body = kernel.getBody().front();
    b.setInsertionPointToStart(&body);
    ArrayRef<BlockArgument> attributions = kernel.getWorkgroupAttributions();
    KernelEmitter(b, func.getLoc(), match,
                  body.getArguments().take_front(func.getNumArguments()),
                  attributions[0], attributions[1], mode)
        .emit();
    gpu::ReturnOp::create(b, func.getLoc());
  }
};

} // namespace
