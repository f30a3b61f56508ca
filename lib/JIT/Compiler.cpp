//===- Compiler.cpp - Compile act kernels and MLIR modules -----*- C++ -*-===//
//
// Parses MLIR text, lowers it with act-cpu-pipeline and JIT-compiles it with
// MLIR's ExecutionEngine for the host, or emits an object file for a target.
//
//===----------------------------------------------------------------------===//

#include "act/JIT/Compiler.h"

#include "act/InitAllDialects.h"
#include "act/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>

using namespace mlir;
using namespace mlir::act;

std::optional<DType> mlir::act::parseDType(StringRef name) {
  return llvm::StringSwitch<std::optional<DType>>(name)
      .Case("f32", DType::f32)
      .Case("f16", DType::f16)
      .Case("bf16", DType::bf16)
      .Default(std::nullopt);
}

StringRef mlir::act::getDTypeName(DType dtype) {
  switch (dtype) {
  case DType::f32:
    return "f32";
  case DType::f16:
    return "f16";
  case DType::bf16:
    return "bf16";
  }
  llvm_unreachable("unknown dtype");
}

size_t mlir::act::getDTypeSize(DType dtype) {
  return dtype == DType::f32 ? 4 : 2;
}

/// One kernel function; `streaming` marks it for non-temporal stores.
static void printElementwiseFunction(llvm::raw_ostream &os,
                                     const ElementwiseSpec &spec,
                                     StringRef name, bool streaming) {
  std::string memref = ("memref<?x" + getDTypeName(spec.dtype) + ">").str();
  std::string tensor = ("tensor<?x" + getDTypeName(spec.dtype) + ">").str();
  std::string params;
  if (spec.params.approximation != GeluApproximation::none)
    params += (" approximation = " +
               stringifyGeluApproximation(spec.params.approximation))
                  .str();
  for (const ActivationParamSpec &p : getActivationParamSpecs(spec.kind)) {
    char value[64];
    snprintf(value, sizeof(value), "%.17e", spec.params.*p.field);
    params += (" " + p.name + " = " + value).str();
  }
  std::string op = ("act." + stringifyActivationKind(spec.kind)).str();
  os << "func.func @" << name << "(%x: " << memref;
  if (spec.gradient)
    os << ", %dy: " << memref;
  os << ", %y: " << memref << ")";
  if (streaming)
    os << " attributes {act.nontemporal_stores}";
  os << " {\n";
  os << "  %tx = bufferization.to_tensor %x restrict : " << memref << " to "
     << tensor << "\n";
  if (spec.gradient) {
    os << "  %tdy = bufferization.to_tensor %dy restrict : " << memref << " to "
       << tensor << "\n";
    os << "  %r = " << op << "_grad %tx, %tdy" << params << " : " << tensor
       << "\n";
  } else {
    os << "  %r = " << op << " %tx" << params << " : " << tensor << "\n";
  }
  os << "  bufferization.materialize_in_destination %r in restrict writable "
        "%y : ("
     << tensor << ", " << memref << ") -> ()\n";
  os << "  return\n}\n";
}

std::string mlir::act::getElementwiseModuleSource(const ElementwiseSpec &spec,
                                                  StringRef name,
                                                  bool withStreaming) {
  std::string s;
  llvm::raw_string_ostream os(s);
  printElementwiseFunction(os, spec, name, /*streaming=*/false);
  if (withStreaming)
    printElementwiseFunction(os, spec, (name + "_nt").str(),
                             /*streaming=*/true);
  return s;
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

namespace {

void initializeLLVM() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // Matmul kernels call the OpenMP runtime (__kmpc_fork_call, ...); its
    // symbols then resolve in the process like malloc's. A missing runtime
    // surfaces as unresolved __kmpc_* symbols at compile time.
    // Likewise memrefCopy, for copies between strided memrefs.
    for (const char *library :
         {ACT_OPENMP_LIBRARY, ACT_C_RUNNER_UTILS_LIBRARY}) {
      std::string error;
      llvm::sys::DynamicLibrary::LoadLibraryPermanently(library, &error);
    }
  });
}

/// Collects the diagnostics of a context into a string.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &diag) {
          if (!text.empty())
            text += "; ";
          std::string loc;
          llvm::raw_string_ostream os(loc);
          if (auto file = dyn_cast<FileLineColLoc>(diag.getLocation()))
            os << file.getFilename().getValue() << ":" << file.getLine() << ":"
               << file.getColumn();
          else
            diag.getLocation().print(os);
          text += loc + ": " + diag.str();
          return success();
        }) {}
  llvm::Error error(const Twine &what) const {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        what + (text.empty() ? std::string() : ": " + text));
  }

private:
  std::string text;
  ScopedDiagnosticHandler handler;
};

std::unique_ptr<MLIRContext> createContext() {
  DialectRegistry registry;
  registerAllDialects(registry);
  auto ctx =
      std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  // Dialects load as the parser and the passes need them.
  return ctx;
}

llvm::Expected<OwningOpRef<ModuleOp>> parse(MLIRContext *ctx, StringRef source,
                                            const CompileOptions &options) {
  DiagnosticCollector diagnostics(ctx);
  // MLIR's lexer reads one past the text for its NUL end marker; a caller's
  // StringRef need not have one (found by act-fuzz).
  std::string terminated = source.str();
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(terminated, ctx, options.sourceName);
  if (!module)
    return diagnostics.error("invalid MLIR");
  if (failed(verify(*module)))
    return diagnostics.error("invalid MLIR");
  return module;
}

/// Parses and lowers `source` to the LLVM dialect; keeps a copy of the
/// parsed module in `sourceCopy` when given.
llvm::Expected<OwningOpRef<ModuleOp>>
lowerToLLVMDialect(MLIRContext *ctx, StringRef source,
                   const CompileOptions &options,
                   OwningOpRef<ModuleOp> *sourceCopy = nullptr) {
  llvm::Expected<OwningOpRef<ModuleOp>> parsed = parse(ctx, source, options);
  if (!parsed)
    return parsed.takeError();
  OwningOpRef<ModuleOp> module = std::move(*parsed);
  DiagnosticCollector diagnostics(ctx);
  if (sourceCopy)
    *sourceCopy = module->clone();
  for (auto func : module->getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  std::string error;
  FailureOr<CpuTarget> target = resolveCpuTarget(options.target, error);
  if (failed(target))
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  PassManager pm(ctx);
  buildCpuPipeline(pm, {*target, options.accuracy});
  if (failed(pm.run(*module)))
    return diagnostics.error("compilation failed");
  return module;
}

/// An object file (with the ExecutionEngine's packed wrappers) in a plain
/// LLJIT that resolves the rest (malloc, free) in the process.
llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>>
loadObject(std::unique_ptr<llvm::MemoryBuffer> object) {
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return jit.takeError();
  auto generator =
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
          (*jit)->getDataLayout().getGlobalPrefix());
  if (!generator)
    return generator.takeError();
  (*jit)->getMainJITDylib().addGenerator(std::move(*generator));
  if (llvm::Error err = (*jit)->addObjectFile(std::move(object)))
    return std::move(err);
  return std::move(*jit);
}

/// Writes the engine's object code to `path` through a temporary file in
/// the same directory, so that readers never see half a file. Best effort:
/// a cache that cannot be written is no cache.
void storeObject(ExecutionEngine &engine, StringRef path) {
  llvm::SmallString<128> temporary;
  if (llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%%%", temporary))
    return;
  engine.dumpToObjectFile(temporary);
  uint64_t size = 0;
  if (llvm::sys::fs::file_size(temporary, size) || size == 0 ||
      llvm::sys::fs::rename(temporary, path))
    llvm::sys::fs::remove(temporary);
}

} // namespace

//===----------------------------------------------------------------------===//
// CompiledModule
//===----------------------------------------------------------------------===//

CompiledModule::CompiledModule()
    : source(nullptr, [](Operation *op) {
        if (op)
          op->erase();
      }) {}

CompiledModule::~CompiledModule() {
  // The engine and the module refer to the context: release them first.
  loaded.reset();
  engine.reset();
  source.reset();
}

llvm::Expected<std::unique_ptr<CompiledModule>>
CompiledModule::compile(StringRef sourceText, const CompileOptions &options) {
  initializeLLVM();
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
  };
  Clock::time_point start = Clock::now();
  std::unique_ptr<CompiledModule> result(new CompiledModule());
  result->context = createContext();
  MLIRContext *ctx = result->context.get();
  const std::string &cacheFile = options.objectCacheFile;
  if (!cacheFile.empty()) {
    if (auto object = llvm::MemoryBuffer::getFile(cacheFile)) {
      llvm::Expected<OwningOpRef<ModuleOp>> parsed =
          parse(ctx, sourceText, options);
      if (!parsed)
        return parsed.takeError();
      llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>> jit =
          loadObject(std::move(*object));
      if (jit) {
        result->source.reset(parsed->release().getOperation());
        result->loaded = std::move(*jit);
        result->timings.mlir = seconds(start);
        start = Clock::now();
        if (llvm::Error err = result->materialize())
          return std::move(err);
        result->timings.llvm = seconds(start);
        return result;
      }
      // A damaged cache entry: compile afresh and replace it.
      llvm::consumeError(jit.takeError());
    }
  }
  OwningOpRef<ModuleOp> copy;
  llvm::Expected<OwningOpRef<ModuleOp>> lowered =
      lowerToLLVMDialect(ctx, sourceText, options, &copy);
  if (!lowered)
    return lowered.takeError();
  result->source.reset(copy.release().getOperation());
  result->timings.mlir = seconds(start);
  start = Clock::now();

  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = builder->createTargetMachine();
  if (!tm)
    return tm.takeError();
  ExecutionEngineOptions engineOptions;
  auto transformer =
      makeOptimizingTransformer(options.llvmOptLevel, 0, tm->get());
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  engineOptions.enableObjectDump = !cacheFile.empty();
  DiagnosticCollector diagnostics(ctx);
  auto engine =
      ExecutionEngine::create(**lowered, engineOptions, std::move(*tm));
  if (!engine)
    return engine.takeError();
  result->engine = std::move(*engine);
  if (llvm::Error err = result->materialize())
    return std::move(err);
  result->timings.llvm = seconds(start);
  if (!cacheFile.empty())
    storeObject(*result->engine, cacheFile);
  return result;
}

llvm::Error CompiledModule::materialize() const {
  for (auto func : getSourceModule().getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      if (llvm::Expected<void *> address =
              lookup(("_mlir_ciface_" + func.getSymName()).str());
          !address)
        return address.takeError();
  return llvm::Error::success();
}

llvm::Expected<void *> CompiledModule::lookup(StringRef name) const {
  if (engine)
    return engine->lookup(name);
  auto address = loaded->lookup(name);
  if (!address)
    return address.takeError();
  return address->toPtr<void *>();
}

llvm::Error CompiledModule::invoke(StringRef entry,
                                   MutableArrayRef<void *> args) const {
  std::string name = ("_mlir_ciface_" + entry).str();
  if (engine)
    return engine->invokePacked(name, args);
  // ExecutionEngine's packed wrapper of the C interface function.
  llvm::Expected<void *> packed = lookup("_mlir_" + name);
  if (!packed)
    return packed.takeError();
  reinterpret_cast<void (*)(void **)> (*packed)(args.data());
  return llvm::Error::success();
}

ModuleOp CompiledModule::getSourceModule() const {
  return cast<ModuleOp>(source.get());
}

//===----------------------------------------------------------------------===//
// ElementwiseKernel
//===----------------------------------------------------------------------===//

llvm::Expected<ElementwiseKernel>
ElementwiseKernel::compile(const ElementwiseSpec &spec,
                           const CompileOptions &options) {
  if (std::optional<std::string> message =
          checkActivationParams(spec.kind, spec.params))
    return llvm::createStringError(llvm::inconvertibleErrorCode(), *message);
  CompileOptions elementwise = options;
  elementwise.llvmOptLevel = 0;
  auto module = CompiledModule::compile(
      getElementwiseModuleSource(spec, "act_kernel", /*withStreaming=*/true),
      elementwise);
  if (!module)
    return module.takeError();
  return fromModule(spec, std::move(*module));
}

llvm::Expected<ElementwiseKernel>
ElementwiseKernel::fromModule(const ElementwiseSpec &spec,
                              std::shared_ptr<CompiledModule> module) {
  ElementwiseKernel kernel;
  kernel.spec = spec;
  kernel.module = std::move(module);
  auto entry = kernel.module->lookup("_mlir_ciface_act_kernel");
  if (!entry)
    return entry.takeError();
  auto streamingEntry = kernel.module->lookup("_mlir_ciface_act_kernel_nt");
  if (!streamingEntry)
    return streamingEntry.takeError();
  kernel.entry = *entry;
  kernel.streamingEntry = *streamingEntry;
  return kernel;
}

namespace {
/// Worker threads pinned one per allowed CPU (the caller's CPU excluded where
/// possible), so that a VM that packs unpinned threads onto one CPU does not
/// serialize them. Created on first use; runs one batch at a time.
class ThreadPool {
public:
  static ThreadPool &get() {
    static ThreadPool pool;
    return pool;
  }

  unsigned size() const { return workers.size() + 1; }

  /// Runs task(0..n-1), task(0) on the calling thread.
  void run(unsigned n, llvm::function_ref<void(unsigned)> task) {
    std::lock_guard<std::mutex> batchLock(batch);
    n = std::min<unsigned>(n, size());
    {
      std::lock_guard<std::mutex> lock(mutex);
      current = task;
      pending = n - 1;
      active = n - 1;
      ++generation;
    }
    wake.notify_all();
    task(0);
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, [&] { return pending == 0; });
  }

private:
  ThreadPool() {
    std::vector<int> cpus;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
      for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &allowed))
          cpus.push_back(c);
    int self = sched_getcpu();
    // Workers take the CPUs other than the caller's first.
    std::stable_partition(cpus.begin(), cpus.end(),
                          [&](int c) { return c != self; });
    unsigned count = cpus.empty() ? 0 : cpus.size() - 1;
    for (unsigned w = 0; w < count; ++w)
      workers.emplace_back([this, w, cpu = cpus[w]] { loop(w + 1, cpu); });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    for (std::thread &w : workers)
      w.join();
  }

  void loop(unsigned id, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    uint64_t seen = 0;
    while (true) {
      llvm::function_ref<void(unsigned)> task;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] {
          return stopping || (generation != seen && id <= active);
        });
        if (stopping)
          return;
        seen = generation;
        task = current;
      }
      task(id);
      std::lock_guard<std::mutex> lock(mutex);
      if (--pending == 0)
        done.notify_one();
    }
  }

  std::vector<std::thread> workers;
  std::mutex batch, mutex;
  std::condition_variable wake, done;
  llvm::function_ref<void(unsigned)> current;
  unsigned pending = 0, active = 0;
  uint64_t generation = 0;
  bool stopping = false;
};
} // namespace

void ElementwiseKernel::run(const void *x, const void *dy, void *y, int64_t n,
                            unsigned threads) const {
  size_t size = getDTypeSize(spec.dtype);
  // Arrays far beyond the L2 caches are streamed: non-temporal stores save
  // the read for ownership of the output.
  constexpr int64_t kStreamingBytes = 8 << 20;
  // The streaming variant peels elements until y is 64-byte aligned: an
  // output that is not even element-aligned (a C host can pass one) never
  // gets there and takes the plain path.
  bool streaming = static_cast<int64_t>(n * size) >= kStreamingBytes &&
                   reinterpret_cast<uintptr_t>(y) % size == 0;
  void *fn = streaming ? streamingEntry : entry;
  auto call = [&](int64_t begin, int64_t count) {
    auto at = [&](const void *base) {
      char *p = const_cast<char *>(static_cast<const char *>(base)) +
                begin * static_cast<int64_t>(size);
      return MemRef1D{p, p, 0, count, 1};
    };
    MemRef1D xd = at(x), yd = at(y);
    if (spec.gradient) {
      MemRef1D dyd = at(dy);
      reinterpret_cast<void (*)(MemRef1D *, MemRef1D *, MemRef1D *)>(fn)(
          &xd, &dyd, &yd);
    } else {
      reinterpret_cast<void (*)(MemRef1D *, MemRef1D *)>(fn)(&xd, &yd);
    }
    if (streaming)
      __builtin_ia32_sfence();
  };
  // Threads pay off only once the array is well beyond one core's L2.
  constexpr int64_t kMinPerThread = 1 << 16;
  unsigned useful = static_cast<unsigned>(
      std::max<int64_t>(1, std::min<int64_t>(threads, n / kMinPerThread)));
  if (useful > 1)
    useful = std::min(useful, ThreadPool::get().size());
  if (useful <= 1) {
    call(0, n);
    return;
  }
  // Chunks of whole cache lines.
  int64_t chunk = (n + useful - 1) / useful;
  chunk = (chunk + 63) / 64 * 64;
  ThreadPool::get().run(useful, [&](unsigned t) {
    int64_t begin = t * chunk;
    if (begin < n)
      call(begin, std::min(chunk, n - begin));
  });
}

//===----------------------------------------------------------------------===//
// GPU
//===----------------------------------------------------------------------===//

llvm::Expected<std::string> mlir::act::compileGpuKernels(StringRef source,
                                                         StringRef chip,
                                                         Accuracy accuracy,
                                                         bool binary) {
  std::unique_ptr<MLIRContext> ctx = createContext();
  CompileOptions options;
  llvm::Expected<OwningOpRef<ModuleOp>> module =
      parse(ctx.get(), source, options);
  if (!module)
    return module.takeError();
  std::string error;
  FailureOr<std::string> toolkit = resolveCudaToolkit("", error);
  if (failed(toolkit))
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  DiagnosticCollector diagnostics(ctx.get());
  PassManager pm(ctx.get());
  buildGpuPipeline(pm, {chip.str(), binary, *toolkit, accuracy});
  if (failed(pm.run(**module)))
    return diagnostics.error("GPU compilation failed");
  for (auto binaryOp : (*module)->getOps<gpu::BinaryOp>())
    for (Attribute object : binaryOp.getObjects())
      return cast<gpu::ObjectAttr>(object).getObject().str();
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "no GPU kernel in the module");
}

//===----------------------------------------------------------------------===//
// AOT
//===----------------------------------------------------------------------===//

llvm::Error mlir::act::emitObjectFile(StringRef source,
                                      const CompileOptions &options,
                                      StringRef objectPath) {
  initializeLLVM();
  std::unique_ptr<MLIRContext> ctx = createContext();
  auto lowered = lowerToLLVMDialect(ctx.get(), source, options);
  if (!lowered)
    return lowered.takeError();
  std::string error;
  FailureOr<CpuTarget> target = resolveCpuTarget(options.target, error);
  if (failed(target))
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(**lowered, llvmContext);
  if (!llvmModule)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "translation to LLVM IR failed");
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> tm(llvmTarget->createTargetMachine(
      triple, target->cpu, target->features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(tm->createDataLayout());
  if (llvm::Error err = makeOptimizingTransformer(options.llvmOptLevel, 0,
                                                  tm.get())(llvmModule.get()))
    return err;

  std::error_code ec;
  // ToolOutputFile removes the file unless keep() is reached.
  llvm::ToolOutputFile out(objectPath, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write " + objectPath + ": " +
                                           ec.message());
  llvm::legacy::PassManager codegen;
  if (tm->addPassesToEmitFile(codegen, out.os(), nullptr,
                              llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the target cannot emit object files");
  codegen.run(*llvmModule);
  out.os().flush();
  if (out.os().has_error())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot write " + objectPath);
  out.keep();
  return llvm::Error::success();
}
