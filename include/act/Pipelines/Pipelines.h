//===- Pipelines.h - act's compilation pipelines ---------------*- C++ -*-===//
//
// act-cpu-pipeline: act ops on tensors -> vectorized LLVM dialect for x86;
// act-gpu-pipeline: elementwise act kernels -> a gpu.binary of PTX or cubin.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_PIPELINES_PIPELINES_H
#define ACT_PIPELINES_PIPELINES_H

#include "act/Math/Activation.h"

#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlir::act {

/// A resolved x86 target.
struct CpuTarget {
  std::string cpu;      ///< LLVM CPU name, e.g. "x86-64-v4" or "znver4"
  std::string features; ///< LLVM features, e.g. "+avx512f,+avx2"
  int64_t vectorWidth;  ///< f32 lanes per vector
};

/// Resolves `native` (the host CPU), `x86-64-v3` (AVX2, 8 lanes) or
/// `x86-64-v4` (AVX-512, 16 lanes); fails with a message for anything else.
FailureOr<CpuTarget> resolveCpuTarget(StringRef name, std::string &error);

struct CpuPipelineOptions {
  CpuTarget target;
  Accuracy accuracy = Accuracy::precise;
  /// Vectors per iteration of elementwise loops; 0 picks the target's
  /// default (getDefaultInterleave).
  int64_t interleave = 0;
  /// How far ahead non-temporal elementwise loops prefetch their inputs,
  /// in elements; negative picks the default (kDefaultPrefetchDistance).
  int64_t prefetchDistance = -1;
};

/// 8 KiB of f32 ahead: measured at 10M elements on Zen 5
/// (docs/performance-cpu.md).
inline constexpr int64_t kDefaultPrefetchDistance = 2048;

/// How many vectors an elementwise loop computes per iteration on `target`:
/// 4 with 32 vector registers (AVX-512), 2 with 16 (AVX2). Measured on Zen 5
/// (docs/performance-cpu.md): exp-based activations are latency bound with
/// one vector per iteration.
int64_t getDefaultInterleave(const CpuTarget &target);

/// The panel width of act.pack_b that act-cpu-pipeline reads in place on
/// `target`: its matmul register tile's width (48 columns on AVX-512, 16
/// on AVX2).
int64_t getPackedPanelWidth(const CpuTarget &target);

/// Adds act-expand, bufferization, act-vectorize-elementwise, act's vector
/// math and the lowering to the LLVM dialect. Functions must take and
/// return tensors or memrefs (identity layouts at function boundaries).
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

struct GpuPipelineOptions {
  /// sm_80, sm_90, or sm_90a (Hopper's own instructions: the matmuls use
  /// wgmma instead of mma.sync).
  std::string chip = "sm_80";
  bool binary = false; ///< cubin through ptxas, else PTX text
  std::string toolkit; ///< CUDA toolkit root (libdevice, ptxas)
  Accuracy accuracy = Accuracy::precise;
};

/// The CUDA toolkit to use: `requested`, else $CUDA_HOME, else
/// /usr/local/cuda, whichever exists; fails with a message when none does.
FailureOr<std::string> resolveCudaToolkit(StringRef requested,
                                          std::string &error);

/// Adds act-expand, bufferization, act-gpu-elementwise, act's vector math,
/// the NVVM lowering and gpu-module-to-binary. Functions write their result
/// into a 1-D memref argument; the output module holds one gpu.binary.
void buildGpuPipeline(OpPassManager &pm, const GpuPipelineOptions &options);

/// act-expand and one-shot bufferization (function boundaries with identity
/// layouts, results written into output arguments without a copy): the
/// start both pipelines share.
void addExpandAndBufferize(OpPassManager &pm, MathOptions math);

/// Whether `target` looks up 32-entry tables in one instruction (AVX-512's
/// vpermt2ps): act-cpu-pipeline then lets the formulas use lookup tables.
bool hasOneInstructionLookup(const CpuTarget &target);

/// Registers `act-cpu-pipeline{target=native|x86-64-v3|x86-64-v4
/// accuracy=precise|fast}` and `act-gpu-pipeline{chip=sm_80|sm_90
/// format=isa|bin accuracy=precise|fast toolkit=PATH}`.
void registerActPipelines();

} // namespace mlir::act

#endif // ACT_PIPELINES_PIPELINES_H
