//===- Ulp.h - ULP error against a long-double reference --------*- C++ -*-===//
//
// The error metric of DESIGN.md section 5, for f32 results and for the
// narrow f16/bf16 types.
//
//===----------------------------------------------------------------------===//
//
// The error of a result y against the true value r is |y - r| / ulp(r): the
// numerator uses r unrounded, and ulp(r) is the spacing of the result type
// at r rounded to that type (DESIGN.md: "the true value r (computed in high
// precision, rounded to float32)"), the subnormal spacing below the smallest
// normal. So a correctly rounded result scores at most 0.5, and a value just
// below 2^k that rounds to 2^k is measured in 2^k's ulps, not in the twice
// finer ones of the binade below. Special cases:
//  - r NaN: y must be NaN (error 0), anything else is error +inf;
//  - r infinite: y must equal r exactly, otherwise error +inf;
//  - y NaN with r not NaN: error +inf;
//  - y infinite with r finite: y counts as +-2^(maxExponent + 1), the value
//    one ulp past the largest finite number, so an overflow just past the
//    largest finite value scores about 1;
//  - |r| < flushBelow and y == +-0: error 0 (results may be flushed).
// The sign of a zero result is not checked.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_TOOLS_ACT_ACCURACY_ULP_H
#define ACT_TOOLS_ACT_ACCURACY_ULP_H

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace act::accuracy {

/// A binary floating-point result type, described by what ulpOf() needs.
struct FloatFormat {
  int precision;          // significand bits, the implicit one included
  int minExponent;        // exponent of the smallest normal number
  int maxExponent;        // exponent of the largest finite number
  long double flushBelow; // |r| below this may come back as +-0
};

inline constexpr FloatFormat kF32 = {24, -126, 127, 0x1p-100L};
/// bf16 shares f32's exponent range and so its flush threshold.
inline constexpr FloatFormat kBF16 = {8, -126, 127, 0x1p-100L};
/// DESIGN.md names no flush threshold for f16; its smallest subnormal,
/// 2^-24, is far above f32's, so none is allowed.
inline constexpr FloatFormat kF16 = {11, -14, 15, 0.0L};

/// The bound for f16 and bf16 results, in their own ulps.
inline constexpr double kNarrowBoundUlp = 1.0;

/// Absolute error up to which a derivative passes for x in [-3, 0].
inline constexpr long double kDerivativeAbsTolerance = 0x1p-24L;

namespace detail {
/// Whether long double is the x87 80-bit format, whose exponent and
/// significand can be read and written directly.
inline constexpr bool kX87LongDouble =
    std::numeric_limits<long double>::digits == 64 &&
    std::numeric_limits<long double>::max_exponent == 16384;

/// The unbiased exponent of finite r (its binade), or INT_MIN for 0. Long
/// double subnormals come out below every format's minExponent, which is
/// all that matters here.
inline int binade(long double r) {
  if constexpr (kX87LongDouble) {
    uint16_t signExponent;
    std::memcpy(&signExponent, reinterpret_cast<const char *>(&r) + 8,
                sizeof(signExponent));
    int field = signExponent & 0x7fff;
    return field == 0 ? (r == 0 ? INT_MIN : -16383) : field - 16383;
  } else {
    return r == 0 ? INT_MIN : ilogbl(r);
  }
}

/// 2^k for k in long double's normal range.
inline long double exp2i(int k) {
  if constexpr (kX87LongDouble) {
    long double result = 0;
    uint64_t significand = uint64_t(1) << 63;
    uint16_t signExponent = static_cast<uint16_t>(k + 16383);
    std::memcpy(&result, &significand, sizeof(significand));
    std::memcpy(reinterpret_cast<char *>(&result) + 8, &signExponent,
                sizeof(signExponent));
    return result;
  } else {
    return ldexpl(1.0L, k);
  }
}
} // namespace detail

/// The spacing of `format` at r rounded to `format` (finite r): a value just
/// below a power of two that rounds up to it takes the upper binade's
/// spacing. libm's ilogbl and ldexpl would cost as much as the reference
/// itself in an exhaustive sweep, hence the bit manipulation.
inline long double ulpOf(long double r, const FloatFormat &format) {
  int binade = detail::binade(r);
  if (binade < format.minExponent)
    return detail::exp2i(format.minExponent - (format.precision - 1));
  long double spacing = detail::exp2i(binade - (format.precision - 1));
  if (binade < format.maxExponent &&
      fabsl(r) >= detail::exp2i(binade + 1) - spacing / 2)
    spacing *= 2;
  return spacing;
}

/// ULP error of the result `y` (a value of `format`, widened) against `r`.
inline double ulpError(long double y, long double r,
                       const FloatFormat &format = kF32) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (std::isnan(r))
    return std::isnan(y) ? 0.0 : kInf;
  if (std::isnan(y))
    return kInf;
  if (std::isinf(r))
    return y == r ? 0.0 : kInf;
  if (y == 0 && fabsl(r) < format.flushBelow)
    return 0.0;
  if (std::isinf(y))
    y = copysignl(detail::exp2i(format.maxExponent + 1), y);
  return static_cast<double>(fabsl(y - r) / ulpOf(r, format));
}

/// The derivative rule of DESIGN.md section 5: for x in [-3, 0], where f'
/// crosses zero, an absolute error <= 2^-24 passes whatever its ULP error.
inline bool passesDerivativeAbsRule(long double x, long double y,
                                    long double r) {
  return x >= -3 && x <= 0 && std::isfinite(r) && std::isfinite(y) &&
         fabsl(y - r) <= kDerivativeAbsTolerance;
}

/// The f32 value of an IEEE binary16 bit pattern (exact).
inline float halfBitsToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  float magnitude;
  if (exponent == 0x1f) {
    magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN()
                         : std::numeric_limits<float>::infinity();
  } else if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  } else {
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u),
                           static_cast<int>(exponent) - 25);
  }
  uint32_t out;
  std::memcpy(&out, &magnitude, sizeof(out));
  out |= sign;
  float result;
  std::memcpy(&result, &out, sizeof(result));
  return result;
}

/// The f32 value of a bfloat16 bit pattern (exact: the high half of an f32).
inline float bf16BitsToFloat(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float result;
  std::memcpy(&result, &wide, sizeof(result));
  return result;
}

/// ULP error of an f16 result, given as its bit pattern, against `r`.
inline double ulpErrorF16(uint16_t yBits, long double r) {
  return ulpError(halfBitsToFloat(yBits), r, kF16);
}

/// ULP error of a bf16 result, given as its bit pattern, against `r`.
inline double ulpErrorBF16(uint16_t yBits, long double r) {
  return ulpError(bf16BitsToFloat(yBits), r, kBF16);
}

} // namespace act::accuracy

#endif // ACT_TOOLS_ACT_ACCURACY_ULP_H
