//===- ActAttrs.td - act enums and attributes --------------*- tablegen -*-===//
//
// The activation kinds, the GELU approximations and #act.activation, the
// attribute that names one activation with its parameters.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_IR_ACTATTRS_TD
#define ACT_DIALECT_ACT_IR_ACTATTRS_TD

include "act/Dialect/Act/IR/ActDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Act_ActivationKind : I32EnumAttr<"ActivationKind", "activation function", [
    I32EnumAttrCase<"relu", 0>,
    I32EnumAttrCase<"leaky_relu", 1>,
    I32EnumAttrCase<"elu", 2>,
    I32EnumAttrCase<"relu6", 3>,
    I32EnumAttrCase<"sigmoid", 4>,
    I32EnumAttrCase<"hard_sigmoid", 5>,
    I32EnumAttrCase<"silu", 6>,
    I32EnumAttrCase<"hard_swish", 7>,
    I32EnumAttrCase<"gelu", 8>,
    I32EnumAttrCase<"mish", 9>,
    I32EnumAttrCase<"softplus", 10>]> {
  let cppNamespace = "::mlir::act";
  let genSpecializedAttr = 0;
}

def Act_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "GELU approximation", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"tanh", 1>,
    I32EnumAttrCase<"sigmoid", 2>]> {
  let cppNamespace = "::mlir::act";
  let genSpecializedAttr = 0;
}

def Act_GeluApproximationAttr
    : EnumAttr<Act_Dialect, Act_GeluApproximation, "approximation">;

def Act_ActivationAttr : AttrDef<Act_Dialect, "Activation"> {
  let mnemonic = "activation";
  let summary = "an activation function with its parameters";
  let description = [{
    Names one activation of the dialect with its parameters; used by the GLU
    gate, the FFN ops and the matmul epilogue. Parameters that are left out
    take PyTorch's defaults, and parameters a kind does not take are
    rejected.

    ```mlir
    #act.activation<gelu>
    #act.activation<gelu, approximation = tanh>
    #act.activation<leaky_relu, negative_slope = 2.000000e-01>
    #act.activation<softplus, beta = 2.000000e+00, threshold = 1.000000e+01>
    ```
  }];
  let parameters = (ins
    "::mlir::act::ActivationKind":$kind,
    AttrParameter<"::mlir::act::ActivationParams", "parameters">:$params);
  let builders = [
    AttrBuilder<(ins "::mlir::act::ActivationKind":$kind), [{
      return $_get($_ctxt, kind, ::mlir::act::ActivationParams());
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // ACT_DIALECT_ACT_IR_ACTATTRS_TD
