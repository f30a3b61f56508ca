//===- Passes.td - act dialect passes ----------------------*- tablegen -*-===//
//
// Declares the passes that rewrite act ops.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_TRANSFORMS_PASSES_TD
#define ACT_DIALECT_ACT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ActExpand : Pass<"act-expand"> {
  let summary = "Expand act ops into arith, math, tensor and linalg ops";
  let description = [{
    Rewrites every act op into upstream dialects; this expansion is the
    reference semantics of the dialect.

    - Elementwise activations and gradients on scalars and vectors become
      arith/math ops on the same type; on ranked tensors, a
      `linalg.generic` whose body holds those ops. f16/bf16 are extended to
      f32, computed, and truncated once.
    - The formulas are the numerically stable ones of
      `include/act/Math/Activation.h`: GELU as `x/2 erfc(-x/sqrt 2)`, ELU
      with `expm1`, softplus with `log1p`, the logistic function from
      `exp(-|x|)`, and explicit selects for the limits at +-inf.
    - `act.glu` becomes a `linalg.generic` (after `tensor.extract_slice` of
      the halves in the split form); `act.matmul` a `linalg.fill` +
      `linalg.matmul` accumulating in f32 (f64 for f64) and an elementwise
      epilogue; `act.ffn`/`act.gated_ffn` become `act.matmul` and `act.glu`
      ops, which expand in turn.

    ```mlir
    %y = act.gelu %x : f32
    // becomes (abridged)
    %z = arith.mulf %x, %c-0.707 : f32
    %e = math.erfc %z : f32
    %y = arith.mulf %half_x, %e_corrected : f32
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // ACT_DIALECT_ACT_TRANSFORMS_PASSES_TD
