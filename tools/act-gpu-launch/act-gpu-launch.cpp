//===- act-gpu-launch.cpp - Run act's GPU kernels without act's compiler -===//
//
// act-gpu-launch K.ptx KERNEL --input x.npy [--input dy.npy] --output y.npy
//   [--bench N]
// act-gpu-launch K.ptx KERNEL --elements N [--inputs 1|2] --bench R
//   (inputs made here: no gigabyte .npy files to carry)
// act-gpu-launch --copy --elements N --bench R  (device-to-device copy of
//   the bytes a one-input f32 kernel moves: the bandwidth limit)
// Loads PTX or a cubin written by `act-run --target sm_XX --emit-ptx` (or
// act-opt --act-gpu-pipeline) and runs one elementwise f32 kernel on .npy
// data through the CUDA driver API opened at run time. Links neither LLVM
// nor MLIR nor CUDA: build it where act is built, copy it, the kernel and
// the data to a GPU machine. --bench N times N launches and prints JSON.
//
//===----------------------------------------------------------------------===//

#include "act/GPU/CudaRuntime.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "act-gpu-launch: error: %s\n", message.c_str());
  std::exit(1);
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    die("cannot read '" + path + "'");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A little-endian float32 C-order .npy file: its bytes after the header
/// and its header text (for the shape, written back unchanged).
struct Npy {
  std::string header;
  std::vector<float> data;
};

Npy readNpy(const std::string &path) {
  std::string bytes = readFile(path);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    die("'" + path + "' is not a .npy file");
  size_t headerLength = static_cast<unsigned char>(bytes[8]) |
                        static_cast<unsigned char>(bytes[9]) << 8;
  size_t start = 10 + headerLength;
  if (bytes[6] != 1 || start > bytes.size())
    die("'" + path + "' has an unsupported or truncated header");
  Npy npy;
  npy.header = bytes.substr(0, start);
  if (npy.header.find("'descr': '<f4'") == std::string::npos ||
      npy.header.find("'fortran_order': False") == std::string::npos)
    die("'" + path + "' is not little-endian float32 in C order");
  if ((bytes.size() - start) % 4 != 0)
    die("'" + path + "' is truncated");
  npy.data.resize((bytes.size() - start) / 4);
  std::memcpy(npy.data.data(), bytes.data() + start, bytes.size() - start);
  return npy;
}

void writeNpy(const std::string &path, const Npy &like,
              const std::vector<float> &data) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out.write(like.header.data(), like.header.size());
    out.write(reinterpret_cast<const char *>(data.data()), data.size() * 4);
    if (!out)
      die("cannot write '" + path + "'");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    die("cannot write '" + path + "'");
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> positional, inputs;
  std::string output;
  int bench = 0, generatedInputs = 1;
  int64_t elements = 0;
  bool copy = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--input")
      inputs.push_back(value());
    else if (a == "--output")
      output = value();
    else if (a == "--bench")
      bench = std::atoi(value().c_str());
    else if (a == "--elements")
      elements = std::atoll(value().c_str());
    else if (a == "--inputs")
      generatedInputs = std::atoi(value().c_str());
    else if (a == "--copy")
      copy = true;
    else if (!a.empty() && a[0] == '-')
      die("unknown option '" + a + "'");
    else
      positional.push_back(a);
  }
  if (copy) {
    if (elements <= 0 || bench <= 0)
      die("--copy needs --elements N and --bench R");
    std::string error;
    auto device = act::gpu::CudaDevice::open(error);
    if (!device)
      die(error);
    double seconds = 0;
    size_t bytes = static_cast<size_t>(elements) * 4;
    if (!device->timeCopy(bytes, bench, seconds, error))
      die(error);
    // A copy reads and writes `bytes`: count both, as for the kernels.
    std::printf("{\"kernel\": \"copy\", \"device\": \"%s\", "
                "\"elements\": %lld, \"seconds_median\": %.6e, "
                "\"gb_per_s\": %.2f}\n",
                device->getName().c_str(), static_cast<long long>(elements),
                seconds, 2.0 * bytes / seconds / 1e9);
    return 0;
  }
  if (positional.size() != 2 || (inputs.empty() && elements <= 0) ||
      (output.empty() && !bench))
    die("usage: act-gpu-launch K.ptx KERNEL --input x.npy [--input dy.npy] "
        "--output y.npy [--bench N] | K.ptx KERNEL --elements N [--inputs "
        "2] --bench R | --copy --elements N --bench R");
  std::vector<Npy> arrays;
  for (const std::string &path : inputs) {
    arrays.push_back(readNpy(path));
    if (arrays.back().data.size() != arrays.front().data.size())
      die("'" + path + "' and '" + inputs.front() + "' have different sizes");
  }
  if (inputs.empty())
    for (int i = 0; i < generatedInputs; ++i) {
      Npy generated;
      generated.data.resize(elements);
      for (int64_t j = 0; j < elements; ++j)
        generated.data[j] = -8.0f + 16.0f * float(j % 65536) / 65536.0f;
      arrays.push_back(std::move(generated));
    }
  std::string error;
  auto device = act::gpu::CudaDevice::open(error);
  if (!device)
    die(error);
  void *module = device->loadModule(readFile(positional[0]), error);
  if (!module)
    die(error);
  int64_t n = static_cast<int64_t>(arrays.front().data.size());
  std::vector<float> y(n);
  std::vector<const void *> in;
  for (const Npy &a : arrays)
    in.push_back(a.data.data());
  double seconds = 0;
  if (!device->runElementwise(module, positional[1], in, y.data(), n,
                              sizeof(float), error, bench, &seconds))
    die(error);
  if (bench)
    std::printf("{\"kernel\": \"%s\", \"device\": \"%s\", \"elements\": %lld, "
                "\"seconds_median\": %.6e, \"gb_per_s\": %.2f}\n",
                positional[1].c_str(), device->getName().c_str(),
                static_cast<long long>(n), seconds,
                n * 4.0 * (in.size() + 1) / seconds / 1e9);
  if (!output.empty())
    writeNpy(output, arrays.front(), y);
  return 0;
}
