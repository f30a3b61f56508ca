//===- InitAllPasses.h - Register act and upstream passes -------*- C++ -*-===//
//
// One registration shared by act-opt, act-run and the JIT.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_INITALLPASSES_H
#define ACT_INITALLPASSES_H

namespace mlir::act {

/// Registers act's passes and every upstream pass, so that act-opt accepts
/// what mlir-opt accepts.
void registerAllPasses();

} // namespace mlir::act

#endif // ACT_INITALLPASSES_H
