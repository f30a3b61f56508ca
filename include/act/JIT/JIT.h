//===- JIT.h - act's JIT for C++ hosts --------------------------*- C++ -*-===//
//
// The embedding API of DESIGN.md section 6: a JIT for the host or a named x86
// target that compiles an activation, a GLU, an FFN or a module from MLIR
// text, caches what it compiled (in memory, and optionally on disk) and
// hands out callables. Errors come back as llvm::Error; nothing aborts.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_JIT_JIT_H
#define ACT_JIT_JIT_H

#include "act/JIT/Compiler.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <memory>
#include <string>

namespace act::gpu {
class CudaDevice;
} // namespace act::gpu

namespace mlir::act {

/// A row-major array of a kernel's dtype: `shape` has one entry per
/// dimension (rank 1 or 2).
struct ArrayArg {
  void *data = nullptr;
  llvm::SmallVector<int64_t, 2> shape;
};

/// y = act(a) * b on [rows, cols] arrays, or, split, y = act(x[:, :cols]) *
/// x[:, cols:] on one [rows, 2 cols] array (act's first half is gated;
/// torch.nn.functional.glu gates the second). rows is free.
struct GluSpec {
  ActivationKind kind = ActivationKind::silu;
  ActivationParams params;
  DType dtype = DType::f32;
  int64_t cols = 0;
  bool split = false;
};

/// y = act(x W1 + b1) W2 + b2 (biases optional), or gated:
/// y = (act(x Wg) * (x Wu)) Wd. x: [rows, model], W1/Wg/Wu: [model, hidden],
/// W2/Wd: [hidden, model]. rows is free.
struct FfnSpec {
  ActivationKind kind = ActivationKind::gelu;
  ActivationParams params;
  DType dtype = DType::f32;
  int64_t model = 0, hidden = 0;
  bool gated = false;
  bool bias = true;
  /// The kernel takes the weights packed once by getFfnWeightPacker (the
  /// shapes in its signature) instead of copying them on every call.
  bool packedWeights = false;
};

/// A compiled kernel over arrays with fixed trailing dimensions: checks the
/// arrays it is given (count, null pointers, shapes) before it runs.
class ArrayKernel {
public:
  /// Inputs in the order of the spec's formula, then the output(s); arrays
  /// of rank 1 to 4.
  llvm::Error run(llvm::ArrayRef<ArrayArg> arrays) const;

  /// Expected shapes, -1 for the free row count (the same in every array).
  llvm::ArrayRef<llvm::SmallVector<int64_t, 2>> getSignature() const {
    return signature;
  }

private:
  friend class Jit;
  std::shared_ptr<CompiledModule> module;
  void *entry = nullptr;
  std::vector<llvm::SmallVector<int64_t, 2>> signature;
};

/// An elementwise kernel compiled for an NVIDIA GPU (a Jit whose target is
/// sm_80 or sm_90): runs on host arrays, copying them to the device and
/// back; a failure of the device comes back as an error.
class GpuElementwiseKernel {
public:
  /// y[i] = f(x[i]) (or dy[i] * f'(x[i])) for n elements of the dtype.
  llvm::Error run(const void *x, const void *dy, void *y, int64_t n) const;

private:
  friend class Jit;
  bool gradient = false;
  size_t elementSize = 4;
  std::shared_ptr<::act::gpu::CudaDevice> device;
  void *module = nullptr;
};

/// Counters of a Jit's cache.
struct JitStats {
  uint64_t requests = 0;   ///< compile requests
  uint64_t memoryHits = 0; ///< answered without compiling or loading
  uint64_t diskHits = 0;   ///< loaded from the object cache directory
  uint64_t compiles = 0;   ///< compiled from MLIR
};

/// A JIT with a kernel cache keyed by (IR, target, accuracy): the same
/// request twice compiles once, also when it arrives from many threads at
/// once. Safe to use from any number of threads.
class Jit {
public:
  struct Options {
    /// native, x86-64-v3 or x86-64-v4 (DESIGN.md section 7), or sm_80 or
    /// sm_90 for the GPU (elementwise kernels, through getGpuElementwise).
    std::string target = "native";
    /// Where compiled objects are kept across processes; empty: nowhere.
    std::string cacheDirectory;
  };

  /// Fails on an unknown target or one the host cannot run.
  static llvm::Expected<std::unique_ptr<Jit>> create(const Options &options);
  ~Jit();

  llvm::Expected<std::shared_ptr<const ElementwiseKernel>>
  getElementwise(const ElementwiseSpec &spec,
                 Accuracy accuracy = Accuracy::precise);
  /// The elementwise kernel of `spec` on the GPU of an sm_80/sm_90 Jit.
  llvm::Expected<std::shared_ptr<const GpuElementwiseKernel>>
  getGpuElementwise(const ElementwiseSpec &spec,
                    Accuracy accuracy = Accuracy::precise);
  llvm::Expected<std::shared_ptr<const ArrayKernel>>
  getGlu(const GluSpec &spec, Accuracy accuracy = Accuracy::precise);
  llvm::Expected<std::shared_ptr<const ArrayKernel>>
  getFfn(const FfnSpec &spec, Accuracy accuracy = Accuracy::precise);
  /// For a spec with packedWeights: packs W1, W2 (or Wg, Wu, Wd) into the
  /// panels getFfn's kernel reads, for this Jit's target (arrays: the
  /// weights, then the packed W1, W2 or [Wg | Wu], Wd).
  llvm::Expected<std::shared_ptr<const ArrayKernel>>
  getFfnWeightPacker(const FfnSpec &spec);
  /// Any module; call its functions through CompiledModule::invoke.
  llvm::Expected<std::shared_ptr<const CompiledModule>>
  getModule(llvm::StringRef source, Accuracy accuracy = Accuracy::precise);

  JitStats getStats() const;
  const Options &getOptions() const;

private:
  struct Impl;
  explicit Jit(std::unique_ptr<Impl> impl);
  llvm::Expected<std::shared_ptr<const ArrayKernel>>
  getArrayKernel(llvm::StringRef kind, const std::string &source,
                 std::vector<llvm::SmallVector<int64_t, 2>> signature,
                 Accuracy accuracy);
  std::unique_ptr<Impl> impl;
};

/// The activation named `name` (an op name of DESIGN.md section 3: "gelu",
/// "silu", ...) with `options`, space-separated name=value pairs
/// ("approximation=tanh", "alpha=0.5", "beta=2 threshold=10").
llvm::Error parseActivation(llvm::StringRef name, llvm::StringRef options,
                            ActivationKind &kind, ActivationParams &params);

/// The MLIR of a GLU or FFN kernel `@<name>` on memrefs (exposed for tests
/// and act-run).
std::string getGluModuleSource(const GluSpec &spec, llvm::StringRef name);
/// With spec.packedWeights the kernel reads `panelWidth`-column panels
/// (getPackedPanelWidth of the target) and getFfnPackerModuleSource writes
/// them.
std::string getFfnModuleSource(const FfnSpec &spec, llvm::StringRef name,
                               int64_t panelWidth = 0);
/// The shapes of getFfn's arrays for `spec` without packedWeights (x, the
/// weights and biases, y; -1 for the free row count).
std::vector<llvm::SmallVector<int64_t, 2>> getFfnSignature(const FfnSpec &spec);
std::string getFfnPackerModuleSource(const FfnSpec &spec, llvm::StringRef name,
                                     int64_t panelWidth);

} // namespace mlir::act

#endif // ACT_JIT_JIT_H
