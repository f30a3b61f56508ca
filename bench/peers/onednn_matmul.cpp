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

#include "../matmul/matmul_common.h"

#include <cstring>
#include <dnnl.hpp>

// libgomp, the runtime Debian's libdnnl uses (see onednn_eltwise.cpp).
extern "C" void omp_set_num_threads(int);

using namespace dnnl;
using namespace matmul_bench;

namespace {

/// Copies the bench's data (see randomVector) into `mem`.
void fill(memory &mem, float scale, unsigned seed) {
  size_t n = mem.get_desc().get_size() / sizeof(float);
  std::vector<float> v = randomVector(n, scale, seed);
  std::memcpy(mem.get_data_handle(), v.data(), n * sizeof(float));
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
  Options o = parseOptions(argc, argv, "onednn_matmul");
  const Shape &s = o.shape;
  int threads = o.threads;
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

  double seconds = medianSeconds(run, o.repeat, o.minSeconds);
  double flops = s.flops();
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
