//===- cpp_loop.cpp - Plain C++ std:: loop per activation -----------------===//

#include "bench_common.h"

namespace {

// DESIGN.md section 3 formulas with their default parameters, written as a
// user would with <cmath>: no intrinsics, no approximations.
constexpr float kNegativeSlope = 0.01f;
constexpr float kAlpha = 1.0f;
constexpr float kBeta = 1.0f;
constexpr float kThreshold = 20.0f;
constexpr float kSqrtHalf = 0.70710678118654752f;
constexpr float kSqrt2OverPi = 0.79788456080286536f;

inline float relu6(float x) { return std::min(std::max(x, 0.0f), 6.0f); }
inline float softplus(float x) {
  float bx = kBeta * x;
  return bx > kThreshold ? x : std::log1p(std::exp(bx)) / kBeta;
}

inline float relu(float x) { return std::max(x, 0.0f); }
inline float leakyRelu(float x) { return x > 0.0f ? x : kNegativeSlope * x; }
inline float elu(float x) { return x > 0.0f ? x : kAlpha * std::expm1(x); }
inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
inline float hardSigmoid(float x) { return relu6(x + 3.0f) / 6.0f; }
inline float silu(float x) { return x / (1.0f + std::exp(-kBeta * x)); }
inline float hardSwish(float x) { return x * relu6(x + 3.0f) / 6.0f; }
inline float gelu(float x) { return 0.5f * x * std::erfc(-x * kSqrtHalf); }
inline float geluTanh(float x) {
  return 0.5f * x *
         (1.0f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
}
inline float mish(float x) { return x * std::tanh(softplus(x)); }

/// The loop a user writes; F is a compile-time constant, so it inlines.
template <float (*F)(float)>
void loop(float *__restrict y, const float *__restrict x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = F(x[i]);
}

struct Entry {
  const char *name;
  void (*kernel)(float *__restrict, const float *__restrict, int64_t);
};

const Entry kKernels[] = {
    {"relu", loop<relu>},       {"leaky_relu", loop<leakyRelu>},
    {"elu", loop<elu>},         {"relu6", loop<relu6>},
    {"sigmoid", loop<sigmoid>}, {"hard_sigmoid", loop<hardSigmoid>},
    {"silu", loop<silu>},       {"hard_swish", loop<hardSwish>},
    {"gelu", loop<gelu>},       {"gelu_tanh", loop<geluTanh>},
    {"mish", loop<mish>},       {"softplus", loop<softplus>},
};

} // namespace

int main(int argc, char **argv) {
  bench::Options o = bench::parseOptions(
      argc, argv,
      "  NAME: relu leaky_relu elu relu6 sigmoid hard_sigmoid silu hard_swish\n"
      "        gelu gelu_tanh mish softplus\n");
  decltype(Entry::kernel) kernel = nullptr;
  for (const Entry &e : kKernels)
    if (o.activation == e.name)
      kernel = e.kernel;
  if (!kernel)
    bench::fail("unknown activation " + o.activation);

  int64_t n = 0;
  bench::Timing t = bench::runUnary(o, n, kernel);
  bench::printJson("cpp_" + o.activation, n, o.threads, t,
                   2.0 * sizeof(float) * n);
  return 0;
}
