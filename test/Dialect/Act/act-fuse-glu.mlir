// RUN: act-opt %s --act-fuse-glu --split-input-file --verify-diagnostics | FileCheck %s

// Gate and up act.matmul of one input feeding act.glu: one matmul over
// [Wg | Wu] with the GLU in its epilogue.
// CHECK-LABEL: func @swiglu
// CHECK-SAME: (%[[X:.*]]: tensor<128x1024xf32>, %[[WG:.*]]: tensor<1024x2816xf32>, %[[WU:.*]]: tensor<1024x2816xf32>)
// CHECK-NEXT: %[[W:.*]] = tensor.concat dim(1) %[[WG]], %[[WU]] : (tensor<1024x2816xf32>, tensor<1024x2816xf32>) -> tensor<1024x5632xf32>
// CHECK-NEXT: %[[R:.*]] = act.matmul %[[X]], %[[W]] glu activation <silu> : (tensor<128x1024xf32>, tensor<1024x5632xf32>) -> tensor<128x2816xf32>
// CHECK-NEXT: return %[[R]]
func.func @swiglu(%x: tensor<128x1024xf32>, %wg: tensor<1024x2816xf32>, %wu: tensor<1024x2816xf32>) -> tensor<128x2816xf32> {
  %g = act.matmul %x, %wg : (tensor<128x1024xf32>, tensor<1024x2816xf32>) -> tensor<128x2816xf32>
  %u = act.matmul %x, %wu : (tensor<128x1024xf32>, tensor<1024x2816xf32>) -> tensor<128x2816xf32>
  %h = act.glu <silu> %g, %u : tensor<128x2816xf32>, tensor<128x2816xf32> -> tensor<128x2816xf32>
  return %h : tensor<128x2816xf32>
}

// -----

// linalg.matmul with transposed B (weights N x K, as PyTorch stores them),
// a bias on the up projection only: the gate's bias is zero.
// CHECK-LABEL: func @geglu_transposed_bias
// CHECK-SAME: (%[[X:.*]]: tensor<16x64xf32>, %[[WG:.*]]: tensor<32x64xf32>, %[[WU:.*]]: tensor<32x64xf32>, %[[BU:.*]]: tensor<32xf32>)
// CHECK-DAG: %[[W:.*]] = tensor.concat dim(0) %[[WG]], %[[WU]] : (tensor<32x64xf32>, tensor<32x64xf32>) -> tensor<64x64xf32>
// CHECK-DAG: %[[BG:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<32xf32>)
// CHECK: %[[B:.*]] = tensor.concat dim(0) %[[BG]], %[[BU]] : (tensor<32xf32>, tensor<32xf32>) -> tensor<64xf32>
// CHECK: %[[R:.*]] = act.matmul %[[X]], %[[W]] transpose_b bias %[[B]] glu activation <gelu> : (tensor<16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<16x32xf32>
// CHECK-NEXT: return %[[R]]
#tb = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
func.func @geglu_transposed_bias(%x: tensor<16x64xf32>, %wg: tensor<32x64xf32>, %wu: tensor<32x64xf32>, %bu: tensor<32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %g = linalg.matmul indexing_maps = #tb ins(%x, %wg : tensor<16x64xf32>, tensor<32x64xf32>) outs(%acc : tensor<16x32xf32>) -> tensor<16x32xf32>
  %u0 = linalg.matmul indexing_maps = #tb ins(%x, %wu : tensor<16x64xf32>, tensor<32x64xf32>) outs(%acc : tensor<16x32xf32>) -> tensor<16x32xf32>
  %bb = linalg.broadcast ins(%bu : tensor<32xf32>) outs(%e : tensor<16x32xf32>) dimensions = [0]
  %u = linalg.add ins(%u0, %bb : tensor<16x32xf32>, tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %h = act.glu <gelu> %g, %u : tensor<16x32xf32>, tensor<16x32xf32> -> tensor<16x32xf32>
  return %h : tensor<16x32xf32>
}

// -----

// Pre-concatenated weights: the split GLU over one matmul.
// CHECK-LABEL: func @split_form
// CHECK-SAME: (%[[X:.*]]: tensor<16x64xf32>, %[[W:.*]]: tensor<64x64xf32>, %[[B:.*]]: tensor<64xf32>)
// CHECK-NEXT: %[[R:.*]] = act.matmul %[[X]], %[[W]] bias %[[B]] glu activation <sigmoid> : (tensor<16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<16x32xf32>
// CHECK-NEXT: return %[[R]]
func.func @split_form(%x: tensor<16x64xf32>, %w: tensor<64x64xf32>, %b: tensor<64xf32>) -> tensor<16x32xf32> {
  %mm = act.matmul %x, %w bias %b : (tensor<16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  %h = act.glu <sigmoid> %mm axis = -1 : tensor<16x64xf32> -> tensor<16x32xf32>
  return %h : tensor<16x32xf32>
}

// -----

// act.gated_ffn lowers through this pass: fused gate/up, then the down
// matmul.
// CHECK-LABEL: func @gated_ffn
// CHECK: %[[W:.*]] = tensor.concat dim(1)
// CHECK: %[[H:.*]] = act.matmul %{{.*}}, %[[W]] glu activation <silu> : (tensor<16x32xf32>, tensor<32x128xf32>) -> tensor<16x64xf32>
// CHECK: act.matmul %[[H]], %{{.*}} : (tensor<16x64xf32>, tensor<64x32xf32>) -> tensor<16x32xf32>
func.func @gated_ffn(%x: tensor<16x32xf32>, %wg: tensor<32x64xf32>, %wu: tensor<32x64xf32>, %wd: tensor<64x32xf32>) -> tensor<16x32xf32> {
  %0 = act.gated_ffn <silu> %x, %wg, %wu, %wd : (tensor<16x32xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<64x32xf32>) -> tensor<16x32xf32>
  return %0 : tensor<16x32xf32>
}

// -----

// The up projection is used elsewhere too: left alone, with a remark.
// CHECK-LABEL: func @shared_up
// CHECK-COUNT-2: act.matmul
// CHECK: act.glu
func.func @shared_up(%x: tensor<8x16xf32>, %wg: tensor<16x8xf32>, %wu: tensor<16x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %g = act.matmul %x, %wg : (tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<8x8xf32>
  // expected-remark @+1 {{not fused into a GLU epilogue: its result has other users (act.glu would recompute it)}}
  %u = act.matmul %x, %wu : (tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<8x8xf32>
  %h = act.glu <silu> %g, %u : tensor<8x8xf32>, tensor<8x8xf32> -> tensor<8x8xf32>
  return %h, %u : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// Not fused, no remark: different inputs; a split along the rows.
// CHECK-LABEL: func @no_fusion
// CHECK-NOT: glu activation
func.func @no_fusion(%x: tensor<8x16xf32>, %y: tensor<8x16xf32>, %wg: tensor<16x8xf32>, %wu: tensor<16x8xf32>, %w: tensor<16x8xf32>) -> (tensor<8x8xf32>, tensor<4x8xf32>) {
  %g = act.matmul %x, %wg : (tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<8x8xf32>
  %u = act.matmul %y, %wu : (tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<8x8xf32>
  %h = act.glu <silu> %g, %u : tensor<8x8xf32>, tensor<8x8xf32> -> tensor<8x8xf32>
  %m = act.matmul %x, %w : (tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<8x8xf32>
  %s = act.glu <silu> %m axis = 0 : tensor<8x8xf32> -> tensor<4x8xf32>
  return %h, %s : tensor<8x8xf32>, tensor<4x8xf32>
}

// -----

// Not fused: panels packed for plain products (act.pack_b without glu) are
// no GLU layout; pack [Wg | Wu] with act.pack_b glu instead.
// CHECK-LABEL: func @packed_no_fusion
// CHECK-NOT: glu activation
func.func @packed_no_fusion(%x: tensor<8x16xf32>, %pg: tensor<1x16x16xf32>, %pu: tensor<1x16x16xf32>, %p: tensor<1x16x16xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %g = act.matmul %x, %pg packed_b : (tensor<8x16xf32>, tensor<1x16x16xf32>) -> tensor<8x8xf32>
  %u = act.matmul %x, %pu packed_b : (tensor<8x16xf32>, tensor<1x16x16xf32>) -> tensor<8x8xf32>
  %h = act.glu <silu> %g, %u : tensor<8x8xf32>, tensor<8x8xf32> -> tensor<8x8xf32>
  %m = act.matmul %x, %p packed_b : (tensor<8x16xf32>, tensor<1x16x16xf32>) -> tensor<8x16xf32>
  %s = act.glu <silu> %m axis = -1 : tensor<8x16xf32> -> tensor<8x8xf32>
  return %h, %s : tensor<8x8xf32>, tensor<8x8xf32>
}
