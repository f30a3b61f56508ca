//===- CApiTest.cpp - act's C API: results and every error path -*- C++ -*-===//

#include "act-c/JIT.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

class CApi : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(act_jit_create("native", nullptr, &jit), 0) << act_last_error();
  }
  void TearDown() override { act_jit_destroy(jit); }
  act_jit *jit = nullptr;
};

TEST_F(CApi, ElementwiseRuns) {
  act_kernel *kernel;
  ASSERT_EQ(act_jit_elementwise(jit, "gelu", "approximation=tanh", 0, ACT_F32,
                                ACT_PRECISE, &kernel),
            0)
      << act_last_error();
  float x[3] = {-1, 0, 2}, y[3];
  ASSERT_EQ(act_kernel_run_elementwise(kernel, x, nullptr, y, 3, 1), 0);
  for (int i = 0; i < 3; ++i) {
    double u = std::sqrt(2 / M_PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i]);
    EXPECT_NEAR(y[i], 0.5 * x[i] * (1 + std::tanh(u)), 1e-6);
  }
  EXPECT_STREQ(act_last_error(), "");
  act_kernel_destroy(kernel);
}

TEST_F(CApi, GradientNeedsDy) {
  act_kernel *kernel;
  ASSERT_EQ(act_jit_elementwise(jit, "silu", nullptr, 1, ACT_F32, ACT_PRECISE,
                                &kernel),
            0)
      << act_last_error();
  float x[2] = {0, 1}, dy[2] = {2, 2}, y[2];
  EXPECT_NE(act_kernel_run_elementwise(kernel, x, nullptr, y, 2, 1), 0);
  EXPECT_STREQ(act_last_error(), "x, dy or y is a null pointer");
  ASSERT_EQ(act_kernel_run_elementwise(kernel, x, dy, y, 2, 1), 0);
  EXPECT_NEAR(y[0], 1.0, 1e-7); // 2 * silu'(0) = 2 * 1/2
  act_kernel_destroy(kernel);
}

TEST_F(CApi, Errors) {
  act_kernel *kernel = reinterpret_cast<act_kernel *>(1);
  auto error = [] { return std::string(act_last_error()); };

  EXPECT_NE(act_jit_elementwise(jit, "swoosh", nullptr, 0, ACT_F32, ACT_PRECISE,
                                &kernel),
            0);
  EXPECT_EQ(error(), "unknown activation 'swoosh'");
  EXPECT_EQ(kernel, nullptr);
  EXPECT_NE(act_jit_elementwise(jit, nullptr, nullptr, 0, ACT_F32, ACT_PRECISE,
                                &kernel),
            0);
  EXPECT_EQ(error(), "the activation name is a null pointer");
  EXPECT_NE(act_jit_elementwise(jit, "elu", "alpha=abc", 0, ACT_F32,
                                ACT_PRECISE, &kernel),
            0);
  EXPECT_EQ(error(), "option 'alpha' needs a number, got 'abc'");
  EXPECT_NE(act_jit_elementwise(jit, "relu", "beta=2", 0, ACT_F32, ACT_PRECISE,
                                &kernel),
            0);
  EXPECT_EQ(error(), "'relu' has no option 'beta'");
  EXPECT_NE(act_jit_elementwise(jit, "gelu", "approximation=erf", 0, ACT_F32,
                                ACT_PRECISE, &kernel),
            0);
  EXPECT_EQ(error(), "unknown GELU approximation 'erf'");
  EXPECT_NE(act_jit_elementwise(jit, "relu", nullptr, 0,
                                static_cast<act_dtype>(7), ACT_PRECISE,
                                &kernel),
            0);
  EXPECT_EQ(error(), "unknown dtype 7");
  EXPECT_NE(act_jit_elementwise(nullptr, "relu", nullptr, 0, ACT_F32,
                                ACT_PRECISE, &kernel),
            0);
  EXPECT_NE(act_jit_elementwise(jit, "relu", nullptr, 0, ACT_F32, ACT_PRECISE,
                                nullptr),
            0);

  EXPECT_NE(act_jit_module(jit, "func.func @f(", ACT_PRECISE, &kernel), 0);
  EXPECT_NE(error().find("invalid MLIR"), std::string::npos) << error();
  EXPECT_NE(act_jit_module(jit, nullptr, ACT_PRECISE, &kernel), 0);
  EXPECT_EQ(error(), "the MLIR text is a null pointer");

  act_jit *bad;
  EXPECT_NE(act_jit_create("sm_90", nullptr, &bad), 0);
  EXPECT_EQ(error(), "the C API runs CPU targets only (native, x86-64-v3, "
                     "x86-64-v4); GPU kernels are in the C++ API");
  EXPECT_NE(act_jit_create("sm_70", nullptr, &bad), 0);
  EXPECT_EQ(error(), "unknown target 'sm_70' (expected native, x86-64-v3, "
                     "x86-64-v4, sm_80 or sm_90)");
  EXPECT_EQ(bad, nullptr);

  EXPECT_NE(
      act_kernel_run_elementwise(nullptr, nullptr, nullptr, nullptr, 1, 1), 0);
  EXPECT_EQ(error(), "not an elementwise kernel");
  EXPECT_NE(act_kernel_run_arrays(nullptr, nullptr, 0), 0);
  EXPECT_EQ(error(), "not a GLU or FFN kernel");
  EXPECT_NE(act_kernel_invoke(nullptr, "f", nullptr, 0), 0);
  EXPECT_EQ(error(), "not a module kernel");
  act_kernel_destroy(nullptr);
  act_jit_destroy(nullptr);
}

TEST_F(CApi, ArraysAreChecked) {
  act_kernel *ffn;
  ASSERT_EQ(act_jit_ffn(jit, "silu", nullptr, 4, 8, /*gated=*/1, /*bias=*/0,
                        ACT_F32, ACT_PRECISE, &ffn),
            0)
      << act_last_error();
  float x[2 * 4] = {}, wg[4 * 8] = {}, wu[4 * 8] = {}, wd[8 * 4] = {}, y[2 * 4];
  act_array arrays[5] = {{x, 2, {2, 4}},
                         {wg, 2, {4, 8}},
                         {wu, 2, {4, 8}},
                         {wd, 2, {8, 4}},
                         {y, 2, {2, 4}}};
  ASSERT_EQ(act_kernel_run_arrays(ffn, arrays, 5), 0) << act_last_error();
  EXPECT_EQ(y[0], 0.0f);
  arrays[3].shape[0] = 4;
  EXPECT_NE(act_kernel_run_arrays(ffn, arrays, 5), 0);
  EXPECT_STREQ(act_last_error(),
               "array 3 has shape [4, 4], expected [8, 4] with rows = 2");
  arrays[3].shape[0] = 8;
  arrays[1].data = nullptr;
  EXPECT_NE(act_kernel_run_arrays(ffn, arrays, 5), 0);
  EXPECT_STREQ(act_last_error(), "array 1 is a null pointer");
  arrays[1].data = wg;
  arrays[0].rank = 5;
  EXPECT_NE(act_kernel_run_arrays(ffn, arrays, 5), 0);
  EXPECT_STREQ(act_last_error(), "array 0 has rank 5, expected 1 to 4");
  arrays[0].rank = 2;
  EXPECT_NE(act_kernel_run_arrays(ffn, arrays, 4), 0);
  EXPECT_STREQ(act_last_error(),
               "expected 5 arrays (inputs, then the outputs), got 4");
  EXPECT_NE(act_kernel_run_arrays(ffn, nullptr, 5), 0);
  EXPECT_STREQ(act_last_error(), "the array list is a null pointer");
  act_kernel_destroy(ffn);
}

/// act_jit_ffn_packed: the packer's panels (shapes from
/// act_kernel_array_shape) in the packed kernel give act_jit_ffn's result.
TEST_F(CApi, PackedFfn) {
  act_kernel *ffn, *packed, *packer;
  ASSERT_EQ(act_jit_ffn(jit, "silu", nullptr, 20, 36, /*gated=*/1,
                        /*bias=*/0, ACT_F32, ACT_PRECISE, &ffn),
            0)
      << act_last_error();
  ASSERT_EQ(act_jit_ffn_packed(jit, "silu", nullptr, 20, 36, 1, 0, ACT_F32,
                               ACT_PRECISE, &packed, &packer),
            0)
      << act_last_error();
  std::vector<float> x(3 * 20), wg(20 * 36), wu(20 * 36), wd(36 * 20),
      expected(3 * 20), y(3 * 20);
  for (size_t i = 0; i < wg.size(); ++i) {
    wg[i] = 0.01f * float(i % 13) - 0.05f;
    wu[i] = 0.02f * float(i % 7) - 0.06f;
    wd[i] = 0.03f * float(i % 5) - 0.07f;
  }
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = 0.1f * float(i % 11) - 0.5f;
  act_array plain[5] = {{x.data(), 2, {3, 20}},
                        {wg.data(), 2, {20, 36}},
                        {wu.data(), 2, {20, 36}},
                        {wd.data(), 2, {36, 20}},
                        {expected.data(), 2, {3, 20}}};
  ASSERT_EQ(act_kernel_run_arrays(ffn, plain, 5), 0) << act_last_error();

  act_array packing[5] = {plain[1], plain[2], plain[3]};
  std::vector<float> panels[2];
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(act_kernel_array_shape(packer, 3 + i, &packing[3 + i]), 0)
        << act_last_error();
    EXPECT_EQ(packing[3 + i].rank, i == 0 ? 4 : 3);
    int64_t count = 1;
    for (int64_t d = 0; d < packing[3 + i].rank; ++d)
      count *= packing[3 + i].shape[d];
    panels[i].resize(count);
    packing[3 + i].data = panels[i].data();
  }
  ASSERT_EQ(act_kernel_run_arrays(packer, packing, 5), 0) << act_last_error();
  act_array args[4] = {
      plain[0], packing[3], packing[4], {y.data(), 2, {3, 20}}};
  ASSERT_EQ(act_kernel_run_arrays(packed, args, 4), 0) << act_last_error();
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], expected[i], 1e-5f * (1 + std::fabs(expected[i])));

  act_array shape;
  ASSERT_EQ(act_kernel_array_shape(packed, 0, &shape), 0);
  EXPECT_EQ(shape.rank, 2);
  EXPECT_EQ(shape.shape[0], -1);
  EXPECT_EQ(shape.shape[1], 20);
  EXPECT_NE(act_kernel_array_shape(packed, 4, &shape), 0);
  EXPECT_STREQ(act_last_error(), "the kernel has 4 arrays, asked for array 4");
  EXPECT_NE(act_jit_ffn_packed(jit, "silu", nullptr, 20, 36, 1, 0, ACT_F32,
                               ACT_PRECISE, &packed, nullptr),
            0);
  EXPECT_STREQ(act_last_error(), "the packer handle is a null pointer");
  act_kernel_destroy(ffn);
  act_kernel_destroy(packed);
  act_kernel_destroy(packer);
}

TEST_F(CApi, ModuleInvoke) {
  act_kernel *module;
  ASSERT_EQ(act_jit_module(jit, R"mlir(
    func.func @scale(%x: memref<2xf32>, %s: f32) {
      %c0 = arith.constant 0 : index
      %v = memref.load %x[%c0] : memref<2xf32>
      %w = arith.mulf %v, %s : f32
      memref.store %w, %x[%c0] : memref<2xf32>
      return
    })mlir",
                           ACT_PRECISE, &module),
            0)
      << act_last_error();
  float data[2] = {3, 4};
  struct {
    float *allocated, *aligned;
    int64_t offset, size, stride;
  } descriptor = {data, data, 0, 2, 1};
  void *memref = &descriptor;
  float scale = 2;
  void *args[2] = {&memref, &scale};
  ASSERT_EQ(act_kernel_invoke(module, "scale", args, 2), 0) << act_last_error();
  EXPECT_EQ(data[0], 6.0f);
  EXPECT_NE(act_kernel_invoke(module, "scale", args, 1), 0);
  EXPECT_STREQ(act_last_error(), "'scale' takes 2 packed arguments, got 1");
  EXPECT_NE(act_kernel_invoke(module, "nope", args, 2), 0);
  EXPECT_STREQ(act_last_error(), "no function 'nope' in the module");
  void *nullArgs[2] = {&memref, nullptr};
  EXPECT_NE(act_kernel_invoke(module, "scale", nullArgs, 2), 0);
  EXPECT_STREQ(act_last_error(), "argument 1 is a null pointer");
  act_kernel_destroy(module);
}

} // namespace

namespace {
// Pointers that are not vector-aligned (one float off, and one byte off,
// which no float array should be but a C host can pass) give the same
// results, on the plain and on the streaming (non-temporal) path.
TEST_F(CApi, UnalignedPointers) {
  act_kernel *kernel;
  ASSERT_EQ(act_jit_elementwise(jit, "silu", nullptr, 0, ACT_F32, ACT_PRECISE,
                                &kernel),
            0)
      << act_last_error();
  for (int64_t n : {int64_t(1000), int64_t(3) << 20}) {
    std::vector<float> x(n);
    for (int64_t i = 0; i < n; ++i)
      x[i] = -8 + 16 * float(i % 1000) / 1000;
    std::vector<float> aligned(n);
    ASSERT_EQ(act_kernel_run_elementwise(kernel, x.data(), nullptr,
                                         aligned.data(), n, 1),
              0);
    for (size_t offset : {size_t(4), size_t(1)}) {
      std::vector<char> in(n * 4 + 64), out(n * 4 + 64);
      char *xp = in.data() + offset, *yp = out.data() + 3 * offset;
      std::memcpy(xp, x.data(), n * 4);
      ASSERT_EQ(act_kernel_run_elementwise(kernel, xp, nullptr, yp, n, 2), 0)
          << act_last_error();
      EXPECT_EQ(std::memcmp(yp, aligned.data(), n * 4), 0)
          << "n = " << n << ", offset = " << offset;
    }
  }
  act_kernel_destroy(kernel);
}
} // namespace
