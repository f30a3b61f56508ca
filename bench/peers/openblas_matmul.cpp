//===- openblas_matmul.cpp - OpenBLAS sgemm + a separate activation pass --===//
//
// openblas_matmul --shape bert|swiglu|llama [--threads T] [--repeat R]
// What a C++ engineer without a fusing compiler writes: cblas_sgemm (two
// for SwiGLU), then one pass over the result that adds the bias and applies
// GELU (erff), or computes silu(g) * u (expf). The pass is a plain loop that
// g++ -O3 -ffast-math -fopenmp-simd vectorizes against glibc's libmvec
// (_ZGVeN16v_erff/expf), split over the same threads. Prints one JSON line.
//
//===----------------------------------------------------------------------===//

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

extern "C" void openblas_set_num_threads(int);

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "openblas_matmul: %s\n", message.c_str());
  std::exit(1);
}

struct Shape {
  const char *name;
  int64_t m, k, n;
  bool glu;
};

const Shape kShapes[] = {{"bert", 128, 768, 3072, false},
                         {"swiglu", 128, 1024, 2816, true},
                         {"llama", 128, 4096, 11008, true}};

std::vector<float> random(size_t n, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

void geluPass(float *y, const float *bias, int64_t rows, int64_t n) {
  for (int64_t i = 0; i < rows; ++i) {
    float *row = y + i * n;
    for (int64_t j = 0; j < n; ++j) {
      float z = row[j] + bias[j];
      row[j] = 0.5f * z * (1.0f + erff(z * 0.70710678f));
    }
  }
}

void swigluPass(float *y, const float *g, const float *u, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    y[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

/// Runs `pass(firstRow, rows)` over `rows` rows split across `threads`.
void parallelRows(int threads, int64_t rows,
                  const std::function<void(int64_t, int64_t)> &pass) {
  if (threads <= 1) {
    pass(0, rows);
    return;
  }
  std::vector<std::thread> pool;
  int64_t per = (rows + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) {
    int64_t begin = t * per, end = std::min(rows, begin + per);
    if (begin < end)
      pool.emplace_back([&, begin, end] { pass(begin, end - begin); });
  }
  for (std::thread &t : pool)
    t.join();
}

} // namespace

int main(int argc, char **argv) {
  std::string shapeName = "bert";
  int threads = 1, repeat = 11;
  double minSeconds = 0.2;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        fail("missing value for " + a);
      return argv[++i];
    };
    if (a == "--shape")
      shapeName = value();
    else if (a == "--threads")
      threads = std::stoi(value());
    else if (a == "--repeat")
      repeat = std::stoi(value());
    else if (a == "--min-seconds")
      minSeconds = std::stod(value());
    else
      fail("unknown option '" + a + "'");
  }
  const Shape *shape = nullptr;
  for (const Shape &s : kShapes)
    if (shapeName == s.name)
      shape = &s;
  if (!shape)
    fail("unknown shape '" + shapeName + "'");
  const Shape &s = *shape;
  openblas_set_num_threads(threads);

  std::vector<float> x = random(s.m * s.k, 1.0f, 1);
  std::vector<float> w0 = random(s.k * s.n, 1.0f / std::sqrt(float(s.k)), 2);
  std::vector<float> w1 =
      random(s.glu ? s.k * s.n : 0, 1.0f / std::sqrt(float(s.k)), 3);
  std::vector<float> bias = random(s.n, 0.1f, 4);
  std::vector<float> y(s.m * s.n), g(s.m * s.n), u(s.m * s.n);
  auto sgemm = [&](const std::vector<float> &w, std::vector<float> &out) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.m, s.n, s.k, 1.0f,
                x.data(), s.k, w.data(), s.n, 0.0f, out.data(), s.n);
  };
  std::function<void()> run;
  if (!s.glu)
    run = [&] {
      sgemm(w0, y);
      parallelRows(threads, s.m, [&](int64_t first, int64_t rows) {
        geluPass(y.data() + first * s.n, bias.data(), rows, s.n);
      });
    };
  else
    run = [&] {
      sgemm(w0, g);
      sgemm(w1, u);
      parallelRows(threads, s.m, [&](int64_t first, int64_t rows) {
        swigluPass(y.data() + first * s.n, g.data() + first * s.n,
                   u.data() + first * s.n, rows * s.n);
      });
    };

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
  double seconds = samples[samples.size() / 2];
  double flops = 2.0 * s.m * s.k * s.n * (s.glu ? 2 : 1);
  double checksum = 0;
  for (float v : y)
    checksum += v;
  std::printf("{\"peer\": \"openblas\", \"shape\": \"%s\", \"threads\": %d, "
              "\"seconds_median\": %.6e, \"gflop_per_s\": %.2f, "
              "\"checksum\": %.6e}\n",
              s.name, threads, seconds, flops / seconds / 1e9, checksum);
  return 0;
}
