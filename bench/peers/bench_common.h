//===- bench_common.h - Options, .npy I/O, threads, timing ------*- C++ -*-===//

#ifndef ACT_BENCH_PEERS_BENCH_COMMON_H
#define ACT_BENCH_PEERS_BENCH_COMMON_H

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif
#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace bench {

[[noreturn]] inline void fail(const std::string &msg) {
  std::fprintf(stderr, "error: %s\n", msg.c_str());
  std::exit(1);
}

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

struct Options {
  std::string activation;   // Peer-specific name ("gelu", "copy", ...).
  int64_t elements = 16384; // Used when no --input is given.
  int threads = 1;
  int repeat = 21;          // Timed samples; the median is reported.
  int warmup = 3;           // Untimed calls before calibration.
  double minSampleMs = 2.0; // A sample batches calls until it lasts this long.
  double maxSeconds = 0;    // Stop sampling past this (>= 3 samples); 0: off.
  std::string input;        // float32 .npy; generated when empty.
  std::string output;       // float32 .npy written after timing, optional.
  bool pin = false;         // Pin thread t to the t-th allowed CPU.
};

inline void printUsage(const char *prog, const char *extra) {
  std::fprintf(stderr,
               "usage: %s --activation NAME [--elements N] [--threads T]\n"
               "       [--repeat R] [--warmup W] [--min-sample-ms MS] "
               "[--max-seconds S]\n"
               "       [--input x.npy] [--output y.npy] [--pin]\n%s",
               prog, extra);
}

inline Options parseOptions(int argc, char **argv, const char *extraUsage) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        fail("missing value for " + a);
      return argv[++i];
    };
    if (a == "--activation" || a == "--kernel")
      o.activation = value();
    else if (a == "--elements")
      o.elements = std::stoll(value());
    else if (a == "--threads")
      o.threads = std::stoi(value());
    else if (a == "--repeat")
      o.repeat = std::stoi(value());
    else if (a == "--warmup")
      o.warmup = std::stoi(value());
    else if (a == "--min-sample-ms")
      o.minSampleMs = std::stod(value());
    else if (a == "--max-seconds")
      o.maxSeconds = std::stod(value());
    else if (a == "--input")
      o.input = value();
    else if (a == "--output")
      o.output = value();
    else if (a == "--pin")
      o.pin = true;
    else if (a == "--bench")
      continue; // Accepted for symmetry with act-run; always on here.
    else if (a == "-h" || a == "--help") {
      printUsage(argv[0], extraUsage);
      std::exit(0);
    } else {
      printUsage(argv[0], extraUsage);
      fail("unknown option " + a);
    }
  }
  if (o.activation.empty())
    fail("--activation is required");
  if (o.threads < 1 || o.repeat < 1 || o.warmup < 0 || o.elements < 1)
    fail("--threads, --repeat and --elements must be positive");
  return o;
}

//===----------------------------------------------------------------------===//
// Aligned float buffers and float32 .npy files
//===----------------------------------------------------------------------===//

struct FreeDeleter {
  void operator()(float *p) const { std::free(p); }
};
using Buffer = std::unique_ptr<float[], FreeDeleter>;

/// 64-byte aligned, zero-filled (so every page is touched before timing).
inline Buffer allocate(int64_t n) {
  size_t bytes = ((size_t(n) * sizeof(float) + 63) / 64) * 64;
  auto *p = static_cast<float *>(std::aligned_alloc(64, bytes ? bytes : 64));
  if (!p)
    fail("out of memory");
  std::memset(p, 0, bytes);
  return Buffer(p);
}

/// Reads a little-endian float32 C-order .npy file of any shape.
inline Buffer readNpy(const std::string &path, int64_t &n) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail("cannot open " + path);
  char magic[8];
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    fail(path + ": not a .npy file");
  uint32_t headerLen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char *>(b), 2);
    headerLen = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char *>(b), 4);
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  }
  std::string header(headerLen, '\0');
  in.read(header.data(), headerLen);
  if (header.find("'<f4'") == std::string::npos)
    fail(path + ": dtype must be float32 '<f4'");
  if (header.find("'fortran_order': False") == std::string::npos)
    fail(path + ": must be C order");
  size_t lp = header.find('('), rp = header.find(')');
  if (lp == std::string::npos || rp == std::string::npos)
    fail(path + ": no shape in header");
  n = 1;
  std::stringstream shape(header.substr(lp + 1, rp - lp - 1));
  std::string dim;
  while (std::getline(shape, dim, ','))
    if (dim.find_first_not_of(' ') != std::string::npos)
      n *= std::stoll(dim);
  Buffer buf = allocate(n);
  in.read(reinterpret_cast<char *>(buf.get()), n * sizeof(float));
  if (!in)
    fail(path + ": truncated data");
  return buf;
}

/// Writes a 1-D float32 .npy file.
inline void writeNpy(const std::string &path, const float *data, int64_t n) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(n) + ",), }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out(path, std::ios::binary);
  if (!out)
    fail("cannot write " + path);
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = uint16_t(header.size());
  char le[2] = {char(len & 0xff), char(len >> 8)};
  out.write(le, 2);
  out.write(header.data(), header.size());
  out.write(reinterpret_cast<const char *>(data), n * sizeof(float));
}

/// The input of every peer: --input, else x uniform in [-6, 6] (seed 0).
inline Buffer loadInput(const Options &o, int64_t &n) {
  if (!o.input.empty())
    return readNpy(o.input, n);
  n = o.elements;
  Buffer x = allocate(n);
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-6.0f, 6.0f);
  for (int64_t i = 0; i < n; ++i)
    x[i] = dist(rng);
  return x;
}

//===----------------------------------------------------------------------===//
// Thread pool: the caller is worker 0; the others spin between jobs (then
// yield), as an OpenMP team does, so that a job costs no thread creation or
// wake-up.
//===----------------------------------------------------------------------===//

class ThreadPool {
public:
  using Task = std::function<void(int tid, int nthreads)>;

  /// With pin, thread t (the caller is 0) is bound to the t-th CPU the
  /// process may use, as OMP_PROC_BIND=close OMP_PLACES=cores does: some
  /// kernels (e.g. with sched_vcpu_pack) otherwise stack threads on one CPU.
  ThreadPool(int threads, bool pin) : nthreads(threads) {
    std::vector<int> cpus = pin ? allowedCpus() : std::vector<int>();
    // Workers first: they would inherit the caller's affinity once pinned.
    for (int t = 1; t < threads; ++t)
      workers.emplace_back([this, t, cpus] {
        pinTo(cpus, t);
        loop(t);
      });
    pinTo(cpus, 0);
  }
  ~ThreadPool() {
    stop.store(true, std::memory_order_release);
    generation.fetch_add(1, std::memory_order_acq_rel);
    for (auto &w : workers)
      w.join();
  }
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int size() const { return nthreads; }

  /// Runs task(tid, nthreads) on every worker and returns when all are done.
  void run(const Task &task) {
    if (nthreads == 1) {
      task(0, 1);
      return;
    }
    current = &task;
    pending.store(nthreads - 1, std::memory_order_relaxed);
    generation.fetch_add(1, std::memory_order_acq_rel);
    task(0, nthreads);
    spinWhile([&] { return pending.load(std::memory_order_acquire) != 0; });
  }

private:
  static std::vector<int> allowedCpus() {
    std::vector<int> cpus;
#if defined(__linux__)
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
      for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &allowed))
          cpus.push_back(c);
#endif
    return cpus;
  }

  /// Binds the calling thread to cpus[t % size]; no-op for an empty list.
  static void pinTo(const std::vector<int> &cpus, int t) {
    if (cpus.empty())
      return;
#if defined(__linux__)
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpus[size_t(t) % cpus.size()], &one);
    pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
#endif
  }

  /// Spins while busy() holds, yielding the core after a while: when the OS
  /// put two of our threads on one core, pure spinning would cost the waiter
  /// a whole time slice per job.
  template <typename Pred> static void spinWhile(Pred busy) {
    for (int i = 0; busy(); ++i) {
      if (i < 4096) {
#if defined(__x86_64__) || defined(_M_X64)
        _mm_pause();
#endif
      } else {
        std::this_thread::yield();
      }
    }
  }

  void loop(int tid) {
    uint64_t seen = 0;
    for (;;) {
      spinWhile(
          [&] { return generation.load(std::memory_order_acquire) == seen; });
      seen = generation.load(std::memory_order_acquire);
      if (stop.load(std::memory_order_acquire))
        return;
      (*current)(tid, nthreads);
      pending.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  int nthreads;
  std::vector<std::thread> workers;
  const Task *current = nullptr;
  alignas(64) std::atomic<uint64_t> generation{0};
  alignas(64) std::atomic<int> pending{0};
  std::atomic<bool> stop{false};
};

/// [begin, end) of thread tid's share of n elements, in whole 64-byte lines
/// so that every chunk but the last starts and ends cache-line aligned.
inline std::pair<int64_t, int64_t> chunk(int64_t n, int tid, int nthreads) {
  int64_t lines = (n + 15) / 16;
  int64_t per = lines / nthreads, rem = lines % nthreads;
  int64_t b = (tid * per + std::min<int64_t>(tid, rem)) * 16;
  int64_t e = b + (per + (tid < rem ? 1 : 0)) * 16;
  return {std::min(b, n), std::min(e, n)};
}

//===----------------------------------------------------------------------===//
// Timing
//===----------------------------------------------------------------------===//

struct Timing {
  double median = 0; // Seconds per call.
  double min = 0;
  int samples = 0;
  int64_t batch = 1; // Calls per sample.
};

inline double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Warm-up, then `repeat` samples of `batch` back-to-back calls each, where
/// batch is the smallest count for which a sample lasts >= minSampleMs; with
/// maxSeconds, sampling stops early once that much time went by (>= 3 samples).
inline Timing measure(const Options &o, const std::function<void()> &call) {
  for (int i = 0; i < o.warmup; ++i)
    call();
  double t0 = now();
  call();
  double one = std::max(now() - t0, 1e-9);
  Timing t;
  t.batch =
      std::max<int64_t>(1, int64_t(std::ceil(o.minSampleMs * 1e-3 / one)));
  std::vector<double> perCall;
  double start = now();
  for (int r = 0; r < o.repeat; ++r) {
    if (o.maxSeconds > 0 && r >= 3 && now() - start > o.maxSeconds)
      break;
    double s = now();
    for (int64_t k = 0; k < t.batch; ++k)
      call();
    perCall.push_back((now() - s) / double(t.batch));
  }
  std::sort(perCall.begin(), perCall.end());
  size_t m = perCall.size();
  t.median =
      m % 2 ? perCall[m / 2] : 0.5 * (perCall[m / 2 - 1] + perCall[m / 2]);
  t.min = perCall.front();
  t.samples = int(m);
  return t;
}

/// Times kernel(dst, src, count) over the input of `o`, each call split into
/// per-thread chunks on o.threads pinned threads; writes --output if given.
inline Timing
runUnary(const Options &o, int64_t &n,
         const std::function<void(float *, const float *, int64_t)> &kernel) {
  Buffer x = loadInput(o, n);
  Buffer y = allocate(n);
  const float *src = x.get();
  float *dst = y.get();
  ThreadPool pool(o.threads, o.pin);
  ThreadPool::Task task = [&](int tid, int nthreads) {
    auto [b, e] = chunk(n, tid, nthreads);
    if (e > b)
      kernel(dst + b, src + b, e - b);
  };
  Timing t = measure(o, [&] { pool.run(task); });
  if (!o.output.empty())
    writeNpy(o.output, dst, n);
  return t;
}

inline std::string jsonEscape(const std::string &s) {
  std::string r;
  for (char c : s) {
    if (c == '"' || c == '\\')
      r.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20)
      r.push_back(c);
  }
  return r;
}

/// One JSON line: the act-run --bench schema plus peer-specific extras
/// (`extra` is either empty or starts with ", ").
inline void printJson(const std::string &kernel, int64_t n, int threads,
                      const Timing &t, double bytes,
                      const std::string &extra = "") {
  std::printf("{\"kernel\": \"%s\", \"elements\": %lld, \"threads\": %d, "
              "\"seconds_median\": %.6e, \"gelem_per_s\": %.6f, "
              "\"gb_per_s\": %.6f, \"seconds_min\": %.6e, \"samples\": %d, "
              "\"batch\": %lld%s}\n",
              jsonEscape(kernel).c_str(), static_cast<long long>(n), threads,
              t.median, double(n) / t.median * 1e-9, bytes / t.median * 1e-9,
              t.min, t.samples, static_cast<long long>(t.batch), extra.c_str());
  std::fflush(stdout);
}

} // namespace bench

#endif // ACT_BENCH_PEERS_BENCH_COMMON_H
