//===- onednn_matmul.cpp - oneDNN 2.6 matmul with post-ops ---------------===//
//
// onednn_matmul --shape bert|swiglu|llama [--threads T] [--repeat R]
// BERT: one matmul primitive with bias and an eltwise_gelu_erf post-op.
// SwiGLU: oneDNN has no GLU post-op; its best form is two matmuls, the gate
// with an eltwise_swish post-op and the up projection with a binary_mul
// post-op reading the gate. Weights are reordered once into the layout the
// primitive asks for (prepacked), outside the timing. Prints one JSON line.
//
//===----------------------------------------------------------------------===//

#include <dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

// libgomp, the runtime Debian's libdnnl uses (see onednn_eltwise.cpp).
extern "C" void omp_set_num_threads(int);

using namespace dnnl;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "onednn_matmul: %s\n", message.c_str());
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

void fill(memory &mem, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  float *p = static_cast<float *>(mem.get_data_handle());
  size_t n = mem.get_desc().get_size() / sizeof(float);
  for (size_t i = 0; i < n; ++i)
    p[i] = dist(rng);
}

/// A matmul primitive for [m, k] x [k, n] with `ops`, bias optional, its
/// weights reordered into the primitive's preferred layout.
struct Matmul {
  matmul primitive;
  memory weights;

  Matmul(engine &eng, stream &strm, const Shape &s, memory &plainWeights,
         bool bias, const post_ops &ops) {
    memory::desc src({s.m, s.k}, memory::data_type::f32,
                     memory::format_tag::ab);
    memory::desc wAny({s.k, s.n}, memory::data_type::f32,
                      memory::format_tag::any);
    memory::desc dst({s.m, s.n}, memory::data_type::f32,
                     memory::format_tag::ab);
    primitive_attr attr;
    attr.set_post_ops(ops);
    // oneDNN 2.x: an op descriptor, then the primitive descriptor.
    matmul::desc desc =
        bias ? matmul::desc(src, wAny,
                            memory::desc({1, s.n}, memory::data_type::f32,
                                         memory::format_tag::ab),
                            dst)
             : matmul::desc(src, wAny, dst);
    matmul::primitive_desc pd(desc, attr, eng);
    primitive = matmul(pd);
    weights = memory(pd.weights_desc(), eng);
    reorder(plainWeights, weights).execute(strm, plainWeights, weights);
    strm.wait();
  }
};

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
  omp_set_num_threads(threads);

  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  auto md = [](int64_t r, int64_t c) {
    return memory::desc({r, c}, memory::data_type::f32, memory::format_tag::ab);
  };
  memory x(md(s.m, s.k), eng), y(md(s.m, s.n), eng), g(md(s.m, s.n), eng);
  memory w0(md(s.k, s.n), eng), w1(md(s.k, s.n), eng), bias(md(1, s.n), eng);
  fill(x, 1.0f, 1);
  fill(w0, 1.0f / std::sqrt(float(s.k)), 2);
  fill(w1, 1.0f / std::sqrt(float(s.k)), 3);
  fill(bias, 0.1f, 4);

  std::function<void()> run;
  std::vector<Matmul> matmuls;
  if (!s.glu) {
    post_ops ops;
    ops.append_eltwise(1.0f, algorithm::eltwise_gelu_erf, 0.0f, 0.0f);
    matmuls.emplace_back(eng, strm, s, w0, /*bias=*/true, ops);
    run = [&] {
      matmuls[0].primitive.execute(strm,
                                   {{DNNL_ARG_SRC, x},
                                    {DNNL_ARG_WEIGHTS, matmuls[0].weights},
                                    {DNNL_ARG_BIAS, bias},
                                    {DNNL_ARG_DST, y}});
      strm.wait();
    };
  } else {
    post_ops gateOps, upOps;
    gateOps.append_eltwise(1.0f, algorithm::eltwise_swish, 1.0f, 0.0f);
    upOps.append_binary(algorithm::binary_mul, md(s.m, s.n));
    matmuls.emplace_back(eng, strm, s, w0, /*bias=*/false, gateOps);
    matmuls.emplace_back(eng, strm, s, w1, /*bias=*/false, upOps);
    run = [&] {
      matmuls[0].primitive.execute(strm,
                                   {{DNNL_ARG_SRC, x},
                                    {DNNL_ARG_WEIGHTS, matmuls[0].weights},
                                    {DNNL_ARG_DST, g}});
      matmuls[1].primitive.execute(
          strm, {{DNNL_ARG_SRC, x},
                 {DNNL_ARG_WEIGHTS, matmuls[1].weights},
                 {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, g},
                 {DNNL_ARG_DST, y}});
      strm.wait();
    };
  }

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
  const float *out = static_cast<const float *>(y.get_data_handle());
  for (int64_t i = 0; i < s.m * s.n; ++i)
    checksum += out[i];
  std::printf("{\"peer\": \"onednn\", \"shape\": \"%s\", \"threads\": %d, "
              "\"seconds_median\": %.6e, \"gflop_per_s\": %.2f, "
              "\"checksum\": %.6e}\n",
              s.name, threads, seconds, flops / seconds / 1e9, checksum);
  return 0;
}
