//===- Passes.h - act dialect passes --------------------------*- C++ -*-===//
//
// Declares act's passes and the pattern sets behind them.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_TRANSFORMS_PASSES_H
#define ACT_DIALECT_ACT_TRANSFORMS_PASSES_H

#include "act/Math/Activation.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mlir::act {

/// How act-approximate-gelu chooses.
enum class GeluApproximationMode { tanh, sigmoid, automatic };

#define GEN_PASS_DECL
#include "act/Dialect/Act/Transforms/Passes.h.inc"

/// Patterns that rewrite every act op into arith/math/tensor/linalg ops.
void populateActExpandPatterns(RewritePatternSet &patterns,
                               Accuracy accuracy = Accuracy::precise);

/// Patterns that split act.ffn and act.gated_ffn into act.matmul and act.glu
/// ops (part of act-expand; the fusion passes start from them).
void populateDecomposeFfnPatterns(RewritePatternSet &patterns);

/// Patterns of act-fuse-epilogue (including the act.ffn split).
void populateFuseEpiloguePatterns(RewritePatternSet &patterns);

/// Patterns of act-fuse-glu (including the act.gated_ffn split).
void populateFuseGluPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "act/Dialect/Act/Transforms/Passes.h.inc"

} // namespace mlir::act

#endif // ACT_DIALECT_ACT_TRANSFORMS_PASSES_H
