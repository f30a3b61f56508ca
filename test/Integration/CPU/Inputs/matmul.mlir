// Matmul epilogue cases for matmul.test, written the way a user (or a
// framework importer) writes them: act-cpu-pipeline fuses them; the same
// file after act-expand is the unfused reference semantics. Sizes leave
// tails in every dimension (rows, panels, vectors).

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#tb = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]

// gelu(A B + bias): linalg.matmul, a linalg.generic bias add, act.gelu. K
// spans three chunks (the last one short) and N two column blocks, so that
// the copies of B, the partial sums and the prefetches cross both.
func.func @bias_gelu(%a: tensor<37x300xf32>, %b: tensor<300x401xf32>, %bias: tensor<401xf32>) -> tensor<37x401xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x401xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<37x401xf32>) -> tensor<37x401xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<37x300xf32>, tensor<300x401xf32>) outs(%acc : tensor<37x401xf32>) -> tensor<37x401xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %bias : tensor<37x401xf32>, tensor<401xf32>) outs(%e : tensor<37x401xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<37x401xf32>
  %r = act.gelu %sum : tensor<37x401xf32>
  return %r : tensor<37x401xf32>
}

// silu(A B^T + bias), B stored N x K (PyTorch's Linear weight), K > 256
// so that the partial sums cross K chunks.
func.func @transposed_silu(%a: tensor<20x300xf32>, %b: tensor<45x300xf32>, %bias: tensor<45xf32>) -> tensor<20x45xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<20x45xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<20x45xf32>) -> tensor<20x45xf32>
  %mm = linalg.matmul indexing_maps = #tb ins(%a, %b : tensor<20x300xf32>, tensor<45x300xf32>) outs(%acc : tensor<20x45xf32>) -> tensor<20x45xf32>
  %bb = linalg.broadcast ins(%bias : tensor<45xf32>) outs(%e : tensor<20x45xf32>) dimensions = [0]
  %sum = linalg.add ins(%mm, %bb : tensor<20x45xf32>, tensor<20x45xf32>) outs(%e : tensor<20x45xf32>) -> tensor<20x45xf32>
  %r = act.silu %sum : tensor<20x45xf32>
  return %r : tensor<20x45xf32>
}

// dy * gelu_tanh'(A B), batched.
func.func @batch_grad(%a: tensor<3x9x33xf32>, %b: tensor<3x33x50xf32>, %dy: tensor<3x9x50xf32>) -> tensor<3x9x50xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x9x50xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<3x9x50xf32>) -> tensor<3x9x50xf32>
  %mm = linalg.batch_matmul ins(%a, %b : tensor<3x9x33xf32>, tensor<3x33x50xf32>) outs(%acc : tensor<3x9x50xf32>) -> tensor<3x9x50xf32>
  %r = act.gelu_grad %mm, %dy approximation = tanh : tensor<3x9x50xf32>
  return %r : tensor<3x9x50xf32>
}

// SwiGLU: silu(x Wg) * (x Wu), two matmuls of one input.
func.func @swiglu(%x: tensor<19x64xf32>, %wg: tensor<64x40xf32>, %wu: tensor<64x40xf32>) -> tensor<19x40xf32> {
  %g = act.matmul %x, %wg : (tensor<19x64xf32>, tensor<64x40xf32>) -> tensor<19x40xf32>
  %u = act.matmul %x, %wu : (tensor<19x64xf32>, tensor<64x40xf32>) -> tensor<19x40xf32>
  %h = act.glu <silu> %g, %u : tensor<19x40xf32>, tensor<19x40xf32> -> tensor<19x40xf32>
  return %h : tensor<19x40xf32>
}

// GeGLU over pre-concatenated weights with a bias: the split GLU.
func.func @geglu_split(%x: tensor<17x31xf32>, %w: tensor<31x48xf32>, %bias: tensor<48xf32>) -> tensor<17x24xf32> {
  %mm = act.matmul %x, %w bias %bias : (tensor<17x31xf32>, tensor<31x48xf32>, tensor<48xf32>) -> tensor<17x48xf32>
  %h = act.glu <gelu> %mm axis = -1 : tensor<17x48xf32> -> tensor<17x24xf32>
  return %h : tensor<17x24xf32>
}

// bf16 in and out, f32 accumulation: mish(A B + bias).
func.func @bf16_mish(%a: tensor<16x40xbf16>, %b: tensor<40x45xbf16>, %bias: tensor<45xbf16>) -> tensor<16x45xbf16> {
  %r = act.matmul %a, %b bias %bias activation <mish> : (tensor<16x40xbf16>, tensor<40x45xbf16>, tensor<45xbf16>) -> tensor<16x45xbf16>
  return %r : tensor<16x45xbf16>
}

// act.ffn and act.gated_ffn go through the same fusions.
func.func @ffn(%x: tensor<10x24xf32>, %w1: tensor<24x40xf32>, %b1: tensor<40xf32>, %w2: tensor<40x24xf32>, %b2: tensor<24xf32>) -> tensor<10x24xf32> {
  %y = act.ffn <gelu> %x, %w1 bias %b1, %w2 bias %b2 : (tensor<10x24xf32>, tensor<24x40xf32>, tensor<40xf32>, tensor<40x24xf32>, tensor<24xf32>) -> tensor<10x24xf32>
  return %y : tensor<10x24xf32>
}

// K = 0: the epilogue of an empty sum, gelu(bias) on every row.
func.func @empty_k(%a: tensor<5x0xf32>, %b: tensor<0x20xf32>, %bias: tensor<20xf32>) -> tensor<5x20xf32> {
  %r = act.matmul %a, %b bias %bias activation <gelu> : (tensor<5x0xf32>, tensor<0x20xf32>, tensor<20xf32>) -> tensor<5x20xf32>
  return %r : tensor<5x20xf32>
}

// Prepacked weights: act.pack_b's 48-column panels (the AVX-512 tile; AVX2
// unpacks them), the last one padded, then the matmul and a separate
// activation that act-fuse-epilogue folds in.
func.func @packed_gelu(%a: tensor<37x300xf32>, %b: tensor<300x401xf32>, %bias: tensor<401xf32>) -> tensor<37x401xf32> {
  %p = act.pack_b %b : tensor<300x401xf32> -> tensor<9x300x48xf32>
  %mm = act.matmul %a, %p packed_b bias %bias : (tensor<37x300xf32>, tensor<9x300x48xf32>, tensor<401xf32>) -> tensor<37x401xf32>
  %r = act.gelu %mm : tensor<37x401xf32>
  return %r : tensor<37x401xf32>
}

// A prepacked SwiGLU from [Wg | Wu] stored 2N x K (PyTorch's Linear
// weight), 16-column panels (one AVX-512 vector, two AVX2 ones), M dynamic.
func.func @packed_swiglu_t(%x: tensor<?x64xf32>, %w: tensor<80x64xf32>) -> tensor<?x40xf32> {
  %p = act.pack_b %w transpose_b glu : tensor<80x64xf32> -> tensor<2x3x64x16xf32>
  %h = act.matmul %x, %p packed_b glu activation <silu> : (tensor<?x64xf32>, tensor<2x3x64x16xf32>) -> tensor<?x40xf32>
  return %h : tensor<?x40xf32>
}
