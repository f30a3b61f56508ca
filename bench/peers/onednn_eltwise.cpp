//===- onednn_eltwise.cpp - oneDNN 2.6 eltwise forward per activation -----===//

#include "bench_common.h"

#include <dnnl.hpp>
#include <dnnl_debug.h>

#include <unordered_map>

// From libgomp, the OpenMP runtime Debian's libdnnl uses (link -lgomp; not
// <omp.h>, which under clang would pull in LLVM's libomp as a second runtime).
extern "C" void omp_set_num_threads(int);

namespace {

struct Mapping {
  const char *name;    // act's activation name (gelu_tanh: approximation).
  dnnl::algorithm alg; // oneDNN 2.6 algorithm computing the same function.
  float alpha, beta;   // Its parameters (DESIGN.md section 3 defaults).
};

// hard_sigmoid has no 2.6 algorithm (eltwise_hardsigmoid arrived in 3.0).
// soft_relu in 2.6 is log(1 + e^x) with alpha and beta ignored: softplus with
// beta = 1. hardswish in 2.6 is x * relu6(x + 3) / 6 (alpha, beta ignored).
const Mapping kMappings[] = {
    {"relu", dnnl::algorithm::eltwise_relu, 0.0f, 0.0f},
    {"leaky_relu", dnnl::algorithm::eltwise_relu, 0.01f, 0.0f},
    {"elu", dnnl::algorithm::eltwise_elu, 1.0f, 0.0f},
    {"relu6", dnnl::algorithm::eltwise_clip, 0.0f, 6.0f},
    {"sigmoid", dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f},
    {"silu", dnnl::algorithm::eltwise_swish, 1.0f, 0.0f},
    {"hard_swish", dnnl::algorithm::eltwise_hardswish, 0.0f, 0.0f},
    {"gelu", dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f},
    {"gelu_tanh", dnnl::algorithm::eltwise_gelu_tanh, 0.0f, 0.0f},
    {"mish", dnnl::algorithm::eltwise_mish, 0.0f, 0.0f},
    {"softplus", dnnl::algorithm::eltwise_soft_relu, 0.0f, 0.0f},
};

const char *isaName(dnnl::cpu_isa isa) {
  switch (isa) {
  case dnnl::cpu_isa::sse41:
    return "sse41";
  case dnnl::cpu_isa::avx:
    return "avx";
  case dnnl::cpu_isa::avx2:
    return "avx2";
  case dnnl::cpu_isa::avx512_core:
    return "avx512_core";
  case dnnl::cpu_isa::avx512_core_vnni:
    return "avx512_core_vnni";
  case dnnl::cpu_isa::avx512_core_bf16:
    return "avx512_core_bf16";
  case dnnl::cpu_isa::avx512_core_amx:
    return "avx512_core_amx";
  default:
    return "other";
  }
}

} // namespace

int main(int argc, char **argv) {
  bench::Options o = bench::parseOptions(
      argc, argv,
      "  NAME: relu leaky_relu elu relu6 sigmoid silu hard_swish gelu\n"
      "        gelu_tanh mish softplus (hard_sigmoid: not in oneDNN 2.6)\n"
      "  Threads: OpenMP (libgomp); --threads sets omp_set_num_threads.\n");
  const Mapping *m = nullptr;
  for (const Mapping &e : kMappings)
    if (o.activation == e.name)
      m = &e;
  if (!m)
    bench::fail("oneDNN 2.6 has no eltwise algorithm for " + o.activation);

  // Debian's libdnnl is built with DNNL_CPU_RUNTIME=OMP (libgomp): the team
  // size is OpenMP's; run_cpu.py also sets OMP_NUM_THREADS.
  omp_set_num_threads(o.threads);

  int64_t n = 0;
  bench::Buffer x = bench::loadInput(o, n);
  bench::Buffer y = bench::allocate(n);

  using namespace dnnl;
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  memory::desc md({n}, memory::data_type::f32, memory::format_tag::a);
  memory src(md, eng, x.get()), dst(md, eng, y.get());
  eltwise_forward::desc desc(prop_kind::forward_inference, m->alg, md, m->alpha,
                             m->beta);
  eltwise_forward::primitive_desc pd(desc, eng);
  eltwise_forward prim(pd);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src},
                                          {DNNL_ARG_DST, dst}};

  bench::Timing t = bench::measure(o, [&] {
    prim.execute(strm, args);
    strm.wait();
  });
  if (!o.output.empty())
    bench::writeNpy(o.output, y.get(), n);

  std::string alg = dnnl_alg_kind2str(static_cast<dnnl_alg_kind_t>(m->alg));
  std::string extra = ", \"impl\": \"" + bench::jsonEscape(pd.impl_info_str()) +
                      "\", \"isa\": \"" + isaName(get_effective_cpu_isa()) +
                      "\", \"alpha\": " + std::to_string(m->alpha) +
                      ", \"beta\": " + std::to_string(m->beta);
  bench::printJson("onednn_" + alg, n, o.threads, t, 2.0 * sizeof(float) * n,
                   extra);
  return 0;
}
