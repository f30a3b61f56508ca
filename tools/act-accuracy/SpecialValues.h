//===- SpecialValues.h - Special inputs of every kernel --------*- C++ -*-===//
//
// Every activation and derivative at NaN, +-inf, +-0, +-FLT_MAX, +-FLT_MIN,
// +-denorm_min and the knees (+-3, 6, softplus's threshold 20), per target
// and accuracy mode, checked against DESIGN.md section 5.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_TOOLS_ACT_ACCURACY_SPECIALVALUES_H
#define ACT_TOOLS_ACT_ACCURACY_SPECIALVALUES_H

#include "Harness.h"

#include <string>
#include <vector>

namespace act::accuracy {

struct SpecialValueRun {
  std::string target;
  Kernel kernel;
};

struct SpecialValueReport {
  std::string summary;  ///< one line per failure, then a count
  std::string markdown; ///< the table for docs/
  unsigned failures = 0;
};

/// Rules: NaN gives NaN; +-inf give exactly the reference's limit; where
/// f(+-0) = 0 the zero has the same sign in every run of a function
/// (targets and modes); finite inputs are within 4 ULP in precise mode
/// (derivatives: or within 2^-24 absolute for x in [-3, 0]) and not a wrong
/// special value in fast mode.
SpecialValueReport checkSpecialValues(const std::vector<SpecialValueRun> &runs);

} // namespace act::accuracy

#endif // ACT_TOOLS_ACT_ACCURACY_SPECIALVALUES_H
