//===- Properties.h - Measured properties of activations --------*- C++ -*-===//
//
// Numerical measurements over float32 inputs: the largest difference between
// two functions (an approximation and the exact activation), and the cost of
// an activation's expansion. Used by act-approximate-gelu and the properties
// report, so that both rest on measured numbers.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_MATH_PROPERTIES_H
#define ACT_MATH_PROPERTIES_H

#include "act/Math/Activation.h"

namespace mlir::act {

/// The largest absolute and relative differences and where they occur.
struct ErrorStats {
  double maxAbs = 0;
  float argMaxAbs = 0;
  double maxRel = 0;
  float argMaxRel = 0;
};

/// max |f(x) - g(x)| (and the relative difference, where |g(x)| >=
/// relativeFloor) over the float32 x in [lo, hi]: a grid of `samples`
/// points, then every float32 within 2^12 ulps of the worst grid points, so
/// that the maximum of a smooth difference is found to the float.
ErrorStats measureMaxDifference(function_ref<double(float)> f,
                                function_ref<double(float)> g, double lo,
                                double hi, int64_t samples = 1 << 20,
                                double relativeFloor = 0);

/// Exact GELU, x/2 erfc(-x/sqrt 2), from the C library in double: the
/// reference that approximations are measured against (not act's formula).
double referenceGelu(double x);

/// The error of a GELU approximation against exact GELU over all float32
/// inputs (beyond |x| = 20 both agree to float32 precision), with the
/// approximation evaluated by act's formula in double.
ErrorStats measureGeluApproximationError(GeluApproximation approximation);

/// The number of arith/math ops act's expansion of `kind` emits for a
/// scalar f32 in `accuracy` mode: the cost model of act-approximate-gelu.
int64_t getActivationCost(ActivationKind kind, const ActivationParams &params,
                          Accuracy accuracy = Accuracy::precise);

} // namespace mlir::act

#endif // ACT_MATH_PROPERTIES_H
