// RUN: act-opt %s --split-input-file --verify-diagnostics

// Every verifier and parser diagnostic of the act dialect.

func.func @wrong_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{operand #0 must be f16, bf16, f32 or f64 scalar, vector or ranked tensor, but got 'tensor<4xi32>'}}
  %0 = act.gelu %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{operand #0 must be f16, bf16, f32 or f64 scalar, vector or ranked tensor, but got 'tensor<*xf32>'}}
  %0 = act.relu %x : tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @grad_type_mismatch(%x: tensor<4xf32>, %dy: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{all non-scalar operands/results must have the same shape and base type}}
  %0 = "act.gelu_grad"(%x, %dy) : (tensor<4xf32>, tensor<8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @negative_slope_nan(%x: f32) -> f32 {
  // expected-error @+1 {{'act.leaky_relu' op negative_slope must be finite, got nan}}
  %0 = act.leaky_relu %x negative_slope = 0x7FF8000000000000 : f32
  return %0 : f32
}

// -----

func.func @alpha_negative(%x: f32) -> f32 {
  // expected-error @+1 {{'act.elu' op alpha must be finite and non-negative, got -1}}
  %0 = act.elu %x alpha = -1.0 : f32
  return %0 : f32
}

// -----

func.func @beta_zero(%x: f32) -> f32 {
  // expected-error @+1 {{'act.silu' op beta must be finite and positive, got 0}}
  %0 = act.silu %x beta = 0.0 : f32
  return %0 : f32
}

// -----

func.func @softplus_beta(%x: f32, %dy: f32) -> f32 {
  // expected-error @+1 {{'act.softplus_grad' op beta must be finite and positive, got -2}}
  %0 = act.softplus_grad %x, %dy beta = -2.0 : f32
  return %0 : f32
}

// -----

func.func @softplus_threshold(%x: f32) -> f32 {
  // expected-error @+1 {{'act.softplus' op threshold must be finite and positive, got INF}}
  %0 = act.softplus %x threshold = 0x7FF0000000000000 : f32
  return %0 : f32
}

// -----

func.func @unknown_approximation(%x: f32) -> f32 {
  // expected-error @+2 {{expected ::mlir::act::GeluApproximation to be one of: none, tanh, sigmoid}}
  // expected-error @+1 {{failed to parse Act_GeluApproximationAttr parameter 'value'}}
  %0 = act.gelu %x approximation = erf : f32
  return %0 : f32
}

// -----

// expected-error @+1 {{unknown activation 'swoosh'}}
func.func private @unknown_activation() attributes {a = #act.activation<swoosh>}

// -----

// expected-error @+1 {{'alpha' is not a parameter of gelu}}
func.func private @foreign_parameter() attributes {a = #act.activation<gelu, alpha = 1.0>}

// -----

// expected-error @+1 {{unknown GELU approximation 'erf'}}
func.func private @attr_unknown_approximation() attributes {a = #act.activation<gelu, approximation = erf>}

// -----

// expected-error @+1 {{approximation is not a parameter of relu}}
func.func private @approximation_not_gelu() attributes {a = #act.activation<relu, approximation = tanh>}

// -----

// expected-error @+1 {{negative_slope must be finite, got INF}}
func.func private @attr_range() attributes {a = #act.activation<leaky_relu, negative_slope = 0x7FF0000000000000>}

// -----

func.func @swish_axis(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.swish' op axis 2 is out of range for rank 2}}
  %0 = act.swish %x, %b axis = 2 : tensor<4x8xf32>, tensor<8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @swish_channels(%x: tensor<4x8xf32>, %b: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.swish' op beta has 4 elements but the input has 8 channels along axis 1}}
  %0 = act.swish %x, %b : tensor<4x8xf32>, tensor<4xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @swish_element_type(%x: tensor<4x8xf32>, %b: tensor<8xf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.swish' op expects all operands and the result to have element type 'f32', got 'f16'}}
  %0 = act.swish %x, %b : tensor<4x8xf32>, tensor<8xf16>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @swish_grad_channels(%x: tensor<4x8xf32>, %b: tensor<3xf32>, %dy: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.swish_grad' op beta has 3 elements but the input has 4 channels along axis 0}}
  %0 = act.swish_grad %x, %b, %dy axis = -2 : tensor<4x8xf32>, tensor<3xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @glu_mismatch(%a: tensor<4x8xf32>, %b: tensor<4x4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.glu' op expects the gate, linear and result operands to have one type, got 'tensor<4x8xf32>', 'tensor<4x4xf32>' -> 'tensor<4x8xf32>'}}
  %0 = act.glu <silu> %a, %b : tensor<4x8xf32>, tensor<4x4xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @glu_element_type(%a: tensor<4x8xf32>, %b: tensor<4x8xbf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.glu' op expects all operands and the result to have element type 'f32', got 'bf16'}}
  %0 = act.glu <silu> %a, %b : tensor<4x8xf32>, tensor<4x8xbf16> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @glu_split_vector(%a: vector<8xf32>) -> vector<4xf32> {
  // expected-error @+1 {{'act.glu' op split form requires a ranked tensor operand}}
  %0 = act.glu <silu> %a : vector<8xf32> -> vector<4xf32>
  return %0 : vector<4xf32>
}

// -----

func.func @glu_split_odd(%x: tensor<4x7xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'act.glu' op split dimension 1 has odd size 7}}
  %0 = act.glu <silu> %x : tensor<4x7xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @glu_split_axis(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.glu' op axis -3 is out of range for rank 2}}
  %0 = act.glu <silu> %x axis = -3 : tensor<4x8xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @glu_split_result(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.glu' op result shape 4x8 is not the input shape 4x8 halved along axis 1}}
  %0 = act.glu <silu> %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @glu_gate_params(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{beta must be finite and positive, got -1}}
  %0 = act.glu <silu, beta = -1.0> %a, %a : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<16x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op contraction dimension mismatch: lhs is 4x8 but rhs is 16x4}}
  %0 = act.matmul %a, %b : (tensor<4x8xf32>, tensor<16x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @matmul_bias(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %bias: tensor<5xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op bias of rhs has 5 elements, expected 4}}
  %0 = act.matmul %a, %b bias %bias : (tensor<4x8xf32>, tensor<8x4xf32>, tensor<5xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @packed_transposed(%a: tensor<4x8xf32>, %p: tensor<1x8x16xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op packed_b takes no transpose_b (act.pack_b transposes)}}
  %0 = act.matmul %a, %p transpose_b packed_b : (tensor<4x8xf32>, tensor<1x8x16xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @packed_batch(%a: tensor<2x4x8xf32>, %p: tensor<1x8x16xf32>) -> tensor<2x4x4xf32> {
  // expected-error @+1 {{'act.matmul' op packed_b needs a 2-D lhs and result, got 2x4x8 -> 2x4x4}}
  %0 = act.matmul %a, %p packed_b : (tensor<2x4x8xf32>, tensor<1x8x16xf32>) -> tensor<2x4x4xf32>
  return %0 : tensor<2x4x4xf32>
}

// -----

func.func @packed_glu_rank(%a: tensor<4x8xf32>, %p: tensor<1x8x16xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op packed rhs must be P x K x W with a leading 2 for glu, got 1x8x16}}
  %0 = act.matmul %a, %p packed_b glu activation <silu> : (tensor<4x8xf32>, tensor<1x8x16xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @packed_dynamic(%a: tensor<4x8xf32>, %p: tensor<1x8x16xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{'act.matmul' op packed rhs needs static panels, panel width and columns, got 1x8x16}}
  %0 = act.matmul %a, %p packed_b : (tensor<4x8xf32>, tensor<1x8x16xf32>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @packed_k(%a: tensor<4x8xf32>, %p: tensor<1x9x16xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op packed rhs has K = 9, expected 8}}
  %0 = act.matmul %a, %p packed_b : (tensor<4x8xf32>, tensor<1x9x16xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @packed_panels(%a: tensor<4x8xf32>, %p: tensor<2x8x16xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op packed rhs has 2 panels of 16 columns, expected 1 for 4 columns}}
  %0 = act.matmul %a, %p packed_b : (tensor<4x8xf32>, tensor<2x8x16xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @pack_b_odd_glu(%w: tensor<8x5xf32>) -> tensor<2x1x8x16xf32> {
  // expected-error @+1 {{'act.pack_b' op glu needs an even number of columns, got 5}}
  %0 = act.pack_b %w glu : tensor<8x5xf32> -> tensor<2x1x8x16xf32>
  return %0 : tensor<2x1x8x16xf32>
}

// -----

func.func @pack_b_panels(%w: tensor<8x100xf32>) -> tensor<6x8x16xf32> {
  // expected-error @+1 {{'act.pack_b' op result has 6 panels of 16 columns, expected 7 for 100 columns}}
  %0 = act.pack_b %w : tensor<8x100xf32> -> tensor<6x8x16xf32>
  return %0 : tensor<6x8x16xf32>
}

// -----

func.func @pack_b_element_type(%w: tensor<8x16xf16>) -> tensor<1x8x16xf32> {
  // expected-error @+1 {{'act.pack_b' op expects all operands and the result to have element type 'f32', got 'f16'}}
  %0 = act.pack_b %w : tensor<8x16xf16> -> tensor<1x8x16xf32>
  return %0 : tensor<1x8x16xf32>
}

// -----

func.func @matmul_result(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{'act.matmul' op result shape 4x5 does not match 4x4}}
  %0 = act.matmul %a, %b activation <gelu> : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @matmul_element_type(%a: tensor<4x8xf16>, %b: tensor<8x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op expects all operands and the result to have element type 'f32', got 'f16'}}
  %0 = act.matmul %a, %b : (tensor<4x8xf16>, tensor<8x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @matmul_rank(%a: tensor<4x8x2x1xf32>, %b: tensor<8x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{operand #0 must be 2D/3D tensor of f16, bf16, f32 or f64 values, but got 'tensor<4x8x2x1xf32>'}}
  %0 = act.matmul %a, %b : (tensor<4x8x2x1xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @matmul_mixed_rank(%a: tensor<2x4x8xf32>, %b: tensor<8x4xf32>) -> tensor<2x4x4xf32> {
  // expected-error @+1 {{'act.matmul' op expects lhs, rhs and result of one rank, got 2x4x8, 8x4 -> 2x4x4}}
  %0 = act.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x4xf32>) -> tensor<2x4x4xf32>
  return %0 : tensor<2x4x4xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x4xf32>) -> tensor<2x4x4xf32> {
  // expected-error @+1 {{'act.matmul' op batch dimension mismatch: lhs is 2x4x8 but rhs is 3x8x4}}
  %0 = act.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x4xf32>) -> tensor<2x4x4xf32>
  return %0 : tensor<2x4x4xf32>
}

// -----

func.func @matmul_result_batch(%a: tensor<2x4x8xf32>, %b: tensor<2x8x4xf32>) -> tensor<3x4x4xf32> {
  // expected-error @+1 {{'act.matmul' op result batch size 3 does not match lhs batch size 2}}
  %0 = act.matmul %a, %b : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> tensor<3x4x4xf32>
  return %0 : tensor<3x4x4xf32>
}

// -----

func.func @matmul_transposed(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.matmul' op contraction dimension mismatch: lhs is 4x8 but rhs is 8x4 (transposed)}}
  %0 = act.matmul %a, %b transpose_b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @matmul_glu_activation(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op the glu epilogue needs an activation}}
  %0 = act.matmul %a, %b glu : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @matmul_grad_activation(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %dy: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op the grad epilogue needs an activation}}
  %0 = act.matmul %a, %b grad %dy : (tensor<4x8xf32>, tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @matmul_glu_grad(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>, %dy: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op glu and grad epilogues cannot be combined}}
  %0 = act.matmul %a, %b glu activation <silu> grad %dy : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @matmul_glu_odd(%a: tensor<4x8xf32>, %b: tensor<8x7xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'act.matmul' op glu epilogue needs an even number of rhs columns, got 7}}
  %0 = act.matmul %a, %b glu activation <silu> : (tensor<4x8xf32>, tensor<8x7xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @matmul_glu_result(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.matmul' op result shape 4x8 does not match 4x4}}
  %0 = act.matmul %a, %b glu activation <silu> : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @matmul_dy(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %dy: tensor<4x5xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'act.matmul' op dy must have the result type 'tensor<4x4xf32>', got 'tensor<4x5xf32>'}}
  %0 = act.matmul %a, %b activation <gelu> grad %dy : (tensor<4x8xf32>, tensor<8x4xf32>, tensor<4x5xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @ffn_up(%x: tensor<4x8xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.ffn' op contraction dimension mismatch: input is 4x8 but up_weight is 16x32}}
  %0 = act.ffn <gelu> %x, %w1, %w2 : (tensor<4x8xf32>, tensor<16x32xf32>, tensor<32x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @ffn_down(%x: tensor<4x8xf32>, %w1: tensor<8x32xf32>, %w2: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.ffn' op contraction dimension mismatch: up_weight is 8x32 but down_weight is 16x8}}
  %0 = act.ffn <gelu> %x, %w1, %w2 : (tensor<4x8xf32>, tensor<8x32xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @ffn_bias(%x: tensor<4x8xf32>, %w1: tensor<8x32xf32>, %b1: tensor<16xf32>, %w2: tensor<32x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.ffn' op bias of up_weight has 16 elements, expected 32}}
  %0 = act.ffn <gelu> %x, %w1 bias %b1, %w2 : (tensor<4x8xf32>, tensor<8x32xf32>, tensor<16xf32>, tensor<32x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @ffn_result(%x: tensor<4x8xf32>, %w1: tensor<8x32xf32>, %w2: tensor<32x8xf32>) -> tensor<8x8xf32> {
  // expected-error @+1 {{'act.ffn' op result shape 8x8 does not match 4x8}}
  %0 = act.ffn <gelu> %x, %w1, %w2 : (tensor<4x8xf32>, tensor<8x32xf32>, tensor<32x8xf32>) -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}

// -----

func.func @gated_ffn_weights(%x: tensor<4x8xf32>, %wg: tensor<8x32xf32>, %wu: tensor<8x16xf32>, %wd: tensor<32x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.gated_ffn' op gate_weight and up_weight must have one type, got 'tensor<8x32xf32>' and 'tensor<8x16xf32>'}}
  %0 = act.gated_ffn <silu> %x, %wg, %wu, %wd : (tensor<4x8xf32>, tensor<8x32xf32>, tensor<8x16xf32>, tensor<32x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @gated_ffn_input(%x: tensor<4x4xf32>, %wg: tensor<8x32xf32>, %wd: tensor<32x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.gated_ffn' op contraction dimension mismatch: input is 4x4 but gate_weight is 8x32}}
  %0 = act.gated_ffn <silu> %x, %wg, %wg, %wd : (tensor<4x4xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<32x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @gated_ffn_element_type(%x: tensor<4x8xbf16>, %wg: tensor<8x32xf32>, %wd: tensor<32x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.gated_ffn' op expects all operands and the result to have element type 'f32', got 'bf16'}}
  %0 = act.gated_ffn <silu> %x, %wg, %wg, %wd : (tensor<4x8xbf16>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<32x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @gated_ffn_down_bias(%x: tensor<4x8xf32>, %wg: tensor<8x32xf32>, %wd: tensor<32x8xf32>, %bd: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'act.gated_ffn' op bias of down_weight has 4 elements, expected 8}}
  %0 = act.gated_ffn <silu> %x, %wg, %wg, %wd bias %bd : (tensor<4x8xf32>, tensor<8x32xf32>, tensor<8x32xf32>, tensor<32x8xf32>, tensor<4xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @lookup_size(%i: vector<16xi32>) -> vector<16xf32> {
  // expected-error @+1 {{'act.lookup' op needs a power of two from 1 to 32 values, got 3}}
  %0 = act.lookup %i [1.0, 2.0, 3.0] : vector<16xi32> -> vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

func.func @lookup_large(%i: i32) -> f32 {
  // expected-error @+1 {{'act.lookup' op needs a power of two from 1 to 32 values, got 64}}
  %0 = act.lookup %i [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0] : i32 -> f32
  return %0 : f32
}

// -----

func.func @lookup_shape(%i: vector<16xi32>) -> vector<8xf32> {
  // expected-error @+1 {{'act.lookup' op all non-scalar operands/results must have the same shape and base type}}
  %0 = act.lookup %i [1.0, 2.0] : vector<16xi32> -> vector<8xf32>
  return %0 : vector<8xf32>
}
