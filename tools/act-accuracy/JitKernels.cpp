//===- JitKernels.cpp - act's kernels for act-accuracy ---------*- C++ -*-===//
//
// The real provider: every activation and derivative, compiled by act's JIT
// through act-cpu-pipeline for the host, in the requested accuracy mode.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "act/JIT/Compiler.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <memory>

using namespace act::accuracy;

std::vector<Kernel> act::accuracy::getKernels(llvm::StringRef mode,
                                              llvm::StringRef target) {
  using namespace mlir::act;

  CompileOptions options;
  options.target = target.str();
  options.accuracy = mode == "fast" ? Accuracy::fast : Accuracy::precise;
  std::vector<Kernel> kernels;
  for (const NamedActivation &entry : getNamedActivations()) {
    for (bool gradient : {false, true}) {
      ElementwiseSpec spec;
      spec.kind = entry.kind;
      spec.params.approximation = entry.approximation;
      spec.gradient = gradient;
      auto compiled = ElementwiseKernel::compile(spec, options);
      if (!compiled) {
        llvm::errs() << "act-accuracy: error: cannot compile " << entry.name
                     << ": " << llvm::toString(compiled.takeError()) << "\n";
        std::exit(1);
      }
      auto shared = std::make_shared<ElementwiseKernel>(std::move(*compiled));
      Kernel kernel;
      kernel.name = (entry.name + (gradient ? "_grad" : "")).str();
      kernel.mode = mode.str();
      kernel.gradient = gradient;
      kernel.run = [shared](const float *x, const float *dy, float *y,
                            int64_t n) { shared->run(x, dy, y, n, 1); };
      kernels.push_back(std::move(kernel));
    }
  }
  return kernels;
}
