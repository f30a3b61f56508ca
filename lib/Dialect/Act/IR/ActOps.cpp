//===- ActOps.cpp - act operations ----------------------------*- C++ -*-===//
//
// Verifiers and folders of the act ops.
//
//===----------------------------------------------------------------------===//

#include "act/Dialect/Act/IR/ActOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <cstdio>

using namespace mlir;
using namespace mlir::act;

/// `[v0, v1, ...]`, each f32 with enough digits to round-trip.
static ParseResult parseLookupValues(OpAsmParser &parser,
                                     DenseF32ArrayAttr &values) {
  SmallVector<float> parsed;
  if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Square, [&] {
        double v;
        if (parser.parseFloat(v))
          return failure();
        parsed.push_back(static_cast<float>(v));
        return success();
      }))
    return failure();
  values = DenseF32ArrayAttr::get(parser.getContext(), parsed);
  return success();
}

static void printLookupValues(OpAsmPrinter &printer, Operation *,
                              DenseF32ArrayAttr values) {
  printer << "[";
  llvm::interleaveComma(values.asArrayRef(), printer, [&](float v) {
    char text[32];
    snprintf(text, sizeof(text), "%.9g", static_cast<double>(v));
    printer << text;
    // A float literal, not an integer one.
    if (StringRef(text).find_first_of(".en") == StringRef::npos)
      printer << ".0";
  });
  printer << "]";
}

#include "act/Dialect/Act/IR/ActInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "act/Dialect/Act/IR/ActOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Elementwise activations
//===----------------------------------------------------------------------===//

LogicalResult mlir::act::verifyActivationOp(ActivationOpInterface op) {
  ActivationAttr activation = op.getActivation();
  return verifyActivationParams(activation.getKind(), activation.getParams(),
                                [&] { return op->emitOpError(); });
}

/// Rounds a double result to `type`.
static APFloat toFloat(double value, FloatType type) {
  APFloat result(value);
  bool losesInfo = false;
  result.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                 &losesInfo);
  return result;
}

OpFoldResult mlir::act::foldActivationOp(ActivationOpInterface op,
                                         ArrayRef<Attribute> operands) {
  if (llvm::any_of(operands, [](Attribute a) { return !a; }))
    return {};
  ActivationAttr activation = op.getActivation();
  bool gradient = op.isGradient();
  auto evaluate = [&](ArrayRef<double> args) {
    return gradient ? evaluateActivationGradient(activation.getKind(),
                                                 activation.getParams(),
                                                 args[0], args[1])
                    : evaluateActivation(activation.getKind(),
                                         activation.getParams(), args[0]);
  };
  Type resultType = op->getResult(0).getType();
  auto elementType = cast<FloatType>(getElementTypeOrSelf(resultType));

  // Scalars.
  if (llvm::all_of(operands, llvm::IsaPred<FloatAttr>)) {
    SmallVector<double, 2> args;
    for (Attribute a : operands)
      args.push_back(cast<FloatAttr>(a).getValueAsDouble());
    return FloatAttr::get(elementType, toFloat(evaluate(args), elementType));
  }

  // Vectors and tensors.
  if (!llvm::all_of(operands, llvm::IsaPred<DenseFPElementsAttr>))
    return {};
  auto shapedType = cast<ShapedType>(resultType);
  SmallVector<DenseFPElementsAttr, 2> dense;
  for (Attribute a : operands)
    dense.push_back(cast<DenseFPElementsAttr>(a));
  if (llvm::all_of(dense, [](DenseFPElementsAttr d) { return d.isSplat(); })) {
    SmallVector<double, 2> args;
    for (DenseFPElementsAttr d : dense)
      args.push_back(d.getSplatValue<APFloat>().convertToDouble());
    return SplatElementsAttr::get(shapedType,
                                  toFloat(evaluate(args), elementType));
  }
  SmallVector<APFloat> results;
  int64_t n = shapedType.getNumElements();
  results.reserve(n);
  SmallVector<SmallVector<APFloat>, 2> values;
  for (DenseFPElementsAttr d : dense)
    values.push_back(llvm::to_vector(d.getValues<APFloat>()));
  for (int64_t i = 0; i < n; ++i) {
    SmallVector<double, 2> args;
    for (const SmallVector<APFloat> &v : values)
      args.push_back(v[i].convertToDouble());
    results.push_back(toFloat(evaluate(args), elementType));
  }
  return DenseElementsAttr::get(shapedType, results);
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static std::string shapeString(ShapedType type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      type.getShape(), os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << '?';
        else
          os << d;
      },
      "x");
  return s;
}

/// All values have the same element type.
static LogicalResult verifySameElementType(Operation *op) {
  Type expected = getElementTypeOrSelf(op->getResult(0).getType());
  for (Value v : op->getOperands())
    if (getElementTypeOrSelf(v.getType()) != expected)
      return op->emitOpError("expects all operands and the result to have "
                             "element type ")
             << expected << ", got " << getElementTypeOrSelf(v.getType());
  return success();
}

static LogicalResult verifyActivationAttr(Operation *op,
                                          ActivationAttr activation) {
  return ActivationAttr::verify([&] { return op->emitOpError(); },
                                activation.getKind(), activation.getParams());
}

/// Checks that `axis` is in [-rank, rank) and returns it in [0, rank).
static FailureOr<int64_t> normalizeAxis(Operation *op, int64_t axis,
                                        int64_t rank) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  return getNormalizedAxis(axis, rank);
}

//===----------------------------------------------------------------------===//
// SwishOp, SwishGradOp
//===----------------------------------------------------------------------===//

static LogicalResult verifySwish(Operation *op, Value input, Value beta,
                                 int64_t axis) {
  if (failed(verifySameElementType(op)))
    return failure();
  auto inputType = cast<RankedTensorType>(input.getType());
  FailureOr<int64_t> dim = normalizeAxis(op, axis, inputType.getRank());
  if (failed(dim))
    return failure();
  int64_t channels = cast<RankedTensorType>(beta.getType()).getDimSize(0);
  if (!compatible(channels, inputType.getDimSize(*dim)))
    return op->emitOpError("beta has ")
           << channels << " elements but the input has "
           << inputType.getDimSize(*dim) << " channels along axis " << *dim;
  return success();
}

LogicalResult SwishOp::verify() {
  return verifySwish(*this, getInput(), getBeta(), getAxisAttr().getInt());
}

LogicalResult SwishGradOp::verify() {
  return verifySwish(*this, getInput(), getBeta(), getAxisAttr().getInt());
}

//===----------------------------------------------------------------------===//
// GluOp
//===----------------------------------------------------------------------===//

int64_t GluOp::getNormalizedAxis() {
  int64_t rank = cast<ShapedType>(getLhs().getType()).getRank();
  return mlir::act::getNormalizedAxis(static_cast<int64_t>(getAxis()), rank);
}

LogicalResult GluOp::verify() {
  if (failed(verifyActivationAttr(*this, getGate())) ||
      failed(verifySameElementType(*this)))
    return failure();
  auto lhsType = cast<ShapedType>(getLhs().getType());
  auto resultType = cast<ShapedType>(getResult().getType());
  if (!isSplit()) {
    if (getRhs().getType() != lhsType || resultType != lhsType)
      return emitOpError("expects the gate, linear and result operands to "
                         "have one type, got ")
             << lhsType << ", " << getRhs().getType() << " -> " << resultType;
    return success();
  }
  if (!isa<RankedTensorType>(lhsType))
    return emitOpError("split form requires a ranked tensor operand");
  FailureOr<int64_t> axis =
      normalizeAxis(*this, getAxisAttr().getInt(), lhsType.getRank());
  if (failed(axis))
    return failure();
  int64_t width = lhsType.getDimSize(*axis);
  if (!ShapedType::isDynamic(width) && width % 2 != 0)
    return emitOpError("split dimension ")
           << *axis << " has odd size " << width;
  SmallVector<int64_t> expected(lhsType.getShape());
  if (!ShapedType::isDynamic(width))
    expected[*axis] = width / 2;
  if (resultType.getRank() != lhsType.getRank() ||
      !llvm::all_of(llvm::zip(expected, resultType.getShape()), [](auto p) {
        return compatible(std::get<0>(p), std::get<1>(p));
      }))
    return emitOpError("result shape ")
           << shapeString(resultType) << " is not the input shape "
           << shapeString(lhsType) << " halved along axis " << *axis;
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp, FfnOp, GatedFfnOp
//===----------------------------------------------------------------------===//

/// Checks `lhs` (M x K) times `rhs` (K x N) plus `bias` (N); returns N.
static FailureOr<int64_t> verifyProduct(Operation *op, StringRef lhsName,
                                        Value lhs, StringRef rhsName, Value rhs,
                                        Value bias) {
  auto lhsType = cast<ShapedType>(lhs.getType());
  auto rhsType = cast<ShapedType>(rhs.getType());
  if (!compatible(lhsType.getDimSize(1), rhsType.getDimSize(0)))
    return op->emitOpError("contraction dimension mismatch: ")
           << lhsName << " is " << shapeString(lhsType) << " but " << rhsName
           << " is " << shapeString(rhsType);
  int64_t n = rhsType.getDimSize(1);
  if (bias) {
    int64_t size = cast<ShapedType>(bias.getType()).getDimSize(0);
    if (!compatible(size, n))
      return op->emitOpError("bias of ")
             << rhsName << " has " << size << " elements, expected " << n;
  }
  return n;
}

static LogicalResult verifyResult(Operation *op, int64_t m, int64_t n) {
  auto resultType = cast<ShapedType>(op->getResult(0).getType());
  int64_t rank = resultType.getRank();
  if (!compatible(resultType.getDimSize(rank - 2), m) ||
      !compatible(resultType.getDimSize(rank - 1), n)) {
    auto fmt = [](int64_t d) {
      return ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
    };
    return op->emitOpError("result shape ")
           << shapeString(resultType) << " does not match " << fmt(m) << "x"
           << fmt(n);
  }
  return success();
}

int64_t MatmulOp::getRhsColumns() {
  auto rhsType = cast<ShapedType>(getRhs().getType());
  int64_t rank = rhsType.getRank();
  if (getPackedB())
    return (getGlu() ? 2 : 1) * cast<ShapedType>(getType()).getDimSize(1);
  return rhsType.getDimSize(getTransposeB() ? rank - 2 : rank - 1);
}

/// Checks act.pack_b's layout of N columns (per group): P x K x W, with a
/// leading 2 for the GLU's two groups, P = ceil(N / W).
static LogicalResult verifyPackedLayout(Operation *op, StringRef name,
                                        ShapedType packed, bool glu, int64_t k,
                                        int64_t n) {
  int64_t rank = packed.getRank();
  if (rank != (glu ? 4 : 3) || (glu && packed.getDimSize(0) != 2))
    return op->emitOpError() << name << " must be P x K x W"
                             << (glu ? " with a leading 2 for glu" : "")
                             << ", got " << shapeString(packed);
  int64_t panels = packed.getDimSize(rank - 3);
  int64_t width = packed.getDimSize(rank - 1);
  if (ShapedType::isDynamic(panels) || ShapedType::isDynamic(width) ||
      width < 1 || ShapedType::isDynamic(n))
    return op->emitOpError() << name << " needs static panels, panel width "
                             << "and columns, got " << shapeString(packed);
  if (!compatible(packed.getDimSize(rank - 2), k))
    return op->emitOpError()
           << name << " has K = " << packed.getDimSize(rank - 2)
           << ", expected " << k;
  if (panels != getPackedPanels(n, width))
    return op->emitOpError()
           << name << " has " << panels << " panels of " << width
           << " columns, expected " << getPackedPanels(n, width) << " for " << n
           << " columns";
  return success();
}

LogicalResult MatmulOp::verify() {
  if (getActivation() && failed(verifyActivationAttr(*this, *getActivation())))
    return failure();
  if (failed(verifySameElementType(*this)))
    return failure();
  auto lhsType = cast<ShapedType>(getLhs().getType());
  auto rhsType = cast<ShapedType>(getRhs().getType());
  auto resultType = cast<ShapedType>(getType());
  int64_t rank = lhsType.getRank();
  if (getPackedB()) {
    if (getTransposeB())
      return emitOpError("packed_b takes no transpose_b (act.pack_b "
                         "transposes)");
    if (rank != 2 || resultType.getRank() != 2)
      return emitOpError("packed_b needs a 2-D lhs and result, got ")
             << shapeString(lhsType) << " -> " << shapeString(resultType);
    if (failed(verifyPackedLayout(*this, "packed rhs", rhsType, getGlu(),
                                  lhsType.getDimSize(1),
                                  resultType.getDimSize(1))))
      return failure();
  } else if (rhsType.getRank() != rank || resultType.getRank() != rank) {
    return emitOpError("expects lhs, rhs and result of one rank, got ")
           << shapeString(lhsType) << ", " << shapeString(rhsType) << " -> "
           << shapeString(resultType);
  }
  if (rank == 3 && !compatible(lhsType.getDimSize(0), rhsType.getDimSize(0)))
    return emitOpError("batch dimension mismatch: lhs is ")
           << shapeString(lhsType) << " but rhs is " << shapeString(rhsType);
  int64_t k = rhsType.getDimSize(getTransposeB() ? rank - 1 : rank - 2);
  if (!getPackedB() && !compatible(lhsType.getDimSize(rank - 1), k))
    return emitOpError("contraction dimension mismatch: lhs is ")
           << shapeString(lhsType) << " but rhs is " << shapeString(rhsType)
           << (getTransposeB() ? " (transposed)" : "");
  int64_t columns = getRhsColumns();
  if (Value bias = getBias()) {
    int64_t size = cast<ShapedType>(bias.getType()).getDimSize(0);
    if (!compatible(size, columns))
      return emitOpError("bias of rhs has ")
             << size << " elements, expected " << columns;
  }
  if ((getGlu() || getDy()) && !getActivation())
    return emitOpError("the ")
           << (getGlu() ? "glu" : "grad") << " epilogue needs an activation";
  if (getGlu() && getDy())
    return emitOpError("glu and grad epilogues cannot be combined");
  int64_t n = columns;
  if (getGlu() && !ShapedType::isDynamic(columns)) {
    if (columns % 2 != 0)
      return emitOpError("glu epilogue needs an even number of rhs columns, "
                         "got ")
             << columns;
    n = columns / 2;
  } else if (getGlu()) {
    n = ShapedType::kDynamic;
  }
  if (Value dy = getDy(); dy && dy.getType() != getType())
    return emitOpError("dy must have the result type ")
           << getType() << ", got " << dy.getType();
  if (rank == 3 && !compatible(resultType.getDimSize(0), lhsType.getDimSize(0)))
    return emitOpError("result batch size ")
           << resultType.getDimSize(0) << " does not match lhs batch size "
           << lhsType.getDimSize(0);
  return verifyResult(*this, lhsType.getDimSize(rank - 2), n);
}

LogicalResult PackBOp::verify() {
  if (failed(verifySameElementType(*this)))
    return failure();
  auto inputType = cast<ShapedType>(getInput().getType());
  int64_t k = inputType.getDimSize(getTransposeB() ? 1 : 0);
  int64_t columns = inputType.getDimSize(getTransposeB() ? 0 : 1);
  if (getGlu() && !ShapedType::isDynamic(columns) && columns % 2 != 0)
    return emitOpError("glu needs an even number of columns, got ") << columns;
  int64_t n =
      getGlu() && !ShapedType::isDynamic(columns) ? columns / 2 : columns;
  return verifyPackedLayout(*this, "result", getType(), getGlu(), k, n);
}

LogicalResult FfnOp::verify() {
  if (failed(verifyActivationAttr(*this, getActivation())) ||
      failed(verifySameElementType(*this)))
    return failure();
  if (failed(verifyProduct(*this, "input", getInput(), "up_weight",
                           getUpWeight(), getUpBias())))
    return failure();
  FailureOr<int64_t> n =
      verifyProduct(*this, "up_weight", getUpWeight(), "down_weight",
                    getDownWeight(), getDownBias());
  if (failed(n))
    return failure();
  return verifyResult(*this,
                      cast<ShapedType>(getInput().getType()).getDimSize(0), *n);
}

LogicalResult GatedFfnOp::verify() {
  if (failed(verifyActivationAttr(*this, getActivation())) ||
      failed(verifySameElementType(*this)))
    return failure();
  if (getGateWeight().getType() != getUpWeight().getType())
    return emitOpError("gate_weight and up_weight must have one type, got ")
           << getGateWeight().getType() << " and " << getUpWeight().getType();
  if (failed(verifyProduct(*this, "input", getInput(), "gate_weight",
                           getGateWeight(), getGateBias())) ||
      failed(verifyProduct(*this, "input", getInput(), "up_weight",
                           getUpWeight(), getUpBias())))
    return failure();
  FailureOr<int64_t> n =
      verifyProduct(*this, "up_weight", getUpWeight(), "down_weight",
                    getDownWeight(), getDownBias());
  if (failed(n))
    return failure();
  return verifyResult(*this,
                      cast<ShapedType>(getInput().getType()).getDimSize(0), *n);
}

//===----------------------------------------------------------------------===//
// LookupOp
//===----------------------------------------------------------------------===//

LogicalResult LookupOp::verify() {
  size_t n = getValues().size();
  if (n == 0 || n > 32 || !llvm::isPowerOf2_64(n))
    return emitOpError("needs a power of two from 1 to 32 values, got ") << n;
  return success();
}

OpFoldResult LookupOp::fold(FoldAdaptor adaptor) {
  ArrayRef<float> values = getValues();
  uint64_t mask = values.size() - 1;
  auto valueAt = [&](const APInt &index) {
    return APFloat(values[index.getZExtValue() & mask]);
  };
  if (auto index = dyn_cast_or_null<IntegerAttr>(adaptor.getIndex()))
    return FloatAttr::get(getType(), valueAt(index.getValue()));
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndex());
  if (!dense)
    return {};
  auto type = cast<ShapedType>(getType());
  if (dense.isSplat())
    return SplatElementsAttr::get(type, valueAt(dense.getSplatValue<APInt>()));
  SmallVector<APFloat> results;
  for (const APInt &index : dense.getValues<APInt>())
    results.push_back(valueAt(index));
  return DenseElementsAttr::get(type, results);
}
