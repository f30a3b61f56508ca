//===- ActAttrs.cpp - act attributes --------------------------*- C++ -*-===//
//
// Parsing, printing and verification of #act.activation.
//
//===----------------------------------------------------------------------===//

#include "act/Dialect/Act/IR/ActAttrs.h"
#include "act/Dialect/Act/IR/ActDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::act;

#include "act/Dialect/Act/IR/ActEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "act/Dialect/Act/IR/ActAttrs.cpp.inc"

void ActDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "act/Dialect/Act/IR/ActAttrs.cpp.inc"
      >();
}

static const ActivationParamSpec *findParam(ActivationKind kind,
                                            StringRef name) {
  for (const ActivationParamSpec &spec : getActivationParamSpecs(kind))
    if (spec.name == name)
      return &spec;
  return nullptr;
}

/// `<` kind (`,` name `=` value)* `>`
Attribute ActivationAttr::parse(AsmParser &parser, Type) {
  SMLoc start = parser.getCurrentLocation();
  StringRef kindName;
  if (parser.parseLess() || parser.parseKeyword(&kindName))
    return {};
  std::optional<ActivationKind> kind = symbolizeActivationKind(kindName);
  if (!kind) {
    parser.emitError(start, "unknown activation '") << kindName << "'";
    return {};
  }
  ActivationParams params;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc loc = parser.getCurrentLocation();
    StringRef name;
    if (parser.parseKeyword(&name) || parser.parseEqual())
      return {};
    if (name == "approximation") {
      StringRef value;
      SMLoc valueLoc = parser.getCurrentLocation();
      if (parser.parseKeyword(&value))
        return {};
      std::optional<GeluApproximation> approximation =
          symbolizeGeluApproximation(value);
      if (!approximation) {
        parser.emitError(valueLoc, "unknown GELU approximation '")
            << value << "'";
        return {};
      }
      params.approximation = *approximation;
      continue;
    }
    const ActivationParamSpec *spec = findParam(*kind, name);
    if (!spec) {
      parser.emitError(loc, "'")
          << name << "' is not a parameter of " << kindName;
      return {};
    }
    double value;
    if (parser.parseFloat(value))
      return {};
    params.*spec->field = value;
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(start); },
                    parser.getContext(), *kind, params);
}

void ActivationAttr::print(AsmPrinter &printer) const {
  ActivationParams params = getParams(), defaults;
  printer << '<' << stringifyActivationKind(getKind());
  if (params.approximation != defaults.approximation)
    printer << ", approximation = "
            << stringifyGeluApproximation(params.approximation);
  for (const ActivationParamSpec &spec : getActivationParamSpecs(getKind())) {
    if (params.*spec.field == defaults.*spec.field)
      continue;
    printer << ", " << spec.name << " = ";
    printer.printFloat(llvm::APFloat(params.*spec.field));
  }
  printer << '>';
}

LogicalResult
ActivationAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       ActivationKind kind, ActivationParams params) {
  if (params.approximation != GeluApproximation::none &&
      !hasApproximation(kind))
    return emitError() << "approximation is not a parameter of "
                       << stringifyActivationKind(kind);
  return verifyActivationParams(kind, params, emitError);
}
