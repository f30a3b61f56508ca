// RUN: act-opt %s --split-input-file --canonicalize | FileCheck %s

// Activations and gradients of constants fold; the expected values were
// computed with mpmath, not with act.

// CHECK-LABEL: func @fold_scalar
// CHECK-DAG: %[[GELU:.*]] = arith.constant -7.61985{{[0-9]*}}E-23 : f32
// CHECK-DAG: %[[SILU:.*]] = arith.constant 2.85772{{[0-9]*}} : f32
// CHECK-DAG: %[[MISH:.*]] = arith.constant -0.303401{{[0-9]*}} : f32
// CHECK: return %[[GELU]], %[[SILU]], %[[MISH]]
func.func @fold_scalar() -> (f32, f32, f32) {
  %m10 = arith.constant -10.0 : f32
  %c3 = arith.constant 3.0 : f32
  %m1 = arith.constant -1.0 : f32
  %0 = act.gelu %m10 : f32
  %1 = act.silu %c3 : f32
  %2 = act.mish %m1 : f32
  return %0, %1, %2 : f32, f32, f32
}

// -----

// CHECK-LABEL: func @fold_limits
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK-DAG: %[[ELU:.*]] = arith.constant -2.000000e+00 : f32
// CHECK: return %[[ZERO]], %[[ZERO]], %[[ZERO]], %[[NAN]], %[[ELU]]
func.func @fold_limits() -> (f32, f32, f32, f32, f32) {
  %ninf = arith.constant 0xFF800000 : f32
  %nan = arith.constant 0x7FC00000 : f32
  %0 = act.gelu %ninf : f32
  %1 = act.silu %ninf : f32
  %2 = act.mish %ninf : f32
  %3 = act.gelu %nan : f32
  %4 = act.elu %ninf alpha = 2.0 : f32
  return %0, %1, %2, %3, %4 : f32, f32, f32, f32, f32
}

// -----

// CHECK-LABEL: func @fold_splat
// CHECK: %[[C:.*]] = arith.constant dense<0.841344{{[0-9]*}}> : tensor<4x8xf32>
// CHECK: return %[[C]]
func.func @fold_splat() -> tensor<4x8xf32> {
  %c = arith.constant dense<1.0> : tensor<4x8xf32>
  %0 = act.gelu %c : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func @fold_dense
// CHECK: %[[C:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 6.000000e+00]> : vector<3xf32>
// CHECK: return %[[C]]
func.func @fold_dense() -> vector<3xf32> {
  %c = arith.constant dense<[-2.0, 1.0, 7.5]> : vector<3xf32>
  %0 = act.relu6 %c : vector<3xf32>
  return %0 : vector<3xf32>
}

// -----

// Gradients fold when x and dy are both constant.
// CHECK-LABEL: func @fold_grad
// CHECK-DAG: %[[G:.*]] = arith.constant dense<[2.16663{{[0-9]*}}, -0.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: return %[[G]], %[[S]]
func.func @fold_grad() -> (tensor<2xf32>, f32) {
  %x = arith.constant dense<[1.0, -40.0]> : tensor<2xf32>
  %dy = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %0 = act.gelu_grad %x, %dy : tensor<2xf32>
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %1 = act.silu_grad %zero, %one : f32
  return %0, %1 : tensor<2xf32>, f32
}

// -----

// bf16 folds in double and rounds once to bf16.
// CHECK-LABEL: func @fold_bf16
// CHECK: arith.constant 2.859380e+00 : bf16
func.func @fold_bf16() -> bf16 {
  %c = arith.constant 3.0 : bf16
  %0 = act.silu %c : bf16
  return %0 : bf16
}

// -----

// Non-constant operands do not fold.
// CHECK-LABEL: func @no_fold
// CHECK: act.gelu %{{.*}} : f32
// CHECK: act.gelu_grad %{{.*}}, %{{.*}} : f32
func.func @no_fold(%x: f32) -> (f32, f32) {
  %c = arith.constant 1.0 : f32
  %0 = act.gelu %x : f32
  %1 = act.gelu_grad %c, %x : f32
  return %0, %1 : f32, f32
}

// -----

// act.lookup of constant indices folds; indices wrap modulo the table size.
// CHECK-LABEL: func @fold_lookup
// CHECK-DAG: %[[S:.*]] = arith.constant 4.000000e+00 : f32
// CHECK-DAG: %[[V:.*]] = arith.constant dense<[1.000000e+00, 8.000000e+00]> : vector<2xf32>
// CHECK-DAG: %[[P:.*]] = arith.constant dense<2.000000e+00> : vector<4xf32>
// CHECK: return %[[S]], %[[V]], %[[P]]
func.func @fold_lookup() -> (f32, vector<2xf32>, vector<4xf32>) {
  %i = arith.constant 6 : i32
  %v = arith.constant dense<[4, -1]> : vector<2xi32>
  %s = arith.constant dense<5> : vector<4xi32>
  %0 = act.lookup %i [1.0, 2.0, 4.0, 8.0] : i32 -> f32
  %1 = act.lookup %v [1.0, 2.0, 4.0, 8.0] : vector<2xi32> -> vector<2xf32>
  %2 = act.lookup %s [1.0, 2.0, 4.0, 8.0] : vector<4xi32> -> vector<4xf32>
  return %0, %1, %2 : f32, vector<2xf32>, vector<4xf32>
}
