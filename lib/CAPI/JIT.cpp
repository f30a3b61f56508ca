//===- JIT.cpp - C API of act's JIT -----------------------------*- C++ -*-===//

#include "act-c/JIT.h"

#include "act/JIT/JIT.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <string>

using namespace mlir;
using namespace mlir::act;

struct act_jit {
  std::unique_ptr<Jit> jit;
};

struct act_kernel {
  std::shared_ptr<const ElementwiseKernel> elementwise;
  std::shared_ptr<const ArrayKernel> arrays;
  std::shared_ptr<const CompiledModule> module;
};

namespace {
thread_local std::string lastError;

int fail(const llvm::Twine &message) {
  lastError = message.str();
  return 1;
}
int fail(llvm::Error err) { return fail(llvm::toString(std::move(err))); }
int succeed() {
  lastError.clear();
  return 0;
}

std::optional<DType> toDType(act_dtype dtype) {
  switch (dtype) {
  case ACT_F32:
    return DType::f32;
  case ACT_F16:
    return DType::f16;
  case ACT_BF16:
    return DType::bf16;
  default:
    return std::nullopt;
  }
}

Accuracy toAccuracy(act_accuracy accuracy) {
  return accuracy == ACT_FAST ? Accuracy::fast : Accuracy::precise;
}

/// Checks the handles every compile call takes.
llvm::Error checkCompile(act_jit *jit, act_kernel **kernel, act_dtype dtype,
                         act_accuracy accuracy) {
  if (!jit || !kernel)
    return llvm::createStringError("the JIT or the kernel out-pointer is a "
                                   "null pointer");
  if (!toDType(dtype))
    return llvm::createStringError(
        llvm::formatv("unknown dtype {0}", static_cast<int>(dtype)).str());
  if (accuracy != ACT_PRECISE && accuracy != ACT_FAST)
    return llvm::createStringError(
        llvm::formatv("unknown accuracy {0}", static_cast<int>(accuracy))
            .str());
  *kernel = nullptr;
  return llvm::Error::success();
}
/// The checks and parsing every activation entry point starts with: the
/// handles, dtype and accuracy; then spec.kind, spec.params and spec.dtype.
template <typename Spec>
llvm::Error prepare(act_jit *jit, act_kernel **kernel, const char *activation,
                    const char *options, act_dtype dtype, act_accuracy accuracy,
                    Spec &spec) {
  if (llvm::Error err = checkCompile(jit, kernel, dtype, accuracy))
    return err;
  if (!activation)
    return llvm::createStringError("the activation name is a null pointer");
  if (llvm::Error err = parseActivation(activation, options ? options : "",
                                        spec.kind, spec.params))
    return err;
  spec.dtype = *toDType(dtype);
  return llvm::Error::success();
}
} // namespace

const char *act_last_error(void) { return lastError.c_str(); }

int act_jit_create(const char *target, const char *cacheDirectory,
                   act_jit **jit) {
  if (!jit)
    return fail("the JIT out-pointer is a null pointer");
  *jit = nullptr;
  Jit::Options options;
  if (target)
    options.target = target;
  // The C API's kernels run on host arrays in this process.
  if (options.target == "sm_80" || options.target == "sm_90")
    return fail("the C API runs CPU targets only (native, x86-64-v3, "
                "x86-64-v4); GPU kernels are in the C++ API");
  if (cacheDirectory)
    options.cacheDirectory = cacheDirectory;
  auto created = Jit::create(options);
  if (!created)
    return fail(created.takeError());
  *jit = new act_jit{std::move(*created)};
  return succeed();
}

void act_jit_destroy(act_jit *jit) { delete jit; }

int act_jit_elementwise(act_jit *jit, const char *activation,
                        const char *options, int gradient, act_dtype dtype,
                        act_accuracy accuracy, act_kernel **kernel) {
  ElementwiseSpec spec;
  if (llvm::Error err =
          prepare(jit, kernel, activation, options, dtype, accuracy, spec))
    return fail(std::move(err));
  spec.gradient = gradient != 0;
  auto compiled = jit->jit->getElementwise(spec, toAccuracy(accuracy));
  if (!compiled)
    return fail(compiled.takeError());
  *kernel = new act_kernel{std::move(*compiled), nullptr, nullptr};
  return succeed();
}

int act_kernel_run_elementwise(const act_kernel *kernel, const void *x,
                               const void *dy, void *y, int64_t n,
                               unsigned threads) {
  if (!kernel || !kernel->elementwise)
    return fail("not an elementwise kernel");
  if (n < 0)
    return fail("negative element count " + llvm::Twine(n));
  if (n == 0)
    return succeed();
  if (!x || !y || (kernel->elementwise->getSpec().gradient && !dy))
    return fail(kernel->elementwise->getSpec().gradient
                    ? "x, dy or y is a null pointer"
                    : "x or y is a null pointer");
  kernel->elementwise->run(x, dy, y, n, threads == 0 ? 1 : threads);
  return succeed();
}

int act_jit_glu(act_jit *jit, const char *activation, const char *options,
                int64_t cols, int split, act_dtype dtype, act_accuracy accuracy,
                act_kernel **kernel) {
  GluSpec spec;
  if (llvm::Error err =
          prepare(jit, kernel, activation, options, dtype, accuracy, spec))
    return fail(std::move(err));
  spec.cols = cols;
  spec.split = split != 0;
  auto compiled = jit->jit->getGlu(spec, toAccuracy(accuracy));
  if (!compiled)
    return fail(compiled.takeError());
  *kernel = new act_kernel{nullptr, std::move(*compiled), nullptr};
  return succeed();
}

/// The FfnSpec of act_jit_ffn and act_jit_ffn_packed.
static llvm::Error prepareFfn(act_jit *jit, act_kernel **kernel,
                              const char *activation, const char *options,
                              int64_t model, int64_t hidden, int gated,
                              int bias, act_dtype dtype, act_accuracy accuracy,
                              FfnSpec &spec) {
  if (llvm::Error err =
          prepare(jit, kernel, activation, options, dtype, accuracy, spec))
    return err;
  spec.model = model;
  spec.hidden = hidden;
  spec.gated = gated != 0;
  spec.bias = bias != 0;
  return llvm::Error::success();
}

int act_jit_ffn(act_jit *jit, const char *activation, const char *options,
                int64_t model, int64_t hidden, int gated, int bias,
                act_dtype dtype, act_accuracy accuracy, act_kernel **kernel) {
  FfnSpec spec;
  if (llvm::Error err = prepareFfn(jit, kernel, activation, options, model,
                                   hidden, gated, bias, dtype, accuracy, spec))
    return fail(std::move(err));
  auto compiled = jit->jit->getFfn(spec, toAccuracy(accuracy));
  if (!compiled)
    return fail(compiled.takeError());
  *kernel = new act_kernel{nullptr, std::move(*compiled), nullptr};
  return succeed();
}

int act_jit_ffn_packed(act_jit *jit, const char *activation,
                       const char *options, int64_t model, int64_t hidden,
                       int gated, int bias, act_dtype dtype,
                       act_accuracy accuracy, act_kernel **kernel,
                       act_kernel **packer) {
  if (!packer)
    return fail("the packer handle is a null pointer");
  FfnSpec spec;
  if (llvm::Error err = prepareFfn(jit, kernel, activation, options, model,
                                   hidden, gated, bias, dtype, accuracy, spec))
    return fail(std::move(err));
  spec.packedWeights = true;
  auto compiled = jit->jit->getFfn(spec, toAccuracy(accuracy));
  if (!compiled)
    return fail(compiled.takeError());
  auto packing = jit->jit->getFfnWeightPacker(spec);
  if (!packing)
    return fail(packing.takeError());
  *kernel = new act_kernel{nullptr, std::move(*compiled), nullptr};
  *packer = new act_kernel{nullptr, std::move(*packing), nullptr};
  return succeed();
}

int act_kernel_array_shape(const act_kernel *kernel, size_t index,
                           act_array *shape) {
  if (!kernel || !kernel->arrays)
    return fail("not a GLU or FFN kernel");
  if (!shape)
    return fail("the shape is a null pointer");
  auto signature = kernel->arrays->getSignature();
  if (index >= signature.size())
    return fail("the kernel has " + llvm::Twine(signature.size()) +
                " arrays, asked for array " + llvm::Twine(index));
  *shape = {};
  shape->rank = signature[index].size();
  llvm::copy(signature[index], shape->shape);
  return succeed();
}

int act_kernel_run_arrays(const act_kernel *kernel, const act_array *arrays,
                          size_t count) {
  if (!kernel || !kernel->arrays)
    return fail("not a GLU or FFN kernel");
  if (!arrays && count > 0)
    return fail("the array list is a null pointer");
  std::vector<ArrayArg> args;
  for (size_t i = 0; i < count; ++i) {
    const act_array &a = arrays[i];
    if (a.rank < 1 || a.rank > 4)
      return fail("array " + llvm::Twine(i) + " has rank " +
                  llvm::Twine(a.rank) + ", expected 1 to 4");
    args.push_back(
        {a.data, SmallVector<int64_t, 2>(a.shape, a.shape + a.rank)});
  }
  if (llvm::Error err = kernel->arrays->run(args))
    return fail(std::move(err));
  return succeed();
}

int act_jit_module(act_jit *jit, const char *mlir, act_accuracy accuracy,
                   act_kernel **kernel) {
  if (llvm::Error err = checkCompile(jit, kernel, ACT_F32, accuracy))
    return fail(std::move(err));
  if (!mlir)
    return fail("the MLIR text is a null pointer");
  auto compiled = jit->jit->getModule(mlir, toAccuracy(accuracy));
  if (!compiled)
    return fail(compiled.takeError());
  *kernel = new act_kernel{nullptr, nullptr, std::move(*compiled)};
  return succeed();
}

int act_kernel_invoke(const act_kernel *kernel, const char *function,
                      void **args, size_t count) {
  if (!kernel || !kernel->module)
    return fail("not a module kernel");
  if (!function)
    return fail("the function name is a null pointer");
  if (!args && count > 0)
    return fail("the argument list is a null pointer");
  for (size_t i = 0; i < count; ++i)
    if (!args[i])
      return fail("argument " + llvm::Twine(i) + " is a null pointer");
  auto func =
      kernel->module->getSourceModule().lookupSymbol<func::FuncOp>(function);
  if (!func || func.isExternal())
    return fail(llvm::Twine("no function '") + function + "' in the module");
  // The packed wrapper reads exactly its arguments (and a result slot).
  size_t expected = func.getNumArguments() + (func.getNumResults() ? 1 : 0);
  if (count != expected)
    return fail(llvm::Twine("'") + function + "' takes " +
                llvm::Twine(expected) + " packed arguments, got " +
                llvm::Twine(count));
  if (llvm::Error err = kernel->module->invoke(
          function, MutableArrayRef<void *>(args, count)))
    return fail(std::move(err));
  return succeed();
}

void act_kernel_destroy(act_kernel *kernel) { delete kernel; }
