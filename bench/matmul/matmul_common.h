//===- matmul_common.h - Shapes, data, options, timing of the matmul bench ===//
//
// What act's matmul bench and its C++ peers (oneDNN, OpenBLAS) share, so
// that every program times the same shapes on the same data the same way.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_BENCH_MATMUL_MATMUL_COMMON_H
#define ACT_BENCH_MATMUL_MATMUL_COMMON_H

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace matmul_bench {

/// y = gelu(x W + b) (BERT) or silu(x Wg) * (x Wu) (the SwiGLU shapes).
struct Shape {
  const char *name;
  int64_t m, k, n;
  bool glu;
  double flops() const { return 2.0 * m * k * n * (glu ? 2 : 1); }
};

inline const Shape kShapes[] = {{"bert", 128, 768, 3072, false},
                                {"swiglu", 128, 1024, 2816, true},
                                {"llama", 128, 4096, 11008, true}};

[[noreturn]] inline void fail(const char *tool, const std::string &message) {
  std::fprintf(stderr, "%s: %s\n", tool, message.c_str());
  std::exit(1);
}

/// The bench's data: x (seed 1), W or Wg (2), Wu (3), bias (4), normal with
/// `scale`; every program draws the same numbers.
inline std::vector<float> randomVector(size_t n, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

/// x, W (or Wg), Wu (SwiGLU shapes only) and the bias of a shape.
struct Data {
  std::vector<float> x, w0, w1, bias;
};

inline Data makeData(const Shape &s) {
  float scale = 1.0f / std::sqrt(float(s.k));
  return {randomVector(s.m * s.k, 1.0f, 1), randomVector(s.k * s.n, scale, 2),
          randomVector(s.glu ? s.k * s.n : 0, scale, 3),
          randomVector(s.n, 0.1f, 4)};
}

/// Median seconds per call of `run` over `repeat` samples, each at least
/// `minSeconds` of back-to-back calls, after two warm-up calls.
template <typename F>
double medianSeconds(F run, int repeat, double minSeconds) {
  using Clock = std::chrono::steady_clock;
  run();
  run();
  std::vector<double> samples;
  for (int r = 0; r < repeat; ++r) {
    int calls = 0;
    Clock::time_point start = Clock::now();
    double elapsed = 0;
    do {
      run();
      ++calls;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < minSeconds);
    samples.push_back(elapsed / calls);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

struct Options {
  Shape shape = kShapes[0];
  int threads = 1, repeat = 11;
  double minSeconds = 0.2;
};

/// --shape NAME, --threads T, --repeat R, --min-seconds S; any other flag
/// goes to `extra(flag, value)`, which returns false for an unknown one.
inline Options
parseOptions(int argc, char **argv, const char *tool,
             const std::function<bool(const std::string &,
                                      const std::function<std::string()> &)>
                 &extra = {}) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::function<std::string()> value = [&]() -> std::string {
      if (i + 1 >= argc)
        fail(tool, "missing value for " + a);
      return argv[++i];
    };
    if (a == "--shape") {
      std::string name = value();
      auto it = std::find_if(std::begin(kShapes), std::end(kShapes),
                             [&](const Shape &s) { return name == s.name; });
      if (it == std::end(kShapes))
        fail(tool, "unknown shape '" + name + "' (bert, swiglu, llama)");
      o.shape = *it;
    } else if (a == "--threads") {
      o.threads = std::stoi(value());
    } else if (a == "--repeat") {
      o.repeat = std::stoi(value());
    } else if (a == "--min-seconds") {
      o.minSeconds = std::stod(value());
    } else if (!extra || !extra(a, value)) {
      fail(tool, "unknown option '" + a + "'");
    }
  }
  return o;
}

} // namespace matmul_bench

#endif // ACT_BENCH_MATMUL_MATMUL_COMMON_H
