//===- jit_latency.cpp - Compile latency and cache cost of act's JIT -----===//
//
// act-jit-bench [--repeat N] [--json FILE]: cold compiles of an elementwise
// kernel (GELU, f32, precise; the plain and the streaming variant) and of a
// BERT-size FFN, split into MLIR and LLVM time; a load from the on-disk
// object cache; and the cost of a memory cache hit. Prints a markdown table.
//
//===----------------------------------------------------------------------===//

#include "act/JIT/JIT.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace mlir::act;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void die(llvm::Error err) {
  std::fprintf(stderr, "act-jit-bench: %s\n",
               llvm::toString(std::move(err)).c_str());
  std::exit(1);
}

struct Row {
  std::string what;
  double total, mlir = -1, llvm = -1;
};

/// Cold compiles of `source` straight through CompiledModule (what a Jit
/// miss runs), with the MLIR/LLVM split.
Row coldCompile(const std::string &what, const std::string &source, int repeat,
                unsigned llvmOptLevel) {
  CompileOptions options;
  options.llvmOptLevel = llvmOptLevel;
  std::vector<double> total, mlir, llvm;
  for (int i = 0; i < repeat; ++i) {
    Clock::time_point start = Clock::now();
    auto module = CompiledModule::compile(source, options);
    double t = since(start);
    if (!module)
      die(module.takeError());
    total.push_back(t);
    mlir.push_back((*module)->getTimings().mlir);
    llvm.push_back((*module)->getTimings().llvm);
  }
  return {what, median(total), median(mlir), median(llvm)};
}

std::unique_ptr<Jit> makeJit(const std::string &cacheDirectory = "") {
  Jit::Options options;
  options.cacheDirectory = cacheDirectory;
  auto jit = Jit::create(options);
  if (!jit)
    die(jit.takeError());
  return std::move(*jit);
}

/// Mean seconds per call of `call`, over `n` calls.
double perCall(int n, const std::function<void()> &call) {
  Clock::time_point start = Clock::now();
  for (int i = 0; i < n; ++i)
    call();
  return since(start) / n;
}

} // namespace

int main(int argc, char **argv) {
  int repeat = 15;
  std::string json;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc)
      repeat = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--json") && i + 1 < argc)
      json = argv[++i];
    else {
      std::fprintf(stderr, "usage: act-jit-bench [--repeat N] [--json FILE]\n");
      return 1;
    }
  }

  ElementwiseSpec gelu;
  gelu.kind = ActivationKind::gelu;
  FfnSpec bert;
  bert.kind = ActivationKind::gelu;
  bert.model = 768;
  bert.hidden = 3072;
  std::string geluSource =
      getElementwiseModuleSource(gelu, "act_kernel", /*withStreaming=*/true);
  std::string ffnSource = getFfnModuleSource(bert, "act_kernel");

  // One-time process costs (LLVM target initialization, dialect
  // registration) are paid here, outside the measurements.
  coldCompile("warm-up", geluSource, 1, 0);

  std::vector<Row> rows;
  // As a Jit miss compiles them (CompileOptions::llvmOptLevel).
  rows.push_back(coldCompile("cold compile: elementwise GELU (2 functions)",
                             geluSource, repeat, 0));
  rows.push_back(
      coldCompile("cold compile: elementwise GELU, LLVM -O3 (not used)",
                  geluSource, repeat, 3));
  rows.push_back(
      coldCompile("cold compile: FFN 768x3072 + GELU", ffnSource, repeat, 3));

  // Through a fresh Jit: the request path on a miss.
  {
    std::vector<double> t;
    for (int i = 0; i < repeat; ++i) {
      std::unique_ptr<Jit> jit = makeJit();
      Clock::time_point start = Clock::now();
      auto kernel = jit->getElementwise(gelu);
      t.push_back(since(start));
      if (!kernel)
        die(kernel.takeError());
    }
    rows.push_back({"Jit miss: getElementwise(GELU)", median(t)});
  }

  // The on-disk object cache: a new Jit (a restarted process) loads it.
  {
    llvm::SmallString<128> dir;
    if (llvm::sys::fs::createUniqueDirectory("act-jit-bench", dir))
      return 1;
    makeJit(std::string(dir))->getElementwise(gelu).get();
    std::vector<double> t;
    for (int i = 0; i < repeat; ++i) {
      std::unique_ptr<Jit> jit = makeJit(std::string(dir));
      Clock::time_point start = Clock::now();
      auto kernel = jit->getElementwise(gelu);
      t.push_back(since(start));
      if (!kernel)
        die(kernel.takeError());
      if (jit->getStats().diskHits != 1) {
        std::fprintf(stderr, "act-jit-bench: the object cache missed\n");
        return 1;
      }
    }
    rows.push_back({"disk hit: getElementwise(GELU), new Jit", median(t)});
    llvm::sys::fs::remove_directories(dir);
  }

  // Memory hits.
  {
    std::unique_ptr<Jit> jit = makeJit();
    if (!jit->getElementwise(gelu) || !jit->getFfn(bert) ||
        !jit->getModule(ffnSource))
      return 1;
    constexpr int kCalls = 20000;
    std::vector<double> elementwise, ffn, module;
    for (int i = 0; i < 5; ++i) {
      elementwise.push_back(perCall(kCalls, [&] {
        auto k = jit->getElementwise(gelu);
        if (!k)
          die(k.takeError());
      }));
      ffn.push_back(perCall(kCalls, [&] {
        auto k = jit->getFfn(bert);
        if (!k)
          die(k.takeError());
      }));
      module.push_back(perCall(kCalls, [&] {
        auto k = jit->getModule(ffnSource);
        if (!k)
          die(k.takeError());
      }));
    }
    rows.push_back({"memory hit: getElementwise(GELU)", median(elementwise)});
    rows.push_back({"memory hit: getFfn(768x3072)", median(ffn)});
    rows.push_back({"memory hit: getModule(FFN text, " +
                        std::to_string(ffnSource.size()) + " bytes)",
                    median(module)});
  }

  auto ms = [](double s) {
    char buf[32];
    if (s < 0)
      return std::string("-");
    if (s < 1e-3)
      snprintf(buf, sizeof(buf), "%.2f us", s * 1e6);
    else
      snprintf(buf, sizeof(buf), "%.1f ms", s * 1e3);
    return std::string(buf);
  };
  std::printf("| what | median | MLIR (parse, act-cpu-pipeline) | LLVM "
              "(translate, IR passes, codegen, link) |\n|---|--:|--:|--:|\n");
  for (const Row &r : rows)
    std::printf("| %s | %s | %s | %s |\n", r.what.c_str(), ms(r.total).c_str(),
                ms(r.mlir).c_str(), ms(r.llvm).c_str());
  if (!json.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(json, ec);
    if (ec) {
      std::fprintf(stderr, "act-jit-bench: cannot write %s\n", json.c_str());
      return 1;
    }
    os << "[\n";
    for (size_t i = 0; i < rows.size(); ++i)
      os << "  {\"what\": \"" << rows[i].what
         << "\", \"seconds_median\": " << rows[i].total
         << ", \"mlir_seconds\": " << rows[i].mlir
         << ", \"llvm_seconds\": " << rows[i].llvm << "}"
         << (i + 1 < rows.size() ? ",\n" : "\n");
    os << "]\n";
  }
  return 0;
}
