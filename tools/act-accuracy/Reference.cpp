//===- Reference.cpp - Long-double reference activations --------*- C++ -*-===//
//
// Textbook formulas for every activation and its analytic derivative,
// arranged so that no step cancels or overflows for any float32 input.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <array>
#include <cmath>
#include <iterator>
#include <limits>

using namespace act::accuracy;

// The formulas are only careful enough with at least x87's 64-bit
// significand; where long double is just double, they are not a reference.
static_assert(std::numeric_limits<long double>::digits >= 64,
              "act-accuracy's reference needs an 80-bit or wider long double");

namespace {
using LD = long double;

// Each constant to 36 digits, well past the 64-bit significand.
constexpr LD kInvSqrt2 = 0.707106781186547524400844362104849039L;
constexpr LD kInvSqrt2Pi = 0.398942280401432677939946059934381868L;
constexpr LD kSqrt2OverPi = 0.797884560802865355879892119868763737L;
// The GELU approximations are measured against their own formulas with the
// decimal constants in long double, not their f32 roundings.
constexpr LD kGeluTanhCubic = 0.044715L;
constexpr LD kGeluSigmoidScale = 1.702L;

/// exp(t). Below -11500 the result underflows long double anyway;
/// returning 0 directly skips libm's slow underflow path, which would
/// otherwise dominate an exhaustive sweep (half of all floats are huge).
LD expOrZero(LD t) { return t < -11500 ? 0 : expl(t); }

/// sigmoid(t) and sigmoid(-t) from one exp of -|t|, neither computed as
/// 1 - the other, so both keep full relative accuracy.
void sigmoidPair(LD t, LD &positive, LD &negative) {
  LD e = expOrZero(-fabsl(t));
  LD large = 1 / (1 + e), small = e / (1 + e);
  positive = t >= 0 ? large : small;
  negative = t >= 0 ? small : large;
  if (std::isnan(t))
    positive = negative = t;
}

/// The logistic function.
LD sigmoid(LD t) {
  LD positive, negative;
  sigmoidPair(t, positive, negative);
  return positive;
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LD relu(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  return x > 0 ? x : 0;
}

LD leakyRelu(LD x, const ActivationParams &p) {
  if (std::isnan(x))
    return x;
  return x > 0 ? x : p.negativeSlope * x;
}

LD elu(LD x, const ActivationParams &p) {
  if (std::isnan(x))
    return x;
  return x > 0 ? x : p.alpha * expm1l(x);
}

LD relu6(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  return x <= 0 ? 0 : x >= 6 ? 6 : x;
}

LD sigmoidAct(LD x, const ActivationParams &) { return sigmoid(x); }

LD hardSigmoid(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  return x <= -3 ? 0 : x >= 3 ? 1 : (x + 3) / 6;
}

LD silu(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (std::isinf(x))
    return x > 0 ? x : 0;
  return x * sigmoid(x);
}

LD hardSwish(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  return x <= -3 ? 0 : x >= 3 ? x : x * (x + 3) / 6;
}

/// x * Phi(x) with Phi(x) = erfc(-x / sqrt 2) / 2, which keeps full relative
/// accuracy in the negative tail where 1 + erf(x / sqrt 2) would cancel.
LD gelu(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (std::isinf(x))
    return x > 0 ? x : 0;
  return x / 2 * erfcl(-x * kInvSqrt2);
}

/// u = sqrt(2/pi) (x + 0.044715 x^3); (1 + tanh u) / 2 = sigmoid(2u), which
/// does not cancel for u < 0.
LD geluTanh(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (std::isinf(x))
    return x > 0 ? x : 0;
  LD u = kSqrt2OverPi * (x + kGeluTanhCubic * x * x * x);
  return x * sigmoid(2 * u);
}

LD geluSigmoid(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (std::isinf(x))
    return x > 0 ? x : 0;
  return x * sigmoid(kGeluSigmoidScale * x);
}

/// The thresholded softplus: x once beta * x exceeds the threshold.
LD softplus(LD x, const ActivationParams &p) {
  if (std::isnan(x))
    return x;
  LD bx = p.beta * x;
  if (bx > p.threshold)
    return x;
  return log1pl(expOrZero(bx)) / p.beta;
}

/// With e = exp(x) and n = e (e + 2) = (1 + e)^2 - 1,
/// tanh(log(1 + e)) = n / (n + 2), exact in form and free of cancellation.
/// For x > 40, 2 / (n + 2) < 2^-110 and mish(x) rounds to x.
LD mish(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (x > 40)
    return x;
  if (std::isinf(x))
    return 0;
  LD e = expOrZero(x);
  LD n = e * (e + 2);
  return x * (n / (n + 2));
}

//===----------------------------------------------------------------------===//
// Derivatives
//===----------------------------------------------------------------------===//

LD reluGrad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  return x > 0 ? 1 : 0;
}

LD leakyReluGrad(LD x, const ActivationParams &p) {
  if (std::isnan(x))
    return x;
  return x > 0 ? 1 : p.negativeSlope;
}

LD eluGrad(LD x, const ActivationParams &p) {
  if (std::isnan(x))
    return x;
  return x > 0 ? 1 : p.alpha * expOrZero(x);
}

LD relu6Grad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  return x > 0 && x < 6 ? 1 : 0;
}

/// sigmoid' = sigmoid(x) sigmoid(-x) = e / (1 + e)^2 with e = exp(-|x|).
LD sigmoidGrad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  LD e = expOrZero(-fabsl(x));
  return e / ((1 + e) * (1 + e));
}

LD hardSigmoidGrad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  return x > -3 && x < 3 ? 1 / 6.0L : 0;
}

/// (x s(x))' = s(x) + x s(x) s(-x) = s(x) (1 + x s(-x)).
LD siluGrad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (std::isinf(x))
    return x > 0 ? 1 : 0;
  LD positive, negative;
  sigmoidPair(x, positive, negative);
  return positive * (1 + x * negative);
}

LD hardSwishGrad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  return x < -3 ? 0 : x <= 3 ? (2 * x + 3) / 6 : 1;
}

/// (x Phi(x))' = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
/// x^2 of a float is exact in long double, so exp's argument carries no
/// rounding error; in the negative tail x phi dominates Phi by x^2, so the
/// sum does not cancel there.
LD geluGrad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (std::isinf(x))
    return x > 0 ? 1 : 0;
  LD cdf = erfcl(-x * kInvSqrt2) / 2;
  LD pdf = kInvSqrt2Pi * expOrZero(-(x * x) / 2);
  return cdf + x * pdf;
}

/// f = x s(2u): f' = s(2u) + 2 x u' s(2u) s(-2u)
///                 = s(2u) (1 + 2 x u' s(-2u)), u' = sqrt(2/pi) (1 + 3c x^2).
LD geluTanhGrad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (std::isinf(x))
    return x > 0 ? 1 : 0;
  LD x2 = x * x;
  LD t = 2 * kSqrt2OverPi * (x + kGeluTanhCubic * x2 * x);
  LD dt = 2 * kSqrt2OverPi * (1 + 3 * kGeluTanhCubic * x2);
  LD positive, negative;
  sigmoidPair(t, positive, negative);
  return positive * (1 + x * dt * negative);
}

/// f = x s(a x): f' = s(a x) (1 + a x s(-a x)).
LD geluSigmoidGrad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (std::isinf(x))
    return x > 0 ? 1 : 0;
  LD ax = kGeluSigmoidScale * x;
  LD positive, negative;
  sigmoidPair(ax, positive, negative);
  return positive * (1 + ax * negative);
}

LD softplusGrad(LD x, const ActivationParams &p) {
  if (std::isnan(x))
    return x;
  LD bx = p.beta * x;
  if (bx > p.threshold)
    return 1;
  return sigmoid(bx);
}

/// f = x tanh(sp(x)), sp' = s(x):  f' = tanh(sp) + x (1 - tanh^2(sp)) s(x).
/// With n = e (e + 2): tanh(sp) = n / (n + 2) and
/// 1 - tanh^2(sp) = 4 (n + 1) / (n + 2)^2, both without cancellation.
/// s(x) = e / (1 + e) reuses the exp; for x > 40 the terms beyond 1 are
/// below 2^-100 relative.
LD mishGrad(LD x, const ActivationParams &) {
  if (std::isnan(x))
    return x;
  if (x > 40)
    return 1;
  if (std::isinf(x))
    return 0;
  LD e = expOrZero(x);
  LD n = e * (e + 2);
  LD d = n + 2;
  return n / d + x * (4 * (n + 1) / (d * d)) * (e / (1 + e));
}

struct Entry {
  llvm::StringRef name;
  ReferenceFn fn;
};

const Entry kEntries[] = {
    {"relu", relu},
    {"leaky_relu", leakyRelu},
    {"elu", elu},
    {"relu6", relu6},
    {"sigmoid", sigmoidAct},
    {"hard_sigmoid", hardSigmoid},
    {"silu", silu},
    {"hard_swish", hardSwish},
    {"gelu", gelu},
    {"gelu_tanh", geluTanh},
    {"gelu_sigmoid", geluSigmoid},
    {"mish", mish},
    {"softplus", softplus},
    {"relu_grad", reluGrad},
    {"leaky_relu_grad", leakyReluGrad},
    {"elu_grad", eluGrad},
    {"relu6_grad", relu6Grad},
    {"sigmoid_grad", sigmoidGrad},
    {"hard_sigmoid_grad", hardSigmoidGrad},
    {"silu_grad", siluGrad},
    {"hard_swish_grad", hardSwishGrad},
    {"gelu_grad", geluGrad},
    {"gelu_tanh_grad", geluTanhGrad},
    {"gelu_sigmoid_grad", geluSigmoidGrad},
    {"mish_grad", mishGrad},
    {"softplus_grad", softplusGrad},
};

} // namespace

ReferenceFn act::accuracy::lookupReference(llvm::StringRef name) {
  for (const Entry &entry : kEntries)
    if (entry.name == name)
      return entry.fn;
  return nullptr;
}

llvm::ArrayRef<llvm::StringRef> act::accuracy::referenceNames() {
  static const auto names = [] {
    std::array<llvm::StringRef, std::size(kEntries)> result;
    for (size_t i = 0; i < std::size(kEntries); ++i)
      result[i] = kEntries[i].name;
    return result;
  }();
  return names;
}
