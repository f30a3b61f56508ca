//===- CudaRuntime.h - Launch act's GPU kernels through the driver API -*- C++
//-*-//
//
// Loads PTX or a cubin made by act-gpu-pipeline and launches its elementwise
// kernels through the CUDA driver API, which it opens at run time
// (dlopen("libcuda.so.1")): nothing here links CUDA, LLVM or MLIR, so the
// same code builds without a GPU and deploys without act's compiler.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_GPU_CUDARUNTIME_H
#define ACT_GPU_CUDARUNTIME_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace act::gpu {

/// A host array given to a kernel as a row-major memref descriptor of
/// `shape`: copied to the device first when `input` is set, and back into
/// `output` after the launch when that is set.
struct KernelArray {
  const void *input = nullptr;
  void *output = nullptr;
  std::vector<int64_t> shape;
  size_t elementSize = 4;
  /// When >= 0: this argument is instead a TMA tensor map (a memref<16xi64>
  /// in device memory) of the 2-D, 16-bit array `tensorMapOf` of the same
  /// launch, with boxes of `box` elements (innermost first) and the
  /// 128-byte swizzle.
  int tensorMapOf = -1;
  std::vector<uint32_t> box;
};

/// The driver and a context on device 0. Fails (with a message) when
/// libcuda.so.1 or a device is missing. Safe to use from any thread: calls
/// are serialized and make the context current first.
class CudaDevice {
public:
  static std::unique_ptr<CudaDevice> open(std::string &error);
  ~CudaDevice();

  /// Loads a module from PTX text or a cubin image (the driver JIT-compiles
  /// PTX for the device); null on failure. Modules live as long as the
  /// device.
  void *loadModule(const std::string &image, std::string &error);

  /// Launches kernel `name` of `module` on `blocks` x `threads` threads
  /// (1-D) and `sharedBytes` of dynamic shared memory, with `arrays` as its
  /// memref arguments (allocated, aligned, offset, sizes, strides each),
  /// device buffers 256-byte aligned (cuMemAlloc). `repeat` > 0 also times
  /// that many launches (seconds per launch in `seconds`).
  bool runKernel(void *module, const std::string &name,
                 const std::vector<KernelArray> &arrays, unsigned blocks,
                 unsigned threads, size_t sharedBytes, std::string &error,
                 int repeat = 0, double *seconds = nullptr);

  /// Runs kernel `name` of `module` over `n` elements: `inputs`
  /// (host arrays of n elements of `elementSize` bytes each), then writes
  /// `output` (n elements), each a 1-D memref, through runKernel with a
  /// grid that fills the device.
  /// `blocks` > 0 overrides the grid (for experiments).
  bool runElementwise(void *module, const std::string &name,
                      const std::vector<const void *> &inputs, void *output,
                      int64_t n, size_t elementSize, std::string &error,
                      int repeat = 0, double *seconds = nullptr,
                      int64_t blocks = 0);

  /// Times `repeat` device-to-device copies of `bytes` (the bandwidth an
  /// elementwise kernel is measured against); seconds per copy.
  bool timeCopy(size_t bytes, int repeat, double &seconds, std::string &error);

  std::string getName() const;

private:
  CudaDevice() = default;
  struct Driver;
  std::unique_ptr<Driver> driver;
  void *context = nullptr;
  std::vector<void *> modules;
  std::unique_ptr<std::mutex> mutex = std::make_unique<std::mutex>();
};

} // namespace act::gpu

#endif // ACT_GPU_CUDARUNTIME_H
