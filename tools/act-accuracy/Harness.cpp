//===- Harness.cpp - Accuracy sweeps of activation kernels ------*- C++ -*-===//
//
// Splits the inputs into chunks that worker threads claim one at a time; each
// worker runs the kernel on its own buffers and folds the errors into its own
// accumulator, and the accumulators are merged at the end.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"
#include "Ulp.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

using namespace act::accuracy;

namespace {

uint32_t floatToBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

float bitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

/// The worst point seen so far; ties go to the smaller bit pattern.
struct Worst {
  double error = -1;
  uint32_t bits = 0;
  float y = 0;
  long double ref = 0;

  void update(double e, uint32_t b, float yValue, long double r) {
    if (e > error || (e == error && b < bits)) {
      error = e;
      bits = b;
      y = yValue;
      ref = r;
    }
  }
  void merge(const Worst &other) {
    if (other.error >= 0)
      update(other.error, other.bits, other.y, other.ref);
  }
};

struct Accumulator {
  Worst worst, worstRaw;
  uint64_t count = 0, violations = 0, absRulePasses = 0;
  std::vector<uint32_t> violationBits; // sorted, at most kMaxViolationSamples
  std::vector<Bucket> buckets = std::vector<Bucket>(kNumBuckets);

  void addViolation(uint32_t bits) {
    if (violationBits.size() == kMaxViolationSamples) {
      if (bits >= violationBits.back())
        return;
      violationBits.pop_back();
    }
    violationBits.insert(
        std::upper_bound(violationBits.begin(), violationBits.end(), bits),
        bits);
  }

  void merge(const Accumulator &other) {
    worst.merge(other.worst);
    worstRaw.merge(other.worstRaw);
    count += other.count;
    violations += other.violations;
    absRulePasses += other.absRulePasses;
    for (uint32_t bits : other.violationBits)
      addViolation(bits);
    for (int i = 0; i < kNumBuckets; ++i) {
      Bucket &mine = buckets[i];
      const Bucket &theirs = other.buckets[i];
      mine.maxUlp = std::max(mine.maxUlp, theirs.maxUlp);
      mine.maxUlpRaw = std::max(mine.maxUlpRaw, theirs.maxUlpRaw);
      mine.count += theirs.count;
      mine.violations += theirs.violations;
    }
  }
};

/// Folds one chunk of results into `acc`.
void check(const uint32_t *xBits, const float *y, int64_t n, ReferenceFn ref,
           const Kernel &kernel, double bound, Accumulator &acc) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double rescueAbove = bound == kInf ? kPreciseBoundUlp : bound;
  for (int64_t i = 0; i < n; ++i) {
    float x = bitsToFloat(xBits[i]);
    long double r = ref(x, kernel.params);
    double raw = ulpError(y[i], r);
    double error = raw;
    if (kernel.gradient && raw > rescueAbove &&
        passesDerivativeAbsRule(x, y[i], r)) {
      error = 0;
      ++acc.absRulePasses;
    }
    bool violation = error > bound || error == kInf;
    acc.worst.update(error, xBits[i], y[i], r);
    acc.worstRaw.update(raw, xBits[i], y[i], r);
    Bucket &bucket = acc.buckets[bucketIndex(x)];
    bucket.maxUlp = std::max(bucket.maxUlp, error);
    bucket.maxUlpRaw = std::max(bucket.maxUlpRaw, raw);
    ++bucket.count;
    if (violation) {
      ++bucket.violations;
      ++acc.violations;
      acc.addViolation(xBits[i]);
    }
  }
  acc.count += n;
}

/// splitmix64: a small, fixed, portable generator, so the sample is the same
/// on every machine and standard library.
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

std::vector<uint32_t> buildSampledInputs() {
  std::vector<uint32_t> bits;
  auto addFloat = [&](float f) { bits.push_back(floatToBits(f)); };

  // Zeros, infinities, NaNs (quiet, signalling, with payloads), FLT_MIN,
  // FLT_MAX, the smallest and largest subnormals, all with both signs.
  for (uint32_t b : {0x00000000u, 0x7f800000u, 0x7fc00000u, 0x7f800001u,
                     0x7fa00000u, 0x7fc00001u, 0x7fffffffu, 0x00800000u,
                     0x7f7fffffu, 0x00000001u, 0x007fffffu, 0x3f800000u})
    for (uint32_t sign : {0u, 0x80000000u})
      bits.push_back(b | sign);

  SplitMix64 rng{0xac7ac7ac7ac7ac7aull};
  for (int i = 0; i < 4096; ++i) {
    uint64_t r = rng.next();
    bits.push_back((static_cast<uint32_t>(r) & 0x007fffffu) |
                   (r >> 63 ? 0x80000000u : 0u));
  }

  // Where gelu-like functions underflow f32: every 16th float.
  for (uint32_t b = floatToBits(-5.0f); b <= floatToBits(-14.0f); b += 16)
    bits.push_back(b);

  // Where sigmoid-like results (gelu_sigmoid, silu, sigmoid) are small but
  // still above the flush threshold: every 128th float.
  for (uint32_t b = floatToBits(-20.0f); b <= floatToBits(-128.0f); b += 128)
    bits.push_back(b);

  // Dense, evenly spaced in value.
  constexpr int kDense = 1 << 20;
  for (int i = 0; i <= kDense; ++i)
    addFloat(static_cast<float>(kHistogramLo +
                                (kHistogramHi - kHistogramLo) * i / kDense));

  // Every binade from the subnormals up to 20, both signs.
  for (uint32_t b = 0; b <= floatToBits(20.0f); b += 4096) {
    bits.push_back(b);
    bits.push_back(b | 0x80000000u);
  }

  // The knees, and 0, where piecewise definitions switch.
  constexpr uint32_t kKneeWidth = 2048;
  for (uint32_t b = 0; b <= kKneeWidth; ++b) {
    bits.push_back(b);
    bits.push_back(b | 0x80000000u);
  }
  for (float knee : {-3.0f, 3.0f, 6.0f, 20.0f})
    for (uint32_t b = floatToBits(knee) - kKneeWidth;
         b <= floatToBits(knee) + kKneeWidth; ++b)
      bits.push_back(b);

  // The tails, |x| from 20 to FLT_MAX, uniform in bit pattern.
  uint32_t tailLo = floatToBits(20.0f), tailHi = 0x7f7fffffu;
  for (int i = 0; i < (1 << 18); ++i) {
    uint64_t r = rng.next();
    bits.push_back((tailLo + static_cast<uint32_t>(r % (tailHi - tailLo + 1))) |
                   (r >> 63 ? 0x80000000u : 0u));
  }

  // Anything at all.
  for (int i = 0; i < (1 << 17); ++i)
    bits.push_back(static_cast<uint32_t>(rng.next() >> 32));

  std::sort(bits.begin(), bits.end());
  bits.erase(std::unique(bits.begin(), bits.end()), bits.end());
  return bits;
}

} // namespace

int act::accuracy::bucketIndex(float x) {
  if (std::isnan(x))
    return kNaNBucket;
  if (x < kHistogramLo)
    return kBelowBucket;
  if (x >= kHistogramHi)
    return kAboveBucket;
  int index = static_cast<int>((x - kHistogramLo) * kLinearBuckets /
                               (kHistogramHi - kHistogramLo));
  return std::min(std::max(index, 0), kLinearBuckets - 1);
}

std::pair<double, double> act::accuracy::bucketRange(int index) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (index == kBelowBucket)
    return {-kInf, kHistogramLo};
  if (index == kAboveBucket)
    return {kHistogramHi, kInf};
  if (index < 0 || index >= kLinearBuckets) {
    double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan};
  }
  double width = (kHistogramHi - kHistogramLo) / kLinearBuckets;
  return {kHistogramLo + index * width, kHistogramLo + (index + 1) * width};
}

const std::vector<uint32_t> &act::accuracy::sampledInputs() {
  static const std::vector<uint32_t> inputs = buildSampledInputs();
  return inputs;
}

Result act::accuracy::sweep(const Kernel &kernel, SweepKind kind,
                            unsigned threads, double boundUlp) {
  ReferenceFn ref = lookupReference(kernel.name);
  if (!ref)
    llvm::report_fatal_error("act-accuracy: no reference for '" +
                             llvm::Twine(kernel.name) + "'");
  auto start = std::chrono::steady_clock::now();

  const std::vector<uint32_t> *sample =
      kind == SweepKind::Sampled ? &sampledInputs() : nullptr;
  int64_t total =
      sample ? static_cast<int64_t>(sample->size()) : (int64_t(1) << 32);
  int64_t numChunks = (total + kChunkSize - 1) / kChunkSize;
  std::atomic<int64_t> nextChunk{0};
  const std::vector<float> ones(kChunkSize, 1.0f);

  threads = std::max(threads, 1u);
  std::vector<Accumulator> accumulators(threads);
  auto work = [&](Accumulator &acc) {
    std::vector<uint32_t> xBits(kChunkSize);
    std::vector<float> x(kChunkSize), y(kChunkSize);
    for (int64_t chunk = nextChunk++; chunk < numChunks; chunk = nextChunk++) {
      int64_t begin = chunk * kChunkSize;
      int64_t n = std::min(kChunkSize, total - begin);
      if (sample)
        std::copy_n(sample->data() + begin, n, xBits.data());
      else
        for (int64_t i = 0; i < n; ++i)
          xBits[i] = static_cast<uint32_t>(begin + i);
      std::memcpy(x.data(), xBits.data(), n * sizeof(float));
      // Poison the output so a kernel that skips elements cannot pass.
      std::fill_n(y.data(), n, std::numeric_limits<float>::quiet_NaN());
      kernel.run(x.data(), kernel.gradient ? ones.data() : nullptr, y.data(),
                 n);
      check(xBits.data(), y.data(), n, ref, kernel, boundUlp, acc);
    }
  };
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t)
    workers.emplace_back(work, std::ref(accumulators[t]));
  work(accumulators[0]);
  for (std::thread &worker : workers)
    worker.join();
  for (unsigned t = 1; t < threads; ++t)
    accumulators[0].merge(accumulators[t]);
  const Accumulator &acc = accumulators[0];

  Result result;
  result.name = kernel.name;
  result.mode = kernel.mode;
  result.gradient = kernel.gradient;
  result.kind = kind;
  result.boundUlp = boundUlp;
  result.maxUlp = std::max(acc.worst.error, 0.0);
  result.worstX = bitsToFloat(acc.worst.bits);
  result.worstY = acc.worst.y;
  result.worstRef = acc.worst.ref;
  result.count = acc.count;
  result.violations = acc.violations;
  result.absRulePasses = acc.absRulePasses;
  result.maxUlpRaw = std::max(acc.worstRaw.error, 0.0);
  result.worstRawX = bitsToFloat(acc.worstRaw.bits);
  result.worstRawY = acc.worstRaw.y;
  result.worstRawRef = acc.worstRaw.ref;
  for (uint32_t bits : acc.violationBits)
    result.violationSamples.push_back(bitsToFloat(bits));
  result.buckets = acc.buckets;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return result;
}
