//===- act_matmul.cpp - act's fused and unfused matmul epilogues ---------===//
//
// act-matmul-bench --shape bert|swiglu|llama
//   --variant fused|prepacked|unfused|matmul
//   [--threads T] [--repeat R] [--min-seconds S] [--n N]
// Compiles the shape's kernel with act's JIT (f32, precise) and prints one
// JSON line: median seconds and GFLOP/s. `fused` is the user-level IR
// (matmul, bias add, activation / two matmuls and a GLU) through
// act-cpu-pipeline, which fuses it; `unfused` runs act's matmul and act's
// activation (or GLU) as separate kernels, as a library would; `prepacked`
// is the fused act.matmul on weights that act.pack_b packed once, outside
// the timing (as oneDNN's peer reorders its weights); `matmul` times the
// matmul alone. --n overrides the shape's N (for experiments).
// --peak measures the FMA peak of T threads instead.
//
//===----------------------------------------------------------------------===//

#include "matmul_common.h"

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/JIT/Compiler.h"
#include "act/Pipelines/Pipelines.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <immintrin.h>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace mlir::act;
using namespace matmul_bench;
using Clock = std::chrono::steady_clock;

namespace {

std::string tensor(int64_t rows, int64_t cols) {
  return "tensor<" + std::to_string(rows) + "x" + std::to_string(cols) +
         "xf32>";
}
std::string memref(int64_t rows, int64_t cols) {
  return "memref<" + std::to_string(rows) + "x" + std::to_string(cols) +
         "xf32>";
}

/// Kernel arguments as (name, rows, cols); rows 0 for a row vector.
using Args = std::vector<std::tuple<std::string, int64_t, int64_t>>;

/// `common`, then `gluOnly` or `plainOnly`.
Args withGlu(bool glu, Args common, const Args &gluOnly,
             const Args &plainOnly = {}) {
  const Args &extra = glu ? gluOnly : plainOnly;
  common.insert(common.end(), extra.begin(), extra.end());
  return common;
}

/// `%name = bufferization.to_tensor %name_m` for each (name, rows, cols).
std::string toTensors(const Args &args) {
  std::string s;
  for (auto &[name, rows, cols] : args) {
    bool row = rows == 0;
    std::string mt =
        row ? "memref<" + std::to_string(cols) + "xf32>" : memref(rows, cols);
    std::string tt =
        row ? "tensor<" + std::to_string(cols) + "xf32>" : tensor(rows, cols);
    s += "  %" + name + " = bufferization.to_tensor %" + name +
         "_m restrict : " + mt + " to " + tt + "\n";
  }
  return s;
}

std::string store(const std::string &value, int64_t rows, int64_t cols,
                  const std::string &dest) {
  return "  bufferization.materialize_in_destination " + value +
         " in restrict writable " + dest + " : (" + tensor(rows, cols) + ", " +
         memref(rows, cols) + ") -> ()\n  return\n}\n";
}

/// The fused kernel: what a user writes; act-cpu-pipeline fuses it.
std::string fusedSource(const Shape &s) {
  std::string zero = "  %zero = arith.constant 0.0 : f32\n";
  auto mm = [&](const std::string &result, const std::string &w) {
    return "  %e_" + result + " = tensor.empty() : " + tensor(s.m, s.n) +
           "\n  %f_" + result + " = linalg.fill ins(%zero : f32) outs(%e_" +
           result + " : " + tensor(s.m, s.n) + ") -> " + tensor(s.m, s.n) +
           "\n  %" + result + " = linalg.matmul ins(%x, %" + w + " : " +
           tensor(s.m, s.k) + ", " + tensor(s.k, s.n) + ") outs(%f_" + result +
           " : " + tensor(s.m, s.n) + ") -> " + tensor(s.m, s.n) + "\n";
  };
  if (!s.glu)
    return "func.func @kernel(%x_m: " + memref(s.m, s.k) +
           ", %w_m: " + memref(s.k, s.n) + ", %b_m: memref<" +
           std::to_string(s.n) + "xf32>, %y: " + memref(s.m, s.n) + ") {\n" +
           toTensors({{"x", s.m, s.k}, {"w", s.k, s.n}, {"b", 0, s.n}}) + zero +
           mm("h", "w") + "  %bb = linalg.broadcast ins(%b : tensor<" +
           std::to_string(s.n) + "xf32>) outs(%e_h : " + tensor(s.m, s.n) +
           ") dimensions = [0]\n  %s = linalg.add ins(%h, %bb : " +
           tensor(s.m, s.n) + ", " + tensor(s.m, s.n) +
           ") outs(%e_h : " + tensor(s.m, s.n) + ") -> " + tensor(s.m, s.n) +
           "\n  %r = act.gelu %s : " + tensor(s.m, s.n) + "\n" +
           store("%r", s.m, s.n, "%y");
  return "func.func @kernel(%x_m: " + memref(s.m, s.k) +
         ", %wg_m: " + memref(s.k, s.n) + ", %wu_m: " + memref(s.k, s.n) +
         ", %y: " + memref(s.m, s.n) + ") {\n" +
         toTensors({{"x", s.m, s.k}, {"wg", s.k, s.n}, {"wu", s.k, s.n}}) +
         zero + mm("g", "wg") + mm("u", "wu") +
         "  %r = act.glu <silu> %g, %u : " + tensor(s.m, s.n) + ", " +
         tensor(s.m, s.n) + " -> " + tensor(s.m, s.n) + "\n" +
         store("%r", s.m, s.n, "%y");
}

std::string tensor3(int64_t panels, int64_t k, int64_t width, bool glu) {
  return std::string(glu ? "tensor<2x" : "tensor<") + std::to_string(panels) +
         "x" + std::to_string(k) + "x" + std::to_string(width) + "xf32>";
}

/// The prepacked kernels: @pack (act.pack_b of W, or of [Wg | Wu] for the
/// GLU, into `width`-column panels) and @kernel (the fused act.matmul on
/// them).
std::string prepackedSource(const Shape &s, int64_t width) {
  int64_t panels = getPackedPanels(s.n, width);
  std::string packedT = tensor3(panels, s.k, width, s.glu);
  std::string packedM = "memref" + packedT.substr(6);
  std::string w = s.glu ? "%w" : "%wg";
  std::string pack =
      "func.func @pack(%wg_m: " + memref(s.k, s.n) +
      (s.glu ? ", %wu_m: " + memref(s.k, s.n) : "") + ", %p_m: " + packedM +
      ") {\n" +
      toTensors(withGlu(s.glu, {{"wg", s.k, s.n}}, {{"wu", s.k, s.n}})) +
      (s.glu
           ? "  %w = tensor.concat dim(1) %wg, %wu : (" + tensor(s.k, s.n) +
                 ", " + tensor(s.k, s.n) + ") -> " + tensor(s.k, 2 * s.n) + "\n"
           : "") +
      "  %p = act.pack_b " + w + (s.glu ? " glu" : "") + " : " +
      tensor(s.k, s.glu ? 2 * s.n : s.n) + " -> " + packedT +
      "\n  bufferization.materialize_in_destination %p in restrict writable "
      "%p_m : (" +
      packedT + ", " + packedM + ") -> ()\n  return\n}\n";
  std::string bias = "tensor<" + std::to_string(s.n) + "xf32>";
  std::string kernel =
      "func.func @kernel(%x_m: " + memref(s.m, s.k) + ", %p_m: " + packedM +
      (s.glu ? "" : ", %b_m: memref<" + std::to_string(s.n) + "xf32>") +
      ", %y: " + memref(s.m, s.n) + ") {\n" +
      toTensors(withGlu(s.glu, {{"x", s.m, s.k}}, {}, {{"b", 0, s.n}})) +
      "  %p = bufferization.to_tensor %p_m restrict : " + packedM + " to " +
      packedT + "\n  %r = act.matmul %x, %p packed_b" +
      (s.glu ? " glu activation <silu> : (" + tensor(s.m, s.k) + ", " +
                   packedT + ")"
             : " bias %b activation <gelu> : (" + tensor(s.m, s.k) + ", " +
                   packedT + ", " + bias + ")") +
      " -> " + tensor(s.m, s.n) + "\n" + store("%r", s.m, s.n, "%y");
  return pack + kernel;
}

/// The unfused kernels: @mm (one matmul, + bias for BERT) and @act (the
/// activation, or the GLU of two products).
std::string unfusedSource(const Shape &s) {
  std::string mm =
      "func.func @mm(%x_m: " + memref(s.m, s.k) +
      ", %w_m: " + memref(s.k, s.n) +
      (s.glu ? "" : ", %b_m: memref<" + std::to_string(s.n) + "xf32>") +
      ", %h_m: " + memref(s.m, s.n) + ") {\n" +
      toTensors(withGlu(s.glu, {{"x", s.m, s.k}, {"w", s.k, s.n}}, {},
                        {{"b", 0, s.n}})) +
      "  %h = act.matmul %x, %w" + (s.glu ? "" : " bias %b") + " : (" +
      tensor(s.m, s.k) + ", " + tensor(s.k, s.n) +
      (s.glu ? "" : ", tensor<" + std::to_string(s.n) + "xf32>") + ") -> " +
      tensor(s.m, s.n) + "\n" + store("%h", s.m, s.n, "%h_m");
  std::string act;
  if (!s.glu)
    act = "func.func @act(%h_m: " + memref(s.m, s.n) +
          ", %y: " + memref(s.m, s.n) + ") {\n" + toTensors({{"h", s.m, s.n}}) +
          "  %r = act.gelu %h : " + tensor(s.m, s.n) + "\n" +
          store("%r", s.m, s.n, "%y");
  else
    act = "func.func @act(%g_m: " + memref(s.m, s.n) +
          ", %u_m: " + memref(s.m, s.n) + ", %y: " + memref(s.m, s.n) +
          ") {\n" + toTensors({{"g", s.m, s.n}, {"u", s.m, s.n}}) +
          "  %r = act.glu <silu> %g, %u : " + tensor(s.m, s.n) + ", " +
          tensor(s.m, s.n) + " -> " + tensor(s.m, s.n) + "\n" +
          store("%r", s.m, s.n, "%y");
  return mm + act;
}

/// A 2-D (or 1-D) row-major memref descriptor for the C interface.
struct Descriptor {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};

/// The same for act.pack_b's panels: P x K x W, or 2 x P x K x W (GLU).
template <int Rank> struct PanelsDescriptor {
  float *allocated, *aligned;
  int64_t offset, sizes[Rank], strides[Rank];
};

Descriptor describe(float *data, int64_t rows, int64_t cols) {
  return {data, data, 0, {rows, cols}, {cols, 1}};
}
Descriptor describeRow(float *data, int64_t n) {
  return {data, data, 0, {n, 1}, {1, 0}};
}

/// FMA throughput of one thread: 24 independent accumulators (AVX-512).
__attribute__((target("avx512f,fma"))) double peakThread(double seconds) {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i)
    acc[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
  __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  int64_t iterations = 0;
  Clock::time_point start = Clock::now();
  double elapsed = 0;
  do {
    for (int rep = 0; rep < 10000; ++rep)
      for (int i = 0; i < 24; ++i)
        acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    iterations += 10000;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  float sink = 0;
  for (int i = 0; i < 24; ++i)
    sink += _mm512_reduce_add_ps(acc[i]);
  if (sink == 12345.0f)
    std::puts("");
  return iterations * 24.0 * 32.0 / elapsed / 1e9;
}

double peak(int threads) {
  std::vector<double> rates(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] { rates[t] = peakThread(1.0); });
  for (std::thread &t : pool)
    t.join();
  double total = 0;
  for (double r : rates)
    total += r;
  return total;
}

[[noreturn]] void fail(const std::string &message) {
  matmul_bench::fail("act-matmul-bench", message);
}

void *lookup(CompiledModule &module, const std::string &name) {
  llvm::Expected<void *> entry = module.lookup("_mlir_ciface_" + name);
  if (!entry)
    fail(llvm::toString(entry.takeError()));
  return *entry;
}

} // namespace

int main(int argc, char **argv) {
  std::string variant = "fused";
  bool measurePeak = false;
  int64_t customN = 0;
  Options o = parseOptions(
      argc, argv, "act-matmul-bench",
      [&](const std::string &flag, const std::function<std::string()> &value) {
        if (flag == "--variant")
          variant = value();
        else if (flag == "--n")
          customN = std::stoll(value());
        else if (flag == "--peak")
          measurePeak = true;
        else
          return false;
        return true;
      });
  int threads = o.threads;
  if (measurePeak) {
    std::printf("{\"peer\": \"peak_fma\", \"threads\": %d, "
                "\"gflop_per_s\": %.2f}\n",
                threads, peak(threads));
    return 0;
  }
  if (variant != "fused" && variant != "prepacked" && variant != "unfused" &&
      variant != "matmul")
    fail("unknown variant '" + variant +
         "' (fused, prepacked, unfused, matmul)");
  Shape s = o.shape;
  if (customN)
    s.n = customN;

  std::string error;
  mlir::FailureOr<CpuTarget> target = resolveCpuTarget("native", error);
  if (failed(target))
    fail(error);
  int64_t width = getPackedPanelWidth(*target);
  std::string source = variant == "fused"       ? fusedSource(s)
                       : variant == "prepacked" ? prepackedSource(s, width)
                                                : unfusedSource(s);
  CompileOptions options;
  auto compiled = CompiledModule::compile(source, options);
  if (!compiled)
    fail(llvm::toString(compiled.takeError()));
  // The JIT loaded libomp: its thread count is the kernels' thread count.
  if (auto *setThreads = reinterpret_cast<void (*)(int)>(
          dlsym(RTLD_DEFAULT, "omp_set_num_threads")))
    setThreads(threads);

  Data data = makeData(s);
  std::vector<float> &x = data.x, &w0 = data.w0, &w1 = data.w1,
                     &bias = data.bias;
  std::vector<float> y(s.m * s.n), g(s.m * s.n), u(s.m * s.n);
  Descriptor dx = describe(x.data(), s.m, s.k);
  Descriptor dw0 = describe(w0.data(), s.k, s.n);
  Descriptor dw1 = describe(w1.data(), s.k, s.n);
  Descriptor db = describeRow(bias.data(), s.n);
  Descriptor dy = describe(y.data(), s.m, s.n);
  Descriptor dg = describe(g.data(), s.m, s.n);
  Descriptor du = describe(u.data(), s.m, s.n);

  using Fn2 = void (*)(Descriptor *, Descriptor *);
  using Fn3 = void (*)(Descriptor *, Descriptor *, Descriptor *);
  using Fn4 = void (*)(Descriptor *, Descriptor *, Descriptor *, Descriptor *);
  double seconds;
  if (variant == "fused") {
    auto kernel = reinterpret_cast<Fn4>(lookup(**compiled, "kernel"));
    seconds = medianSeconds([&] { kernel(&dx, &dw0, s.glu ? &dw1 : &db, &dy); },
                            o.repeat, o.minSeconds);
  } else if (variant == "prepacked") {
    int64_t panels = getPackedPanels(s.n, width);
    std::vector<float> packed((s.glu ? 2 : 1) * panels * s.k * width);
    void *pack = lookup(**compiled, "pack");
    void *kernel = lookup(**compiled, "kernel");
    if (s.glu) {
      PanelsDescriptor<4> dp{packed.data(),
                             packed.data(),
                             0,
                             {2, panels, s.k, width},
                             {panels * s.k * width, s.k * width, width, 1}};
      using Pack = void (*)(Descriptor *, Descriptor *, PanelsDescriptor<4> *);
      using Kernel =
          void (*)(Descriptor *, PanelsDescriptor<4> *, Descriptor *);
      reinterpret_cast<Pack>(pack)(&dw0, &dw1, &dp);
      seconds = medianSeconds(
          [&] { reinterpret_cast<Kernel>(kernel)(&dx, &dp, &dy); }, o.repeat,
          o.minSeconds);
    } else {
      PanelsDescriptor<3> dp{packed.data(),
                             packed.data(),
                             0,
                             {panels, s.k, width},
                             {s.k * width, width, 1}};
      using Pack = void (*)(Descriptor *, PanelsDescriptor<3> *);
      using Kernel = void (*)(Descriptor *, PanelsDescriptor<3> *, Descriptor *,
                              Descriptor *);
      reinterpret_cast<Pack>(pack)(&dw0, &dp);
      seconds = medianSeconds(
          [&] { reinterpret_cast<Kernel>(kernel)(&dx, &dp, &db, &dy); },
          o.repeat, o.minSeconds);
    }
  } else if (variant == "matmul") {
    // The matmul alone (+ bias for BERT; one of the two for SwiGLU, counted
    // as such): the GEMM's own speed.
    if (!s.glu) {
      auto mm = reinterpret_cast<Fn4>(lookup(**compiled, "mm"));
      seconds = medianSeconds([&] { mm(&dx, &dw0, &db, &dg); }, o.repeat,
                              o.minSeconds);
    } else {
      auto mm = reinterpret_cast<Fn3>(lookup(**compiled, "mm"));
      seconds =
          medianSeconds([&] { mm(&dx, &dw0, &dg); }, o.repeat, o.minSeconds) *
          2;
    }
  } else if (!s.glu) {
    auto mm = reinterpret_cast<Fn4>(lookup(**compiled, "mm"));
    auto act = reinterpret_cast<Fn2>(lookup(**compiled, "act"));
    seconds = medianSeconds(
        [&] {
          mm(&dx, &dw0, &db, &dg);
          act(&dg, &dy);
        },
        o.repeat, o.minSeconds);
  } else {
    auto mm = reinterpret_cast<Fn3>(lookup(**compiled, "mm"));
    auto act = reinterpret_cast<Fn3>(lookup(**compiled, "act"));
    seconds = medianSeconds(
        [&] {
          mm(&dx, &dw0, &dg);
          mm(&dx, &dw1, &du);
          act(&dg, &du, &dy);
        },
        o.repeat, o.minSeconds);
  }
  double checksum = 0;
  for (float v : y)
    checksum += v;
  std::printf("{\"peer\": \"act_%s\", \"shape\": \"%s\", \"m\": %lld, "
              "\"k\": %lld, \"n\": %lld, \"threads\": %d, "
              "\"seconds_median\": %.6e, \"gflop_per_s\": %.2f, "
              "\"checksum\": %.6e}\n",
              variant.c_str(), s.name, (long long)s.m, (long long)s.k,
              (long long)s.n, threads, seconds, s.flops() / seconds / 1e9,
              checksum);
  return 0;
}
