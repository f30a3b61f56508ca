//===- Activation.cpp - Parameters of every activation ----------*- C++ -*-===//
//
// Which parameters each activation takes, their valid ranges, and the
// double-precision evaluation of the formulas in Activation.h.
//
//===----------------------------------------------------------------------===//

#include "act/Math/Activation.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::act;

bool ActivationParams::operator==(const ActivationParams &other) const {
  // Bitwise, so that attributes holding NaN (rejected by the verifier) still
  // unique.
  auto bits = [](double d) { return llvm::bit_cast<uint64_t>(d); };
  return approximation == other.approximation &&
         bits(alpha) == bits(other.alpha) && bits(beta) == bits(other.beta) &&
         bits(negativeSlope) == bits(other.negativeSlope) &&
         bits(threshold) == bits(other.threshold);
}

llvm::hash_code mlir::act::hash_value(const ActivationParams &params) {
  auto bits = [](double d) { return llvm::bit_cast<uint64_t>(d); };
  return llvm::hash_combine(static_cast<uint32_t>(params.approximation),
                            bits(params.alpha), bits(params.beta),
                            bits(params.negativeSlope), bits(params.threshold));
}

static bool isFinite(double v) { return std::isfinite(v); }
static bool isFiniteNonNegative(double v) { return std::isfinite(v) && v >= 0; }
static bool isFinitePositive(double v) { return std::isfinite(v) && v > 0; }

static constexpr ActivationParamSpec kNegativeSlope = {
    "negative_slope", &ActivationParams::negativeSlope, isFinite,
    "must be finite"};
static constexpr ActivationParamSpec kAlpha = {
    "alpha", &ActivationParams::alpha, isFiniteNonNegative,
    "must be finite and non-negative"};
static constexpr ActivationParamSpec kBeta = {"beta", &ActivationParams::beta,
                                              isFinitePositive,
                                              "must be finite and positive"};
static constexpr ActivationParamSpec kThreshold = {
    "threshold", &ActivationParams::threshold, isFinitePositive,
    "must be finite and positive"};

ArrayRef<ActivationParamSpec>
mlir::act::getActivationParamSpecs(ActivationKind kind) {
  static constexpr ActivationParamSpec leakyRelu[] = {kNegativeSlope};
  static constexpr ActivationParamSpec elu[] = {kAlpha};
  static constexpr ActivationParamSpec silu[] = {kBeta};
  static constexpr ActivationParamSpec softplus[] = {kBeta, kThreshold};
  switch (kind) {
  case ActivationKind::leaky_relu:
    return leakyRelu;
  case ActivationKind::elu:
    return elu;
  case ActivationKind::silu:
    return silu;
  case ActivationKind::softplus:
    return softplus;
  case ActivationKind::relu:
  case ActivationKind::relu6:
  case ActivationKind::sigmoid:
  case ActivationKind::hard_sigmoid:
  case ActivationKind::hard_swish:
  case ActivationKind::gelu:
  case ActivationKind::mish:
    return {};
  }
  llvm_unreachable("unknown activation kind");
}

ArrayRef<NamedActivation> mlir::act::getNamedActivations() {
  using K = ActivationKind;
  using A = GeluApproximation;
  static constexpr NamedActivation named[] = {
      {"relu", K::relu, A::none},
      {"leaky_relu", K::leaky_relu, A::none},
      {"elu", K::elu, A::none},
      {"relu6", K::relu6, A::none},
      {"sigmoid", K::sigmoid, A::none},
      {"hard_sigmoid", K::hard_sigmoid, A::none},
      {"silu", K::silu, A::none},
      {"hard_swish", K::hard_swish, A::none},
      {"gelu", K::gelu, A::none},
      {"gelu_tanh", K::gelu, A::tanh},
      {"gelu_sigmoid", K::gelu, A::sigmoid},
      {"mish", K::mish, A::none},
      {"softplus", K::softplus, A::none},
  };
  return named;
}

bool mlir::act::hasApproximation(ActivationKind kind) {
  return kind == ActivationKind::gelu;
}

std::optional<std::string>
mlir::act::checkActivationParams(ActivationKind kind,
                                 const ActivationParams &params) {
  for (const ActivationParamSpec &spec : getActivationParamSpecs(kind)) {
    double value = params.*spec.field;
    if (spec.isValid(value))
      continue;
    std::string message;
    llvm::raw_string_ostream os(message);
    os << spec.name << " " << spec.requirement << ", got " << value;
    return message;
  }
  return std::nullopt;
}

LogicalResult mlir::act::verifyActivationParams(
    ActivationKind kind, const ActivationParams &params,
    function_ref<InFlightDiagnostic()> emitError) {
  if (std::optional<std::string> message = checkActivationParams(kind, params))
    return emitError() << *message;
  return success();
}

double mlir::act::evaluateActivation(ActivationKind kind,
                                     const ActivationParams &params, double x) {
  DoubleMath m;
  using F = ActivationFormulas<DoubleMath>;
  return F::forward(m, kind, F::constants(m, params), x);
}

double mlir::act::evaluateActivationGradient(ActivationKind kind,
                                             const ActivationParams &params,
                                             double x, double dy) {
  DoubleMath m;
  using F = ActivationFormulas<DoubleMath>;
  return F::gradient(m, kind, F::constants(m, params), x, dy);
}
