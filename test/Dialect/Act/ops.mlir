// RUN: act-opt %s | act-opt | FileCheck %s
// RUN: act-opt %s --mlir-print-op-generic | act-opt | FileCheck %s

// Every op of the dialect, printed and parsed back.

// CHECK-LABEL: func @activations
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[V:.*]]: vector<16xbf16>, %[[S:.*]]: f16, %[[D:.*]]: tensor<?xf64>)
func.func @activations(%x: tensor<4x8xf32>, %v: vector<16xbf16>, %s: f16,
                       %d: tensor<?xf64>) {
  // CHECK: act.relu %[[X]] : tensor<4x8xf32>
  %0 = act.relu %x : tensor<4x8xf32>
  // CHECK: act.leaky_relu %[[X]] : tensor<4x8xf32>
  %1 = act.leaky_relu %x : tensor<4x8xf32>
  // CHECK: act.leaky_relu %[[X]] negative_slope = 2.000000e-01 : tensor<4x8xf32>
  %2 = act.leaky_relu %x negative_slope = 0.2 : tensor<4x8xf32>
  // CHECK: act.elu %[[V]] alpha = 5.000000e-01 : vector<16xbf16>
  %3 = act.elu %v alpha = 0.5 : vector<16xbf16>
  // CHECK: act.relu6 %[[S]] : f16
  %4 = act.relu6 %s : f16
  // CHECK: act.sigmoid %[[D]] : tensor<?xf64>
  %5 = act.sigmoid %d : tensor<?xf64>
  // CHECK: act.hard_sigmoid %[[X]] : tensor<4x8xf32>
  %6 = act.hard_sigmoid %x : tensor<4x8xf32>
  // CHECK: act.silu %[[X]] : tensor<4x8xf32>
  %7 = act.silu %x : tensor<4x8xf32>
  // CHECK: act.silu %[[X]] beta = 1.500000e+00 : tensor<4x8xf32>
  %8 = act.silu %x beta = 1.5 : tensor<4x8xf32>
  // CHECK: act.hard_swish %[[V]] : vector<16xbf16>
  %9 = act.hard_swish %v : vector<16xbf16>
  // CHECK: act.gelu %[[X]] : tensor<4x8xf32>
  %10 = act.gelu %x : tensor<4x8xf32>
  // CHECK: act.gelu %[[X]] approximation = tanh : tensor<4x8xf32>
  %11 = act.gelu %x approximation = tanh : tensor<4x8xf32>
  // CHECK: act.gelu %[[S]] approximation = sigmoid : f16
  %12 = act.gelu %s approximation = sigmoid : f16
  // CHECK: act.mish %[[X]] : tensor<4x8xf32>
  %13 = act.mish %x : tensor<4x8xf32>
  // CHECK: act.softplus %[[X]] : tensor<4x8xf32>
  %14 = act.softplus %x : tensor<4x8xf32>
  // CHECK: act.softplus %[[X]] beta = 2.000000e+00 threshold = 1.000000e+01 : tensor<4x8xf32>
  %15 = act.softplus %x beta = 2.0 threshold = 10.0 : tensor<4x8xf32>
  return
}

// CHECK-LABEL: func @gradients
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[DY:.*]]: tensor<4x8xf32>)
func.func @gradients(%x: tensor<4x8xf32>, %dy: tensor<4x8xf32>) {
  // CHECK: act.relu_grad %[[X]], %[[DY]] : tensor<4x8xf32>
  %0 = act.relu_grad %x, %dy : tensor<4x8xf32>
  // CHECK: act.leaky_relu_grad %[[X]], %[[DY]] negative_slope = 1.000000e-01 : tensor<4x8xf32>
  %1 = act.leaky_relu_grad %x, %dy negative_slope = 0.1 : tensor<4x8xf32>
  // CHECK: act.elu_grad %[[X]], %[[DY]] : tensor<4x8xf32>
  %2 = act.elu_grad %x, %dy : tensor<4x8xf32>
  // CHECK: act.relu6_grad %[[X]], %[[DY]] : tensor<4x8xf32>
  %3 = act.relu6_grad %x, %dy : tensor<4x8xf32>
  // CHECK: act.sigmoid_grad %[[X]], %[[DY]] : tensor<4x8xf32>
  %4 = act.sigmoid_grad %x, %dy : tensor<4x8xf32>
  // CHECK: act.hard_sigmoid_grad %[[X]], %[[DY]] : tensor<4x8xf32>
  %5 = act.hard_sigmoid_grad %x, %dy : tensor<4x8xf32>
  // CHECK: act.silu_grad %[[X]], %[[DY]] : tensor<4x8xf32>
  %6 = act.silu_grad %x, %dy : tensor<4x8xf32>
  // CHECK: act.hard_swish_grad %[[X]], %[[DY]] : tensor<4x8xf32>
  %7 = act.hard_swish_grad %x, %dy : tensor<4x8xf32>
  // CHECK: act.gelu_grad %[[X]], %[[DY]] approximation = tanh : tensor<4x8xf32>
  %8 = act.gelu_grad %x, %dy approximation = tanh : tensor<4x8xf32>
  // CHECK: act.mish_grad %[[X]], %[[DY]] : tensor<4x8xf32>
  %9 = act.mish_grad %x, %dy : tensor<4x8xf32>
  // CHECK: act.softplus_grad %[[X]], %[[DY]] beta = 2.000000e+00 : tensor<4x8xf32>
  %10 = act.softplus_grad %x, %dy beta = 2.0 : tensor<4x8xf32>
  return
}

// CHECK-LABEL: func @swish
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x8x8xf32>, %[[B:.*]]: tensor<16xf32>, %[[DY:.*]]: tensor<2x16x8x8xf32>)
func.func @swish(%x: tensor<2x16x8x8xf32>, %beta: tensor<16xf32>,
                 %dy: tensor<2x16x8x8xf32>) {
  // CHECK: act.swish %[[X]], %[[B]] axis = 1 : tensor<2x16x8x8xf32>, tensor<16xf32>
  %0 = act.swish %x, %beta axis = 1 : tensor<2x16x8x8xf32>, tensor<16xf32>
  // CHECK: act.swish_grad %[[X]], %[[B]], %[[DY]] axis = 1 : tensor<2x16x8x8xf32>, tensor<16xf32>
  %1 = act.swish_grad %x, %beta, %dy axis = 1 : tensor<2x16x8x8xf32>, tensor<16xf32>
  return
}

// CHECK-LABEL: func @glu
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xbf16>, %[[B:.*]]: tensor<4x8xbf16>, %[[X:.*]]: tensor<4x16xbf16>, %[[V:.*]]: vector<8xf32>)
func.func @glu(%a: tensor<4x8xbf16>, %b: tensor<4x8xbf16>, %x: tensor<4x16xbf16>,
               %v: vector<8xf32>) {
  // CHECK: act.glu <sigmoid> %[[A]], %[[B]] : tensor<4x8xbf16>, tensor<4x8xbf16> -> tensor<4x8xbf16>
  %0 = act.glu <sigmoid> %a, %b : tensor<4x8xbf16>, tensor<4x8xbf16> -> tensor<4x8xbf16>
  // CHECK: act.glu <silu> %[[A]], %[[B]]
  %1 = act.glu <silu> %a, %b : tensor<4x8xbf16>, tensor<4x8xbf16> -> tensor<4x8xbf16>
  // CHECK: act.glu <gelu, approximation = tanh> %[[A]], %[[B]]
  %2 = act.glu <gelu, approximation = tanh> %a, %b : tensor<4x8xbf16>, tensor<4x8xbf16> -> tensor<4x8xbf16>
  // CHECK: act.glu <relu> %[[V]], %[[V]] : vector<8xf32>, vector<8xf32> -> vector<8xf32>
  %3 = act.glu <relu> %v, %v : vector<8xf32>, vector<8xf32> -> vector<8xf32>
  // CHECK: act.glu <silu> %[[X]] : tensor<4x16xbf16> -> tensor<4x8xbf16>
  %4 = act.glu <silu> %x : tensor<4x16xbf16> -> tensor<4x8xbf16>
  // CHECK: act.glu <gelu> %[[X]] axis = 0 : tensor<4x16xbf16> -> tensor<2x16xbf16>
  %5 = act.glu <gelu> %x axis = 0 : tensor<4x16xbf16> -> tensor<2x16xbf16>
  // CHECK: act.glu <leaky_relu, negative_slope = 2.000000e-01> %[[A]], %[[B]]
  %6 = act.glu <leaky_relu, negative_slope = 0.2> %a, %b : tensor<4x8xbf16>, tensor<4x8xbf16> -> tensor<4x8xbf16>
  return
}

// CHECK-LABEL: func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<128x768xbf16>, %[[B:.*]]: tensor<768x3072xbf16>, %[[BIAS:.*]]: tensor<3072xbf16>, %[[D:.*]]: tensor<?x768xf32>, %[[E:.*]]: tensor<768x?xf32>)
func.func @matmul(%a: tensor<128x768xbf16>, %b: tensor<768x3072xbf16>,
                  %bias: tensor<3072xbf16>, %d: tensor<?x768xf32>,
                  %e: tensor<768x?xf32>) {
  // CHECK: act.matmul %[[A]], %[[B]] bias %[[BIAS]] activation <gelu> : (tensor<128x768xbf16>, tensor<768x3072xbf16>, tensor<3072xbf16>) -> tensor<128x3072xbf16>
  %0 = act.matmul %a, %b bias %bias activation <gelu>
      : (tensor<128x768xbf16>, tensor<768x3072xbf16>, tensor<3072xbf16>) -> tensor<128x3072xbf16>
  // CHECK: act.matmul %[[A]], %[[B]] : (tensor<128x768xbf16>, tensor<768x3072xbf16>) -> tensor<128x3072xbf16>
  %1 = act.matmul %a, %b : (tensor<128x768xbf16>, tensor<768x3072xbf16>) -> tensor<128x3072xbf16>
  // CHECK: act.matmul %[[A]], %[[A]] transpose_b activation <silu> : (tensor<128x768xbf16>, tensor<128x768xbf16>) -> tensor<128x128xbf16>
  %2 = act.matmul %a, %a transpose_b activation <silu> : (tensor<128x768xbf16>, tensor<128x768xbf16>) -> tensor<128x128xbf16>
  // CHECK: act.matmul %[[A]], %[[B]] bias %[[BIAS]] glu activation <silu> : (tensor<128x768xbf16>, tensor<768x3072xbf16>, tensor<3072xbf16>) -> tensor<128x1536xbf16>
  %3 = act.matmul %a, %b bias %bias glu activation <silu> : (tensor<128x768xbf16>, tensor<768x3072xbf16>, tensor<3072xbf16>) -> tensor<128x1536xbf16>
  // CHECK: act.matmul %[[A]], %[[B]] activation <gelu> grad %{{.*}} : (tensor<128x768xbf16>, tensor<768x3072xbf16>, tensor<128x3072xbf16>) -> tensor<128x3072xbf16>
  %6 = act.matmul %a, %b activation <gelu> grad %0 : (tensor<128x768xbf16>, tensor<768x3072xbf16>, tensor<128x3072xbf16>) -> tensor<128x3072xbf16>
  // CHECK: act.matmul %[[D]], %[[E]] activation <silu> : (tensor<?x768xf32>, tensor<768x?xf32>) -> tensor<?x?xf32>
  %5 = act.matmul %d, %e activation <silu> : (tensor<?x768xf32>, tensor<768x?xf32>) -> tensor<?x?xf32>
  return
}

// CHECK-LABEL: func @pack_b
// CHECK-SAME: (%[[W:.*]]: tensor<768x3072xf32>, %[[T:.*]]: tensor<100x64xf32>, %[[X:.*]]: tensor<?x768xf32>, %[[Y:.*]]: tensor<?x64xf32>)
func.func @pack_b(%w: tensor<768x3072xf32>, %t: tensor<100x64xf32>,
                  %x: tensor<?x768xf32>, %y: tensor<?x64xf32>) {
  // CHECK: %[[P:.*]] = act.pack_b %[[W]] : tensor<768x3072xf32> -> tensor<64x768x48xf32>
  %p = act.pack_b %w : tensor<768x3072xf32> -> tensor<64x768x48xf32>
  // CHECK: %[[G:.*]] = act.pack_b %[[T]] transpose_b glu : tensor<100x64xf32> -> tensor<2x4x64x16xf32>
  %g = act.pack_b %t transpose_b glu : tensor<100x64xf32> -> tensor<2x4x64x16xf32>
  // CHECK: act.matmul %[[X]], %[[P]] packed_b activation <gelu> : (tensor<?x768xf32>, tensor<64x768x48xf32>) -> tensor<?x3072xf32>
  %0 = act.matmul %x, %p packed_b activation <gelu> : (tensor<?x768xf32>, tensor<64x768x48xf32>) -> tensor<?x3072xf32>
  // CHECK: act.matmul %[[Y]], %[[G]] packed_b glu activation <silu> : (tensor<?x64xf32>, tensor<2x4x64x16xf32>) -> tensor<?x50xf32>
  %1 = act.matmul %y, %g packed_b glu activation <silu> : (tensor<?x64xf32>, tensor<2x4x64x16xf32>) -> tensor<?x50xf32>
  return
}

// CHECK-LABEL: func @ffn
func.func @ffn(%x: tensor<16x64xf32>, %w1: tensor<64x256xf32>, %b1: tensor<256xf32>,
               %w2: tensor<256x64xf32>, %b2: tensor<64xf32>, %wg: tensor<64x256xf32>) {
  // CHECK: act.ffn <gelu> %{{.*}}, %{{.*}} bias %{{.*}}, %{{.*}} bias %{{.*}} : (tensor<16x64xf32>, tensor<64x256xf32>, tensor<256xf32>, tensor<256x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  %0 = act.ffn <gelu> %x, %w1 bias %b1, %w2 bias %b2
      : (tensor<16x64xf32>, tensor<64x256xf32>, tensor<256xf32>, tensor<256x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  // CHECK: act.ffn <relu> %{{.*}}, %{{.*}}, %{{.*}} : (tensor<16x64xf32>, tensor<64x256xf32>, tensor<256x64xf32>) -> tensor<16x64xf32>
  %1 = act.ffn <relu> %x, %w1, %w2
      : (tensor<16x64xf32>, tensor<64x256xf32>, tensor<256x64xf32>) -> tensor<16x64xf32>
  // CHECK: act.gated_ffn <silu> %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<16x64xf32>, tensor<64x256xf32>, tensor<64x256xf32>, tensor<256x64xf32>) -> tensor<16x64xf32>
  %2 = act.gated_ffn <silu> %x, %wg, %w1, %w2
      : (tensor<16x64xf32>, tensor<64x256xf32>, tensor<64x256xf32>, tensor<256x64xf32>) -> tensor<16x64xf32>
  // CHECK: act.gated_ffn <gelu, approximation = tanh> %{{.*}}, %{{.*}} bias %{{.*}}, %{{.*}} bias %{{.*}}, %{{.*}} bias %{{.*}}
  %3 = act.gated_ffn <gelu, approximation = tanh> %x, %wg bias %b1, %w1 bias %b1, %w2 bias %b2
      : (tensor<16x64xf32>, tensor<64x256xf32>, tensor<256xf32>, tensor<64x256xf32>, tensor<256xf32>, tensor<256x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  return
}

// CHECK-LABEL: func @lookup
func.func @lookup(%i: i32, %v: vector<16xi32>) -> (f32, vector<16xf32>) {
  // CHECK: act.lookup %{{.*}} [1.0, 2.0] : i32 -> f32
  %0 = act.lookup %i [1.0, 2.0] : i32 -> f32
  // CHECK: act.lookup %{{.*}} [1.0, 2.0, 4.0, 8.0] : vector<16xi32> -> vector<16xf32>
  %1 = act.lookup %v [1.0, 2.0, 4.0, 8.0] : vector<16xi32> -> vector<16xf32>
  return %0, %1 : f32, vector<16xf32>
}
