//===- ArithMath.cpp - Activation formulas as arith/math IR -----*- C++ -*-===//
//
// Emits the formulas of Activation.h as arith and math ops.
//
//===----------------------------------------------------------------------===//

#include "act/Math/ArithMath.h"

#include "act/Dialect/Act/IR/ActOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::act;

static TypedAttr getFloatConstant(Type type, double v) {
  auto elementType = cast<FloatType>(getElementTypeOrSelf(type));
  auto scalar = FloatAttr::get(elementType, v);
  if (auto shaped = dyn_cast<ShapedType>(type))
    return SplatElementsAttr::get(shaped, scalar.getValue());
  return scalar;
}

Value ArithMath::c(double v) {
  return arith::ConstantOp::create(b, loc, type, getFloatConstant(type, v));
}

ArithMath ArithMath::wide() {
  Type f64 = b.getF64Type();
  if (auto vec = dyn_cast<VectorType>(type))
    return ArithMath(b, loc, vec.clone(f64));
  if (auto shaped = dyn_cast<ShapedType>(type))
    return ArithMath(b, loc, shaped.clone(f64));
  return ArithMath(b, loc, f64);
}

Value ArithMath::widen(Value a) {
  return arith::ExtFOp::create(b, loc, wide().type, a);
}

Value ArithMath::narrow(Value a) {
  return arith::TruncFOp::create(b, loc, type, a);
}

Type ArithMath::intType() {
  Type i32 = b.getI32Type();
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(i32);
  return i32;
}

bool ArithMath::hasIntegerView() const {
  return getElementTypeOrSelf(type).isF32();
}

Value ArithMath::bits(Value a) {
  return arith::BitcastOp::create(b, loc, intType(), a);
}
Value ArithMath::fromBits(Value a) {
  return arith::BitcastOp::create(b, loc, type, a);
}
Value ArithMath::ci(int64_t v) {
  Type t = intType();
  auto scalar = b.getIntegerAttr(b.getI32Type(), v);
  if (auto shaped = dyn_cast<ShapedType>(t))
    return arith::ConstantOp::create(b, loc, t,
                                     SplatElementsAttr::get(shaped, scalar));
  return arith::ConstantOp::create(b, loc, t, scalar);
}
Value ArithMath::addI(Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value ArithMath::subI(Value x, Value y) {
  return arith::SubIOp::create(b, loc, x, y);
}
Value ArithMath::andI(Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}
Value ArithMath::shl(Value x, int64_t shift) {
  return arith::ShLIOp::create(b, loc, x, ci(shift));
}
Value ArithMath::shrU(Value x, int64_t shift) {
  return arith::ShRUIOp::create(b, loc, x, ci(shift));
}
Value ArithMath::shrS(Value x, int64_t shift) {
  return arith::ShRSIOp::create(b, loc, x, ci(shift));
}
Value ArithMath::minSI(Value x, Value y) {
  return arith::MinSIOp::create(b, loc, x, y);
}
Value ArithMath::maxSI(Value x, Value y) {
  return arith::MaxSIOp::create(b, loc, x, y);
}
Value ArithMath::intToFloat(Value x) {
  return arith::SIToFPOp::create(b, loc, type, x);
}
Value ArithMath::copySign(Value magnitude, Value sign) {
  return math::CopySignOp::create(b, loc, magnitude, sign);
}
Value ArithMath::lookup(ArrayRef<float> values, Value index) {
  return LookupOp::create(b, loc, type, index, values);
}

Value ArithMath::cLo(double v) {
  // The part of v that rounding it to the working type loses.
  auto elementType = cast<FloatType>(getElementTypeOrSelf(type));
  llvm::APFloat hi(v);
  bool losesInfo = false;
  hi.convert(elementType.getFloatSemantics(),
             llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  hi.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
             &losesInfo);
  return c(v - hi.convertToDouble());
}

Value ArithMath::add(Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}
Value ArithMath::sub(Value x, Value y) {
  return arith::SubFOp::create(b, loc, x, y);
}
Value ArithMath::mul(Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}
Value ArithMath::div(Value x, Value y) {
  return arith::DivFOp::create(b, loc, x, y);
}
Value ArithMath::fma(Value x, Value y, Value z) {
  return math::FmaOp::create(b, loc, x, y, z);
}
Value ArithMath::neg(Value x) { return arith::NegFOp::create(b, loc, x); }
Value ArithMath::abs(Value x) { return math::AbsFOp::create(b, loc, x); }
Value ArithMath::max(Value x, Value y) {
  return arith::MaximumFOp::create(b, loc, x, y);
}
Value ArithMath::min(Value x, Value y) {
  return arith::MinimumFOp::create(b, loc, x, y);
}
Value ArithMath::exp(Value x) { return math::ExpOp::create(b, loc, x); }
Value ArithMath::expm1(Value x) { return math::ExpM1Op::create(b, loc, x); }

static Value compare(OpBuilder &b, Location loc, arith::CmpFPredicate pred,
                     Value x, Value y) {
  return arith::CmpFOp::create(b, loc, pred, x, y);
}
Value ArithMath::gt(Value x, Value y) {
  return compare(b, loc, arith::CmpFPredicate::OGT, x, y);
}
Value ArithMath::ge(Value x, Value y) {
  return compare(b, loc, arith::CmpFPredicate::OGE, x, y);
}
Value ArithMath::lt(Value x, Value y) {
  return compare(b, loc, arith::CmpFPredicate::OLT, x, y);
}
Value ArithMath::le(Value x, Value y) {
  return compare(b, loc, arith::CmpFPredicate::OLE, x, y);
}
Value ArithMath::eq(Value x, Value y) {
  return compare(b, loc, arith::CmpFPredicate::OEQ, x, y);
}
Value ArithMath::isNaN(Value x) {
  return compare(b, loc, arith::CmpFPredicate::UNO, x, x);
}
Value ArithMath::andC(Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}
Value ArithMath::select(Value cond, Value x, Value y) {
  return arith::SelectOp::create(b, loc, cond, x, y);
}

Accuracy mlir::act::getActivationAccuracy(Accuracy requested,
                                          Type resultElement) {
  return isa<Float16Type, BFloat16Type>(resultElement) ? Accuracy::fast
                                                       : requested;
}

Type mlir::act::getComputeType(Type type) {
  Type element = getElementTypeOrSelf(type);
  if (!element.isF16() && !element.isBF16())
    return type;
  Type f32 = Float32Type::get(type.getContext());
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(f32);
  return f32;
}

Value mlir::act::extendToComputeType(OpBuilder &b, Location loc, Value v) {
  Type computeType = getComputeType(v.getType());
  if (v.getType() == computeType)
    return v;
  return arith::ExtFOp::create(b, loc, computeType, v);
}

Value mlir::act::truncateTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return arith::TruncFOp::create(b, loc, type, v);
}

using Formulas = ActivationFormulas<ArithMath>;

static Formulas::Params getParams(ArithMath &m, OpBuilder &b, Location loc,
                                  const ActivationParams &params, Value beta,
                                  MathOptions options) {
  Formulas::Params p = Formulas::constants(m, params, options);
  if (beta) {
    p.beta = extendToComputeType(b, loc, beta);
    p.betaLo = m.c(0);
    p.betaExact = false;
    p.thresholdRoundsToX = false;
  }
  return p;
}

Value mlir::act::buildActivation(OpBuilder &b, Location loc,
                                 ActivationKind kind,
                                 const ActivationParams &params, Value x,
                                 Value beta, MathOptions options) {
  Type computeType = getComputeType(x.getType());
  ArithMath m(b, loc, computeType);
  Formulas::Params p = getParams(m, b, loc, params, beta, options);
  Value y = Formulas::forward(m, kind, p, extendToComputeType(b, loc, x));
  return truncateTo(b, loc, y, x.getType());
}

Value mlir::act::buildActivationGradient(OpBuilder &b, Location loc,
                                         ActivationKind kind,
                                         const ActivationParams &params,
                                         Value x, Value dy, Value beta,
                                         MathOptions options) {
  Type computeType = getComputeType(x.getType());
  ArithMath m(b, loc, computeType);
  Formulas::Params p = getParams(m, b, loc, params, beta, options);
  Value r = Formulas::gradient(m, kind, p, extendToComputeType(b, loc, x),
                               extendToComputeType(b, loc, dy));
  return truncateTo(b, loc, r, x.getType());
}
