//===- act-gpu-launch.cpp - Run act's GPU kernels without act's compiler -===//
//
// act-gpu-launch K.ptx KERNEL --input x.npy [--input dy.npy] --output y.npy
//   [--bench N]
// act-gpu-launch K.ptx KERNEL --elements N [--inputs 1|2] --bench R
//   [--blocks B]  (inputs made here: no gigabyte .npy files to carry; B
//   overrides the grid)
// act-gpu-launch --copy --elements N --bench R  (device-to-device copy of
//   the bytes a one-input f32 kernel moves: the bandwidth limit)
// act-gpu-launch K.ptx KERNEL --matmul M,N,K [--glu] [--bias] [--dy]
//   [--dtype bf16|f16] (--input a.npy --input b.npy [--input bias.npy]
//   [--input dy.npy] --output c.npy | --bench R)  (an act-gpu-matmul kernel:
//   f32 .npy data rounded to the kernel's type and back, or random data made
//   here for --bench)
// Loads PTX or a cubin written by `act-run --target sm_XX --emit-ptx` (or
// act-opt --act-gpu-pipeline) and runs one elementwise f32 kernel on .npy
// data through the CUDA driver API opened at run time. Links neither LLVM
// nor MLIR nor CUDA: build it where act is built, copy it, the kernel and
// the data to a GPU machine. --bench N times N launches and prints JSON.
//
//===----------------------------------------------------------------------===//

#include "act/GPU/CudaRuntime.h"
#include "act/GPU/KernelGeometry.h"

#include <cmath>
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

/// f32 to bf16 or f16 bits, rounding to nearest even (NaN stays NaN).
uint16_t toHalf(float f, bool bf16) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if (bf16) {
    if (std::isnan(f))
      return static_cast<uint16_t>((u >> 16) | 0x40);
    return static_cast<uint16_t>((u + 0x7fff + ((u >> 16) & 1)) >> 16);
  }
  // IEEE half: via the hardware-independent route of scaling.
  uint32_t sign = (u >> 16) & 0x8000;
  float a = std::fabs(f);
  if (std::isnan(f))
    return static_cast<uint16_t>(sign | 0x7e00);
  if (a >= 65520.0f)
    return static_cast<uint16_t>(sign | 0x7c00);
  if (a < 6.103515625e-05f) // Subnormal: multiples of 2^-24.
    return static_cast<uint16_t>(
        sign | static_cast<uint32_t>(std::nearbyint(a * 16777216.0f)));
  uint32_t bits;
  std::memcpy(&bits, &a, 4);
  uint32_t rounded = bits + 0xfff + ((bits >> 13) & 1);
  return static_cast<uint16_t>(sign |
                               (((rounded >> 13) - (112 << 10)) & 0x7fff));
}

float fromHalf(uint16_t h, bool bf16) {
  if (bf16) {
    uint32_t u = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  float sign = (h & 0x8000) ? -1.0f : 1.0f;
  int exponent = (h >> 10) & 0x1f;
  int mantissa = h & 0x3ff;
  if (exponent == 0)
    return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31)
    return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
}

/// The .npy header of a 2-D float32 C-order array.
std::string npyHeader(int64_t rows, int64_t columns) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(columns) +
                     "), }";
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string header = "\x93NUMPY";
  header += '\x01';
  header += '\x00';
  header += static_cast<char>(dict.size() & 0xff);
  header += static_cast<char>(dict.size() >> 8);
  return header + dict;
}

/// --matmul: an act-gpu-matmul kernel (A M x K, B K x N' with N' = N or 2N
/// for the GLU, an optional bias of N', an optional dy of M x N for the
/// grad epilogue, the result M x N).
int runMatmul(const std::string &ptxPath, const std::string &kernel,
              const std::string &sizes, bool glu, bool withBias, bool withDy,
              bool bf16, const std::vector<std::string> &inputs,
              const std::string &output, int bench) {
  long long m = 0, n = 0, k = 0;
  if (std::sscanf(sizes.c_str(), "%lld,%lld,%lld", &m, &n, &k) != 3)
    die("--matmul takes M,N,K");
  std::string ptx = readFile(ptxPath);
  const act::gpu::matmul::Geometry &geometry =
      act::gpu::matmul::geometryOf(ptx);
  std::string error;
  int64_t blocks = act::gpu::matmul::gridSize(geometry, m, n, k, glu, error);
  if (!blocks)
    die(error);
  int64_t columns = glu ? 2 * n : n;
  std::vector<int64_t> counts = {m * k, k * columns};
  if (withBias)
    counts.push_back(columns);
  if (withDy)
    counts.push_back(m * n);
  std::vector<std::vector<uint16_t>> halves(counts.size());
  if (!inputs.empty() && inputs.size() != counts.size())
    die("--matmul takes " + std::to_string(counts.size()) + " inputs here");
  uint64_t state = 12345;
  for (size_t i = 0; i < counts.size(); ++i) {
    std::vector<float> values;
    if (!inputs.empty()) {
      values = readNpy(inputs[i]).data;
      if (static_cast<int64_t>(values.size()) != counts[i])
        die("'" + inputs[i] + "' has " + std::to_string(values.size()) +
            " elements, not " + std::to_string(counts[i]));
    } else {
      // Uniform in [-1, 1), B scaled by 1/sqrt(K): outputs of order 1.
      values.resize(counts[i]);
      float scale = i == 1 ? 1.0f / std::sqrt(static_cast<float>(k)) : 1.0f;
      for (float &v : values) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        v = scale * (static_cast<float>(state >> 40) / 8388608.0f - 1.0f);
      }
    }
    halves[i].resize(values.size());
    for (size_t j = 0; j < values.size(); ++j)
      halves[i][j] = toHalf(values[j], bf16);
  }
  std::vector<uint16_t> result(static_cast<size_t>(m * n));
  std::vector<act::gpu::KernelArray> arrays = {
      {halves[0].data(), nullptr, {m, k}, 2},
      {halves[1].data(), nullptr, {k, columns}, 2}};
  if (withBias)
    arrays.push_back({halves[2].data(), nullptr, {columns}, 2});
  if (withDy)
    arrays.push_back({halves.back().data(), nullptr, {m, n}, 2});
  arrays.push_back({nullptr, result.data(), {m, n}, 2});
  if (geometry.tensorMaps) {
    uint32_t tileK = static_cast<uint32_t>(geometry.tileK);
    arrays.push_back({nullptr,
                      nullptr,
                      {16},
                      8,
                      0,
                      {tileK, static_cast<uint32_t>(geometry.tileM)}});
    arrays.push_back({nullptr, nullptr, {16}, 8, 1, {64, tileK}});
  }
  auto device = act::gpu::CudaDevice::open(error);
  if (!device)
    die(error);
  void *module = device->loadModule(ptx, error);
  if (!module)
    die(error);
  double seconds = 0;
  if (!device->runKernel(module, kernel, arrays, static_cast<unsigned>(blocks),
                         geometry.threads, geometry.sharedBytes, error, bench,
                         &seconds))
    die(error);
  if (bench)
    std::printf("{\"kernel\": \"%s\", \"device\": \"%s\", \"m\": %lld, "
                "\"n\": %lld, \"k\": %lld, \"glu\": %s, \"seconds\": %.6e, "
                "\"tflop_per_s\": %.1f}\n",
                kernel.c_str(), device->getName().c_str(), m, n, k,
                glu ? "true" : "false", seconds,
                2.0 * m * columns * k / seconds / 1e12);
  if (!output.empty()) {
    std::vector<float> values(result.size());
    for (size_t j = 0; j < result.size(); ++j)
      values[j] = fromHalf(result[j], bf16);
    Npy like;
    like.header = npyHeader(m, n);
    writeNpy(output, like, values);
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> positional, inputs;
  std::string output;
  int bench = 0, generatedInputs = 1;
  int64_t blocks = 0;
  int64_t elements = 0;
  bool copy = false, glu = false, withBias = false, withDy = false, bf16 = true;
  std::string matmul;
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
    else if (a == "--blocks")
      blocks = std::atoll(value().c_str());
    else if (a == "--matmul")
      matmul = value();
    else if (a == "--glu")
      glu = true;
    else if (a == "--bias")
      withBias = true;
    else if (a == "--dy")
      withDy = true;
    else if (a == "--dtype") {
      std::string type = value();
      if (type != "bf16" && type != "f16")
        die("--dtype takes bf16 or f16");
      bf16 = type == "bf16";
    } else if (!a.empty() && a[0] == '-')
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
  if (!matmul.empty()) {
    if (positional.size() != 2 || (output.empty() && !bench))
      die("usage: act-gpu-launch K.ptx KERNEL --matmul M,N,K [--glu] "
          "[--bias] [--dy] [--dtype bf16|f16] (--input a.npy --input b.npy "
          "[--input bias.npy] [--input dy.npy] --output c.npy | --bench R)");
    return runMatmul(positional[0], positional[1], matmul, glu, withBias,
                     withDy, bf16, inputs, output, bench);
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
                              sizeof(float), error, bench, &seconds, blocks))
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
