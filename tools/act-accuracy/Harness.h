//===- Harness.h - Accuracy sweeps of activation kernels --------*- C++ -*-===//
//
// Runs a compiled f32 activation kernel over every float32 input or a fixed
// sample, and measures its ULP error against the long-double reference.
//
//===----------------------------------------------------------------------===//
//
// Error accounting, per input x with result y and reference r:
//  - the raw error is ulpError(y, r) of Ulp.h;
//  - for derivative kernels, a point whose raw error exceeds the bound (or
//    kPreciseBoundUlp when the bound is +inf, i.e. measuring only) but which
//    passes the absolute rule (x in [-3, 0], |y - r| <= 2^-24) passes: it is
//    counted in absRulePasses, its raw error still feeds maxUlpRaw, and its
//    effective error is 0. The fallback keeps a measured-only maxUlp
//    meaningful: without it, the zero crossing of f' near -0.75 would
//    dominate every derivative's figure;
//  - otherwise the effective error is the raw error;
//  - a violation is an effective error above the bound, or an infinite one
//    (a wrong special value) whatever the bound.
// maxUlp, the worst point and the histogram's maxUlp report effective
// errors. Ties go to the smaller bit pattern, so results do not depend on
// thread timing.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_TOOLS_ACT_ACCURACY_HARNESS_H
#define ACT_TOOLS_ACT_ACCURACY_HARNESS_H

#include "Reference.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace act::accuracy {

/// One compiled kernel: y[i] = f(x[i]) or, for gradients,
/// y[i] = dy[i] * f'(x[i]). `run` is called concurrently from several
/// threads, on separate buffers of up to kChunkSize elements.
struct Kernel {
  std::string name; // e.g. "gelu", "gelu_tanh", "gelu_grad"
  std::string mode; // "precise" or "fast"
  bool gradient = false;
  std::function<void(const float *x, const float *dy, float *y, int64_t n)>
      run; // dy == nullptr for forward kernels
  /// The parameters the kernel was built with; the reference uses the same.
  ActivationParams params = {};
  /// The documented ULP bound of this kernel, or 0 for the mode's default
  /// (kPreciseBoundUlp for precise; fast kernels without one are measured, and
  /// checked only for special values).
  double boundUlp = 0;
};

enum class SweepKind {
  Exhaustive, ///< all 2^32 float32 bit patterns
  Sampled,    ///< the fixed sample of sampledInputs()
};

/// The bound of accuracy=precise, for every activation and derivative.
inline constexpr double kPreciseBoundUlp = 4.0;

/// Elements per call of Kernel::run.
inline constexpr int64_t kChunkSize = int64_t(1) << 16;

/// The error-against-x histogram: kLinearBuckets equal buckets over
/// [kHistogramLo, kHistogramHi), then one for x below (with -inf), one for x
/// at or above (with +inf), and one for NaN inputs.
inline constexpr int kLinearBuckets = 400;
inline constexpr double kHistogramLo = -20.0;
inline constexpr double kHistogramHi = 20.0;
inline constexpr int kBelowBucket = kLinearBuckets;
inline constexpr int kAboveBucket = kLinearBuckets + 1;
inline constexpr int kNaNBucket = kLinearBuckets + 2;
inline constexpr int kNumBuckets = kLinearBuckets + 3;

/// The histogram bucket of input x.
int bucketIndex(float x);
/// The [lo, hi) range of x covered by bucket `index` (+-inf at the open
/// ends, NaN for the NaN bucket).
std::pair<double, double> bucketRange(int index);

struct Bucket {
  double maxUlp = 0;    // effective
  double maxUlpRaw = 0; // before the derivative absolute rule
  uint64_t count = 0;
  uint64_t violations = 0;
};

struct Result {
  std::string name, mode;
  bool gradient = false;
  SweepKind kind = SweepKind::Sampled;
  double boundUlp = 0;
  /// Worst effective error and where (ties: smallest bit pattern of x).
  double maxUlp = 0;
  float worstX = 0, worstY = 0;
  long double worstRef = 0;
  uint64_t count = 0, violations = 0;
  /// Derivatives: points that pass only by the absolute rule, and the worst
  /// raw error over all points.
  uint64_t absRulePasses = 0;
  double maxUlpRaw = 0;
  float worstRawX = 0, worstRawY = 0;
  long double worstRawRef = 0;
  /// Up to kMaxViolationSamples violating inputs, smallest bit patterns first.
  std::vector<float> violationSamples;
  std::vector<Bucket> buckets;
  double seconds = 0;
};

inline constexpr size_t kMaxViolationSamples = 16;

/// Measures `kernel` over the inputs of `kind` on `threads` worker threads
/// against the reference of the same name, which must exist. `boundUlp` may
/// be +inf to measure without a bound.
Result sweep(const Kernel &kernel, SweepKind kind, unsigned threads,
             double boundUlp);

/// The sampled inputs (about 2.8M) as f32 bit patterns, sorted and
/// distinct: special values, subnormals, every 16th float in [-14, -5] and
/// every 128th in [-128, -20] (the underflowing tails), 2^20 + 1 evenly
/// spaced points in [-20, 20], every 4096th bit pattern with |x| <= 20,
/// 2048 floats either side of each knee (0, +-3, 6, 20), and random bit
/// patterns for the tails out to +-FLT_MAX and for the whole space (fixed
/// seed).
const std::vector<uint32_t> &sampledInputs();

} // namespace act::accuracy

#endif // ACT_TOOLS_ACT_ACCURACY_HARNESS_H
