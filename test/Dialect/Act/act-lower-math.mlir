// RUN: act-opt %s --split-input-file --act-lower-math | FileCheck %s
// RUN: act-opt %s --split-input-file --act-lower-math=accuracy=fast | FileCheck %s --check-prefix=FAST

// exp: range reduction with a rounding constant, a polynomial, the scale
// built in the exponent bits, overflow and flush selected explicitly.
// CHECK-LABEL: func @exp
// CHECK-NOT: math.exp
// CHECK-DAG: arith.constant dense<0x4B40007E> : vector<16xf32>
// CHECK-DAG: arith.shli %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK-DAG: arith.constant dense<88.7228394> : vector<16xf32>
// CHECK: return
// FAST-LABEL: func @exp
// FAST-COUNT-8: math.fma
// FAST-NOT: math.fma
// FAST: return
func.func @exp(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.exp %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @all_f32
// CHECK-NOT: math.exp
// CHECK-NOT: math.expm1
// CHECK-NOT: math.log1p
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK: return
func.func @all_f32(%x: f32) -> (f32, f32, f32, f32, f32) {
  %0 = math.expm1 %x : f32
  %1 = math.log1p %x : f32
  %2 = math.erf %x : f32
  %3 = math.erfc %x : f32
  %4 = math.tanh %x : f32
  return %0, %1, %2, %3, %4 : f32, f32, f32, f32, f32
}

// -----

// f16 and bf16 go through f32 and are rounded once.
// CHECK-LABEL: func @narrow
// CHECK: arith.extf %{{.*}} : vector<8xf16> to vector<8xf32>
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf16>
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @narrow(%x: vector<8xf16>, %y: bf16) -> (vector<8xf16>, bf16) {
  %0 = math.exp %x : vector<8xf16>
  %1 = math.tanh %y : bf16
  return %0, %1 : vector<8xf16>, bf16
}

// -----

// f64 and tensors are left alone.
// CHECK-LABEL: func @untouched
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.erf %{{.*}} : tensor<4xf32>
func.func @untouched(%x: f64, %t: tensor<4xf32>) -> (f64, tensor<4xf32>) {
  %0 = math.exp %x : f64
  %1 = math.erf %t : tensor<4xf32>
  return %0, %1 : f64, tensor<4xf32>
}
