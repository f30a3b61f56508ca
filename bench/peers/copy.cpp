//===- copy.cpp - Memory-copy limit: memcpy and non-temporal stores -------===//

#include "bench_common.h"

namespace {

/// Copies [0, n) with streaming (non-temporal) stores; dst must be 64-byte
/// aligned where the vector loop starts, which chunk() guarantees.
void copyNonTemporal(float *__restrict dst, const float *__restrict src,
                     int64_t n) {
  int64_t i = 0;
#if defined(__AVX512F__)
  for (; i + 64 <= n; i += 64) {
    __m512 a = _mm512_loadu_ps(src + i);
    __m512 b = _mm512_loadu_ps(src + i + 16);
    __m512 c = _mm512_loadu_ps(src + i + 32);
    __m512 d = _mm512_loadu_ps(src + i + 48);
    _mm512_stream_ps(dst + i, a);
    _mm512_stream_ps(dst + i + 16, b);
    _mm512_stream_ps(dst + i + 32, c);
    _mm512_stream_ps(dst + i + 48, d);
  }
  for (; i + 16 <= n; i += 16)
    _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
#elif defined(__AVX__)
  for (; i + 32 <= n; i += 32) {
    __m256 a = _mm256_loadu_ps(src + i);
    __m256 b = _mm256_loadu_ps(src + i + 8);
    __m256 c = _mm256_loadu_ps(src + i + 16);
    __m256 d = _mm256_loadu_ps(src + i + 24);
    _mm256_stream_ps(dst + i, a);
    _mm256_stream_ps(dst + i + 8, b);
    _mm256_stream_ps(dst + i + 16, c);
    _mm256_stream_ps(dst + i + 24, d);
  }
  for (; i + 8 <= n; i += 8)
    _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
#endif
  for (; i < n; ++i)
    dst[i] = src[i];
#if defined(__SSE__)
  _mm_sfence();
#endif
}

const char *isaName() {
#if defined(__AVX512F__)
  return "avx512";
#elif defined(__AVX__)
  return "avx2";
#else
  return "scalar";
#endif
}

} // namespace

int main(int argc, char **argv) {
  bench::Options o = bench::parseOptions(
      argc, argv,
      "  NAME: memcpy | memcpy_nt (non-temporal stores + sfence)\n");
  bool nt = o.activation == "memcpy_nt";
  if (!nt && o.activation != "memcpy")
    bench::fail("unknown kernel " + o.activation + " (memcpy, memcpy_nt)");

  int64_t n = 0;
  bench::Timing t =
      bench::runUnary(o, n, [&](float *dst, const float *src, int64_t count) {
        if (nt)
          copyNonTemporal(dst, src, count);
        else
          std::memcpy(dst, src, size_t(count) * sizeof(float));
      });
  std::string extra =
      std::string(", \"isa\": \"") + (nt ? isaName() : "libc") + "\"";
  bench::printJson(o.activation, n, o.threads, t, 2.0 * sizeof(float) * n,
                   extra);
  return 0;
}
