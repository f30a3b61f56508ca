//===- JIT.cpp - act's JIT for C++ hosts ------------------------*- C++ -*-===//
//
// The kernel cache (memory and disk), the GLU/FFN kernel sources and the
// shape-checked calls of array kernels.
//
//===----------------------------------------------------------------------===//

#include "act/JIT/JIT.h"

#include "act/Dialect/Act/IR/ActOps.h"
#include "act/GPU/CudaRuntime.h"
#include "act/Pipelines/Pipelines.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <unordered_map>

using namespace mlir;
using namespace mlir::act;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Kernel sources
//===----------------------------------------------------------------------===//

namespace {
/// `#act.activation<...>` syntax inside a GLU or FFN op: `<kind, p = v>`.
std::string printActivation(ActivationKind kind,
                            const ActivationParams &params) {
  std::string s = ("<" + stringifyActivationKind(kind)).str();
  if (kind == ActivationKind::gelu &&
      params.approximation != GeluApproximation::none)
    s += (", approximation = " +
          stringifyGeluApproximation(params.approximation))
             .str();
  for (const ActivationParamSpec &p : getActivationParamSpecs(kind)) {
    char value[64];
    snprintf(value, sizeof(value), "%.17e", params.*p.field);
    s += (", " + p.name + " = " + value).str();
  }
  return s + ">";
}

using Shape = llvm::SmallVector<int64_t, 2>;

/// One array of a GLU/FFN kernel: its SSA name and shape, -1 for the free
/// row count.
struct NamedArray {
  const char *name;
  Shape shape;
};

/// The arrays of a kernel: the inputs in the formula's order, then y. Both
/// the kernel's MLIR and ArrayKernel's shape checks come from this list.
std::vector<NamedArray> getArrays(const GluSpec &spec) {
  Shape half = {-1, spec.cols};
  if (spec.split)
    return {{"x", {-1, 2 * spec.cols}}, {"y", half}};
  return {{"a", half}, {"b", half}, {"y", half}};
}

std::vector<NamedArray> getArrays(const FfnSpec &spec) {
  int64_t d = spec.model, h = spec.hidden;
  Shape x = {-1, d}, up = {d, h}, down = {h, d};
  if (spec.gated)
    return {{"x", x}, {"wg", up}, {"wu", up}, {"wd", down}, {"y", x}};
  if (spec.bias)
    return {{"x", x},     {"w1", up},  {"b1", {h}},
            {"w2", down}, {"b2", {d}}, {"y", x}};
  return {{"x", x}, {"w1", up}, {"w2", down}, {"y", x}};
}

std::vector<Shape> getShapes(ArrayRef<NamedArray> arrays) {
  std::vector<Shape> shapes;
  for (const NamedArray &array : arrays)
    shapes.push_back(array.shape);
  return shapes;
}

/// A function over memrefs that wraps tensor ops: its inputs become tensors
/// %<name>, its outputs are memrefs %<name>_m that tensors are stored into.
struct KernelSource {
  std::string element;
  std::string text;
  llvm::raw_string_ostream os{text};

  explicit KernelSource(DType dtype) : element(getDTypeName(dtype).str()) {}

  std::string type(StringRef kind, ArrayRef<int64_t> shape) const {
    std::string s = kind.str() + "<";
    for (int64_t d : shape)
      s += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
    return s + element + ">";
  }

  /// func.func @name(inputs..., outputs...) { to_tensor of each input.
  void begin(StringRef name, ArrayRef<NamedArray> inputs,
             ArrayRef<NamedArray> outputs) {
    os << "func.func @" << name << "(";
    llvm::interleaveComma(llvm::concat<const NamedArray>(inputs, outputs), os,
                          [&](const NamedArray &a) {
                            os << "%" << a.name
                               << "_m: " << type("memref", a.shape);
                          });
    os << ") {\n";
    for (const NamedArray &in : inputs)
      os << "  %" << in.name << " = bufferization.to_tensor %" << in.name
         << "_m restrict : " << type("memref", in.shape) << " to "
         << type("tensor", in.shape) << "\n";
  }

  /// `%value = <op> : (operand types) -> result type`, the operand types
  /// in parentheses where the op's syntax has them (act.matmul, act.ffn,
  /// act.gated_ffn; not act.glu).
  void op(StringRef value, StringRef text, ArrayRef<Shape> operands,
          ArrayRef<int64_t> result, bool parenthesized) {
    os << "  %" << value << " = " << text << (parenthesized ? " : (" : " : ");
    llvm::interleaveComma(
        operands, os, [&](const Shape &shape) { os << type("tensor", shape); });
    os << (parenthesized ? ") -> " : " -> ") << type("tensor", result) << "\n";
  }

  /// Stores tensor %value into output `out`.
  void store(StringRef value, const NamedArray &out) {
    os << "  bufferization.materialize_in_destination %" << value
       << " in restrict writable %" << out.name << "_m : ("
       << type("tensor", out.shape) << ", " << type("memref", out.shape)
       << ") -> ()\n";
  }

  std::string end() {
    os << "  return\n}\n";
    return text;
  }

  /// One op on `arrays` (inputs, then the output y), printed by `print`.
  std::string build(StringRef name, ArrayRef<NamedArray> arrays,
                    bool parenthesized,
                    llvm::function_ref<void(llvm::raw_ostream &)> print) {
    ArrayRef<NamedArray> inputs = arrays.drop_back();
    begin(name, inputs, arrays.back());
    std::string text;
    llvm::raw_string_ostream opText(text);
    print(opText);
    op("r", text, getShapes(inputs), arrays.back().shape, parenthesized);
    store("r", arrays.back());
    return end();
  }
};

/// The weights of `spec` packed by act.pack_b into `width`-column panels:
/// P x K x W per matrix, 2 x P x K x W for a gated FFN's [Wg | Wu].
std::vector<NamedArray> getPackedWeights(const FfnSpec &spec, int64_t width) {
  int64_t d = spec.model, h = spec.hidden;
  Shape up = {getPackedPanels(h, width), d, width};
  Shape down = {getPackedPanels(d, width), h, width};
  if (spec.gated) {
    up.insert(up.begin(), 2);
    return {{"pgu", up}, {"pd", down}};
  }
  return {{"p1", up}, {"p2", down}};
}

/// The arrays of the FFN kernel on packed weights: getArrays(spec) with the
/// weights replaced by getPackedWeights.
std::vector<NamedArray> getPackedArrays(const FfnSpec &spec, int64_t width) {
  std::vector<NamedArray> packed = getPackedWeights(spec, width);
  Shape x = {-1, spec.model};
  if (spec.gated)
    return {{"x", x}, packed[0], packed[1], {"y", x}};
  if (spec.bias)
    return {{"x", x},
            packed[0],
            {"b1", {spec.hidden}},
            packed[1],
            {"b2", {spec.model}},
            {"y", x}};
  return {{"x", x}, packed[0], packed[1], {"y", x}};
}

/// The arrays of the weight packer: the weights as getFfn takes them, then
/// the packed ones.
std::vector<NamedArray> getPackerArrays(const FfnSpec &spec, int64_t width) {
  std::vector<NamedArray> arrays;
  for (NamedArray &array : getArrays(spec))
    if (array.name[0] == 'w')
      arrays.push_back(array);
  for (NamedArray &array : getPackedWeights(spec, width))
    arrays.push_back(array);
  return arrays;
}
} // namespace

std::string mlir::act::getGluModuleSource(const GluSpec &spec, StringRef name) {
  std::string act = printActivation(spec.kind, spec.params);
  return KernelSource(spec.dtype)
      .build(name, getArrays(spec), /*parenthesized=*/false,
             [&](llvm::raw_ostream &os) {
               os << "act.glu " << act << (spec.split ? " %x" : " %a, %b");
             });
}

std::string mlir::act::getFfnModuleSource(const FfnSpec &spec, StringRef name,
                                          int64_t panelWidth) {
  std::string act = printActivation(spec.kind, spec.params);
  if (!spec.packedWeights)
    return KernelSource(spec.dtype)
        .build(name, getArrays(spec), /*parenthesized=*/true,
               [&](llvm::raw_ostream &os) {
                 if (spec.gated)
                   os << "act.gated_ffn " << act << " %x, %wg, %wu, %wd";
                 else if (spec.bias)
                   os << "act.ffn " << act << " %x, %w1 bias %b1, %w2 bias %b2";
                 else
                   os << "act.ffn " << act << " %x, %w1, %w2";
               });
  // act.ffn and act.gated_ffn as the two products they decompose into
  // (act-expand), on packed panels.
  std::vector<NamedArray> arrays = getPackedArrays(spec, panelWidth);
  KernelSource source(spec.dtype);
  source.begin(name, ArrayRef(arrays).drop_back(), arrays.back());
  Shape x = {-1, spec.model}, hidden = {-1, spec.hidden};
  std::vector<NamedArray> packed = getPackedWeights(spec, panelWidth);
  Shape up = packed[0].shape, down = packed[1].shape;
  if (spec.gated) {
    source.op("h", "act.matmul %x, %pgu packed_b glu activation " + act,
              {x, up}, hidden, /*parenthesized=*/true);
    source.op("r", "act.matmul %h, %pd packed_b", {hidden, down}, x, true);
  } else if (spec.bias) {
    source.op("h", "act.matmul %x, %p1 packed_b bias %b1 activation " + act,
              {x, up, {spec.hidden}}, hidden, true);
    source.op("r", "act.matmul %h, %p2 packed_b bias %b2",
              {hidden, down, {spec.model}}, x, true);
  } else {
    source.op("h", "act.matmul %x, %p1 packed_b activation " + act, {x, up},
              hidden, true);
    source.op("r", "act.matmul %h, %p2 packed_b", {hidden, down}, x, true);
  }
  source.store("r", arrays.back());
  return source.end();
}

std::vector<llvm::SmallVector<int64_t, 2>>
mlir::act::getFfnSignature(const FfnSpec &spec) {
  return getShapes(getArrays(spec));
}

std::string mlir::act::getFfnPackerModuleSource(const FfnSpec &spec,
                                                StringRef name,
                                                int64_t panelWidth) {
  std::vector<NamedArray> arrays = getPackerArrays(spec, panelWidth);
  size_t weights = spec.gated ? 3 : 2;
  ArrayRef<NamedArray> in = ArrayRef(arrays).take_front(weights);
  ArrayRef<NamedArray> out = ArrayRef(arrays).drop_front(weights);
  KernelSource source(spec.dtype);
  source.begin(name, in, out);
  int64_t d = spec.model, h = spec.hidden;
  if (spec.gated) {
    source.op("wgu", "tensor.concat dim(1) %wg, %wu", {{d, h}, {d, h}},
              {d, 2 * h}, /*parenthesized=*/true);
    source.op("p0", "act.pack_b %wgu glu", {{d, 2 * h}}, out[0].shape, false);
    source.op("p1", "act.pack_b %wd", {{h, d}}, out[1].shape, false);
  } else {
    source.op("p0", "act.pack_b %w1", {{d, h}}, out[0].shape, false);
    source.op("p1", "act.pack_b %w2", {{h, d}}, out[1].shape, false);
  }
  source.store("p0", out[0]);
  source.store("p1", out[1]);
  return source.end();
}

//===----------------------------------------------------------------------===//
// Activations by name
//===----------------------------------------------------------------------===//

llvm::Error mlir::act::parseActivation(StringRef name, StringRef options,
                                       ActivationKind &kind,
                                       ActivationParams &params) {
  std::optional<ActivationKind> parsed = symbolizeActivationKind(name);
  if (!parsed)
    return llvm::createStringError(("unknown activation '" + name + "'").str());
  kind = *parsed;
  params = ActivationParams();
  SmallVector<StringRef> pairs;
  options.split(pairs, ' ', -1, false);
  for (StringRef pair : pairs) {
    auto [key, value] = pair.split('=');
    if (key == "approximation" && kind == ActivationKind::gelu) {
      std::optional<GeluApproximation> approximation =
          symbolizeGeluApproximation(value);
      if (!approximation)
        return llvm::createStringError(
            ("unknown GELU approximation '" + value + "'").str());
      params.approximation = *approximation;
      continue;
    }
    const ActivationParamSpec *spec = nullptr;
    for (const ActivationParamSpec &p : getActivationParamSpecs(kind))
      if (p.name == key)
        spec = &p;
    if (!spec)
      return llvm::createStringError(("'" + stringifyActivationKind(kind) +
                                      "' has no option '" + key + "'")
                                         .str());
    double v;
    if (value.getAsDouble(v))
      return llvm::createStringError(
          ("option '" + key + "' needs a number, got '" + value + "'").str());
    params.*spec->field = v;
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// ArrayKernel
//===----------------------------------------------------------------------===//

namespace {
/// A ranked strided memref descriptor.
template <int Rank> struct MemRefDescriptor {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

/// The descriptor of a dense row-major array of rank 1 to 4.
struct Descriptor {
  MemRefDescriptor<1> rank1;
  MemRefDescriptor<2> rank2;
  MemRefDescriptor<3> rank3;
  MemRefDescriptor<4> rank4;

  template <int Rank>
  static void *fill(MemRefDescriptor<Rank> &d, const ArrayArg &array) {
    d.allocated = d.aligned = array.data;
    d.offset = 0;
    int64_t stride = 1;
    for (int i = Rank - 1; i >= 0; --i) {
      d.sizes[i] = array.shape[i];
      d.strides[i] = stride;
      stride *= array.shape[i];
    }
    return &d;
  }

  void *set(const ArrayArg &array) {
    switch (array.shape.size()) {
    case 1:
      return fill(rank1, array);
    case 2:
      return fill(rank2, array);
    case 3:
      return fill(rank3, array);
    default:
      return fill(rank4, array);
    }
  }
};
} // namespace

llvm::Error ArrayKernel::run(ArrayRef<ArrayArg> arrays) const {
  if (arrays.size() != signature.size())
    return makeError("expected " + llvm::Twine(signature.size()) +
                     " arrays (inputs, then the outputs), got " +
                     llvm::Twine(arrays.size()));
  int64_t rows = -1;
  for (auto [i, array, expected] : llvm::enumerate(arrays, signature)) {
    auto shapeText = [](ArrayRef<int64_t> shape) {
      std::string s = "[";
      llvm::raw_string_ostream os(s);
      llvm::interleaveComma(shape, os, [&](int64_t d) {
        if (d < 0)
          os << "rows";
        else
          os << d;
      });
      return s + "]";
    };
    bool match = array.shape.size() == expected.size();
    for (size_t d = 0; match && d < expected.size(); ++d) {
      if (array.shape[d] < 0)
        match = false;
      else if (expected[d] >= 0)
        match = array.shape[d] == expected[d];
      else if (rows < 0)
        rows = array.shape[d];
      else
        match = array.shape[d] == rows;
    }
    if (!match)
      return makeError(
          "array " + llvm::Twine(i) + " has shape " + shapeText(array.shape) +
          ", expected " + shapeText(expected) +
          (rows >= 0 ? " with rows = " + llvm::Twine(rows) : llvm::Twine()));
    int64_t count = 1;
    for (int64_t d : array.shape)
      count *= d;
    if (!array.data && count > 0)
      return makeError("array " + llvm::Twine(i) + " is a null pointer");
  }
  std::vector<Descriptor> descriptors(arrays.size());
  std::vector<void *> pointers;
  for (auto [array, descriptor] : llvm::zip(arrays, descriptors))
    pointers.push_back(descriptor.set(array));
  using P = void *;
  switch (pointers.size()) {
  case 2:
    reinterpret_cast<void (*)(P, P)>(entry)(pointers[0], pointers[1]);
    break;
  case 3:
    reinterpret_cast<void (*)(P, P, P)>(entry)(pointers[0], pointers[1],
                                               pointers[2]);
    break;
  case 4:
    reinterpret_cast<void (*)(P, P, P, P)>(entry)(pointers[0], pointers[1],
                                                  pointers[2], pointers[3]);
    break;
  case 5:
    reinterpret_cast<void (*)(P, P, P, P, P)>(entry)(
        pointers[0], pointers[1], pointers[2], pointers[3], pointers[4]);
    break;
  case 6:
    reinterpret_cast<void (*)(P, P, P, P, P, P)>(entry)(
        pointers[0], pointers[1], pointers[2], pointers[3], pointers[4],
        pointers[5]);
    break;
  default:
    llvm_unreachable("array kernels take 2 to 6 arrays");
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Jit
//===----------------------------------------------------------------------===//

namespace {
/// One cache slot: filled once by the thread that created it; the others
/// wait for it.
struct Slot {
  std::mutex mutex;
  std::condition_variable filled;
  bool ready = false;
  std::shared_ptr<const void> value;
  std::string error;
};
} // namespace

struct Jit::Impl {
  Options options;
  /// The device of a GPU target (sm_80, sm_90); null for the CPU.
  std::shared_ptr<::act::gpu::CudaDevice> gpu;

  /// Fails with "target 'sm_XX' <what>" for a GPU target.
  llvm::Error requireCpu(StringRef what = "compiles elementwise kernels only") {
    if (!gpu)
      return llvm::Error::success();
    return makeError("target '" + options.target + "' " + what);
  }
  /// The resolved target, part of every key: "native" differs per host.
  std::string targetKey;
  /// The panel width of packed FFN weights for the CPU target.
  int64_t panelWidth = 0;
  mutable std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<Slot>> slots;
  std::atomic<uint64_t> requests{0}, memoryHits{0}, diskHits{0}, compiles{0};

  /// The value cached under `key`, built by `build` on a miss. A failed
  /// build is reported to every waiter and not cached.
  llvm::Expected<std::shared_ptr<const void>>
  get(const std::string &key,
      llvm::function_ref<llvm::Expected<std::shared_ptr<const void>>()> build) {
    ++requests;
    std::shared_ptr<Slot> slot;
    bool builder = false;
    {
      std::lock_guard<std::mutex> lock(mutex);
      std::shared_ptr<Slot> &entry = slots[key];
      if (!entry) {
        entry = std::make_shared<Slot>();
        builder = true;
      }
      slot = entry;
    }
    if (!builder) {
      ++memoryHits;
      std::unique_lock<std::mutex> lock(slot->mutex);
      slot->filled.wait(lock, [&] { return slot->ready; });
      if (!slot->value)
        return makeError(slot->error);
      return slot->value;
    }
    llvm::Expected<std::shared_ptr<const void>> built = build();
    std::string error;
    if (!built) {
      error = llvm::toString(built.takeError());
      std::lock_guard<std::mutex> lock(mutex);
      slots.erase(key);
    }
    {
      std::lock_guard<std::mutex> lock(slot->mutex);
      slot->ready = true;
      if (built)
        slot->value = *built;
      slot->error = error;
    }
    slot->filled.notify_all();
    if (!error.empty())
      return makeError(error);
    return *built;
  }

  /// Options for compiling `source`, with the object cache file named
  /// after everything the object depends on.
  CompileOptions compileOptions(StringRef source, Accuracy accuracy,
                                unsigned llvmOptLevel) const {
    CompileOptions compile;
    compile.target = options.target;
    compile.accuracy = accuracy;
    compile.llvmOptLevel = llvmOptLevel;
    if (!options.cacheDirectory.empty()) {
      llvm::SHA256 hash;
      hash.update("act-object-v1\n" LLVM_VERSION_STRING "\n");
      hash.update(targetKey);
      hash.update((accuracy == Accuracy::precise ? "precise" : "fast"));
      hash.update(std::to_string(llvmOptLevel) + "\n");
      hash.update(source);
      llvm::SmallString<256> path(options.cacheDirectory);
      llvm::sys::path::append(path, llvm::toHex(hash.final(), true) + ".o");
      compile.objectCacheFile = std::string(path);
    }
    return compile;
  }

  llvm::Expected<std::shared_ptr<CompiledModule>>
  compile(StringRef source, Accuracy accuracy, unsigned llvmOptLevel = 3) {
    auto module = CompiledModule::compile(
        source, compileOptions(source, accuracy, llvmOptLevel));
    if (!module)
      return module.takeError();
    ++((*module)->isFromObjectCache() ? diskHits : compiles);
    return std::shared_ptr<CompiledModule>(std::move(*module));
  }

  static std::string key(StringRef kind, StringRef source, Accuracy accuracy) {
    return (kind + "\n" + (accuracy == Accuracy::precise ? "precise" : "fast") +
            "\n" + source)
        .str();
  }
};

Jit::Jit(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
Jit::~Jit() = default;

llvm::Expected<std::unique_ptr<Jit>> Jit::create(const Options &options) {
  std::string error;
  if (options.target == "sm_80" || options.target == "sm_90") {
    // Kernels are compiled here and run on the device: both must exist.
    if (failed(resolveCudaToolkit("", error)))
      return makeError(error);
    std::unique_ptr<::act::gpu::CudaDevice> device =
        ::act::gpu::CudaDevice::open(error);
    if (!device)
      return makeError(error);
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->targetKey = options.target + "\n";
    impl->gpu = std::move(device);
    return std::unique_ptr<Jit>(new Jit(std::move(impl)));
  }
  FailureOr<CpuTarget> target = resolveCpuTarget(options.target, error);
  if (failed(target))
    return makeError("unknown target '" + options.target +
                     "' (expected native, x86-64-v3, x86-64-v4, sm_80 or "
                     "sm_90)");
  // A named target must run here: its code is called in this process.
  static constexpr StringRef avx512[] = {"avx512f", "avx512bw", "avx512dq",
                                         "avx512vl"};
  static constexpr StringRef avx2[] = {"avx2", "fma", "bmi2"};
  ArrayRef<StringRef> needed;
  if (target->vectorWidth == 16)
    needed = avx512;
  else if (target->vectorWidth == 8)
    needed = avx2;
  llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
  for (StringRef feature : needed)
    if (!host.lookup(feature))
      return makeError("target '" + options.target + "' needs " + feature +
                       ", which this CPU lacks");
  if (!options.cacheDirectory.empty())
    if (std::error_code ec =
            llvm::sys::fs::create_directories(options.cacheDirectory))
      return makeError("cannot create the cache directory '" +
                       options.cacheDirectory + "': " + ec.message());
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->targetKey = target->cpu + "\n" + target->features + "\n";
  impl->panelWidth = getPackedPanelWidth(*target);
  return std::unique_ptr<Jit>(new Jit(std::move(impl)));
}

const Jit::Options &Jit::getOptions() const { return impl->options; }

JitStats Jit::getStats() const {
  return {impl->requests.load(), impl->memoryHits.load(), impl->diskHits.load(),
          impl->compiles.load()};
}

llvm::Expected<std::shared_ptr<const ElementwiseKernel>>
Jit::getElementwise(const ElementwiseSpec &spec, Accuracy accuracy) {
  if (llvm::Error err = impl->requireCpu("runs kernels through "
                                         "getGpuElementwise"))
    return std::move(err);
  if (std::optional<std::string> message =
          checkActivationParams(spec.kind, spec.params))
    return makeError(*message);
  std::string source = getElementwiseModuleSource(spec, "act_kernel",
                                                  /*withStreaming=*/true);
  auto value = impl->get(
      Impl::key("elementwise", source, accuracy),
      [&]() -> llvm::Expected<std::shared_ptr<const void>> {
        // See CompileOptions::llvmOptLevel.
        auto module = impl->compile(source, accuracy, /*llvmOptLevel=*/0);
        if (!module)
          return module.takeError();
        auto kernel = ElementwiseKernel::fromModule(spec, *module);
        if (!kernel)
          return kernel.takeError();
        return std::make_shared<const ElementwiseKernel>(std::move(*kernel));
      });
  if (!value)
    return value.takeError();
  return std::static_pointer_cast<const ElementwiseKernel>(*value);
}

llvm::Expected<std::shared_ptr<const GpuElementwiseKernel>>
Jit::getGpuElementwise(const ElementwiseSpec &spec, Accuracy accuracy) {
  if (!impl->gpu)
    return makeError("target '" + impl->options.target +
                     "' is a CPU: use getElementwise");
  if (std::optional<std::string> message =
          checkActivationParams(spec.kind, spec.params))
    return makeError(*message);
  std::string source = getElementwiseModuleSource(spec, "act_kernel");
  auto value =
      impl->get(Impl::key("gpu-elementwise", source, accuracy),
                [&]() -> llvm::Expected<std::shared_ptr<const void>> {
                  ++impl->compiles;
                  llvm::Expected<std::string> ptx =
                      compileGpuKernels(source, impl->options.target, accuracy);
                  if (!ptx)
                    return ptx.takeError();
                  auto kernel = std::make_shared<GpuElementwiseKernel>();
                  std::string error;
                  kernel->module = impl->gpu->loadModule(*ptx, error);
                  if (!kernel->module)
                    return makeError(error);
                  kernel->device = impl->gpu;
                  kernel->gradient = spec.gradient;
                  kernel->elementSize = getDTypeSize(spec.dtype);
                  return std::shared_ptr<const void>(std::move(kernel));
                });
  if (!value)
    return value.takeError();
  return std::static_pointer_cast<const GpuElementwiseKernel>(*value);
}

llvm::Error GpuElementwiseKernel::run(const void *x, const void *dy, void *y,
                                      int64_t n) const {
  if (n < 0 || (n > 0 && (!x || !y || (gradient && !dy))))
    return makeError("null array or negative count");
  if (n == 0)
    return llvm::Error::success();
  std::vector<const void *> inputs = {x};
  if (gradient)
    inputs.push_back(dy);
  std::string error;
  if (!device->runElementwise(module, "act_kernel", inputs, y, n, elementSize,
                              error))
    return makeError(error);
  return llvm::Error::success();
}

llvm::Expected<std::shared_ptr<const ArrayKernel>>
Jit::getGlu(const GluSpec &spec, Accuracy accuracy) {
  if (std::optional<std::string> message =
          checkActivationParams(spec.kind, spec.params))
    return makeError(*message);
  if (spec.cols <= 0)
    return makeError("a GLU needs a positive column count, got " +
                     llvm::Twine(spec.cols));
  return getArrayKernel("glu", getGluModuleSource(spec, "act_kernel"),
                        getShapes(getArrays(spec)), accuracy);
}

static llvm::Error checkFfnSpec(const FfnSpec &spec) {
  if (std::optional<std::string> message =
          checkActivationParams(spec.kind, spec.params))
    return makeError(*message);
  if (spec.model <= 0 || spec.hidden <= 0)
    return makeError("an FFN needs positive model and hidden sizes, got " +
                     llvm::Twine(spec.model) + " and " +
                     llvm::Twine(spec.hidden));
  return llvm::Error::success();
}

llvm::Expected<std::shared_ptr<const ArrayKernel>>
Jit::getFfn(const FfnSpec &spec, Accuracy accuracy) {
  if (llvm::Error err = checkFfnSpec(spec))
    return std::move(err);
  int64_t width = impl->panelWidth;
  return getArrayKernel("ffn", getFfnModuleSource(spec, "act_kernel", width),
                        getShapes(spec.packedWeights
                                      ? getPackedArrays(spec, width)
                                      : getArrays(spec)),
                        accuracy);
}

llvm::Expected<std::shared_ptr<const ArrayKernel>>
Jit::getFfnWeightPacker(const FfnSpec &spec) {
  if (llvm::Error err = checkFfnSpec(spec))
    return std::move(err);
  int64_t width = impl->panelWidth;
  return getArrayKernel(
      "ffn-packer", getFfnPackerModuleSource(spec, "act_kernel", width),
      getShapes(getPackerArrays(spec, width)), Accuracy::precise);
}

llvm::Expected<std::shared_ptr<const ArrayKernel>>
Jit::getArrayKernel(StringRef kind, const std::string &source,
                    std::vector<llvm::SmallVector<int64_t, 2>> signature,
                    Accuracy accuracy) {
  if (llvm::Error err = impl->requireCpu())
    return std::move(err);
  auto value =
      impl->get(Impl::key(kind, source, accuracy),
                [&]() -> llvm::Expected<std::shared_ptr<const void>> {
                  auto module = impl->compile(source, accuracy);
                  if (!module)
                    return module.takeError();
                  auto entry = (*module)->lookup("_mlir_ciface_act_kernel");
                  if (!entry)
                    return entry.takeError();
                  auto kernel = std::make_shared<ArrayKernel>();
                  kernel->module = std::move(*module);
                  kernel->entry = *entry;
                  kernel->signature = std::move(signature);
                  return std::shared_ptr<const void>(std::move(kernel));
                });
  if (!value)
    return value.takeError();
  return std::static_pointer_cast<const ArrayKernel>(*value);
}

llvm::Expected<std::shared_ptr<const CompiledModule>>
Jit::getModule(StringRef source, Accuracy accuracy) {
  if (llvm::Error err = impl->requireCpu())
    return std::move(err);
  auto value =
      impl->get(Impl::key("module", source, accuracy),
                [&]() -> llvm::Expected<std::shared_ptr<const void>> {
                  auto module = impl->compile(source, accuracy);
                  if (!module)
                    return module.takeError();
                  return std::shared_ptr<const void>(std::move(*module));
                });
  if (!value)
    return value.takeError();
  return std::static_pointer_cast<const CompiledModule>(*value);
}
