//===- act-properties.cpp - Computed properties of activations -*- C++ -*-===//
//
// Measures, from act's own f32 kernels and an independent long-double
// reference, each activation's minimum, where it decreases, f'(0), max f',
// and the error of each approximation; writes docs/properties.md.
//
//===----------------------------------------------------------------------===//

#include "../act-accuracy/Reference.h"

#include "act/JIT/Compiler.h"
#include "act/Math/Properties.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

using namespace mlir::act;
namespace ref = act::accuracy;

namespace {

[[noreturn]] void die(const llvm::Twine &message) {
  llvm::errs() << "act-properties: error: " << message << "\n";
  std::exit(1);
}

/// One of act's kernels, evaluated one float at a time.
class Kernel {
public:
  Kernel(ActivationKind kind, GeluApproximation approximation, bool gradient) {
    ElementwiseSpec spec;
    spec.kind = kind;
    spec.params.approximation = approximation;
    spec.gradient = gradient;
    auto compiled = ElementwiseKernel::compile(spec, CompileOptions());
    if (!compiled)
      die(llvm::toString(compiled.takeError()));
    kernel = std::make_unique<ElementwiseKernel>(std::move(*compiled));
  }
  double operator()(float x) const {
    float dy = 1, y;
    kernel->run(&x, &dy, &y, 1);
    return y;
  }
  /// Values on a grid, in one call.
  std::vector<float> on(const std::vector<float> &xs) const {
    std::vector<float> dy(xs.size(), 1.0f), y(xs.size());
    kernel->run(xs.data(), dy.data(), y.data(), xs.size());
    return y;
  }

private:
  std::unique_ptr<ElementwiseKernel> kernel;
};

constexpr double kLo = -20, kHi = 20;
constexpr double kRelativeFloor = 1e-6;
constexpr int64_t kSamples = 1 << 21;

std::vector<float> grid() {
  std::vector<float> xs;
  for (int64_t i = 0; i <= kSamples; ++i)
    xs.push_back(static_cast<float>(kLo + (kHi - kLo) * i / kSamples));
  return xs;
}

/// Every float within 2^12 ulps of x.
template <typename Fn> void aroundFloat(float x, Fn fn) {
  for (int i = 0; i < 4096; ++i)
    x = std::nextafter(x, -INFINITY);
  for (int i = 0; i < 8192; ++i, x = std::nextafter(x, INFINITY))
    fn(x);
}

std::string fmt(double v) {
  if (std::isinf(v))
    return v < 0 ? "-inf" : "inf";
  char buffer[32];
  snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}

} // namespace

int main(int argc, char **argv) {
  std::string output;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg == "--output" && i + 1 < argc)
      output = argv[++i];
    else if (arg.starts_with("--output="))
      output = arg.drop_front(9).str();
    else
      die("unknown option '" + arg +
          "' (usage: act-properties [--output FILE])");
  }

  std::vector<float> xs = grid();
  std::string md;
  llvm::raw_string_ostream os(md);
  os << "# Properties of act's activations\n\n"
     << "Computed, not typed in: every number below is measured by\n\n"
     << "```sh\nbuild/bin/act-properties --output docs/properties.md\n```\n\n"
     << "from act's own f32 kernels (JIT, `accuracy=precise`, host CPU) on "
        "float32 inputs in ["
     << fmt(kLo) << ", " << fmt(kHi) << "]: a grid of " << kSamples
     << " points, then every float within 2^12 ulps of the "
        "extremes. Columns marked *ref* are the independent long-double "
        "reference of tools/act-accuracy at the same x. Numbers are "
        "reproducible to 4 significant digits.\n\n";

  os << "## Shape\n\n"
     << "| activation | min over the range: x | f(x) | ref f(x) | f' < 0 on "
        "(measured extent) | f'(0) | ref f'(0) | max f' | at x |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  for (const NamedActivation &row : getNamedActivations()) {
    Kernel f(row.kind, row.approximation, false);
    Kernel df(row.kind, row.approximation, true);
    std::vector<float> ys = f.on(xs), dys = df.on(xs);
    size_t argMin = 0, argMaxD = 0;
    double firstNeg = NAN, lastNeg = NAN;
    for (size_t i = 0; i < xs.size(); ++i) {
      if (ys[i] < ys[argMin])
        argMin = i;
      if (dys[i] > dys[argMaxD])
        argMaxD = i;
      if (dys[i] < 0) {
        if (std::isnan(firstNeg))
          firstNeg = xs[i];
        lastNeg = xs[i];
      }
    }
    float xMin = xs[argMin], xMaxD = xs[argMaxD];
    double yMin = ys[argMin], dMax = dys[argMaxD];
    aroundFloat(xs[argMin], [&](float x) {
      double y = f(x);
      if (y < yMin) {
        yMin = y;
        xMin = x;
      }
    });
    aroundFloat(xs[argMaxD], [&](float x) {
      double d = df(x);
      if (d > dMax) {
        dMax = d;
        xMaxD = x;
      }
    });
    // Refine where f' changes sign at the upper end of the decreasing part.
    if (!std::isnan(lastNeg))
      aroundFloat(static_cast<float>(lastNeg), [&](float x) {
        if (df(x) < 0 && x > lastNeg)
          lastNeg = x;
      });
    ref::ActivationParams refParams;
    ref::ReferenceFn fRef = ref::lookupReference(row.name.str());
    ref::ReferenceFn dRef = ref::lookupReference((row.name + "_grad").str());
    // Where the function decreases and then increases, the minimum is where
    // f' changes sign: steadier than the argmin of a flat f.
    if (!std::isnan(lastNeg)) {
      xMin = std::nextafter(static_cast<float>(lastNeg), INFINITY);
      yMin = f(xMin);
    }
    // A minimum at the end of the range is the limit at -inf.
    std::string minX = argMin == 0 ? "-inf (infimum)" : fmt(xMin);
    if (argMin == 0) {
      xMin = -INFINITY;
      yMin = f(xMin);
    }
    std::string decreasing =
        std::isnan(firstNeg) ? "none (monotonic)"
                             : "[" +
                                   (firstNeg <= kLo + 1e-3 ? std::string("-inf")
                                                           : fmt(firstNeg)) +
                                   ", " + fmt(lastNeg) + "]";
    os << "| " << row.name << " | " << minX << " | " << fmt(yMin) << " | "
       << (fRef ? fmt(static_cast<double>(fRef(xMin, refParams))) : "n/a")
       << " | " << decreasing << " | " << fmt(df(0.0f)) << " | "
       << (dRef ? fmt(static_cast<double>(dRef(0.0L, refParams))) : "n/a")
       << " | " << fmt(dMax) << " | " << fmt(xMaxD) << " |\n";
  }
  os << "\nThe decreasing part of GELU, SiLU and Mish extends to -inf: its "
        "measured extent starts where f' underflows to zero in f32.\n\n";

  // Approximations against the exact function.
  struct Approximation {
    const char *name, *exact;
    ActivationKind kind;
    GeluApproximation approximation;
  };
  const Approximation approximations[] = {
      {"gelu_tanh", "gelu", ActivationKind::gelu, GeluApproximation::tanh},
      {"gelu_sigmoid", "gelu", ActivationKind::gelu,
       GeluApproximation::sigmoid},
      {"hard_swish", "silu", ActivationKind::hard_swish,
       GeluApproximation::none},
      {"hard_sigmoid", "sigmoid", ActivationKind::hard_sigmoid,
       GeluApproximation::none},
  };
  os << "## Approximations\n\n"
     << "|approximation | of | max abs error | at x | max rel error | at x "
        "|\n|---|---|---|---|---|---|\n";
  for (const Approximation &a : approximations) {
    Kernel approx(a.kind, a.approximation, false);
    ref::ReferenceFn exact = ref::lookupReference(a.exact);
    ref::ActivationParams refParams;
    ErrorStats stats = measureMaxDifference(
        [&](float x) { return approx(x); },
        [&](float x) { return static_cast<double>(exact(x, refParams)); }, kLo,
        kHi, 1 << 18, kRelativeFloor);
    os << "| " << a.name << " | " << a.exact << " | " << fmt(stats.maxAbs)
       << " | " << fmt(stats.argMaxAbs) << " | " << fmt(stats.maxRel) << " | "
       << fmt(stats.argMaxRel) << " |\n";
  }
  os << "\nRelative errors are taken where |exact| >= " << fmt(kRelativeFloor)
     << "; further out in the negative tail every approximation loses all "
        "relative accuracy (the exact value decays faster).\n\n";
  os << "## What act-approximate-gelu uses\n\n"
     << "`mode=auto` measures, when it runs, the same maximum absolute "
        "difference with act's formulas evaluated in double against the C "
        "library's erfc (lib/Math/Properties.cpp), and ranks candidates by "
        "the op count of their expansion:\n\n"
     << "| approximation | max abs error | at x | ops (f32, precise) |\n"
     << "|---|---|---|---|\n";
  for (GeluApproximation a :
       {GeluApproximation::tanh, GeluApproximation::sigmoid,
        GeluApproximation::none}) {
    ActivationParams params;
    params.approximation = a;
    int64_t cost = getActivationCost(ActivationKind::gelu, params);
    if (a == GeluApproximation::none) {
      os << "| none (exact) | 0 | | " << cost << " |\n";
      continue;
    }
    ErrorStats stats = measureGeluApproximationError(a);
    os << "| " << stringifyGeluApproximation(a) << " | " << fmt(stats.maxAbs)
       << " | " << fmt(stats.argMaxAbs) << " | " << cost << " |\n";
  }
  os << "\nSo `max-abs-error=1e-3` picks tanh and `max-abs-error=1e-5` "
        "keeps exact GELU (test/Dialect/Act/act-approximate-gelu.mlir).\n";

  if (output.empty()) {
    llvm::outs() << md;
    return 0;
  }
  std::error_code ec;
  llvm::raw_fd_ostream out(output, ec);
  if (ec)
    die("cannot write '" + output + "': " + ec.message());
  out << md;
  return 0;
}
