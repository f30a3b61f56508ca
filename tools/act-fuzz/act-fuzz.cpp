//===- act-fuzz.cpp - libFuzzer harness over act's compiler -----*- C++ -*-===//
//
// Each input is MLIR text: parse, verify, then act's passes one by one
// (act-expand in both accuracy modes, act-approximate-gelu,
// act-vectorize-elementwise, act-lower-math, act-fuse-glu +
// act-fuse-epilogue, act-lower-matmul, the fusions + act-gpu-matmul in both
// kernel families) and the whole act-cpu-pipeline
// for x86-64-v4, each on a fresh copy. Malformed input must give
// diagnostics, never a crash; scripts/fuzz.sh runs it.
//
//===----------------------------------------------------------------------===//

#include "act/Dialect/Act/Transforms/Passes.h"
#include "act/InitAllDialects.h"
#include "act/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <cstdint>
#include <functional>

using namespace mlir;
using namespace mlir::act;

namespace {
const DialectRegistry &getRegistry() {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    registerAllDialects(*r);
    return r;
  }();
  return *registry;
}

/// Runs `build`'s pipeline on a copy of `module`; failures are fine.
void runOnCopy(ModuleOp module,
               const std::function<void(PassManager &)> &build) {
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  build(pm);
  (void)pm.run(*copy);
}
} // namespace

/// act is instrumented, libMLIR.so is not: both allocate from the same
/// BumpPtrAllocators, whose header code poisons slabs in instrumented code
/// only, so ASan would flag libMLIR's own (unpoisoned-by-nobody)
/// allocations. Manual poisoning is off; real heap errors are still caught.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A context per input: uniqued types and attributes would otherwise pile
  // up over millions of inputs.
  MLIRContext ctx(getRegistry(), MLIRContext::Threading::DISABLED);
  ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
  // MLIR's lexer reads the NUL after the text as its end marker: parse a
  // terminated copy, not libFuzzer's exact-size buffer.
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
  if (!module || failed(verify(*module)))
    return 0;

  for (Accuracy accuracy : {Accuracy::precise, Accuracy::fast})
    runOnCopy(*module, [&](PassManager &pm) {
      ActExpandOptions options;
      options.accuracy = accuracy;
      pm.addPass(createActExpand(options));
      pm.addPass(createCanonicalizerPass());
    });
  runOnCopy(*module, [](PassManager &pm) {
    // mode=auto measures the approximations (the same every input); tanh
    // and the companions exercise the rewrites.
    ActApproximateGeluOptions options;
    options.mode = GeluApproximationMode::tanh;
    options.siluToHardSwish = true;
    options.sigmoidToHardSigmoid = true;
    pm.addPass(createActApproximateGelu(options));
  });
  runOnCopy(*module, [](PassManager &pm) {
    pm.addPass(createActVectorizeElementwise());
    pm.addPass(createActLowerMath());
  });
  runOnCopy(*module, [](PassManager &pm) {
    pm.addPass(createActFuseGlu());
    pm.addPass(createActFuseEpilogue());
    ActLowerMatmulOptions options;
    options.vectorWidth = 8;
    pm.addPass(createActLowerMatmul(options));
  });
  for (bool wgmma : {false, true})
    runOnCopy(*module, [wgmma](PassManager &pm) {
      pm.addPass(createActFuseGlu());
      pm.addPass(createActFuseEpilogue());
      ActGpuMatmulOptions options;
      options.wgmma = wgmma;
      pm.addPass(createActGpuMatmul(options));
    });
  runOnCopy(*module, [](PassManager &pm) {
    std::string error;
    FailureOr<CpuTarget> target = resolveCpuTarget("x86-64-v4", error);
    buildCpuPipeline(pm, {*target, Accuracy::precise});
  });
  return 0;
}
