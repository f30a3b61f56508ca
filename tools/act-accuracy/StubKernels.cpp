//===- StubKernels.cpp - Plain C++ kernels to test the harness --*- C++ -*-===//
//
// A stand-in provider that exercises act-accuracy end to end without the JIT:
// "precise" kernels evaluate in double, "fast" ones naively in float.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <cmath>
#include <limits>

using namespace act::accuracy;

namespace {

template <typename Fn>
Kernel forward(const char *name, llvm::StringRef mode, Fn fn) {
  return {name, mode.str(), /*gradient=*/false,
          [fn](const float *x, const float *, float *y, int64_t n) {
            for (int64_t i = 0; i < n; ++i)
              y[i] = static_cast<float>(fn(x[i]));
          }};
}

template <typename Fn>
Kernel backward(const char *name, llvm::StringRef mode, Fn fn) {
  return {name, mode.str(), /*gradient=*/true,
          [fn](const float *x, const float *dy, float *y, int64_t n) {
            for (int64_t i = 0; i < n; ++i)
              y[i] = dy[i] * static_cast<float>(fn(x[i]));
          }};
}

/// The formulas, generic in the evaluation type T (double or float).
template <typename T> struct Stub {
  static T relu(T x) { return x > 0 ? x : T(0); }
  static T sigmoid(T x) { return 1 / (1 + std::exp(-x)); }
  static T silu(T x) { return std::isinf(x) && x < 0 ? T(0) : x * sigmoid(x); }
  static T gelu(T x) {
    if (std::isinf(x))
      return x > 0 ? x : T(0);
    return T(0.5) * x * std::erfc(-x * T(0.70710678118654752440));
  }
  // Cancels in 1 + tanh for negative x: a known-bad kernel.
  static T geluTanh(T x) {
    return T(0.5) * x *
           (1 + std::tanh(T(0.79788456080286535588) *
                          (x + T(0.044715) * x * x * x)));
  }
  static T softplus(T x) { return x > 20 ? x : std::log1p(std::exp(x)); }
  static T hardSwish(T x) {
    return x <= -3 ? T(0) : x * std::fmin(x + 3, T(6)) / 6;
  }
  static T reluGrad(T x) { return std::isnan(x) ? x : T(x > 0); }
  // Cancels in 1 - s for large x: another known-bad kernel.
  static T sigmoidGrad(T x) {
    T s = sigmoid(x);
    return s * (1 - s);
  }
  static T geluGrad(T x) {
    if (std::isinf(x))
      return x > 0 ? T(1) : T(0);
    T cdf = T(0.5) * std::erfc(-x * T(0.70710678118654752440));
    T pdf = T(0.39894228040143267794) * std::exp(-x * x / 2);
    return cdf + x * pdf;
  }
};

template <typename T> std::vector<Kernel> stubs(llvm::StringRef mode) {
  using S = Stub<T>;
  return {
      forward("relu", mode, [](float x) { return S::relu(x); }),
      forward("sigmoid", mode, [](float x) { return S::sigmoid(x); }),
      forward("silu", mode, [](float x) { return S::silu(x); }),
      forward("gelu", mode, [](float x) { return S::gelu(x); }),
      forward("gelu_tanh", mode, [](float x) { return S::geluTanh(x); }),
      forward("softplus", mode, [](float x) { return S::softplus(x); }),
      forward("hard_swish", mode, [](float x) { return S::hardSwish(x); }),
      backward("relu_grad", mode, [](float x) { return S::reluGrad(x); }),
      backward("sigmoid_grad", mode, [](float x) { return S::sigmoidGrad(x); }),
      backward("gelu_grad", mode, [](float x) { return S::geluGrad(x); }),
  };
}

} // namespace

std::vector<Kernel> act::accuracy::getKernels(llvm::StringRef mode,
                                              llvm::StringRef) {
  if (mode == "precise")
    return stubs<double>(mode);
  if (mode == "fast")
    return stubs<float>(mode);
  return {};
}
