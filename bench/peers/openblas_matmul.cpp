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

#include "../matmul/matmul_common.h"

#include <cblas.h>

#include <thread>

extern "C" void openblas_set_num_threads(int);

using namespace matmul_bench;

namespace {

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
  Options o = parseOptions(argc, argv, "openblas_matmul");
  const Shape &s = o.shape;
  int threads = o.threads;
  openblas_set_num_threads(threads);

  Data data = makeData(s);
  std::vector<float> &x = data.x, &w0 = data.w0, &w1 = data.w1,
                     &bias = data.bias;
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

  double seconds = medianSeconds(run, o.repeat, o.minSeconds);
  double flops = s.flops();
  double checksum = 0;
  for (float v : y)
    checksum += v;
  std::printf("{\"peer\": \"openblas\", \"shape\": \"%s\", \"threads\": %d, "
              "\"seconds_median\": %.6e, \"gflop_per_s\": %.2f, "
              "\"checksum\": %.6e}\n",
              s.name, threads, seconds, flops / seconds / 1e9, checksum);
  return 0;
}
