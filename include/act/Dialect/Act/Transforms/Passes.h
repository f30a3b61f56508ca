//===- Passes.h - act dialect passes --------------------------*- C++ -*-===//
//
// Declares act's passes and the pattern sets behind them.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_TRANSFORMS_PASSES_H
#define ACT_DIALECT_ACT_TRANSFORMS_PASSES_H

#include "act/Math/Activation.h"
#include "act/Math/MathLowering.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mlir::act {

/// How act-approximate-gelu chooses.
enum class GeluApproximationMode { tanh, sigmoid, automatic };

/// How act-lower-matmul tiles and threads act.matmul.
/// Vectors per register tile of act-lower-matmul with `vectorWidth` lanes:
/// 3 with AVX-512's 32 registers, 2 with AVX2's 16. Times the width, the
/// panel width act.pack_b should use for it.
inline int64_t getDefaultMatmulVectors(int64_t vectorWidth) {
  return vectorWidth >= 16 ? 3 : 2;
}

struct MatmulLoweringOptions {
  /// f32 lanes per vector: 16 for AVX-512, 8 for AVX2.
  int64_t vectorWidth = 16;
  /// Rows per register tile; 0 picks one for the vector width.
  int64_t rows = 0;
  /// Vectors per register tile (a panel's width); 0 picks one for the
  /// vector width.
  int64_t vectors = 0;
  /// K is processed in chunks of this many steps (partial sums wait in an
  /// f32 scratch buffer between chunks).
  int64_t kChunk = 128;
  /// K steps per iteration of a tile's K loop (1 measured best: equal to
  /// 2 on Zen 5, 5-20% faster on an Emerald Rapids Xeon,
  /// docs/matmul-tuning.md).
  int64_t unrollK = 1;
  /// Tiles prefetch the B lines they will need next: the next panel's rows
  /// when B is read in place, the next chunk's when it is copied.
  bool prefetch = true;
  /// Column panels per unit of parallel work; 0 picks 8, or 2 for a GLU
  /// (whose block holds two groups of sums and copies).
  int64_t panelsPerBlock = 0;
  /// Copy A's row tiles into one contiguous buffer first.
  bool packA = true;
  /// Copy each K chunk of a column block of B into a panel-major buffer
  /// first (always done for B stored transposed); else tiles read B in
  /// place.
  bool packB = true;
  /// Emit scf.parallel over column blocks (else scf.for).
  bool parallel = true;
  /// The epilogue's accuracy and whether it may use lookup tables.
  MathOptions math;
};

#define GEN_PASS_DECL
#include "act/Dialect/Act/Transforms/Passes.h.inc"

/// Patterns that rewrite every act op into arith/math/tensor/linalg ops.
void populateActExpandPatterns(RewritePatternSet &patterns,
                               MathOptions options = {});

/// Patterns that split act.ffn and act.gated_ffn into act.matmul and act.glu
/// ops (part of act-expand; the fusion passes start from them).
void populateDecomposeFfnPatterns(RewritePatternSet &patterns);

/// Patterns of act-fuse-epilogue (including the act.ffn split).
void populateFuseEpiloguePatterns(RewritePatternSet &patterns);

/// Patterns of act-fuse-glu (including the act.gated_ffn split).
void populateFuseGluPatterns(RewritePatternSet &patterns);

/// The pattern of act-lower-matmul.
void populateLowerMatmulPatterns(RewritePatternSet &patterns,
                                 const MatmulLoweringOptions &options);

#define GEN_PASS_REGISTRATION
#include "act/Dialect/Act/Transforms/Passes.h.inc"

} // namespace mlir::act

#endif // ACT_DIALECT_ACT_TRANSFORMS_PASSES_H
