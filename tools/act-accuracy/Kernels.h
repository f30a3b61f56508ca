//===- Kernels.h - The kernels act-accuracy measures ------------*- C++ -*-===//
//
// The provider interface between the accuracy driver and whatever compiles
// the kernels under test (act's JIT, or the plain C++ stubs).
//
//===----------------------------------------------------------------------===//

#ifndef ACT_TOOLS_ACT_ACCURACY_KERNELS_H
#define ACT_TOOLS_ACT_ACCURACY_KERNELS_H

#include "Harness.h"

#include "llvm/ADT/StringRef.h"

#include <vector>

namespace act::accuracy {

/// Every kernel the provider has for `mode`, "precise" or "fast", compiled
/// for `target` (native, x86-64-v3, x86-64-v4; providers without targets
/// ignore it). Each kernel's name must be one of referenceNames(), its
/// gradient flag must match a "_grad" suffix, and its mode must be `mode`.
/// The driver keeps the kernels alive while it measures.
std::vector<Kernel> getKernels(llvm::StringRef mode,
                               llvm::StringRef target = "native");

} // namespace act::accuracy

#endif // ACT_TOOLS_ACT_ACCURACY_KERNELS_H
