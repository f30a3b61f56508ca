//===- JitTest.cpp - act's JIT API: cache, threads, errors ----*- C++ -*-===//
//
// References are plain double-precision formulas written here (std::erfc,
// std::exp, naive loops), not act's code.
//
//===----------------------------------------------------------------------===//

#include "act/JIT/JIT.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

using namespace mlir::act;

namespace {

double gelu(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }
double silu(double x) { return x / (1 + std::exp(-x)); }
double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double relu(double x) { return x > 0 ? x : 0; }

std::unique_ptr<Jit> makeJit(const Jit::Options &options = {}) {
  auto jit = Jit::create(options);
  if (!jit) {
    ADD_FAILURE() << llvm::toString(jit.takeError());
    return nullptr;
  }
  return std::move(*jit);
}

std::vector<float> ramp(int64_t n, float lo, float hi) {
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i)
    x[i] = lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(n);
  return x;
}

/// Max relative error of an elementwise kernel against `reference`.
double elementwiseError(const ElementwiseKernel &kernel,
                        double (*reference)(double), int64_t n = 1000) {
  std::vector<float> x = ramp(n, -8, 8), y(n);
  kernel.run(x.data(), nullptr, y.data(), n);
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    double r = reference(x[i]);
    worst =
        std::max(worst, std::fabs(y[i] - r) / std::max(std::fabs(r), 1e-30));
  }
  return worst;
}

ElementwiseSpec spec(ActivationKind kind) {
  ElementwiseSpec s;
  s.kind = kind;
  return s;
}

TEST(Jit, ElementwiseMatchesReference) {
  auto jit = makeJit();
  ASSERT_TRUE(jit);
  auto kernel = jit->getElementwise(spec(ActivationKind::gelu));
  ASSERT_TRUE(bool(kernel)) << llvm::toString(kernel.takeError());
  EXPECT_LT(elementwiseError(**kernel, gelu), 1e-6);
}

TEST(Jit, SameRequestCompilesOnce) {
  auto jit = makeJit();
  ASSERT_TRUE(jit);
  auto first = jit->getElementwise(spec(ActivationKind::silu));
  ASSERT_TRUE(bool(first)) << llvm::toString(first.takeError());
  auto second = jit->getElementwise(spec(ActivationKind::silu));
  ASSERT_TRUE(bool(second)) << llvm::toString(second.takeError());
  EXPECT_EQ(first->get(), second->get());
  // Another accuracy is another kernel.
  auto fast = jit->getElementwise(spec(ActivationKind::silu), Accuracy::fast);
  ASSERT_TRUE(bool(fast)) << llvm::toString(fast.takeError());
  EXPECT_NE(first->get(), fast->get());
  JitStats stats = jit->getStats();
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.compiles, 2u);
  EXPECT_EQ(stats.memoryHits, 1u);
}

// Eight threads ask for the same kernel and for kernels of their own at
// once, and run them; every request is answered correctly and each distinct
// kernel is compiled exactly once. Run under ThreadSanitizer by
// ActJITTestsTSan.
TEST(Jit, EightThreadsCompileAndRun) {
  auto jit = makeJit();
  ASSERT_TRUE(jit);
  struct Case {
    ActivationKind kind;
    double (*reference)(double);
  };
  const Case cases[] = {{ActivationKind::gelu, gelu},
                        {ActivationKind::silu, silu},
                        {ActivationKind::sigmoid, sigmoid},
                        {ActivationKind::relu, relu}};
  constexpr int kThreads = 8;
  std::vector<double> errors(kThreads * 2, 1.0);
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      // Everyone: GELU. Then one of four kernels, two threads each.
      const Case *mine[] = {&cases[0], &cases[t % 4]};
      for (int k = 0; k < 2; ++k) {
        auto kernel = jit->getElementwise(spec(mine[k]->kind));
        if (!kernel) {
          failures[t] = llvm::toString(kernel.takeError());
          return;
        }
        errors[t * 2 + k] = elementwiseError(**kernel, mine[k]->reference);
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], "");
    EXPECT_LT(errors[t * 2], 1e-6);
    EXPECT_LT(errors[t * 2 + 1], 1e-6);
  }
  JitStats stats = jit->getStats();
  EXPECT_EQ(stats.requests, 16u);
  EXPECT_EQ(stats.compiles, 4u);
  EXPECT_EQ(stats.memoryHits, 12u);
}

TEST(Jit, GluAndFfnMatchNaiveLoops) {
  auto jit = makeJit();
  ASSERT_TRUE(jit);
  GluSpec glu;
  glu.kind = ActivationKind::silu;
  glu.cols = 5;
  auto gluKernel = jit->getGlu(glu);
  ASSERT_TRUE(bool(gluKernel)) << llvm::toString(gluKernel.takeError());
  int64_t rows = 3;
  std::vector<float> a = ramp(rows * 5, -3, 3), b = ramp(rows * 5, 1, 2),
                     y(rows * 5);
  llvm::Error err = (*gluKernel)
                        ->run({{a.data(), {rows, 5}},
                               {b.data(), {rows, 5}},
                               {y.data(), {rows, 5}}});
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  for (int64_t i = 0; i < rows * 5; ++i)
    EXPECT_NEAR(y[i], silu(a[i]) * b[i], 1e-6 * (1 + std::fabs(y[i])));

  FfnSpec ffn;
  ffn.kind = ActivationKind::gelu;
  ffn.model = 4;
  ffn.hidden = 6;
  auto ffnKernel = jit->getFfn(ffn);
  ASSERT_TRUE(bool(ffnKernel)) << llvm::toString(ffnKernel.takeError());
  std::vector<float> x = ramp(rows * 4, -1, 1), w1 = ramp(4 * 6, -0.5, 0.5),
                     b1 = ramp(6, -0.1, 0.1), w2 = ramp(6 * 4, 0.5, -0.5),
                     b2 = ramp(4, 0, 0.2), out(rows * 4);
  err = (*ffnKernel)
            ->run({{x.data(), {rows, 4}},
                   {w1.data(), {4, 6}},
                   {b1.data(), {6}},
                   {w2.data(), {6, 4}},
                   {b2.data(), {4}},
                   {out.data(), {rows, 4}}});
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < 4; ++c) {
      double sum = b2[c];
      for (int64_t h = 0; h < 6; ++h) {
        double pre = b1[h];
        for (int64_t k = 0; k < 4; ++k)
          pre += double(x[r * 4 + k]) * w1[k * 6 + h];
        sum += gelu(pre) * w2[h * 4 + c];
      }
      EXPECT_NEAR(out[r * 4 + c], sum, 1e-5);
    }
}

/// Packed weights: the packer's panels fed to the packed kernel give the
/// unpacked kernel's result (the same products, the same order of sums),
/// for a plain FFN with biases and a gated one, with sizes that leave the
/// last panel partly padded.
TEST(Jit, PackedFfnWeightsMatchFfn) {
  auto jit = makeJit();
  ASSERT_TRUE(jit);
  int64_t rows = 5, model = 40, hidden = 100;
  for (bool gated : {false, true}) {
    SCOPED_TRACE(gated ? "gated" : "plain");
    FfnSpec spec;
    spec.kind = gated ? ActivationKind::silu : ActivationKind::gelu;
    spec.model = model;
    spec.hidden = hidden;
    spec.gated = gated;
    auto plain = jit->getFfn(spec);
    ASSERT_TRUE(bool(plain)) << llvm::toString(plain.takeError());
    spec.packedWeights = true;
    auto packed = jit->getFfn(spec);
    ASSERT_TRUE(bool(packed)) << llvm::toString(packed.takeError());
    auto packer = jit->getFfnWeightPacker(spec);
    ASSERT_TRUE(bool(packer)) << llvm::toString(packer.takeError());

    std::vector<float> x = ramp(rows * model, -1, 1),
                       up = ramp(model * hidden, -0.3, 0.3),
                       up2 = ramp(model * hidden, 0.2, -0.25),
                       down = ramp(hidden * model, 0.25, -0.2),
                       b1 = ramp(hidden, -0.1, 0.1), b2 = ramp(model, 0, 0.2);
    std::vector<ArrayArg> weights = {{up.data(), {model, hidden}}};
    if (gated)
      weights.push_back({up2.data(), {model, hidden}});
    weights.push_back({down.data(), {hidden, model}});

    // The packer's outputs, shaped as its signature says.
    llvm::ArrayRef<llvm::SmallVector<int64_t, 2>> signature =
        (*packer)->getSignature();
    ASSERT_EQ(signature.size(), weights.size() + 2);
    std::vector<std::vector<float>> panels;
    std::vector<ArrayArg> packerArgs = weights;
    for (size_t i = weights.size(); i < signature.size(); ++i) {
      int64_t count = 1;
      for (int64_t d : signature[i])
        count *= d;
      panels.emplace_back(count, std::nanf(""));
      packerArgs.push_back({panels.back().data(), signature[i]});
    }
    llvm::Error err = (*packer)->run(packerArgs);
    ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
    EXPECT_EQ(signature[weights.size()].size(), gated ? 4u : 3u);

    std::vector<float> expected(rows * model), y(rows * model);
    std::vector<ArrayArg> plainArgs = {{x.data(), {rows, model}}};
    std::vector<ArrayArg> packedArgs = plainArgs;
    if (gated) {
      plainArgs.insert(plainArgs.end(), weights.begin(), weights.end());
      packedArgs.push_back(packerArgs[3]);
      packedArgs.push_back(packerArgs[4]);
    } else {
      plainArgs.insert(plainArgs.end(), {weights[0],
                                         {b1.data(), {hidden}},
                                         weights[1],
                                         {b2.data(), {model}}});
      packedArgs.insert(packedArgs.end(), {packerArgs[2],
                                           {b1.data(), {hidden}},
                                           packerArgs[3],
                                           {b2.data(), {model}}});
    }
    plainArgs.push_back({expected.data(), {rows, model}});
    packedArgs.push_back({y.data(), {rows, model}});
    err = (*plain)->run(plainArgs);
    ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
    err = (*packed)->run(packedArgs);
    ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
    for (int64_t i = 0; i < rows * model; ++i)
      EXPECT_NEAR(y[i], expected[i], 1e-5 * (1 + std::fabs(expected[i])))
          << "at " << i;
    // The packed kernel checks the packed shapes.
    packedArgs[1].shape = {model, hidden};
    err = (*packed)->run(packedArgs);
    ASSERT_TRUE(bool(err));
    EXPECT_NE(llvm::toString(std::move(err)).find("array 1 has shape"),
              std::string::npos);
  }
}

TEST(Jit, ArrayKernelRejectsBadArrays) {
  auto jit = makeJit();
  ASSERT_TRUE(jit);
  GluSpec glu;
  glu.cols = 4;
  auto kernel = jit->getGlu(glu);
  ASSERT_TRUE(bool(kernel)) << llvm::toString(kernel.takeError());
  std::vector<float> a(8), b(8), y(8);
  auto message = [&](std::vector<ArrayArg> arrays) {
    llvm::Error err = (*kernel)->run(arrays);
    return err ? llvm::toString(std::move(err)) : std::string();
  };
  EXPECT_EQ(message({{a.data(), {2, 4}}, {b.data(), {2, 4}}}),
            "expected 3 arrays (inputs, then the outputs), got 2");
  EXPECT_EQ(
      message({{a.data(), {2, 4}}, {b.data(), {2, 3}}, {y.data(), {2, 4}}}),
      "array 1 has shape [2, 3], expected [rows, 4] with rows = 2");
  EXPECT_EQ(
      message({{a.data(), {2, 4}}, {b.data(), {1, 4}}, {y.data(), {2, 4}}}),
      "array 1 has shape [1, 4], expected [rows, 4] with rows = 2");
  EXPECT_EQ(message({{a.data(), {8}}, {b.data(), {2, 4}}, {y.data(), {2, 4}}}),
            "array 0 has shape [8], expected [rows, 4]");
  EXPECT_EQ(
      message({{a.data(), {2, 4}}, {nullptr, {2, 4}}, {y.data(), {2, 4}}}),
      "array 1 is a null pointer");
  // Zero rows: nothing to do, null pointers allowed.
  EXPECT_EQ(message({{nullptr, {0, 4}}, {nullptr, {0, 4}}, {nullptr, {0, 4}}}),
            "");
}

TEST(Jit, ErrorsComeBackAsMessages) {
  auto bad = Jit::create({"pentium", ""});
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "unknown target 'pentium' (expected native, x86-64-v3, "
            "x86-64-v4, sm_80 or sm_90)");

  auto jit = makeJit();
  ASSERT_TRUE(jit);
  auto module = jit->getModule("func.func @f( {");
  ASSERT_FALSE(bool(module));
  EXPECT_NE(llvm::toString(module.takeError()).find("invalid MLIR"),
            std::string::npos);
  // Not cached: the same bad text fails again, with the same message.
  auto again = jit->getModule("func.func @f( {");
  ASSERT_FALSE(bool(again));
  EXPECT_NE(llvm::toString(again.takeError()).find("invalid MLIR"),
            std::string::npos);

  ElementwiseSpec elu = spec(ActivationKind::elu);
  elu.params.alpha = -1;
  auto kernel = jit->getElementwise(elu);
  ASSERT_FALSE(bool(kernel));
  EXPECT_NE(llvm::toString(kernel.takeError()).find("alpha"),
            std::string::npos);

  FfnSpec ffn;
  ffn.model = 0;
  auto noFfn = jit->getFfn(ffn);
  ASSERT_FALSE(bool(noFfn));
  EXPECT_EQ(llvm::toString(noFfn.takeError()),
            "an FFN needs positive model and hidden sizes, got 0 and 0");
}

TEST(Jit, ModuleFromText) {
  auto jit = makeJit();
  ASSERT_TRUE(jit);
  auto module = jit->getModule(R"mlir(
    func.func @double_it(%x: memref<4xf32>) {
      %c0 = arith.constant 0 : index
      %c4 = arith.constant 4 : index
      %c1 = arith.constant 1 : index
      scf.for %i = %c0 to %c4 step %c1 {
        %v = memref.load %x[%i] : memref<4xf32>
        %w = arith.addf %v, %v : f32
        memref.store %w, %x[%i] : memref<4xf32>
      }
      return
    })mlir");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  float data[4] = {1, 2, 3, 4};
  struct {
    float *allocated, *aligned;
    int64_t offset, size, stride;
  } descriptor = {data, data, 0, 4, 1};
  void *arg = &descriptor;
  void *args[] = {&arg};
  llvm::Error err = (*module)->invoke("double_it", args);
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  EXPECT_EQ(data[3], 8.0f);
}

TEST(Jit, ObjectCacheSurvivesTheJit) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("act-jit-cache", dir));
  Jit::Options options;
  options.cacheDirectory = std::string(dir);
  {
    auto jit = makeJit(options);
    ASSERT_TRUE(jit);
    auto kernel = jit->getElementwise(spec(ActivationKind::gelu));
    ASSERT_TRUE(bool(kernel)) << llvm::toString(kernel.takeError());
    EXPECT_EQ(jit->getStats().compiles, 1u);
  }
  {
    // A new JIT, as after a restart: the object comes from the directory.
    auto jit = makeJit(options);
    ASSERT_TRUE(jit);
    auto kernel = jit->getElementwise(spec(ActivationKind::gelu));
    ASSERT_TRUE(bool(kernel)) << llvm::toString(kernel.takeError());
    EXPECT_EQ(jit->getStats().compiles, 0u);
    EXPECT_EQ(jit->getStats().diskHits, 1u);
    EXPECT_LT(elementwiseError(**kernel, gelu), 1e-6);
  }
  llvm::sys::fs::remove_directories(dir);
}

} // namespace

namespace {
uint16_t toBF16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return static_cast<uint16_t>((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}
float fromBF16(uint16_t b) {
  uint32_t u = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// The typed entry points take every dtype: a bf16 SwiGLU and a bf16 gated
// FFN, against float loops over the same bf16 inputs.
TEST(Jit, BF16GluAndFfn) {
  auto jit = makeJit();
  ASSERT_TRUE(jit);
  GluSpec glu;
  glu.kind = ActivationKind::silu;
  glu.dtype = DType::bf16;
  glu.cols = 8;
  glu.split = true;
  auto gluKernel = jit->getGlu(glu);
  ASSERT_TRUE(bool(gluKernel)) << llvm::toString(gluKernel.takeError());
  std::vector<uint16_t> h(2 * 16), y(2 * 8);
  for (size_t i = 0; i < h.size(); ++i)
    h[i] = toBF16(-2 + 0.25f * float(i % 16));
  llvm::Error err =
      (*gluKernel)->run({{h.data(), {2, 16}}, {y.data(), {2, 8}}});
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 8; ++c) {
      double expected =
          silu(fromBF16(h[r * 16 + c])) * fromBF16(h[r * 16 + 8 + c]);
      EXPECT_NEAR(fromBF16(y[r * 8 + c]), expected,
                  1e-2 * (std::fabs(expected) + 1e-3));
    }

  FfnSpec ffn;
  ffn.kind = ActivationKind::silu;
  ffn.dtype = DType::bf16;
  ffn.model = 4;
  ffn.hidden = 8;
  ffn.gated = true;
  auto ffnKernel = jit->getFfn(ffn);
  ASSERT_TRUE(bool(ffnKernel)) << llvm::toString(ffnKernel.takeError());
  std::vector<uint16_t> x(4), wg(32), wu(32), wd(32), out(4);
  for (int i = 0; i < 32; ++i) {
    wg[i] = toBF16(0.125f * float(i % 5) - 0.25f);
    wu[i] = toBF16(0.0625f * float(i % 7));
    wd[i] = toBF16(0.5f - 0.125f * float(i % 3));
  }
  for (int i = 0; i < 4; ++i)
    x[i] = toBF16(float(i) - 1.5f);
  err = (*ffnKernel)
            ->run({{x.data(), {1, 4}},
                   {wg.data(), {4, 8}},
                   {wu.data(), {4, 8}},
                   {wd.data(), {8, 4}},
                   {out.data(), {1, 4}}});
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  for (int c = 0; c < 4; ++c) {
    double sum = 0;
    for (int j = 0; j < 8; ++j) {
      double g = 0, u = 0;
      for (int k = 0; k < 4; ++k) {
        g += fromBF16(x[k]) * fromBF16(wg[k * 8 + j]);
        u += fromBF16(x[k]) * fromBF16(wu[k * 8 + j]);
      }
      sum += silu(g) * u * fromBF16(wd[j * 4 + c]);
    }
    EXPECT_NEAR(fromBF16(out[c]), sum, 0.03 * (std::fabs(sum) + 0.05));
  }
}
} // namespace

// An sm_80 Jit needs a CUDA toolkit and a device: without them, creating it
// is one error message; with them, GELU on the GPU matches the reference,
// the same request compiles once, and CPU entry points say what to call.
TEST(Jit, GpuTarget) {
  auto jit = Jit::create({"sm_80", ""});
  if (!jit) {
    std::string message = llvm::toString(jit.takeError());
    EXPECT_TRUE(message.find("CUDA") != std::string::npos ||
                message.find("cu") == 0)
        << message;
    GTEST_SKIP() << "no GPU: " << message;
  }
  auto kernel = (*jit)->getGpuElementwise(spec(ActivationKind::gelu));
  ASSERT_TRUE(bool(kernel)) << llvm::toString(kernel.takeError());
  int64_t n = 100003;
  std::vector<float> x = ramp(n, -8, 8), y(n);
  ASSERT_FALSE(bool((*kernel)->run(x.data(), nullptr, y.data(), n)));
  for (int64_t i = 0; i < n; ++i)
    ASSERT_NEAR(y[i], gelu(x[i]), 1e-6 * std::max(1.0, std::fabs(gelu(x[i]))))
        << "x = " << x[i];
  auto again = (*jit)->getGpuElementwise(spec(ActivationKind::gelu));
  ASSERT_TRUE(bool(again));
  EXPECT_EQ(again->get(), kernel->get());
  auto cpu = (*jit)->getElementwise(spec(ActivationKind::gelu));
  ASSERT_FALSE(bool(cpu));
  EXPECT_NE(llvm::toString(cpu.takeError()).find("getGpuElementwise"),
            std::string::npos);
}

TEST(Jit, GpuKernelsNeedAGpuTarget) {
  auto jit = makeJit();
  ASSERT_TRUE(jit);
  auto kernel = jit->getGpuElementwise(spec(ActivationKind::gelu));
  ASSERT_FALSE(bool(kernel));
  EXPECT_EQ(llvm::toString(kernel.takeError()),
            "target 'native' is a CPU: use getElementwise");
}
