//===- CudaRuntime.cpp - Launch act's GPU kernels through the driver API
//---===//
//
// The CUDA driver API opened with dlopen: the few entry points act needs,
// declared here with the driver's C types reduced to what they are (ints
// and pointers), so that no CUDA header is needed to build it.
//
//===----------------------------------------------------------------------===//

#include "act/GPU/CudaRuntime.h"
#include "act/GPU/KernelGeometry.h"

#include <algorithm>
#include <chrono>
#include <dlfcn.h>
#include <type_traits>

using namespace act::gpu;

namespace {
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
} // namespace

struct CudaDevice::Driver {
  void *library = nullptr;
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuCtxCreate)(void **, unsigned, CUdevice);
  CUresult (*cuCtxDestroy)(void *);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuCtxSetCurrent)(void *);
  CUresult (*cuModuleLoadData)(void **, const void *);
  CUresult (*cuModuleUnload)(void *);
  CUresult (*cuModuleGetFunction)(void **, void *, const char *);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuLaunchKernel)(void *, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, void *, void **,
                             void **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuFuncSetAttribute)(void *, int, int);
  CUresult (*cuTensorMapEncodeTiled)(void *, int, uint32_t, void *,
                                     const uint64_t *, const uint64_t *,
                                     const uint32_t *, const uint32_t *, int,
                                     int, int, int);
  CUdevice device = 0;

  ~Driver() {
    if (library)
      dlclose(library);
  }

  /// "call failed: <driver message>" for a failed call.
  bool check(CUresult result, const char *call, std::string &error) const {
    if (result == 0)
      return true;
    const char *message = nullptr;
    if (cuGetErrorString)
      cuGetErrorString(result, &message);
    error = std::string(call) + " failed: " +
            (message ? message : "error " + std::to_string(result));
    return false;
  }
};

std::unique_ptr<CudaDevice> CudaDevice::open(std::string &error) {
  std::unique_ptr<CudaDevice> device(new CudaDevice());
  device->driver = std::make_unique<Driver>();
  Driver &d = *device->driver;
  d.library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!d.library) {
    const char *reason = dlerror();
    error = std::string("no CUDA driver: ") +
            (reason ? reason : "cannot open libcuda.so.1");
    return nullptr;
  }
  bool missing = false;
  auto load = [&](auto &fn, const char *name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(d.library, name));
    if (!fn && !missing) {
      missing = true;
      error = std::string("the CUDA driver lacks ") + name;
    }
  };
  load(d.cuInit, "cuInit");
  load(d.cuDeviceGet, "cuDeviceGet");
  load(d.cuDeviceGetName, "cuDeviceGetName");
  load(d.cuCtxCreate, "cuCtxCreate_v2");
  load(d.cuCtxDestroy, "cuCtxDestroy_v2");
  load(d.cuCtxSynchronize, "cuCtxSynchronize");
  load(d.cuCtxSetCurrent, "cuCtxSetCurrent");
  load(d.cuModuleLoadData, "cuModuleLoadData");
  load(d.cuModuleUnload, "cuModuleUnload");
  load(d.cuModuleGetFunction, "cuModuleGetFunction");
  load(d.cuMemAlloc, "cuMemAlloc_v2");
  load(d.cuMemFree, "cuMemFree_v2");
  load(d.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  load(d.cuMemcpyDtoH, "cuMemcpyDtoH_v2");
  load(d.cuMemcpyDtoD, "cuMemcpyDtoD_v2");
  load(d.cuLaunchKernel, "cuLaunchKernel");
  load(d.cuGetErrorString, "cuGetErrorString");
  load(d.cuFuncSetAttribute, "cuFuncSetAttribute");
  load(d.cuTensorMapEncodeTiled, "cuTensorMapEncodeTiled");
  if (missing)
    return nullptr;
  if (!d.check(d.cuInit(0), "cuInit", error) ||
      !d.check(d.cuDeviceGet(&d.device, 0), "cuDeviceGet", error) ||
      !d.check(d.cuCtxCreate(&device->context, 0, d.device), "cuCtxCreate",
               error))
    return nullptr;
  return device;
}

CudaDevice::~CudaDevice() {
  if (!driver)
    return;
  if (context)
    driver->cuCtxSetCurrent(context);
  for (void *module : modules)
    driver->cuModuleUnload(module);
  if (context)
    driver->cuCtxDestroy(context);
}

std::string CudaDevice::getName() const {
  char name[256] = {0};
  driver->cuDeviceGetName(name, sizeof(name) - 1, driver->device);
  return name;
}

void *CudaDevice::loadModule(const std::string &image, std::string &error) {
  std::lock_guard<std::mutex> lock(*mutex);
  if (!driver->check(driver->cuCtxSetCurrent(context), "cuCtxSetCurrent",
                     error))
    return nullptr;
  // PTX must be NUL-terminated for the driver's JIT.
  std::string copy = image;
  void *module = nullptr;
  if (!driver->check(driver->cuModuleLoadData(&module, copy.c_str()),
                     "cuModuleLoadData", error))
    return nullptr;
  modules.push_back(module);
  return module;
}

bool CudaDevice::runKernel(void *module, const std::string &name,
                           const std::vector<KernelArray> &arrays,
                           unsigned blocks, unsigned threads,
                           size_t sharedBytes, std::string &error, int repeat,
                           double *seconds) {
  Driver &d = *driver;
  std::lock_guard<std::mutex> lock(*mutex);
  void *function = nullptr;
  if (!module) {
    error = "no module loaded";
    return false;
  }
  if (!d.check(d.cuCtxSetCurrent(context), "cuCtxSetCurrent", error))
    return false;
  if (!d.check(d.cuModuleGetFunction(&function, module, name.c_str()),
               ("cuModuleGetFunction(" + name + ")").c_str(), error))
    return false;
  // Above 48 KB a kernel must opt in to its dynamic shared memory.
  constexpr int kMaxDynamicSharedSizeBytes = 8;
  if (sharedBytes > 48 * 1024 &&
      !d.check(d.cuFuncSetAttribute(function, kMaxDynamicSharedSizeBytes,
                                    static_cast<int>(sharedBytes)),
               "cuFuncSetAttribute", error))
    return false;
  std::vector<CUdeviceptr> buffers(arrays.size(), 0);
  auto release = [&] {
    for (CUdeviceptr p : buffers)
      if (p)
        d.cuMemFree(p);
  };
  auto bytesOf = [](const KernelArray &a) {
    size_t bytes = a.elementSize;
    for (int64_t size : a.shape)
      bytes *= static_cast<size_t>(size);
    return bytes;
  };
  for (size_t i = 0; i < arrays.size(); ++i) {
    size_t bytes = bytesOf(arrays[i]);
    if (!d.check(d.cuMemAlloc(&buffers[i], std::max<size_t>(bytes, 16)),
                 "cuMemAlloc", error) ||
        (arrays[i].input &&
         !d.check(d.cuMemcpyHtoD(buffers[i], arrays[i].input, bytes),
                  "cuMemcpyHtoD", error))) {
      release();
      return false;
    }
  }
  // Tensor maps: encoded here for the device buffers, then uploaded.
  for (size_t i = 0; i < arrays.size(); ++i) {
    const KernelArray &map = arrays[i];
    if (map.tensorMapOf < 0)
      continue;
    const KernelArray &of = arrays[map.tensorMapOf];
    if (of.shape.size() != 2 || of.elementSize != 2 || map.box.size() != 2 ||
        bytesOf(map) != 128) {
      error = "a tensor map needs a 2-D 16-bit array, a 2-D box and 128 "
              "bytes";
      release();
      return false;
    }
    constexpr int kUint16 = 1, kInterleaveNone = 0, kSwizzle128B = 3,
                  kPromotion256B = 3, kOobFillNone = 0;
    alignas(64) uint64_t encoded[16] = {};
    uint64_t dims[2] = {static_cast<uint64_t>(of.shape[1]),
                        static_cast<uint64_t>(of.shape[0])};
    uint64_t strides[1] = {static_cast<uint64_t>(of.shape[1]) * 2};
    uint32_t elementStrides[2] = {1, 1};
    if (!d.check(d.cuTensorMapEncodeTiled(
                     encoded, kUint16, 2,
                     reinterpret_cast<void *>(buffers[map.tensorMapOf]), dims,
                     strides, map.box.data(), elementStrides, kInterleaveNone,
                     kSwizzle128B, kPromotion256B, kOobFillNone),
                 "cuTensorMapEncodeTiled", error) ||
        !d.check(d.cuMemcpyHtoD(buffers[i], encoded, sizeof(encoded)),
                 "cuMemcpyHtoD", error)) {
      release();
      return false;
    }
  }
  // One memref descriptor per array: allocated, aligned, offset, sizes,
  // strides (row-major); cuLaunchKernel takes a pointer to each field.
  std::vector<std::vector<int64_t>> descriptors;
  for (size_t i = 0; i < arrays.size(); ++i) {
    const std::vector<int64_t> &shape = arrays[i].shape;
    std::vector<int64_t> desc = {static_cast<int64_t>(buffers[i]),
                                 static_cast<int64_t>(buffers[i]), 0};
    desc.insert(desc.end(), shape.begin(), shape.end());
    std::vector<int64_t> strides(shape.size(), 1);
    for (size_t dim = shape.size(); dim-- > 1;)
      strides[dim - 1] = strides[dim] * shape[dim];
    desc.insert(desc.end(), strides.begin(), strides.end());
    descriptors.push_back(std::move(desc));
  }
  std::vector<void *> params;
  for (std::vector<int64_t> &desc : descriptors)
    for (int64_t &field : desc)
      params.push_back(&field);
  auto launch = [&] {
    return d.check(d.cuLaunchKernel(function, blocks, 1, 1, threads, 1, 1,
                                    static_cast<unsigned>(sharedBytes), nullptr,
                                    params.data(), nullptr),
                   "cuLaunchKernel", error);
  };
  bool ok =
      launch() && d.check(d.cuCtxSynchronize(), "cuCtxSynchronize", error);
  if (ok && repeat > 0) {
    auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeat && ok; ++r)
      ok = launch();
    ok = ok && d.check(d.cuCtxSynchronize(), "cuCtxSynchronize", error);
    if (seconds)
      *seconds = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - start)
                     .count() /
                 repeat;
  }
  for (size_t i = 0; i < arrays.size() && ok; ++i)
    if (arrays[i].output)
      ok = d.check(
          d.cuMemcpyDtoH(arrays[i].output, buffers[i], bytesOf(arrays[i])),
          "cuMemcpyDtoH", error);
  release();
  return ok;
}

bool CudaDevice::runElementwise(void *module, const std::string &name,
                                const std::vector<const void *> &inputs,
                                void *output, int64_t n, size_t elementSize,
                                std::string &error, int repeat, double *seconds,
                                int64_t gridBlocks) {
  std::vector<KernelArray> arrays;
  for (const void *input : inputs)
    arrays.push_back({input, nullptr, {n}, elementSize});
  arrays.push_back({nullptr, output, {n}, elementSize});
  // One group of kUnroll x kThreads vectors per block (a grid-stride
  // kernel takes any grid; this one measured fastest: docs/performance-gpu.md).
  namespace ew = act::gpu::elementwise;
  int64_t perThread = std::max<int64_t>(1, 16 / elementSize);
  int64_t groupElements = perThread * ew::kThreads * ew::kUnroll;
  unsigned blocks = static_cast<unsigned>(
      gridBlocks > 0
          ? gridBlocks
          : std::clamp<int64_t>((n + groupElements - 1) / groupElements, 1,
                                int64_t(1) << 31));
  const unsigned threads = ew::kThreads;
  return runKernel(module, name, arrays, blocks, threads, 0, error, repeat,
                   seconds);
}

bool CudaDevice::timeCopy(size_t bytes, int repeat, double &seconds,
                          std::string &error) {
  Driver &d = *driver;
  std::lock_guard<std::mutex> lock(*mutex);
  if (!d.check(d.cuCtxSetCurrent(context), "cuCtxSetCurrent", error))
    return false;
  CUdeviceptr from = 0, to = 0;
  bool ok = d.check(d.cuMemAlloc(&from, bytes), "cuMemAlloc", error) &&
            d.check(d.cuMemAlloc(&to, bytes), "cuMemAlloc", error) &&
            d.check(d.cuMemcpyDtoD(to, from, bytes), "cuMemcpyDtoD", error) &&
            d.check(d.cuCtxSynchronize(), "cuCtxSynchronize", error);
  if (ok) {
    auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeat && ok; ++r)
      ok = d.check(d.cuMemcpyDtoD(to, from, bytes), "cuMemcpyDtoD", error);
    ok = ok && d.check(d.cuCtxSynchronize(), "cuCtxSynchronize", error);
    seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count() /
        std::max(repeat, 1);
  }
  if (from)
    d.cuMemFree(from);
  if (to)
    d.cuMemFree(to);
  return ok;
}
