//===- ActDialect.td - The act dialect ---------------------*- tablegen -*-===//
//
// Declares the act dialect: activations, their derivatives, GLUs, FFNs and
// matmuls with activation epilogues.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_IR_ACTDIALECT_TD
#define ACT_DIALECT_ACT_IR_ACTDIALECT_TD

include "mlir/IR/OpBase.td"

def Act_Dialect : Dialect {
  let name = "act";
  let cppNamespace = "::mlir::act";
  let summary = "Activation functions, their derivatives and gated FFNs";
  let description = [{
    The `act` dialect describes neural-network activation functions (the ReLU
    family, sigmoid, SiLU/Swish, hard-swish, GELU exact and approximate, Mish,
    softplus), their derivatives, the GLU family (GLU, SwiGLU, GeGLU, ReGLU),
    feed-forward blocks (plain and gated LLaMA form) and matmuls with a bias +
    activation epilogue.

    Every activation is described once (`#act.activation`): the elementwise
    ops, the gradient ops, the GLU gate, the FFN and the matmul epilogue all
    use the same formula, derivative and limits. Elementwise ops accept f16,
    bf16, f32 and f64 scalars, vectors and ranked tensors; f16 and bf16 are
    computed in f32 and rounded once.

    `act-expand` rewrites every op to arith/math (and linalg for tensors):
    that expansion is the dialect's reference semantics.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    /// Adds the attributes; defined next to their storage in ActAttrs.cpp.
    void registerAttributes();
  }];
}

class Act_Op<string mnemonic, list<Trait> traits = []>
    : Op<Act_Dialect, mnemonic, traits>;

#endif // ACT_DIALECT_ACT_IR_ACTDIALECT_TD
