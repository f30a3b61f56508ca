//===- act-run.cpp - Run act kernels on .npy files ------------*- C++ -*-===//
//
// JIT-compiles an activation (or any function of an MLIR file) and runs it
// on NumPy files; --bench times it; --emit-object writes it ahead of time.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "act/GPU/CudaRuntime.h"
#include "act/JIT/Compiler.h"
#include "act/JIT/JIT.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace mlir;
using namespace mlir::act;
using namespace actrun;

namespace {

[[noreturn]] void die(const llvm::Twine &message) {
  llvm::errs() << "act-run: error: " << message << "\n";
  std::exit(1);
}

void dieOnError(llvm::Error error) {
  if (error)
    die(llvm::toString(std::move(error)));
}

template <typename T> T dieOnError(llvm::Expected<T> value) {
  if (!value)
    die(llvm::toString(value.takeError()));
  return std::move(*value);
}

struct Options {
  std::string mlirFile, entry;
  std::string activation, ffn;
  std::optional<GeluApproximation> approximation;
  std::optional<double> alpha, beta, negativeSlope, threshold;
  bool gradient = false;
  DType dtype = DType::f32;
  CompileOptions compile;
  std::vector<std::string> inputs;
  std::string output;
  unsigned threads = 1;
  bool bench = false;
  int repeat = 20;
  std::string emitObject, emitHeader, emitPtx, name;
  /// MLIR-file mode: the sizes of an output argument's dynamic dimensions.
  std::vector<int64_t> outputShape;
};

const char *kUsage =
    "usage: act-run --activation NAME [--approximation none|tanh|sigmoid]\n"
    "         [--alpha A] [--beta B] [--negative-slope S] [--threshold T]\n"
    "         [--grad] [--dtype f32|f16|bf16]\n"
    "         [--target native|x86-64-v3|x86-64-v4] [--accuracy "
    "precise|fast]\n"
    "         [--threads N] --input x.npy [--input dy.npy] --output y.npy\n"
    "         [--bench [--repeat N]]\n"
    "       act-run FILE.mlir --entry F --input a.npy ... --output y.npy\n"
    "         [--output-shape D0,D1,...]   (an output argument's size, where\n"
    "         its inputs' shapes differ)\n"
    "       act-run --ffn KIND --input x.npy --input W1.npy [--input b1.npy]\n"
    "         --input W2.npy [--input b2.npy] --output y.npy   (KIND: an\n"
    "         activation); or --ffn swiglu|geglu|reglu|glu --input x.npy\n"
    "         --input Wg.npy --input Wu.npy --input Wd.npy --output y.npy\n"
    "       act-run --activation NAME --target sm_80|sm_90 ... (CUDA GPU;\n"
    "         --emit-ptx K.ptx writes the kernel instead of running it)\n"
    "       act-run --activation NAME ... --emit-object K.o [--emit-header "
    "K.h]\n"
    "         [--name SYMBOL]\n";

double parseDouble(StringRef flag, StringRef text) {
  double value;
  if (text.getAsDouble(value))
    die("invalid value '" + text + "' for " + flag);
  return value;
}

int64_t parsePositive(StringRef flag, StringRef text) {
  int64_t value;
  if (text.getAsInteger(10, value) || value < 1)
    die("invalid value '" + text + "' for " + flag +
        " (expected a positive integer)");
  return value;
}

Options parseOptions(int argc, char **argv) {
  Options o;
  auto value = [&](int &i) -> StringRef {
    if (i + 1 >= argc)
      die(llvm::Twine("missing value for ") + argv[i]);
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    // --flag=value is accepted too.
    std::pair<StringRef, StringRef> split = arg.split('=');
    StringRef flag = split.first, inlineValue = split.second;
    auto get = [&]() -> StringRef {
      if (arg.contains('='))
        return inlineValue;
      return value(i);
    };
    if (arg == "-h" || arg == "--help") {
      llvm::outs() << kUsage;
      std::exit(0);
    } else if (flag == "--activation") {
      o.activation = get().str();
    } else if (flag == "--approximation") {
      StringRef v = get();
      o.approximation = symbolizeGeluApproximation(v);
      if (!o.approximation)
        die("unknown approximation '" + v +
            "' (expected none, tanh or "
            "sigmoid)");
    } else if (flag == "--alpha") {
      o.alpha = parseDouble(flag, get());
    } else if (flag == "--beta") {
      o.beta = parseDouble(flag, get());
    } else if (flag == "--negative-slope") {
      o.negativeSlope = parseDouble(flag, get());
    } else if (flag == "--threshold") {
      o.threshold = parseDouble(flag, get());
    } else if (arg == "--grad") {
      o.gradient = true;
    } else if (flag == "--dtype") {
      StringRef v = get();
      std::optional<DType> dtype = parseDType(v);
      if (!dtype)
        die("unknown dtype '" + v + "' (expected f32, f16 or bf16)");
      o.dtype = *dtype;
    } else if (flag == "--target") {
      o.compile.target = get().str();
    } else if (flag == "--accuracy") {
      StringRef v = get();
      if (v == "precise")
        o.compile.accuracy = Accuracy::precise;
      else if (v == "fast")
        o.compile.accuracy = Accuracy::fast;
      else
        die("unknown accuracy '" + v + "' (expected precise or fast)");
    } else if (flag == "--input") {
      o.inputs.push_back(get().str());
    } else if (flag == "--output") {
      o.output = get().str();
    } else if (flag == "--threads") {
      o.threads = static_cast<unsigned>(parsePositive(flag, get()));
    } else if (arg == "--bench") {
      o.bench = true;
    } else if (flag == "--repeat") {
      o.repeat = static_cast<int>(parsePositive(flag, get()));
    } else if (flag == "--entry") {
      o.entry = get().str();
    } else if (flag == "--output-shape") {
      SmallVector<StringRef> parts;
      get().split(parts, ',');
      for (StringRef part : parts)
        o.outputShape.push_back(parsePositive(flag, part));
    } else if (flag == "--emit-ptx") {
      o.emitPtx = get().str();
    } else if (flag == "--emit-object") {
      o.emitObject = get().str();
    } else if (flag == "--emit-header") {
      o.emitHeader = get().str();
    } else if (flag == "--name") {
      o.name = get().str();
    } else if (flag == "--ffn") {
      o.ffn = get().str();
    } else if (arg.starts_with("-")) {
      die("unknown option '" + arg + "' (see act-run --help)");
    } else if (o.mlirFile.empty()) {
      o.mlirFile = arg.str();
    } else {
      die("unexpected argument '" + arg + "'");
    }
  }
  return o;
}

//===----------------------------------------------------------------------===//
// Element conversions
//===----------------------------------------------------------------------===//

uint16_t toBF16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isnan(f))
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

float fromBF16(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t toF16(float f) {
  _Float16 h = static_cast<_Float16>(f);
  uint16_t bits;
  std::memcpy(&bits, &h, 2);
  return bits;
}

float fromF16(uint16_t bits) {
  _Float16 h;
  std::memcpy(&h, &bits, 2);
  return static_cast<float>(h);
}

/// The .npy descr of raw `dtype` data.
StringRef getDescr(DType dtype) {
  switch (dtype) {
  case DType::f32:
    return "<f4";
  case DType::f16:
    return "<f2";
  case DType::bf16:
    return "<u2";
  }
  llvm_unreachable("unknown dtype");
}

/// Converts an array read from `path` into raw `dtype` elements.
std::vector<char> toKernelData(const NpyArray &array, StringRef path,
                               DType dtype) {
  if (array.descr == getDescr(dtype))
    return array.data;
  if (array.descr != "<f4")
    die("'" + path + "' holds '" + array.descr + "' but --dtype " +
        getDTypeName(dtype) + " takes '<f4' or '" + getDescr(dtype) + "'");
  int64_t n = array.getNumElements();
  const float *in = reinterpret_cast<const float *>(array.data.data());
  std::vector<char> out(n * 2);
  uint16_t *o = reinterpret_cast<uint16_t *>(out.data());
  for (int64_t i = 0; i < n; ++i)
    o[i] = dtype == DType::f16 ? toF16(in[i]) : toBF16(in[i]);
  return out;
}

/// Converts raw `dtype` elements back to what the input file held.
std::vector<char> fromKernelData(const std::vector<char> &data, DType dtype,
                                 StringRef descr) {
  if (descr == getDescr(dtype))
    return data;
  int64_t n = data.size() / 2;
  const uint16_t *in = reinterpret_cast<const uint16_t *>(data.data());
  std::vector<char> out(n * 4);
  float *o = reinterpret_cast<float *>(out.data());
  for (int64_t i = 0; i < n; ++i)
    o[i] = dtype == DType::f16 ? fromF16(in[i]) : fromBF16(in[i]);
  return out;
}

//===----------------------------------------------------------------------===//
// Activation mode
//===----------------------------------------------------------------------===//

ElementwiseSpec getSpec(const Options &o) {
  ElementwiseSpec spec;
  std::optional<ActivationKind> kind = symbolizeActivationKind(o.activation);
  if (o.activation == "swish")
    kind = ActivationKind::silu;
  if (!kind)
    die("unknown activation '" + o.activation + "'");
  spec.kind = *kind;
  spec.gradient = o.gradient;
  spec.dtype = o.dtype;
  auto setParam = [&](std::optional<double> value, StringRef flag,
                      StringRef name) {
    if (!value)
      return;
    for (const ActivationParamSpec &p : getActivationParamSpecs(*kind))
      if (p.name == name) {
        spec.params.*p.field = *value;
        return;
      }
    die(flag + " does not apply to " + o.activation);
  };
  setParam(o.alpha, "--alpha", "alpha");
  setParam(o.beta, "--beta", "beta");
  setParam(o.negativeSlope, "--negative-slope", "negative_slope");
  setParam(o.threshold, "--threshold", "threshold");
  if (o.approximation) {
    if (!hasApproximation(*kind))
      die("--approximation does not apply to " + o.activation);
    spec.params.approximation = *o.approximation;
  }
  if (std::optional<std::string> message =
          checkActivationParams(*kind, spec.params))
    die(*message);
  return spec;
}

std::string getKernelName(const ElementwiseSpec &spec) {
  std::string name = ("act_" + stringifyActivationKind(spec.kind)).str();
  if (spec.params.approximation != GeluApproximation::none)
    name += ("_" + stringifyGeluApproximation(spec.params.approximation)).str();
  if (spec.gradient)
    name += "_grad";
  return name;
}

/// Seconds per call of `call`: `repeat` samples after a warm-up, each at
/// least `minSeconds` of back-to-back calls, so that short kernels are timed
/// reliably.
std::vector<double> timeSamples(llvm::function_ref<void()> call, int repeat,
                                double minSeconds) {
  using Clock = std::chrono::steady_clock;
  auto time = [&](int calls) {
    auto start = Clock::now();
    for (int c = 0; c < calls; ++c)
      call();
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  time(2);
  double once = std::max(time(1), 1e-9);
  int calls = static_cast<int>(std::clamp(minSeconds / once, 1.0, 1e6));
  std::vector<double> seconds;
  for (int i = 0; i < repeat; ++i)
    seconds.push_back(time(calls) / calls);
  return seconds;
}

void printBench(StringRef kernel, int64_t n, unsigned threads, DType dtype,
                Accuracy accuracy, size_t bytesPerElement,
                std::vector<double> &seconds) {
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  llvm::outs() << llvm::formatv(
      "{{\"kernel\": \"{0}\", \"elements\": {1}, \"threads\": {2}, "
      "\"dtype\": \"{3}\", \"accuracy\": \"{4}\", \"seconds_median\": {5:e}, "
      "\"gelem_per_s\": {6:f4}, \"gb_per_s\": {7:f3}}\n",
      kernel, n, threads, getDTypeName(dtype),
      accuracy == Accuracy::precise ? "precise" : "fast", median,
      n / median / 1e9, n * bytesPerElement / median / 1e9);
}

void emitAot(const Options &o, const ElementwiseSpec &spec) {
  std::string name = o.name.empty() ? getKernelName(spec) : o.name;
  dieOnError(emitObjectFile(getElementwiseModuleSource(spec, name), o.compile,
                            o.emitObject));
  if (o.emitHeader.empty())
    return;
  StringRef ctype = spec.dtype == DType::f32 ? "float" : "uint16_t";
  std::string h;
  llvm::raw_string_ostream os(h);
  os << "/* Generated by act-run: " << name << " (" << getDTypeName(spec.dtype)
     << ", target " << o.compile.target << "). */\n#ifndef "
     << llvm::StringRef(name).upper() << "_H\n#define "
     << llvm::StringRef(name).upper() << "_H\n\n#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "#ifndef ACT_MEMREF1D_DEFINED\n#define ACT_MEMREF1D_DEFINED\n"
     << "typedef struct {\n  void *allocated;\n  void *aligned;\n"
     << "  int64_t offset;\n  int64_t size;\n  int64_t stride;\n"
     << "} act_memref1d;\n#endif\n\n";
  os << "void _mlir_ciface_" << name << "(act_memref1d *x, "
     << (spec.gradient ? "act_memref1d *dy, " : "") << "act_memref1d *y);\n\n";
  os << "/* y[i] = " << (spec.gradient ? "dy[i] * f'(x[i])" : "f(x[i])")
     << " for i < n. */\nstatic inline void " << name << "(const " << ctype
     << " *x, " << (spec.gradient ? ("const " + ctype + " *dy, ").str() : "")
     << ctype << " *y, int64_t n) {\n"
     << "  act_memref1d xd = {(void *)x, (void *)x, 0, n, 1};\n"
     << (spec.gradient
             ? "  act_memref1d dyd = {(void *)dy, (void *)dy, 0, n, 1};\n"
             : "")
     << "  act_memref1d yd = {y, y, 0, n, 1};\n"
     << "  _mlir_ciface_" << name << "(&xd, " << (spec.gradient ? "&dyd, " : "")
     << "&yd);\n}\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  std::error_code ec;
  llvm::raw_fd_ostream out(o.emitHeader, ec);
  if (ec)
    die("cannot write '" + o.emitHeader + "': " + ec.message());
  out << h;
}

/// The inputs of an activation kernel (x, and dy with --grad), checked and
/// converted to the kernel's dtype; the output name is checked too.
struct ActivationInputs {
  NpyArray x;
  std::vector<char> xData, dyData;
};

ActivationInputs readActivationInputs(const Options &o,
                                      const ElementwiseSpec &spec) {
  size_t expectedInputs = spec.gradient ? 2 : 1;
  if (o.inputs.size() != expectedInputs)
    die(llvm::Twine(spec.gradient ? "--grad takes two inputs (x and dy)"
                                  : "an activation takes one input") +
        ", got " + llvm::Twine(o.inputs.size()));
  if (o.output.empty() && !o.bench)
    die("missing --output");
  ActivationInputs in;
  in.x = dieOnError(readNpy(o.inputs[0]));
  in.xData = toKernelData(in.x, o.inputs[0], o.dtype);
  if (spec.gradient) {
    NpyArray dy = dieOnError(readNpy(o.inputs[1]));
    if (dy.shape != in.x.shape)
      die("'" + o.inputs[1] + "' and '" + o.inputs[0] +
          "' have different shapes");
    in.dyData = toKernelData(dy, o.inputs[1], o.dtype);
  }
  return in;
}

/// Writes y (in the kernel's dtype) as x's .npy type, or as the dtype's.
void writeActivationOutput(const Options &o, const NpyArray &x,
                           const std::vector<char> &y) {
  std::vector<char> out = fromKernelData(y, o.dtype, x.descr);
  StringRef descr = x.descr == "<f4" ? "<f4" : getDescr(o.dtype);
  dieOnError(writeNpy(o.output, descr, x.shape, out.data(), out.size()));
}

bool isGpuTarget(StringRef target) {
  return target == "sm_80" || target == "sm_90";
}

/// --target sm_80|sm_90: the kernel through act-gpu-pipeline, launched with
/// the CUDA driver API (or written out with --emit-ptx).
int runActivationOnGpu(const Options &o, const ElementwiseSpec &spec) {
  std::string name = getKernelName(spec);
  std::string ptx =
      dieOnError(compileGpuKernels(getElementwiseModuleSource(spec, name),
                                   o.compile.target, o.compile.accuracy));
  if (!o.emitPtx.empty()) {
    // writeToOutput goes through a temporary file: never half a file.
    dieOnError(llvm::writeToOutput(o.emitPtx, [&](llvm::raw_ostream &os) {
      os << ptx;
      return llvm::Error::success();
    }));
    return 0;
  }
  ActivationInputs in = readActivationInputs(o, spec);
  const NpyArray &x = in.x;
  std::vector<std::vector<char>> data = {in.xData};
  if (spec.gradient)
    data.push_back(in.dyData);
  std::string error;
  std::unique_ptr<::act::gpu::CudaDevice> device =
      ::act::gpu::CudaDevice::open(error);
  if (!device)
    die(error);
  void *module = device->loadModule(ptx, error);
  if (!module)
    die(error);
  int64_t n = x.getNumElements();
  std::vector<char> y(data[0].size());
  std::vector<const void *> inputs;
  for (const std::vector<char> &d : data)
    inputs.push_back(d.data());
  double seconds = 0;
  if (!device->runElementwise(module, name, inputs, y.data(), n,
                              getDTypeSize(o.dtype), error,
                              o.bench ? o.repeat : 0, &seconds))
    die(error);
  if (o.bench) {
    std::vector<double> samples = {seconds};
    printBench(name, n, 0, o.dtype, o.compile.accuracy,
               getDTypeSize(o.dtype) * (data.size() + 1), samples);
  }
  if (!o.output.empty())
    writeActivationOutput(o, x, y);
  return 0;
}

int runActivation(const Options &o) {
  ElementwiseSpec spec = getSpec(o);
  if (isGpuTarget(o.compile.target))
    return runActivationOnGpu(o, spec);
  if (!o.emitPtx.empty())
    die("--emit-ptx needs --target sm_80 or sm_90");
  if (!o.emitObject.empty()) {
    emitAot(o, spec);
    return 0;
  }
  ActivationInputs in = readActivationInputs(o, spec);
  const NpyArray &x = in.x;
  std::vector<char> &xData = in.xData, &dyData = in.dyData;
  size_t expectedInputs = spec.gradient ? 2 : 1;
  ElementwiseKernel kernel =
      dieOnError(ElementwiseKernel::compile(spec, o.compile));
  int64_t n = x.getNumElements();
  std::vector<char> yData(xData.size());
  kernel.run(xData.data(), dyData.data(), yData.data(), n, o.threads);
  if (o.bench) {
    std::vector<double> seconds = timeSamples(
        [&] {
          kernel.run(xData.data(), dyData.data(), yData.data(), n, o.threads);
        },
        o.repeat, 1e-3);
    printBench(getKernelName(spec), n, o.threads, o.dtype, o.compile.accuracy,
               getDTypeSize(o.dtype) * (expectedInputs + 1), seconds);
  }
  if (!o.output.empty())
    writeActivationOutput(o, x, yData);
  return 0;
}

//===----------------------------------------------------------------------===//
// FFN mode
//===----------------------------------------------------------------------===//

/// The gate activation of a gated FFN kind, or none for a plain FFN.
std::optional<StringRef> getGatedActivation(StringRef kind) {
  return llvm::StringSwitch<std::optional<StringRef>>(kind)
      .Case("swiglu", StringRef("silu"))
      .Case("geglu", StringRef("gelu"))
      .Case("reglu", StringRef("relu"))
      .Case("glu", StringRef("sigmoid"))
      .Default(std::nullopt);
}

/// act-run --ffn KIND: y = act(x W1 + b1) W2 + b2 or the gated form, through
/// act's JIT (the same kernels as Jit::getFfn).
int runFfn(Options o) {
  std::optional<StringRef> gate = getGatedActivation(o.ffn);
  o.activation = gate ? gate->str() : o.ffn;
  if (o.gradient)
    die("--grad does not apply to --ffn");
  ElementwiseSpec activation = getSpec(o);
  FfnSpec spec;
  spec.kind = activation.kind;
  spec.params = activation.params;
  spec.dtype = o.dtype;
  spec.gated = gate.has_value();
  size_t count = o.inputs.size();
  if (spec.gated ? count != 4 : count != 3 && count != 5)
    die("--ffn " + o.ffn + " takes " +
        (spec.gated ? "4 inputs (x, Wg, Wu, Wd)"
                    : "3 inputs (x, W1, W2) or 5 (x, W1, b1, W2, b2)") +
        ", got " + llvm::Twine(count));
  if (o.output.empty() && !o.bench)
    die("missing --output");
  spec.bias = !spec.gated && count == 5;
  std::vector<NpyArray> arrays;
  for (const std::string &path : o.inputs)
    arrays.push_back(dieOnError(readNpy(path)));
  const NpyArray &x = arrays[0];
  if (x.shape.size() != 2 || arrays[1].shape.size() != 2)
    die("x ('" + o.inputs[0] + "') and the first weight ('" + o.inputs[1] +
        "') must be 2-D");
  spec.model = x.shape[1];
  spec.hidden = arrays[1].shape[1];
  // Checked here, by input, before the weights are packed.
  std::vector<llvm::SmallVector<int64_t, 2>> expected = getFfnSignature(spec);
  for (size_t i = 1; i < arrays.size(); ++i)
    if (ArrayRef<int64_t>(arrays[i].shape) != ArrayRef<int64_t>(expected[i])) {
      auto text = [](ArrayRef<int64_t> shape) {
        std::string s;
        llvm::raw_string_ostream os(s);
        os << "[";
        llvm::interleaveComma(shape, os);
        os << "]";
        return s;
      };
      die("input " + llvm::Twine(i) + " ('" + o.inputs[i] + "') has shape " +
          text(arrays[i].shape) + ", expected " + text(expected[i]));
    }
  // The weights are packed once, outside the timing, as a host that runs
  // the FFN many times would (Jit::getFfnWeightPacker).
  spec.packedWeights = true;
  auto jit = dieOnError(Jit::create({o.compile.target, ""}));
  std::shared_ptr<const ArrayKernel> kernel =
      dieOnError(jit->getFfn(spec, o.compile.accuracy));
  std::shared_ptr<const ArrayKernel> packer =
      dieOnError(jit->getFfnWeightPacker(spec));
  if (auto *setThreads = reinterpret_cast<void (*)(int)>(
          llvm::sys::DynamicLibrary::SearchForAddressOfSymbol(
              "omp_set_num_threads")))
    setThreads(static_cast<int>(o.threads));

  std::vector<std::vector<char>> data;
  std::vector<ArrayArg> args, weights;
  for (auto [i, array] : llvm::enumerate(arrays)) {
    data.push_back(toKernelData(array, o.inputs[i], o.dtype));
    ArrayArg arg = {
        data.back().data(),
        llvm::SmallVector<int64_t, 2>(array.shape.begin(), array.shape.end())};
    // The weights are the 2-D inputs after x (biases are 1-D).
    if (i > 0 && expected[i].size() == 2)
      weights.push_back(arg);
    else
      args.push_back(arg);
  }
  // The packer's outputs, then the kernel's arguments with the packed
  // weights in the raw ones' places (x, W1, [b1], W2, [b2] or x, [Wg | Wu],
  // Wd).
  std::vector<ArrayArg> packerArgs = weights;
  std::vector<std::vector<char>> packed;
  for (size_t i = weights.size(); i < packer->getSignature().size(); ++i) {
    ArrayRef<int64_t> shape = packer->getSignature()[i];
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    packed.emplace_back(count * getDTypeSize(o.dtype));
    packerArgs.push_back({packed.back().data(), {shape.begin(), shape.end()}});
  }
  if (llvm::Error err = packer->run(packerArgs))
    die(llvm::toString(std::move(err)));
  ArrayRef<ArrayArg> packedWeights =
      ArrayRef(packerArgs).drop_front(weights.size());
  std::vector<ArrayArg> kernelArgs = {args[0], packedWeights[0]};
  if (spec.bias)
    kernelArgs.push_back(args[1]);
  kernelArgs.push_back(packedWeights[1]);
  if (spec.bias)
    kernelArgs.push_back(args[2]);
  int64_t rows = x.shape[0];
  std::vector<char> y(rows * spec.model * getDTypeSize(o.dtype));
  kernelArgs.push_back({y.data(), {rows, spec.model}});
  if (llvm::Error err = kernel->run(kernelArgs))
    die(llvm::toString(std::move(err)));
  if (o.bench) {
    // Shapes were checked by the first run.
    std::vector<double> seconds = timeSamples(
        [&] { llvm::consumeError(kernel->run(kernelArgs)); }, o.repeat, 1e-2);
    std::sort(seconds.begin(), seconds.end());
    double median = seconds[seconds.size() / 2];
    double flops = 2.0 * rows * spec.model * spec.hidden * (spec.gated ? 3 : 2);
    llvm::outs() << llvm::formatv(
        "{{\"kernel\": \"ffn_{0}\", \"rows\": {1}, \"model\": {2}, "
        "\"hidden\": {3}, \"threads\": {4}, \"dtype\": \"{5}\", "
        "\"seconds_median\": {6:e}, \"gflop_per_s\": {7:f2}}\n",
        o.ffn, rows, spec.model, spec.hidden, o.threads, getDTypeName(o.dtype),
        median, flops / median / 1e9);
  }
  if (!o.output.empty()) {
    std::vector<char> out = fromKernelData(y, o.dtype, x.descr);
    StringRef descr = x.descr == "<f4" ? "<f4" : getDescr(o.dtype);
    dieOnError(
        writeNpy(o.output, descr, {rows, spec.model}, out.data(), out.size()));
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// MLIR-file mode
//===----------------------------------------------------------------------===//

/// A ranked memref descriptor: allocated, aligned, offset, sizes, strides.
struct Descriptor {
  std::vector<int64_t> words;
  explicit Descriptor(int64_t rank) : words(3 + 2 * rank) {}
  int64_t rank() const { return (words.size() - 3) / 2; }
  void *allocated() const { return reinterpret_cast<void *>(words[0]); }
  char *aligned() const { return reinterpret_cast<char *>(words[1]); }
  int64_t size(int64_t i) const { return words[3 + i]; }
  int64_t stride(int64_t i) const { return words[3 + rank() + i]; }
};

Descriptor describe(void *data, ArrayRef<int64_t> shape) {
  Descriptor d(shape.size());
  d.words[0] = d.words[1] = reinterpret_cast<int64_t>(data);
  int64_t stride = 1;
  for (int64_t i = shape.size() - 1; i >= 0; --i) {
    d.words[3 + i] = shape[i];
    d.words[3 + shape.size() + i] = stride;
    stride *= shape[i];
  }
  return d;
}

std::optional<DType> getDType(Type element) {
  if (element.isF32())
    return DType::f32;
  if (element.isF16())
    return DType::f16;
  if (element.isBF16())
    return DType::bf16;
  return std::nullopt;
}

std::string str(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

/// Checks an argument type against the shape of its .npy file.
DType checkArgument(Type type, ArrayRef<int64_t> shape,
                    const llvm::Twine &what) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !isa<RankedTensorType, MemRefType>(type))
    die(what + " has type " + str(type) +
        "; act-run passes ranked tensors and memrefs");
  std::optional<DType> dtype = getDType(shaped.getElementType());
  if (!dtype)
    die(what + " has element type " + str(shaped.getElementType()) +
        "; act-run supports f32, f16 and bf16");
  if (shaped.getRank() != static_cast<int64_t>(shape.size()))
    die(what + " has rank " + llvm::Twine(shaped.getRank()) +
        " but its data has rank " + llvm::Twine(shape.size()));
  for (auto [i, d] : llvm::enumerate(shaped.getShape()))
    if (!ShapedType::isDynamic(d) && d != shape[i])
      die(what + " has dimension " + llvm::Twine(i) + " of size " +
          llvm::Twine(d) + " but its data has " + llvm::Twine(shape[i]));
  return *dtype;
}

int runModule(const Options &o) {
  if (o.entry.empty())
    die("missing --entry");
  if (o.output.empty())
    die("missing --output");
  auto buffer = llvm::MemoryBuffer::getFile(o.mlirFile);
  if (!buffer)
    die("cannot read '" + o.mlirFile + "': " + buffer.getError().message());
  CompileOptions compile = o.compile;
  compile.sourceName = o.mlirFile;
  std::unique_ptr<CompiledModule> module =
      dieOnError(CompiledModule::compile((*buffer)->getBuffer(), compile));
  auto func = module->getSourceModule().lookupSymbol<func::FuncOp>(o.entry);
  if (!func || func.isExternal())
    die("no function '" + o.entry + "' in '" + o.mlirFile + "'");
  FunctionType type = func.getFunctionType();
  bool outputArgument = type.getNumResults() == 0;
  if (!outputArgument && type.getNumResults() != 1)
    die("'" + o.entry +
        "' must return one tensor or memref, or take its "
        "output as a last memref argument");
  size_t expected = type.getNumInputs() - (outputArgument ? 1 : 0);
  if (o.inputs.size() != expected)
    die("'" + o.entry + "' takes " + llvm::Twine(expected) + " input(s), got " +
        llvm::Twine(o.inputs.size()));

  std::vector<std::vector<char>> data;
  std::vector<Descriptor> descriptors;
  std::string firstDescr = "<f4";
  std::vector<int64_t> firstShape;
  bool sameInputShapes = true;
  for (auto [i, path] : llvm::enumerate(o.inputs)) {
    NpyArray array = dieOnError(readNpy(path));
    DType dtype =
        checkArgument(type.getInput(i), array.shape,
                      "argument " + llvm::Twine(i) + " ('" + path + "')");
    if (i == 0) {
      firstDescr = array.descr;
      firstShape = array.shape;
    }
    sameInputShapes &= array.shape == firstShape;
    data.push_back(toKernelData(array, path, dtype));
    descriptors.push_back(describe(data.back().data(), array.shape));
  }
  Type resultType =
      outputArgument ? type.getInputs().back() : type.getResult(0);
  auto resultShaped = dyn_cast<ShapedType>(resultType);
  if (!resultShaped || !resultShaped.hasRank())
    die("the result of '" + o.entry + "' is not a ranked tensor or memref");
  std::optional<DType> resultDType = getDType(resultShaped.getElementType());
  if (!resultDType)
    die("the result of '" + o.entry + "' has an unsupported element type");
  std::vector<int64_t> outShape(resultShaped.getShape());
  if (!o.outputShape.empty() && !outputArgument)
    die("--output-shape applies to a function that takes its output as an "
        "argument");
  if (outputArgument && !o.outputShape.empty()) {
    if (o.outputShape.size() != outShape.size())
      die("--output-shape has " + llvm::Twine(o.outputShape.size()) +
          " sizes but the output has rank " + llvm::Twine(outShape.size()));
    for (auto [i, d] : llvm::enumerate(outShape)) {
      if (!ShapedType::isDynamic(d) && d != o.outputShape[i])
        die("--output-shape gives dimension " + llvm::Twine(i) + " size " +
            llvm::Twine(o.outputShape[i]) + " but the output has " +
            llvm::Twine(d));
      d = o.outputShape[i];
    }
  } else if (outputArgument) {
    // Elementwise functions: the output has the inputs' (common) shape.
    for (auto [i, d] : llvm::enumerate(outShape))
      if (ShapedType::isDynamic(d)) {
        if (firstShape.size() != outShape.size() || !sameInputShapes)
          die("cannot infer the size of the output argument's dynamic "
              "dimension " +
              llvm::Twine(i) + " (give --output-shape)");
        d = firstShape[i];
      }
  }
  if (outputArgument) {
    int64_t n = 1;
    for (int64_t d : outShape)
      n *= d;
    data.push_back(std::vector<char>(n * getDTypeSize(*resultDType)));
    descriptors.push_back(describe(data.back().data(), outShape));
  }

  std::vector<void *> pointers;
  Descriptor result(outShape.size());
  void *resultPointer = result.words.data();
  if (!outputArgument)
    pointers.push_back(&resultPointer);
  std::vector<void *> descriptorPointers;
  for (Descriptor &d : descriptors)
    descriptorPointers.push_back(d.words.data());
  for (void *&p : descriptorPointers)
    pointers.push_back(&p);
  dieOnError(module->invoke(o.entry, pointers));

  const Descriptor &out = outputArgument ? descriptors.back() : result;
  size_t size = getDTypeSize(*resultDType);
  int64_t n = 1;
  for (int64_t i = 0; i < out.rank(); ++i) {
    outShape[i] = out.size(i);
    n *= out.size(i);
  }
  // Gather in C order whatever the strides.
  std::vector<char> packed(n * size);
  const char *base = out.aligned() + out.words[2] * size;
  std::vector<int64_t> index(out.rank(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t offset = 0;
    for (int64_t i = 0; i < out.rank(); ++i)
      offset += index[i] * out.stride(i);
    std::memcpy(packed.data() + k * size, base + offset * size, size);
    for (int64_t i = out.rank() - 1; i >= 0; --i) {
      if (++index[i] < out.size(i))
        break;
      index[i] = 0;
    }
  }
  if (!outputArgument) {
    bool aliasesInput = llvm::any_of(data, [&](const std::vector<char> &d) {
      return d.data() == result.allocated();
    });
    if (!aliasesInput)
      std::free(result.allocated());
  }
  std::vector<char> written = fromKernelData(packed, *resultDType, firstDescr);
  StringRef descr = firstDescr == "<f4" ? "<f4" : getDescr(*resultDType);
  dieOnError(
      writeNpy(o.output, descr, outShape, written.data(), written.size()));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options = parseOptions(argc, argv);
  if (!options.mlirFile.empty()) {
    if (!options.activation.empty())
      die("give either an MLIR file or --activation, not both");
    return runModule(options);
  }
  if (!options.ffn.empty()) {
    if (!options.activation.empty())
      die("give either --ffn or --activation, not both");
    return runFfn(options);
  }
  if (options.activation.empty())
    die("missing --activation, --ffn or an MLIR file (see act-run --help)");
  return runActivation(options);
}
