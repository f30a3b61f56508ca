//===- InitAllDialects.h - Register act and upstream dialects ---*- C++ -*-===//
//
// One registration shared by act-opt, act-run and the JIT.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_INITALLDIALECTS_H
#define ACT_INITALLDIALECTS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::act {

/// Registers the act dialect, every upstream dialect with its interface
/// extensions, and the translations to LLVM IR.
void registerAllDialects(DialectRegistry &registry);

} // namespace mlir::act

#endif // ACT_INITALLDIALECTS_H
