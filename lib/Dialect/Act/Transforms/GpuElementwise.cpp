//===- GpuElementwise.cpp - act-gpu-elementwise: kernels from generics -*- C++
//-*-//
//
// Turns functions whose work is one elementwise linalg.generic on 1-D
// memrefs into GPU kernels: a grid-stride loop over 16-byte vectors (one
// ld.global.v4 / st.global.v4 each) and a scalar grid-stride tail.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseBody.h"

#include "act/Dialect/Act/Transforms/Passes.h"
#include "act/GPU/KernelGeometry.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::act {
#define GEN_PASS_DEF_ACTGPUELEMENTWISE
#include "act/Dialect/Act/Transforms/Passes.h.inc"
} // namespace mlir::act

using namespace mlir;
using namespace mlir::act;

namespace {

/// The function's one elementwise generic over its 1-D memref arguments,
/// or a reason why there is none.
FailureOr<linalg::GenericOp> getKernelGeneric(func::FuncOp func,
                                              std::string &reason) {
  if (func.isExternal() || func.getNumResults() != 0) {
    reason = "it returns values (write results into a memref argument)";
    return failure();
  }
  for (Type type : func.getArgumentTypes()) {
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref || memref.getRank() != 1 || !memref.getLayout().isIdentity()) {
      reason = "its arguments are not all 1-D identity-layout memrefs";
      return failure();
    }
  }
  linalg::GenericOp generic;
  for (Operation &op : func.getBody().front().without_terminator()) {
    if (isa<arith::ConstantOp>(op))
      continue; // Hoisted out of the generic's body; cloned into the kernel.
    auto g = dyn_cast<linalg::GenericOp>(op);
    if (!g || generic) {
      reason = "its body is not one linalg.generic";
      return failure();
    }
    generic = g;
  }
  if (!generic) {
    reason = "it has no linalg.generic";
    return failure();
  }
  if (!generic.hasPureBufferSemantics() || generic.getNumLoops() != 1 ||
      generic.getNumParallelLoops() != 1 ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }) ||
      !llvm::all_of(generic->getOperands(), [&](Value v) {
        return isa<BlockArgument>(v) &&
               cast<BlockArgument>(v).getOwner()->getParentOp() == func;
      })) {
    reason = "the generic is not elementwise over the arguments";
    return failure();
  }
  for (Operation &op : generic.getBlock()->without_terminator())
    if (op.getNumRegions() != 0 || !isMemoryEffectFree(&op) ||
        isa<linalg::IndexOp>(op)) {
      reason = "the generic's body is not elementwise";
      return failure();
    }
  return generic;
}

/// Emits the kernel body of `generic` (cloned from the function) at `b`.
class KernelEmitter {
public:
  KernelEmitter(OpBuilder &b, Location loc, linalg::GenericOp generic,
                ValueRange args, int64_t lanes, int64_t unroll)
      : b(b), loc(loc), generic(generic), args(args), lanes(lanes),
        unroll(unroll) {}

  void emit() {
    Value block = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
    Value blockDim = gpu::BlockDimOp::create(b, loc, gpu::Dimension::x);
    Value grid = gpu::GridDimOp::create(b, loc, gpu::Dimension::x);
    Value thread = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value tid = add(mul(block, blockDim), thread);
    Value stride = mul(grid, blockDim);
    Value output = mapOperand(generic.getDpsInitOperand(0)->get());
    Value n = memref::DimOp::create(b, loc, output, 0);
    Value vectors = arith::DivUIOp::create(b, loc, n, index(lanes));
    // Full groups of unroll x blockDim consecutive vectors: block g takes
    // groups g, g + grid, ...; its thread t the vectors t, t + blockDim, ...
    // of a group, all loaded before the first is used (memory-level
    // parallelism: one 16-byte load in flight per thread does not cover
    // HBM's latency), each load instruction coalesced over the warp, each
    // block's accesses one contiguous run.
    Value groupSize = mul(blockDim, index(unroll));
    Value groups = arith::DivUIOp::create(b, loc, vectors, groupSize);
    auto grouped = scf::ForOp::create(b, loc, block, groups, grid);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(grouped.getBody()->getTerminator());
      Value first = add(mul(grouped.getInductionVar(), groupSize), thread);
      SmallVector<Value> starts;
      SmallVector<IRMapping> mappings(unroll);
      for (int64_t u = 0; u < unroll; ++u) {
        Value v = add(first, mul(blockDim, index(u)));
        starts.push_back(mul(v, index(lanes)));
        emitLoads(starts.back(), lanes, mappings[u]);
      }
      for (int64_t u = 0; u < unroll; ++u)
        emitComputeAndStore(starts[u], lanes, mappings[u]);
    }
    // The vectors after the last full group, one per thread.
    auto rest = scf::ForOp::create(b, loc, add(mul(groups, groupSize), tid),
                                   vectors, stride);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(rest.getBody()->getTerminator());
      emitBody(mul(rest.getInductionVar(), index(lanes)), lanes);
    }
    // The tail, one element per thread.
    Value tailBegin = add(mul(vectors, index(lanes)), tid);
    auto tail = scf::ForOp::create(b, loc, tailBegin, n, stride);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(tail.getBody()->getTerminator());
    emitBody(tail.getInductionVar(), 1);
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }

  Value mapOperand(Value v) {
    return args[cast<BlockArgument>(v).getArgNumber()];
  }

  Type widen(Type t, int64_t width) {
    return width == 1 ? t : VectorType::get({width}, t);
  }

  /// The body at element i, on vectors of `width` lanes (1: scalars).
  void emitBody(Value i, int64_t width) {
    IRMapping mapping;
    emitLoads(i, width, mapping);
    emitComputeAndStore(i, width, mapping);
  }

  /// The body's constants and the inputs at element i, into `mapping`.
  void emitLoads(Value i, int64_t width, IRMapping &mapping) {
    Block *body = generic.getBlock();
    // Constants the function hoisted out of the body, as scalars or splats.
    for (Operation &op : generic->getBlock()->without_terminator())
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        Type type = widen(constant.getType(), width);
        auto value = cast<TypedAttr>(constant.getValue());
        mapping.map(constant.getResult(),
                    arith::ConstantOp::create(
                        b, loc, type,
                        width == 1 ? value
                                   : SplatElementsAttr::get(
                                         cast<ShapedType>(type), value)));
      }
    for (OpOperand &operand : generic->getOpOperands()) {
      BlockArgument arg = body->getArgument(operand.getOperandNumber());
      if (arg.use_empty())
        continue;
      Value memref = mapOperand(operand.get());
      Value loaded =
          width == 1
              ? memref::LoadOp::create(b, loc, memref, ValueRange{i})
                    .getResult()
              : vector::LoadOp::create(
                    b, loc, cast<VectorType>(widen(arg.getType(), width)),
                    memref, ValueRange{i}, /*nontemporal=*/false,
                    llvm::MaybeAlign(16))
                    .getResult();
      mapping.map(arg, loaded);
    }
  }

  /// The body on the values in `mapping`, stored at element i.
  void emitComputeAndStore(Value i, int64_t width, IRMapping &mapping) {
    Block *body = generic.getBlock();
    SmallVector<Value> results =
        cloneElementwiseBody(b, loc, body, mapping, width);
    for (auto [v, init] : llvm::zip(results, generic.getDpsInits())) {
      Value memref = mapOperand(init);
      if (width == 1)
        memref::StoreOp::create(b, loc, v, memref, ValueRange{i});
      else
        vector::StoreOp::create(b, loc, v, memref, ValueRange{i},
                                /*nontemporal=*/false, llvm::MaybeAlign(16));
    }
  }

  OpBuilder &b;
  Location loc;
  linalg::GenericOp generic;
  ValueRange args;
  int64_t lanes;
  /// Vectors handled per step of the grid-stride loop.
  int64_t unroll;
};

// The launchers size the grid for this group size.
static_assert(::act::gpu::elementwise::kUnroll == 4,
              "act-gpu-elementwise's unroll default is kUnroll");

struct ActGpuElementwisePass final
    : mlir::act::impl::ActGpuElementwiseBase<ActGpuElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    if (funcs.empty())
      return;
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    // act-gpu-matmul may have made the module already.
    gpu::GPUModuleOp kernels;
    for (auto existing : module.getOps<gpu::GPUModuleOp>())
      if (existing.getName() == moduleName)
        kernels = existing;
    if (!kernels)
      kernels = gpu::GPUModuleOp::create(b, module.getLoc(), moduleName);
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    for (func::FuncOp func : funcs) {
      if (func.isExternal() || func.isPrivate())
        continue;
      std::string reason;
      FailureOr<linalg::GenericOp> generic = getKernelGeneric(func, reason);
      if (failed(generic)) {
        func.emitError("cannot make a GPU kernel of this function: ") << reason;
        return signalPassFailure();
      }
      // 16-byte accesses: 4 f32, 8 f16/bf16 per vector.
      int64_t widest = 1;
      for (Type t : func.getArgumentTypes())
        widest = std::max<int64_t>(
            widest, cast<MemRefType>(t).getElementTypeBitWidth() / 8);
      b.setInsertionPointToEnd(kernels.getBody());
      auto kernel = gpu::GPUFuncOp::create(b, func.getLoc(), func.getName(),
                                           func.getFunctionType());
      kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                      b.getUnitAttr());
      if (minBlocksPerSm > 0) {
        kernel.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({256, 1, 1}));
        kernel->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                        b.getI32IntegerAttr(minBlocksPerSm));
      }
      b.setInsertionPointToStart(&kernel.getBody().front());
      KernelEmitter(b, func.getLoc(), *generic,
                    kernel.getBody().front().getArguments(), 16 / widest,
                    std::max<int64_t>(unroll, 1))
          .emit();
      gpu::ReturnOp::create(b, func.getLoc());
      func.erase();
    }
  }
};

} // namespace
