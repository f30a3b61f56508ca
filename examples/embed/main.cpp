// Compiles GELU and a SwiGLU with act's JIT, runs them and prints the
// results next to a reference computed here.
#include "act/JIT/JIT.h"

#include <cmath>
#include <cstdio>
#include <vector>

using namespace mlir::act;

int main() {
  auto jit = Jit::create({});
  if (!jit) {
    std::fprintf(stderr, "embed: %s\n",
                 llvm::toString(jit.takeError()).c_str());
    return 1;
  }

  ElementwiseSpec gelu;
  gelu.kind = ActivationKind::gelu;
  auto kernel = (*jit)->getElementwise(gelu);
  if (!kernel) {
    std::fprintf(stderr, "embed: %s\n",
                 llvm::toString(kernel.takeError()).c_str());
    return 1;
  }
  std::vector<float> x = {-10, -2, -0.5f, 0, 0.5f, 2}, y(x.size());
  (*kernel)->run(x.data(), nullptr, y.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i)
    std::printf("gelu(%g) = %.6g (reference %.6g)\n", x[i], y[i],
                0.5 * x[i] * std::erfc(-x[i] / std::sqrt(2.0)));

  GluSpec swiglu;
  swiglu.kind = ActivationKind::silu;
  swiglu.cols = 2;
  auto glu = (*jit)->getGlu(swiglu);
  if (!glu) {
    std::fprintf(stderr, "embed: %s\n",
                 llvm::toString(glu.takeError()).c_str());
    return 1;
  }
  std::vector<float> a = {1, -1}, b = {2, 3}, out(2);
  if (llvm::Error err = (*glu)->run(
          {{a.data(), {1, 2}}, {b.data(), {1, 2}}, {out.data(), {1, 2}}})) {
    std::fprintf(stderr, "embed: %s\n", llvm::toString(std::move(err)).c_str());
    return 1;
  }
  std::printf("swiglu = %.6g %.6g (reference %.6g %.6g)\n", out[0], out[1],
              2 / (1 + std::exp(-1.0)), -3 / (1 + std::exp(1.0)));

  // Errors are messages, not crashes.
  std::vector<float> wrong(3);
  llvm::Error err = (*glu)->run(
      {{a.data(), {1, 2}}, {wrong.data(), {1, 3}}, {out.data(), {1, 2}}});
  std::printf("wrong shape: %s\n", llvm::toString(std::move(err)).c_str());
  JitStats stats = (*jit)->getStats();
  std::printf("compiled %llu kernels\n",
              static_cast<unsigned long long>(stats.compiles));
  return 0;
}
