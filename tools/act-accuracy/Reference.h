//===- Reference.h - Long-double reference activations ----------*- C++ -*-===//
//
// An independent reference for every activation and its derivative, written
// from the math in x86 80-bit long double, for measuring act's kernels.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_TOOLS_ACT_ACCURACY_REFERENCE_H
#define ACT_TOOLS_ACT_ACCURACY_REFERENCE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace act::accuracy {

/// Activation parameters as the kernel under test sees them. The kernels take
/// their parameters as f32 attributes, so the defaults are the f32 roundings
/// of the documented defaults: 0.01 becomes 0.00999999977648258209228515625,
/// the others are exact.
struct ActivationParams {
  long double negativeSlope = 0.01f; // leaky_relu
  long double alpha = 1.0L;          // elu
  long double beta = 1.0L;           // softplus (silu's beta is fixed at 1)
  long double threshold = 20.0L;     // softplus
};

/// f(x) or f'(x) of one activation, in long double. NaN in gives NaN out;
/// +-inf give the mathematical limits.
using ReferenceFn = long double (*)(long double x, const ActivationParams &p);

/// Returns the reference named `name` ("gelu", "gelu_grad", ...), or nullptr
/// when there is none.
ReferenceFn lookupReference(llvm::StringRef name);

/// Every reference name, forward activations first, then the "_grad" ones.
llvm::ArrayRef<llvm::StringRef> referenceNames();

} // namespace act::accuracy

#endif // ACT_TOOLS_ACT_ACCURACY_REFERENCE_H
