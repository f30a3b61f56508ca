//===- KernelGeometry.h - The shape of act's GPU kernels --------*- C++ -*-===//
//
// What act's GPU kernels and whoever launches them (CudaRuntime,
// act-gpu-launch) agree on. Header-only: no MLIR, no CUDA.
//
// act-gpu-elementwise: blocks of kThreads threads, each taking groups of
// kUnroll x kThreads consecutive 16-byte vectors (any grid works; one group
// per block measured best).
//
// act-gpu-matmul: one CTA of `threads` threads per tileM x (tileN or, for
// the GLU, tileN / 2) output tile, a 1-D grid, the dynamic shared memory it
// needs and the divisibility it needs. Two kernel families: mma.sync (sm_80
// and later) and wgmma (sm_90a).
//
//===----------------------------------------------------------------------===//

#ifndef ACT_GPU_KERNELGEOMETRY_H
#define ACT_GPU_KERNELGEOMETRY_H

#include <cstdint>
#include <string>

namespace act::gpu::elementwise {

constexpr int64_t kThreads = 256;
/// 16-byte vectors per thread per group (act-gpu-elementwise's default).
constexpr int64_t kUnroll = 4;

} // namespace act::gpu::elementwise

namespace act::gpu::matmul {

struct Geometry {
  /// The CTA tile of A B (for the GLU, half of its columns are gate
  /// columns and half up columns: tileN / 2 output columns per CTA).
  int64_t tileM, tileN, tileK;
  /// Shared-memory stages of the cp.async pipeline.
  int64_t stages;
  int64_t threads;
  /// CTAs are ordered in groups of groupM tile rows, so that the CTAs that
  /// run together share their B columns in L2.
  int64_t groupM;
  /// Dynamic shared memory per CTA (0: the kernel's is static).
  int64_t sharedBytes;
  /// Whether the kernel takes two more arguments after the function's: TMA
  /// tensor maps (128 bytes each, in global memory, 128-byte swizzle) of A
  /// with boxes of tileK x tileM and of B with boxes of 64 x tileK
  /// (innermost dimension first).
  bool tensorMaps;
};

/// mma.sync m16n8k16: 8 warps of 64 x 32, 48 KB of static shared memory.
constexpr Geometry kSync = {128, 128, 32, 3, 256, 8, 0, false};
/// wgmma m64n256k16: 2 warpgroups of 64 x 256; 4 stages of a 128 x 64 A
/// slice and a 64 x 256 B slice (48 KB each), their 8 mbarriers, and 1 KB
/// to align the stages to the 128-byte swizzle's 1024-byte period. (A
/// 128 x 128 tile with 3 stages fits two CTAs per SM, which hides the
/// epilogue, but its main loop measured 30% slower: docs/performance-gpu.md.)
constexpr Geometry kWgmma = {
    128, 256, 64, 4, 256, 8, 4 * (128 * 64 + 64 * 256) * 2 + 64 + 1024, true};

/// The kernel family of a PTX module: wgmma when it uses wgmma.
inline const Geometry &geometryOf(const std::string &ptx) {
  return ptx.find("wgmma.mma_async") != std::string::npos ? kWgmma : kSync;
}

/// Output columns per CTA.
constexpr int64_t outputTileColumns(const Geometry &g, bool glu) {
  return glu ? g.tileN / 2 : g.tileN;
}

/// The 1-D grid for an M x N output, or 0 with `error` set when the kernel
/// cannot take this shape.
inline int64_t gridSize(const Geometry &g, int64_t m, int64_t n, int64_t k,
                        bool glu, std::string &error) {
  int64_t columns = outputTileColumns(g, glu);
  if (m <= 0 || m % g.tileM != 0 || n <= 0 || n % columns != 0 || k <= 0 ||
      k % g.tileK != 0) {
    error = "the GPU matmul needs M a multiple of " + std::to_string(g.tileM) +
            ", N of " + std::to_string(columns) + " and K of " +
            std::to_string(g.tileK) + " (got M=" + std::to_string(m) +
            ", N=" + std::to_string(n) + ", K=" + std::to_string(k) + ")";
    return 0;
  }
  return (m / g.tileM) * (n / columns);
}

} // namespace act::gpu::matmul

#endif // ACT_GPU_KERNELGEOMETRY_H
