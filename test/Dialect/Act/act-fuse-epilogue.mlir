// RUN: act-opt %s --act-fuse-epilogue --split-input-file --verify-diagnostics | FileCheck %s

// linalg.matmul into a zero fill, a linalg.generic bias add, GELU: one op.
// CHECK-LABEL: func @matmul_bias_gelu
// CHECK-SAME: (%[[A:.*]]: tensor<128x768xf32>, %[[B:.*]]: tensor<768x3072xf32>, %[[BIAS:.*]]: tensor<3072xf32>)
// CHECK-NEXT: %[[R:.*]] = act.matmul %[[A]], %[[B]] bias %[[BIAS]] activation <gelu> : (tensor<128x768xf32>, tensor<768x3072xf32>, tensor<3072xf32>) -> tensor<128x3072xf32>
// CHECK-NEXT: return %[[R]]
func.func @matmul_bias_gelu(%a: tensor<128x768xf32>, %b: tensor<768x3072xf32>, %bias: tensor<3072xf32>) -> tensor<128x3072xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x3072xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<128x3072xf32>) -> tensor<128x3072xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<128x768xf32>, tensor<768x3072xf32>) outs(%acc : tensor<128x3072xf32>) -> tensor<128x3072xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm, %bias : tensor<128x3072xf32>, tensor<3072xf32>) outs(%e : tensor<128x3072xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %y, %x : f32
    linalg.yield %s : f32
  } -> tensor<128x3072xf32>
  %r = act.gelu %sum : tensor<128x3072xf32>
  return %r : tensor<128x3072xf32>
}

// -----

// Transposed B (indexing maps), linalg.add of a linalg.broadcast bias, SiLU.
// CHECK-LABEL: func @transposed_b_broadcast_bias
// CHECK-SAME: (%[[A:.*]]: tensor<16x64xf32>, %[[B:.*]]: tensor<32x64xf32>, %[[BIAS:.*]]: tensor<32xf32>)
// CHECK-NEXT: %[[R:.*]] = act.matmul %[[A]], %[[B]] transpose_b bias %[[BIAS]] activation <silu>
// CHECK-NEXT: return %[[R]]
func.func @transposed_b_broadcast_bias(%a: tensor<16x64xf32>, %b: tensor<32x64xf32>, %bias: tensor<32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %mm = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<16x64xf32>, tensor<32x64xf32>) outs(%acc : tensor<16x32xf32>) -> tensor<16x32xf32>
  %bb = linalg.broadcast ins(%bias : tensor<32xf32>) outs(%e : tensor<16x32xf32>) dimensions = [0]
  %sum = linalg.add ins(%mm, %bb : tensor<16x32xf32>, tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %r = act.silu %sum : tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// linalg.batch_matmul without bias; a derivative becomes the grad epilogue.
// CHECK-LABEL: func @batch_matmul_gelu_grad
// CHECK-SAME: (%[[A:.*]]: tensor<4x16x64xf32>, %[[B:.*]]: tensor<4x64x32xf32>, %[[DY:.*]]: tensor<4x16x32xf32>)
// CHECK-NEXT: %[[R:.*]] = act.matmul %[[A]], %[[B]] activation <gelu, approximation = tanh> grad %[[DY]] : (tensor<4x16x64xf32>, tensor<4x64x32xf32>, tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
// CHECK-NEXT: return %[[R]]
func.func @batch_matmul_gelu_grad(%a: tensor<4x16x64xf32>, %b: tensor<4x64x32xf32>, %dy: tensor<4x16x32xf32>) -> tensor<4x16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  %mm = linalg.batch_matmul ins(%a, %b : tensor<4x16x64xf32>, tensor<4x64x32xf32>) outs(%acc : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  %r = act.gelu_grad %mm, %dy approximation = tanh : tensor<4x16x32xf32>
  return %r : tensor<4x16x32xf32>
}

// -----

// An act.matmul with a bias but no activation takes the activation.
// CHECK-LABEL: func @act_matmul_relu
// CHECK-NEXT: %[[R:.*]] = act.matmul %{{.*}}, %{{.*}} bias %{{.*}} activation <leaky_relu, negative_slope = 1.000000e-01>
// CHECK-NEXT: return %[[R]]
func.func @act_matmul_relu(%a: tensor<8x16xbf16>, %b: tensor<16x8xbf16>, %bias: tensor<8xbf16>) -> tensor<8x8xbf16> {
  %mm = act.matmul %a, %b bias %bias : (tensor<8x16xbf16>, tensor<16x8xbf16>, tensor<8xbf16>) -> tensor<8x8xbf16>
  %r = act.leaky_relu %mm negative_slope = 0.1 : tensor<8x8xbf16>
  return %r : tensor<8x8xbf16>
}

// -----

// act.ffn: the up matmul carries the activation, the down matmul the bias.
// CHECK-LABEL: func @ffn
// CHECK: %[[H:.*]] = act.matmul %{{.*}}, %{{.*}} bias %{{.*}} activation <gelu> : (tensor<16x32xf32>, tensor<32x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
// CHECK-NEXT: %[[R:.*]] = act.matmul %[[H]], %{{.*}} bias %{{.*}} : (tensor<16x64xf32>, tensor<64x32xf32>, tensor<32xf32>) -> tensor<16x32xf32>
func.func @ffn(%x: tensor<16x32xf32>, %w1: tensor<32x64xf32>, %b1: tensor<64xf32>, %w2: tensor<64x32xf32>, %b2: tensor<32xf32>) -> tensor<16x32xf32> {
  %0 = act.ffn <gelu> %x, %w1 bias %b1, %w2 bias %b2 : (tensor<16x32xf32>, tensor<32x64xf32>, tensor<64xf32>, tensor<64x32xf32>, tensor<32xf32>) -> tensor<16x32xf32>
  return %0 : tensor<16x32xf32>
}

// -----

// The matmul result is also returned: fusing would compute it twice.
// CHECK-LABEL: func @shared_matmul
// CHECK: linalg.matmul
// CHECK: act.gelu
func.func @shared_matmul(%a: tensor<8x16xf32>, %b: tensor<16x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  // expected-remark @+1 {{not fused into an epilogue: its result has other users (act.gelu would recompute it)}}
  %mm = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x8xf32>) outs(%acc : tensor<8x8xf32>) -> tensor<8x8xf32>
  %r = act.gelu %mm : tensor<8x8xf32>
  return %r, %mm : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// The bias sum has another user.
// CHECK-LABEL: func @shared_bias_add
// CHECK: linalg.add
// CHECK: act.relu
func.func @shared_bias_add(%a: tensor<8x16xf32>, %b: tensor<16x8xf32>, %bias: tensor<8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x8xf32>) outs(%acc : tensor<8x8xf32>) -> tensor<8x8xf32>
  %bb = linalg.broadcast ins(%bias : tensor<8xf32>) outs(%e : tensor<8x8xf32>) dimensions = [0]
  // expected-remark @+1 {{not fused into an epilogue: its result has other users (act.relu would recompute it)}}
  %sum = linalg.add ins(%mm, %bb : tensor<8x8xf32>, tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %r = act.relu %sum : tensor<8x8xf32>
  return %r, %sum : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// Not fused, no remark: an accumulating matmul (C + A B), mixed element
// types, an activation of something else.
// CHECK-LABEL: func @no_fusion
// CHECK-COUNT-2: linalg.matmul
// CHECK-NOT: act.matmul
func.func @no_fusion(%a: tensor<8x16xf32>, %b: tensor<16x8xf32>, %c: tensor<8x8xf32>, %ah: tensor<8x16xbf16>, %bh: tensor<16x8xbf16>) -> (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>) {
  %mm = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x8xf32>) outs(%c : tensor<8x8xf32>) -> tensor<8x8xf32>
  %r = act.gelu %mm : tensor<8x8xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %mixed = linalg.matmul ins(%ah, %bh : tensor<8x16xbf16>, tensor<16x8xbf16>) outs(%acc : tensor<8x8xf32>) -> tensor<8x8xf32>
  %s = act.silu %mixed : tensor<8x8xf32>
  %t = act.sigmoid %c : tensor<8x8xf32>
  return %r, %s, %t : tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// A prepacked act.matmul keeps its panels: packed_b carries over.
// CHECK-LABEL: func @packed
// CHECK-SAME: (%[[A:.*]]: tensor<8x16xf32>, %[[P:.*]]: tensor<1x16x48xf32>, %[[BIAS:.*]]: tensor<40xf32>)
// CHECK-NEXT: %[[R:.*]] = act.matmul %[[A]], %[[P]] packed_b bias %[[BIAS]] activation <gelu> : (tensor<8x16xf32>, tensor<1x16x48xf32>, tensor<40xf32>) -> tensor<8x40xf32>
// CHECK-NEXT: return %[[R]]
func.func @packed(%a: tensor<8x16xf32>, %p: tensor<1x16x48xf32>, %bias: tensor<40xf32>) -> tensor<8x40xf32> {
  %mm = act.matmul %a, %p packed_b bias %bias : (tensor<8x16xf32>, tensor<1x16x48xf32>, tensor<40xf32>) -> tensor<8x40xf32>
  %r = act.gelu %mm : tensor<8x40xf32>
  return %r : tensor<8x40xf32>
}
