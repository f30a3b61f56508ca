//===- ActInterfaces.td - act op interfaces ----------------*- tablegen -*-===//
//
// The interface shared by the elementwise activation and gradient ops.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_IR_ACTINTERFACES_TD
#define ACT_DIALECT_ACT_IR_ACTINTERFACES_TD

include "mlir/IR/OpBase.td"

def Act_ActivationOpInterface : OpInterface<"ActivationOpInterface"> {
  let cppNamespace = "::mlir::act";
  let description = [{
    An elementwise op that applies one activation (`getActivation`) to its
    first operand, or, when `isGradient` is true, computes dy * f'(x) from
    its operands x and dy.
  }];
  let methods = [
    InterfaceMethod<"The activation with its parameters.",
      "::mlir::act::ActivationAttr", "getActivation">,
    InterfaceMethod<"Whether the op computes dy * f'(x) rather than f(x).",
      "bool", "isGradient">,
  ];
}

#endif // ACT_DIALECT_ACT_IR_ACTINTERFACES_TD
