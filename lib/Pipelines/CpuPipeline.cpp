//===- CpuPipeline.cpp - act-cpu-pipeline ---------------------*- C++ -*-===//
//
// act ops on tensors to the LLVM dialect for x86: expand, bufferize,
// vectorize the elementwise loops, replace libm by act's vector math, lower.
//
//===----------------------------------------------------------------------===//

#include "act/Pipelines/Pipelines.h"

#include "act/Dialect/Act/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::act;

FailureOr<CpuTarget> mlir::act::resolveCpuTarget(StringRef name,
                                                 std::string &error) {
  if (name == "x86-64-v4")
    return CpuTarget{"x86-64-v4", "", 16};
  if (name == "x86-64-v3")
    return CpuTarget{"x86-64-v3", "", 8};
  if (name != "native") {
    error = ("unknown target '" + name +
             "' (expected native, x86-64-v3 or x86-64-v4)")
                .str();
    return failure();
  }
  llvm::StringMap<bool> hostFeatures = llvm::sys::getHostCPUFeatures();
  std::string features;
  for (const auto &feature : hostFeatures) {
    if (!features.empty())
      features += ",";
    features += (feature.second ? "+" : "-") + feature.first().str();
  }
  int64_t width = hostFeatures.lookup("avx512f") ? 16
                  : hostFeatures.lookup("avx2")  ? 8
                                                 : 4;
  return CpuTarget{llvm::sys::getHostCPUName().str(), features, width};
}

int64_t mlir::act::getDefaultInterleave(const CpuTarget &target) {
  return target.vectorWidth >= 16 ? 4 : 2;
}

int64_t mlir::act::getPackedPanelWidth(const CpuTarget &target) {
  return target.vectorWidth * getDefaultMatmulVectors(target.vectorWidth);
}

bool mlir::act::hasOneInstructionLookup(const CpuTarget &target) {
  return target.vectorWidth >= 16;
}

void mlir::act::addExpandAndBufferize(OpPassManager &pm, MathOptions math) {
  ActExpandOptions expand;
  expand.accuracy = math.accuracy;
  expand.lookupTables = math.lookupTables;
  pm.addPass(createActExpand(expand));
  pm.addPass(createCanonicalizerPass());
  // Results go straight into output arguments, not via a copy.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
}

void mlir::act::buildCpuPipeline(OpPassManager &pm,
                                 const CpuPipelineOptions &options) {
  // Matmuls first: fuse their epilogues, then give them register-tiled
  // loops; act-expand takes everything else.
  pm.addPass(createActFuseGlu());
  pm.addPass(createActFuseEpilogue());
  bool tables = hasOneInstructionLookup(options.target);
  ActLowerMatmulOptions matmul;
  matmul.vectorWidth = options.target.vectorWidth;
  matmul.accuracy = options.accuracy;
  matmul.lookupTables = tables;
  pm.addPass(createActLowerMatmul(matmul));
  addExpandAndBufferize(pm, {options.accuracy, tables});
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createCanonicalizerPass());

  ActVectorizeElementwiseOptions vectorize;
  vectorize.vectorWidth = options.target.vectorWidth;
  vectorize.interleave = options.interleave > 0
                             ? options.interleave
                             : getDefaultInterleave(options.target);
  vectorize.prefetchDistance = options.prefetchDistance >= 0
                                   ? options.prefetchDistance
                                   : kDefaultPrefetchDistance;
  pm.addPass(createActVectorizeElementwise(vectorize));
  pm.addPass(createConvertLinalgToLoopsPass());
  ActLowerMathOptions math;
  math.accuracy = options.accuracy;
  math.lookup = options.target.vectorWidth >= 16  ? LookupLowering::avx512
                : options.target.vectorWidth >= 8 ? LookupLowering::avx2
                                                  : LookupLowering::generic;
  pm.addPass(createActLowerMath(math));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // The matmuls' column blocks run on OpenMP threads (libomp at run time).
  pm.addPass(createConvertSCFToOpenMPPass());
  // Inlines the memref.alloca_scope it wraps loop bodies in (act's loops
  // have no allocas), which would otherwise block scf-to-cf.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSCFToControlFlowPass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.vectorTransposeLowering =
      vector::VectorTransposeLowering::Shuffle1D;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  // Intrinsics first (fma, fabs, ...); libm only for what act's vector math
  // does not cover (f64 erfc and the like), never inside f32 vector loops.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  ActLLVMTargetOptions target;
  target.cpu = options.target.cpu;
  target.features = options.target.features;
  pm.addPass(createActLLVMTarget(target));
}

namespace {
/// The textual options of act-cpu-pipeline.
struct CpuPipelineCLOptions : PassPipelineOptions<CpuPipelineCLOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("native, x86-64-v3 or x86-64-v4"),
                             llvm::cl::init("native")};
  Option<Accuracy> accuracy{
      *this, "accuracy", llvm::cl::desc("precise or fast"),
      llvm::cl::init(Accuracy::precise),
      llvm::cl::values(
          clEnumValN(Accuracy::precise, "precise", "within 4 ULP"),
          clEnumValN(Accuracy::fast, "fast", "shorter polynomials"))};
  Option<int64_t> interleave{
      *this, "interleave",
      llvm::cl::desc("vectors per elementwise loop iteration (0: the "
                     "target's default)"),
      llvm::cl::init(0)};
  Option<int64_t> prefetchDistance{
      *this, "prefetch-distance",
      llvm::cl::desc("elements ahead that non-temporal elementwise loops "
                     "prefetch (-1: the default, 0: none)"),
      llvm::cl::init(-1)};
};
/// The textual options of act-gpu-pipeline.
struct GpuPipelineCLOptions : PassPipelineOptions<GpuPipelineCLOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("sm_80, sm_90 or sm_90a (wgmma)"),
                           llvm::cl::init("sm_80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("isa (PTX text) or bin (cubin through ptxas)"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit root (default $CUDA_HOME, /usr/local/cuda)"),
      llvm::cl::init("")};
  Option<Accuracy> accuracy{
      *this, "accuracy", llvm::cl::desc("precise or fast"),
      llvm::cl::init(Accuracy::precise),
      llvm::cl::values(
          clEnumValN(Accuracy::precise, "precise", "within 4 ULP"),
          clEnumValN(Accuracy::fast, "fast", "shorter polynomials"))};
};
} // namespace

void mlir::act::registerActPipelines() {
  registerPassPipeline(
      "act-cpu-pipeline",
      "act ops on tensors to vectorized LLVM dialect for x86",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        std::unique_ptr<CpuPipelineCLOptions> cl =
            CpuPipelineCLOptions::createFromString(text);
        if (!cl)
          return errorHandler("invalid act-cpu-pipeline options: " + text);
        std::string error;
        FailureOr<CpuTarget> target = resolveCpuTarget(cl->target, error);
        if (failed(target))
          return errorHandler(error);
        if (cl->interleave < 0)
          return errorHandler("interleave must be non-negative, got " +
                              Twine(static_cast<int64_t>(cl->interleave)));
        buildCpuPipeline(
            pm, {*target, cl->accuracy, cl->interleave, cl->prefetchDistance});
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> handler) {
        handler(CpuPipelineCLOptions());
      });
  registerPassPipeline(
      "act-gpu-pipeline",
      "elementwise act kernels to a gpu.binary of PTX or cubin (NVIDIA)",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        std::unique_ptr<GpuPipelineCLOptions> cl =
            GpuPipelineCLOptions::createFromString(text);
        if (!cl)
          return errorHandler("invalid act-gpu-pipeline options: " + text);
        if (cl->chip != "sm_80" && cl->chip != "sm_90" && cl->chip != "sm_90a")
          return errorHandler("unknown chip '" + cl->chip +
                              "' (expected sm_80, sm_90 or sm_90a)");
        if (cl->format != "isa" && cl->format != "bin")
          return errorHandler("unknown format '" + cl->format +
                              "' (expected isa or bin)");
        std::string error;
        FailureOr<std::string> toolkit = resolveCudaToolkit(cl->toolkit, error);
        if (failed(toolkit))
          return errorHandler(error);
        buildGpuPipeline(
            pm, {cl->chip, cl->format == "bin", *toolkit, cl->accuracy});
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> handler) {
        handler(GpuPipelineCLOptions());
      });
}
