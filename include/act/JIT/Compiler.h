//===- Compiler.h - Compile act kernels and MLIR modules -------*- C++ -*-===//
//
// The JIT and AOT entry points: an elementwise activation kernel or any
// module from MLIR text, compiled through act-cpu-pipeline to native code.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_JIT_COMPILER_H
#define ACT_JIT_COMPILER_H

#include "act/Math/Activation.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

namespace mlir {
class ExecutionEngine;
class MLIRContext;
class ModuleOp;
} // namespace mlir

namespace mlir::act {

/// Element types of kernels.
enum class DType { f32, f16, bf16 };
std::optional<DType> parseDType(StringRef name);
StringRef getDTypeName(DType dtype);
size_t getDTypeSize(DType dtype);

/// An elementwise activation kernel to compile.
struct ElementwiseSpec {
  ActivationKind kind = ActivationKind::relu;
  ActivationParams params;
  bool gradient = false;
  DType dtype = DType::f32;
};

/// The MLIR of `spec`: `func.func @<name>(%x, [%dy,] %y)` on 1-D memrefs
/// and, with `withStreaming`, `@<name>_nt`, the same with non-temporal
/// stores for arrays far larger than the caches; once compiled, the C entry
/// points are `_mlir_ciface_<name>[_nt]`.
std::string getElementwiseModuleSource(const ElementwiseSpec &spec,
                                       StringRef name,
                                       bool withStreaming = false);

struct CompileOptions {
  std::string target = "native";
  Accuracy accuracy = Accuracy::precise;
  /// The name diagnostics give the source (a file name).
  std::string sourceName = "<source>";
  /// LLVM's IR optimization level (0-3; code generation is always -O3).
  /// Elementwise kernels come out of act-cpu-pipeline vectorized and
  /// simplified: LLVM's IR passes find nothing to improve there (same
  /// Gelem/s, measured) but cost two thirds of a cold compile, so they skip
  /// them; other modules (FFN loops) keep -O3.
  unsigned llvmOptLevel = 3;
  /// Where the JIT keeps this module's object code across processes: loaded
  /// from there when the file exists, written there (atomically) after a
  /// compile otherwise. Empty: no object cache. The caller names the file
  /// after everything the code depends on (Jit does).
  std::string objectCacheFile;
};

/// A 1-D strided memref descriptor, as MLIR's C interface passes it.
struct MemRef1D {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
};

/// A module compiled by the JIT. Thread-safe to call once built.
class CompiledModule {
public:
  ~CompiledModule();

  /// Parses `source`, gives every public function the C interface, lowers
  /// it with act-cpu-pipeline and JIT-compiles it for the host.
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  compile(StringRef source, const CompileOptions &options);

  /// The address of a symbol of the compiled code.
  llvm::Expected<void *> lookup(StringRef name) const;

  /// Calls `_mlir_ciface_<entry>` with pointers to its arguments.
  llvm::Error invoke(StringRef entry, MutableArrayRef<void *> args) const;

  /// The module before lowering (function signatures).
  ModuleOp getSourceModule() const;

  /// Whether the code came from CompileOptions::objectCacheFile.
  bool isFromObjectCache() const { return loaded != nullptr; }

  /// Where compile() spent its time, in seconds: MLIR (parse, verify,
  /// act-cpu-pipeline) and LLVM (translation, -O3, code generation and
  /// linking of every public function; or loading the cached object).
  struct Timings {
    double mlir = 0, llvm = 0;
  };
  const Timings &getTimings() const { return timings; }

private:
  CompiledModule();
  /// Looks up every public function, so that its code is generated now.
  llvm::Error materialize() const;
  std::unique_ptr<MLIRContext> context;
  std::unique_ptr<Operation, void (*)(Operation *)> source;
  std::unique_ptr<ExecutionEngine> engine;
  /// The object-cache path: the object file loaded into a plain LLJIT.
  std::unique_ptr<llvm::orc::LLJIT> loaded;
  Timings timings;
};

/// A compiled elementwise kernel.
class ElementwiseKernel {
public:
  static llvm::Expected<ElementwiseKernel>
  compile(const ElementwiseSpec &spec, const CompileOptions &options);
  /// The kernel of `spec` in `module`, compiled from
  /// getElementwiseModuleSource(spec, "act_kernel", true).
  static llvm::Expected<ElementwiseKernel>
  fromModule(const ElementwiseSpec &spec,
             std::shared_ptr<CompiledModule> module);

  /// y[i] = f(x[i]) (or dy[i] * f'(x[i])) for n elements of the kernel's
  /// dtype, split over `threads` threads for large n.
  void run(const void *x, const void *dy, void *y, int64_t n,
           unsigned threads = 1) const;

  const ElementwiseSpec &getSpec() const { return spec; }

private:
  ElementwiseSpec spec;
  std::shared_ptr<CompiledModule> module;
  void *entry = nullptr;
  void *streamingEntry = nullptr;
};

/// Compiles the elementwise kernels of `source` (functions over 1-D
/// memrefs, as getElementwiseModuleSource prints them) with
/// act-gpu-pipeline for `chip` (sm_80, sm_90): PTX text, or a cubin when
/// `binary`. The CUDA toolkit comes from $CUDA_HOME or /usr/local/cuda.
llvm::Expected<std::string> compileGpuKernels(StringRef source, StringRef chip,
                                              Accuracy accuracy,
                                              bool binary = false);

/// Lowers `source` with act-cpu-pipeline and writes an object file for
/// `options.target` to `objectPath`.
llvm::Error emitObjectFile(StringRef source, const CompileOptions &options,
                           StringRef objectPath);

} // namespace mlir::act

#endif // ACT_JIT_COMPILER_H
