//===- act-accuracy.cpp - ULP accuracy of act's kernels ---------*- C++ -*-===//
//
// Measures every kernel of the provider against the long-double reference
// and checks the numerics contract of DESIGN.md section 5.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"
#include "Kernels.h"
#include "Reference.h"
#include "SpecialValues.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <thread>

using namespace act::accuracy;
using namespace llvm;

namespace {

enum class ModeChoice { Precise, Fast, All };

/// The command line. Parsed by hand rather than with llvm::cl: libLLVM and
/// the JIT's libraries register global options of their own ("threads"
/// among them), and two registrations of one name abort at startup.
struct Options {
  SweepKind sweepKind = SweepKind::Sampled;
  unsigned threads = 0; // 0: one per hardware thread
  std::optional<double> bound;
  std::vector<std::string> functions;
  ModeChoice mode = ModeChoice::Precise;
  std::string markdownFile, csvFile;
  bool evalReference = false;
  bool specialValues = false;
  std::vector<std::string> targets;
  bool help = false;
};

constexpr const char *kUsage =
    R"(USAGE: act-accuracy [options]

ULP error of act's activation kernels against a long-double reference
(DESIGN.md section 5). Exits non-zero if any kernel exceeds its bound.

OPTIONS:
  --sampled            a fixed sample of about 2.8M inputs per function
                       (default)
  --exhaustive         all 2^32 float32 inputs
  --threads N          worker threads (default: one per hardware thread)
  --bound ULP          ULP bound for every kernel (default: the kernel's
                       own bound if the provider sets one, else 4 for
                       precise and none for fast: measured only, special
                       values still checked)
  --functions a,b,...  functions to measure (default: every kernel the
                       provider has)
  --mode MODE          precise (default), fast or all
  --markdown FILE      write the results table to FILE
  --csv FILE           write max ULP error per x bucket to FILE, for
                       plot_accuracy.py
  --eval-reference     read lines '<function> <x>' from stdin and print the
                       reference value of each (for check_reference.py)
  --special-values     instead of a sweep: every function at NaN, +-inf,
                       +-0, +-FLT_MAX, +-FLT_MIN, +-denorm_min and the knees,
                       for each target and mode, checked against DESIGN.md
                       section 5; --markdown writes the table
  --targets a,b,...    targets of --special-values, or the one target of
                       a sweep (default: native)
  --help               print this text
)";

/// Reports a usage or I/O error on one line and yields the exit code.
int fail(const Twine &message) {
  WithColor::error(errs(), "act-accuracy") << message << "\n";
  return 1;
}

/// Parses argv into `options`; on a bad option reports it and returns false.
bool parseOptions(int argc, char **argv, Options &options) {
  auto bad = [](const Twine &message) {
    fail(message + " (see --help)");
    return false;
  };
  std::optional<SweepKind> kindSeen;
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (!arg.starts_with("-"))
      return bad("unexpected argument '" + arg + "'");
    StringRef name = arg.ltrim('-'), value;
    bool hasInlineValue = false;
    if (size_t eq = name.find('='); eq != StringRef::npos) {
      value = name.substr(eq + 1);
      name = name.take_front(eq);
      hasInlineValue = true;
    }
    auto flag = [&](bool &out) {
      if (hasInlineValue)
        return bad("--" + name + " takes no value");
      out = true;
      return true;
    };
    auto takeValue = [&]() {
      if (hasInlineValue)
        return true;
      if (i + 1 >= argc)
        return bad("--" + name + " needs a value");
      value = argv[++i];
      return true;
    };
    if (name == "sampled" || name == "exhaustive") {
      SweepKind kind =
          name == "sampled" ? SweepKind::Sampled : SweepKind::Exhaustive;
      if (hasInlineValue)
        return bad("--" + name + " takes no value");
      if (kindSeen && *kindSeen != kind)
        return bad("--sampled and --exhaustive exclude each other");
      kindSeen = kind;
      options.sweepKind = kind;
    } else if (name == "eval-reference") {
      if (!flag(options.evalReference))
        return false;
    } else if (name == "special-values") {
      if (!flag(options.specialValues))
        return false;
    } else if (name == "targets") {
      if (!takeValue())
        return false;
      SmallVector<StringRef> names;
      value.split(names, ',', -1, /*KeepEmpty=*/false);
      for (StringRef target : names)
        options.targets.push_back(target.str());
    } else if (name == "help" || name == "h") {
      if (!flag(options.help))
        return false;
    } else if (name == "threads") {
      if (!takeValue())
        return false;
      if (value.getAsInteger(10, options.threads) || options.threads == 0)
        return bad("--threads needs a positive integer, not '" + value + "'");
    } else if (name == "bound") {
      if (!takeValue())
        return false;
      double bound;
      if (!to_float(value, bound) || !(bound > 0))
        return bad("--bound needs a positive number of ULPs, not '" + value +
                   "'");
      options.bound = bound;
    } else if (name == "functions") {
      if (!takeValue())
        return false;
      SmallVector<StringRef> names;
      value.split(names, ',', -1, /*KeepEmpty=*/false);
      for (StringRef function : names) {
        if (!lookupReference(function))
          return bad("unknown function '" + function +
                     "' in --functions (known: " + join(referenceNames(), ",") +
                     ")");
        options.functions.push_back(function.str());
      }
    } else if (name == "mode") {
      if (!takeValue())
        return false;
      if (value == "precise")
        options.mode = ModeChoice::Precise;
      else if (value == "fast")
        options.mode = ModeChoice::Fast;
      else if (value == "all")
        options.mode = ModeChoice::All;
      else
        return bad("--mode must be precise, fast or all, not '" + value + "'");
    } else if (name == "markdown" || name == "csv") {
      if (!takeValue())
        return false;
      if (value.empty())
        return bad("--" + name + " needs a file name");
      (name == "csv" ? options.csvFile : options.markdownFile) = value.str();
    } else {
      return bad("unknown option '" + arg + "'");
    }
  }
  return true;
}

template <typename... Ts>
std::string formatString(const char *fmt, const Ts &...values) {
  std::string result;
  raw_string_ostream(result) << llvm::format(fmt, values...);
  return result;
}

std::string formatUlp(double ulp) {
  return std::isinf(ulp) ? "inf" : formatString("%.3f", ulp);
}

std::string formatBound(double bound) {
  return std::isinf(bound) ? "none" : formatString("%g", bound);
}

/// Nine significant digits: enough to give back the same f32. NaNs show
/// their bit pattern, since the sample holds several.
std::string formatFloat(float value) {
  if (std::isnan(value)) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    return formatString("nan(0x%08x)", bits);
  }
  return formatString("%.9g", static_cast<double>(value));
}

std::string formatRef(long double value) {
  return formatString("%.12Lg", value);
}

const char *kindName(SweepKind kind) {
  return kind == SweepKind::Exhaustive ? "exhaustive" : "sampled";
}

int runEvalReference() {
  ErrorOr<std::unique_ptr<MemoryBuffer>> input = MemoryBuffer::getSTDIN();
  if (!input)
    return fail("cannot read stdin: " + input.getError().message());
  SmallVector<StringRef> lines;
  (*input)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
  ActivationParams params;
  for (StringRef line : lines) {
    auto [name, xText] = line.trim().split(' ');
    ReferenceFn ref = lookupReference(name);
    if (!ref)
      return fail("unknown function '" + name + "' on stdin");
    std::string xString = xText.trim().str();
    char *end = nullptr;
    long double x = strtold(xString.c_str(), &end);
    if (xString.empty() || *end != '\0')
      return fail("bad number '" + xText.trim() + "' on stdin");
    outs() << llvm::format("%.24Le", ref(x, params)) << "\n";
  }
  return 0;
}

void printResult(raw_ostream &os, const Result &r) {
  os << llvm::format("%-18s %-7s max %9s ulp at x = %-15s y = %-15s "
                     "ref = %-19s violations %llu/%llu  bound %s  %.1f s",
                     r.name.c_str(), r.mode.c_str(),
                     formatUlp(r.maxUlp).c_str(), formatFloat(r.worstX).c_str(),
                     formatFloat(r.worstY).c_str(),
                     formatRef(r.worstRef).c_str(),
                     static_cast<unsigned long long>(r.violations),
                     static_cast<unsigned long long>(r.count),
                     formatBound(r.boundUlp).c_str(), r.seconds);
  if (r.absRulePasses)
    os << llvm::format("  (%llu pass by |err| <= 2^-24; raw max %s ulp at "
                       "x = %s)",
                       static_cast<unsigned long long>(r.absRulePasses),
                       formatUlp(r.maxUlpRaw).c_str(),
                       formatFloat(r.worstRawX).c_str());
  if (r.violations) {
    os << "\n    violations at x =";
    for (float x : r.violationSamples)
      os << " " << formatFloat(x);
    if (r.violations > r.violationSamples.size())
      os << " ...";
  }
  os << "\n";
}

void writeMarkdown(raw_ostream &os, ArrayRef<Result> results,
                   StringRef command) {
  os << "<!-- Generated by act-accuracy; do not edit. -->\n\n";
  os << "Command: `" << command << "`\n\n";
  os << "ULP error of f32 results against a long-double reference "
        "(DESIGN.md section 5), over "
     << (results.front().kind == SweepKind::Exhaustive
             ? "all 2^32 float32 inputs"
             : "a fixed sample of float32 inputs")
     << "; 'at x' is the worst input. Derivatives: an absolute error <= "
        "2^-24 for x in [-3, 0] also passes; the last column counts the "
        "inputs that pass only so, and the worst ULP error among all.\n\n";
  os << "| function | mode | max ULP | at x | result | reference | "
        "violations / inputs | bound | abs-rule passes (raw max ULP) |\n";
  os << "|---|---|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const Result &r : results) {
    os << "| " << r.name << " | " << r.mode << " | " << formatUlp(r.maxUlp)
       << " | " << formatFloat(r.worstX) << " | " << formatFloat(r.worstY)
       << " | " << formatRef(r.worstRef) << " | " << r.violations << " / "
       << r.count << " | " << formatBound(r.boundUlp) << " | ";
    if (r.gradient)
      os << r.absRulePasses << " (" << formatUlp(r.maxUlpRaw) << ")";
    else
      os << "-";
    os << " |\n";
  }
}

void writeCsv(raw_ostream &os, ArrayRef<Result> results) {
  os << "function,mode,sweep,bucket,x_lo,x_hi,count,max_ulp,max_ulp_raw,"
        "violations\n";
  for (const Result &r : results) {
    for (int i = 0; i < kNumBuckets; ++i) {
      const Bucket &b = r.buckets[i];
      auto [lo, hi] = bucketRange(i);
      os << r.name << "," << r.mode << "," << kindName(r.kind) << "," << i
         << "," << formatString("%g", lo) << "," << formatString("%g", hi)
         << "," << b.count << "," << formatUlp(b.maxUlp) << ","
         << formatUlp(b.maxUlpRaw) << "," << b.violations << "\n";
    }
  }
}

int writeFile(StringRef path, function_ref<void(raw_ostream &)> write) {
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  write(os);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  Options options;
  if (!parseOptions(argc, argv, options))
    return 1;
  if (options.help) {
    outs() << kUsage;
    return 0;
  }
  if (options.evalReference)
    return runEvalReference();

  std::string command = "act-accuracy";
  for (int i = 1; i < argc; ++i)
    command += std::string(" ") + argv[i];
  unsigned threads = options.threads
                         ? options.threads
                         : std::max(1u, std::thread::hardware_concurrency());
  SmallVector<StringRef, 2> modes;
  if (options.mode != ModeChoice::Fast)
    modes.push_back("precise");
  if (options.mode != ModeChoice::Precise)
    modes.push_back("fast");

  if (options.specialValues) {
    if (options.targets.empty())
      options.targets.push_back("native");
    std::vector<SpecialValueRun> runs;
    for (const std::string &target : options.targets)
      for (StringRef mode : modes) {
        std::vector<Kernel> provided = getKernels(mode, target);
        for (Kernel &kernel : provided)
          if (options.functions.empty() ||
              is_contained(options.functions, kernel.name))
            runs.push_back({target, std::move(kernel)});
      }
    SpecialValueReport report = checkSpecialValues(runs);
    outs() << report.summary;
    if (!options.markdownFile.empty())
      if (int rc = writeFile(options.markdownFile,
                             [&](raw_ostream &os) { os << report.markdown; }))
        return rc;
    return report.failures ? 1 : 0;
  }

  if (options.targets.size() > 1)
    return fail("a sweep takes one target (--targets), got " +
                std::to_string(options.targets.size()));
  std::string sweepTarget =
      options.targets.empty() ? "native" : options.targets.front();
  std::vector<Kernel> kernels;
  for (StringRef mode : modes) {
    std::vector<Kernel> provided = getKernels(mode, sweepTarget);
    for (Kernel &kernel : provided) {
      if (!lookupReference(kernel.name))
        return fail("the provider's kernel '" + kernel.name +
                    "' has no reference");
      if (kernel.gradient != StringRef(kernel.name).ends_with("_grad"))
        return fail("the provider's kernel '" + kernel.name +
                    "' has the wrong gradient flag");
      if (kernel.mode != mode || !kernel.run)
        return fail("the provider's kernel '" + kernel.name + "' for mode '" +
                    mode + "' is malformed");
    }
    for (const std::string &name : options.functions)
      if (none_of(provided, [&](const Kernel &k) { return k.name == name; }))
        WithColor::warning(errs(), "act-accuracy")
            << "no " << mode << " kernel for '" << name << "'\n";
    for (Kernel &kernel : provided)
      if (options.functions.empty() ||
          is_contained(options.functions, kernel.name))
        kernels.push_back(std::move(kernel));
  }
  if (kernels.empty())
    return fail("no kernels to measure");

  std::vector<Result> results;
  bool anyViolation = false;
  for (const Kernel &kernel : kernels) {
    double bound = std::numeric_limits<double>::infinity();
    if (options.bound)
      bound = *options.bound;
    else if (kernel.boundUlp > 0)
      bound = kernel.boundUlp;
    else if (kernel.mode == "precise")
      bound = kPreciseBoundUlp;
    results.push_back(sweep(kernel, options.sweepKind, threads, bound));
    printResult(outs(), results.back());
    outs().flush();
    anyViolation |= results.back().violations != 0;
  }

  if (!options.markdownFile.empty())
    if (int rc = writeFile(options.markdownFile, [&](raw_ostream &os) {
          writeMarkdown(os, results, command);
        }))
      return rc;
  if (!options.csvFile.empty())
    if (int rc = writeFile(options.csvFile,
                           [&](raw_ostream &os) { writeCsv(os, results); }))
      return rc;

  if (anyViolation) {
    WithColor::error(errs(), "act-accuracy")
        << "some kernels exceed their ULP bound\n";
    return 1;
  }
  return 0;
}
