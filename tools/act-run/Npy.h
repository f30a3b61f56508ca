//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes the .npy format (versions 1-3, C order, little endian).
//
//===----------------------------------------------------------------------===//

#ifndef ACT_TOOLS_ACT_RUN_NPY_H
#define ACT_TOOLS_ACT_RUN_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace actrun {

struct NpyArray {
  std::string descr; ///< '<f4', '<f2', '<u2', ...
  std::vector<int64_t> shape;
  std::vector<char> data;
  int64_t getNumElements() const;
};

/// Reads `path`; fails with a one-line message on a missing, truncated or
/// malformed file, Fortran order or an unsupported descr.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Writes `path` atomically: a temporary file renamed over it, so a failure
/// never leaves a half-written file.
llvm::Error writeNpy(llvm::StringRef path, llvm::StringRef descr,
                     llvm::ArrayRef<int64_t> shape, const void *data,
                     size_t bytes);

} // namespace actrun

#endif // ACT_TOOLS_ACT_RUN_NPY_H
