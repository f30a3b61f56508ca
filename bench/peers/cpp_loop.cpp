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

template <typename F>
void apply(float *__restrict y, const float *__restrict x, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = f(x[i]);
}

using Kernel = void (*)(float *__restrict, const float *__restrict, int64_t);

#define ACT_KERNEL(NAME, EXPR)                                                 \
  {NAME, [](float *__restrict y, const float *__restrict x, int64_t n) {       \
     apply(y, x, n, [](float x) -> float { return EXPR; });                    \
   }}

struct Entry {
  const char *name;
  Kernel kernel;
};

const Entry kKernels[] = {
    ACT_KERNEL("relu", std::max(x, 0.0f)),
    ACT_KERNEL("leaky_relu", x > 0.0f ? x : kNegativeSlope * x),
    ACT_KERNEL("elu", x > 0.0f ? x : kAlpha * std::expm1(x)),
    ACT_KERNEL("relu6", relu6(x)),
    ACT_KERNEL("sigmoid", 1.0f / (1.0f + std::exp(-x))),
    ACT_KERNEL("hard_sigmoid", relu6(x + 3.0f) / 6.0f),
    ACT_KERNEL("silu", x / (1.0f + std::exp(-kBeta * x))),
    ACT_KERNEL("hard_swish", x * relu6(x + 3.0f) / 6.0f),
    ACT_KERNEL("gelu", 0.5f * x * std::erfc(-x * kSqrtHalf)),
    ACT_KERNEL("gelu_tanh",
               0.5f * x *
                   (1.0f + std::tanh(kSqrt2OverPi *
                                     (x + 0.044715f * x * x * x)))),
    ACT_KERNEL("mish", x * std::tanh(softplus(x))),
    ACT_KERNEL("softplus", softplus(x)),
};

} // namespace

int main(int argc, char **argv) {
  bench::Options o = bench::parseOptions(
      argc, argv,
      "  NAME: relu leaky_relu elu relu6 sigmoid hard_sigmoid silu hard_swish\n"
      "        gelu gelu_tanh mish softplus\n");
  Kernel kernel = nullptr;
  for (const Entry &e : kKernels)
    if (o.activation == e.name)
      kernel = e.kernel;
  if (!kernel)
    bench::fail("unknown activation " + o.activation);

  int64_t n = 0;
  bench::Buffer x = bench::loadInput(o, n);
  bench::Buffer y = bench::allocate(n);
  const float *src = x.get();
  float *dst = y.get();

  bench::ThreadPool pool(o.threads);
  bench::ThreadPool::Task task = [&](int tid, int nthreads) {
    auto [b, e] = bench::chunk(n, tid, nthreads);
    if (e > b)
      kernel(dst + b, src + b, e - b);
  };
  bench::Timing t = bench::measure(o, [&] { pool.run(task); });
  if (!o.output.empty())
    bench::writeNpy(o.output, dst, n);
  bench::printJson("cpp_" + o.activation, n, o.threads, t,
                   2.0 * sizeof(float) * n);
  return 0;
}
