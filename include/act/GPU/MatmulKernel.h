//===- MatmulKernel.h - The shape of act's GPU matmul kernels ---*- C++ -*-===//
//
// What act-gpu-matmul's kernels and whoever launches them (CudaRuntime,
// act-gpu-launch) agree on: one CTA of kThreads threads per kTileM x
// (kTileN or, for the GLU, kTileN / 2) output tile, a 1-D grid, and the
// divisibility the kernel needs. Header-only: no MLIR, no CUDA.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_GPU_MATMULKERNEL_H
#define ACT_GPU_MATMULKERNEL_H

#include <cstdint>
#include <string>

namespace act::gpu::matmul {

/// The CTA tile of A B (for the GLU, half of its columns are gate columns
/// and half up columns, kTileN / 2 output columns per CTA).
constexpr int64_t kTileM = 128, kTileN = 128, kTileK = 32;
/// Shared-memory stages of the cp.async pipeline.
constexpr int64_t kStages = 3;
constexpr int64_t kThreads = 256;
/// CTAs are ordered in groups of kGroupM tile rows, so that the CTAs that
/// run together share their B columns in L2.
constexpr int64_t kGroupM = 8;

/// Output columns per CTA.
constexpr int64_t outputTileColumns(bool glu) {
  return glu ? kTileN / 2 : kTileN;
}

/// The 1-D grid for an M x N output, or 0 with `error` set when the kernel
/// cannot take this shape.
inline int64_t gridSize(int64_t m, int64_t n, int64_t k, bool glu,
                        std::string &error) {
  int64_t columns = outputTileColumns(glu);
  if (m <= 0 || m % kTileM != 0 || n <= 0 || n % columns != 0 || k <= 0 ||
      k % kTileK != 0) {
    error = "the GPU matmul needs M a multiple of " + std::to_string(kTileM) +
            ", N of " + std::to_string(columns) + " and K of " +
            std::to_string(kTileK) + " (got M=" + std::to_string(m) +
            ", N=" + std::to_string(n) + ", K=" + std::to_string(k) + ")";
    return 0;
  }
  return (m / kTileM) * (n / columns);
}

} // namespace act::gpu::matmul

#endif // ACT_GPU_MATMULKERNEL_H
