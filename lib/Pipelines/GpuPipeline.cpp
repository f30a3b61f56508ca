//===- GpuPipeline.cpp - act-gpu-pipeline ---------------------*- C++ -*-===//
//
// Elementwise act kernels to NVIDIA GPU code: expand, bufferize, make GPU
// kernels (grid-stride, 16-byte accesses), act's vector math (no libdevice
// calls), NVVM, and PTX or a cubin.
//
//===----------------------------------------------------------------------===//

#include "act/Pipelines/Pipelines.h"

#include "act/Dialect/Act/Transforms/Passes.h"

#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"

using namespace mlir;
using namespace mlir::act;

FailureOr<std::string> mlir::act::resolveCudaToolkit(StringRef requested,
                                                     std::string &error) {
  SmallVector<std::string, 3> candidates;
  if (!requested.empty())
    candidates.push_back(requested.str());
  else {
    if (std::optional<std::string> home =
            llvm::sys::Process::GetEnv("CUDA_HOME"))
      candidates.push_back(*home);
    candidates.push_back("/usr/local/cuda");
  }
  for (const std::string &path : candidates)
    if (llvm::sys::fs::is_directory(path))
      return path;
  error = requested.empty()
              ? "no CUDA toolkit found: set CUDA_HOME or pass toolkit=PATH "
                "(looked in $CUDA_HOME and /usr/local/cuda)"
              : "CUDA toolkit '" + requested.str() + "' does not exist";
  return failure();
}

void mlir::act::buildGpuPipeline(OpPassManager &pm,
                                 const GpuPipelineOptions &options) {
  // Matmuls (with what fuses into them) become tensor-core kernels first;
  // the elementwise functions left go through linalg.
  pm.addPass(createActFuseGlu());
  pm.addPass(createActFuseEpilogue());
  ActGpuMatmulOptions matmul;
  matmul.accuracy = options.accuracy;
  matmul.wgmma = options.chip == "sm_90a";
  pm.addPass(createActGpuMatmul(matmul));
  addExpandAndBufferize(pm, options.accuracy);
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createActGpuElementwise());
  ActLowerMathOptions math;
  math.accuracy = options.accuracy;
  pm.addPass(createActLowerMath(math));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createSCFToControlFlowPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.optLevel = 3;
  target.linkLibs = {};
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  // wgmma and fences become inline PTX.
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.toolkit;
  binary.compilationTarget = options.binary ? "bin" : "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
