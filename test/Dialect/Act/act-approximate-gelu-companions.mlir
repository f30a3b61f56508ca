// RUN: act-opt %s --act-approximate-gelu="mode=tanh silu-to-hard-swish=true sigmoid-to-hard-sigmoid=true" | FileCheck %s
// RUN: not act-opt %s --act-approximate-gelu="max-abs-error=-1" 2>&1 | FileCheck %s --check-prefix=BAD

// The opt-in companions for targets without a fast exp.
// CHECK-LABEL: func @companions
// CHECK: act.hard_swish %{{.*}} : tensor<8xf32>
// CHECK: act.hard_swish_grad %{{.*}}, %{{.*}} : tensor<8xf32>
// CHECK: act.silu %{{.*}} beta = 2.000000e+00 : tensor<8xf32>
// CHECK: act.hard_sigmoid %{{.*}} : tensor<8xf32>
// CHECK: act.glu <hard_sigmoid>
// CHECK: act.gated_ffn <hard_swish>
// BAD: act-approximate-gelu: max-abs-error must be finite and non-negative, got -1
func.func @companions(%x: tensor<8xf32>, %dy: tensor<8xf32>, %a: tensor<4x8xf32>,
                      %w1: tensor<8x16xf32>, %w2: tensor<16x8xf32>) {
  %0 = act.silu %x : tensor<8xf32>
  %1 = act.silu_grad %x, %dy : tensor<8xf32>
  %2 = act.silu %x beta = 2.0 : tensor<8xf32>
  %3 = act.sigmoid %x : tensor<8xf32>
  %4 = act.glu <sigmoid> %x, %x : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  %5 = act.gated_ffn <silu> %a, %w1, %w1, %w2
      : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return
}
