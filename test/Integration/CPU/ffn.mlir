// Runs act-expand's GLU, matmul and FFN lowering and compares it with NumPy.
// RUN: act-opt %s --act-expand \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata \
// RUN:   --finalize-memref-to-llvm --convert-math-to-libm --convert-math-to-llvm \
// RUN:   --convert-arith-to-llvm --convert-cf-to-llvm --convert-func-to-llvm \
// RUN:   --convert-index-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils \
// RUN: | %python %S/Inputs/check_ffn.py

func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}

func.func @ffn(%x: tensor<4x8xf32>, %w1: tensor<8x16xf32>, %b1: tensor<16xf32>,
               %w2: tensor<16x8xf32>, %b2: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = act.ffn <gelu> %x, %w1 bias %b1, %w2 bias %b2
      : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @swiglu_ffn(%x: tensor<4x8xf32>, %wg: tensor<8x16xf32>, %wu: tensor<8x16xf32>,
                      %wd: tensor<16x8xf32>) -> tensor<4x8xf32> {
  %y = act.gated_ffn <silu> %x, %wg, %wu, %wd
      : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @geglu_split(%h: tensor<4x16xf32>) -> tensor<4x8xf32> {
  %y = act.glu <gelu, approximation = tanh> %h : tensor<4x16xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @matmul_relu6(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %y = act.matmul %x, %w bias %b activation <relu6>
      : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

func.func @print2d(%t: tensor<?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xf32> to memref<?x?xf32>
  %u = memref.cast %m : memref<?x?xf32> to memref<*xf32>
  func.call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @print1d(%t: tensor<?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?xf32> to memref<?xf32>
  %u = memref.cast %m : memref<?xf32> to memref<*xf32>
  func.call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  %x = arith.constant dense<[[1.000, 0.250, 0.375, 0.875, 0.125, 0.625, 0.750, -0.625], [-1.000, -0.375, -0.500, 0.750, 0.875, -1.000, 0.000, 0.625], [-0.750, 0.625, -0.750, -0.125, 0.625, -0.375, -0.375, -0.500], [0.500, -0.500, 1.000, -0.125, 0.000, 0.000, 0.125, 0.125]]> : tensor<4x8xf32>
  %w1 = arith.constant dense<[[0.000, 1.000, 0.625, 0.625, 0.375, 0.250, -0.375, 1.000, -0.125, -0.625, 0.750, -0.750, 0.750, 0.250, -0.875, -1.000], [-0.125, -1.000, -0.750, 0.000, 1.000, -0.125, 0.625, 0.875, 0.625, 0.250, -0.125, 0.000, -0.500, 0.000, -0.250, -0.500], [1.000, -1.000, -0.875, -0.625, 1.000, 0.375, 0.750, -0.625, 0.500, -0.250, 0.000, -1.000, 0.250, 0.750, 0.375, -0.750], [0.125, -0.500, 1.000, 0.750, -0.625, 0.000, 0.875, 0.750, 0.500, 0.250, -1.000, 0.500, 0.000, -0.875, -0.500, 0.125], [0.500, 0.000, 0.250, 0.750, 0.375, -0.250, 0.250, 0.250, -0.875, -0.875, 0.375, -0.250, 0.250, -0.375, -0.625, -0.750], [-0.250, 0.625, -0.250, -0.250, 0.125, 1.000, -0.250, 0.250, -0.125, 0.250, -0.125, 0.250, 0.125, 0.375, 1.000, -0.750], [0.125, -0.125, -0.250, -0.500, -1.000, -0.250, 0.750, -0.875, -0.250, 1.000, 1.000, -0.625, -1.000, 0.375, -1.000, -0.375], [0.000, 0.750, -0.875, 0.375, 0.125, -0.750, 0.750, 0.750, 0.000, 1.000, 0.250, 0.875, 1.000, 0.125, -0.500, -0.750]]> : tensor<8x16xf32>
  %b1 = arith.constant dense<[0.125, -0.625, 0.500, 0.875, -0.500, 0.125, -1.000, -0.625, -0.250, 0.875, 1.000, 0.250, 0.125, 0.125, -0.875, -0.250]> : tensor<16xf32>
  %w2 = arith.constant dense<[[1.000, -0.250, -0.625, -0.500, 0.500, -1.000, 1.000, 0.750], [0.125, -0.125, 0.500, 0.125, 0.000, -0.375, -0.125, 0.500], [-1.000, -1.000, 0.500, -0.250, 0.625, -1.000, 0.875, -0.750], [-0.125, 1.000, -0.875, 0.375, 0.500, -0.125, -0.875, 0.000], [-0.125, 0.750, 0.375, -0.375, -1.000, 0.250, -0.500, 0.375], [0.750, -0.250, 0.875, 0.000, 0.125, 0.625, 0.625, 0.875], [1.000, -0.750, -0.125, 0.875, -0.375, -1.000, 0.125, 0.500], [0.500, 0.625, 0.250, -0.750, 0.750, -0.125, 0.750, 0.625], [1.000, -1.000, 0.750, 0.250, 0.000, 0.625, 1.000, 0.000], [-0.875, 0.500, -0.625, -0.625, -0.625, -0.625, 0.875, -0.250], [-0.875, -0.625, -0.250, -0.375, -0.375, 1.000, 0.750, 0.125], [1.000, -0.375, -0.750, -0.500, -0.875, 1.000, -0.625, -0.125], [-0.625, 1.000, -0.750, 0.000, 1.000, 0.000, 0.875, 0.875], [0.625, 0.500, 0.125, 0.125, 0.750, -0.125, 1.000, 0.750], [-0.250, -0.250, 0.500, 0.875, -0.875, -0.875, -0.500, -0.125], [-0.750, 0.000, 0.125, 1.000, 0.500, -0.500, 0.625, 0.625]]> : tensor<16x8xf32>
  %b2 = arith.constant dense<[0.375, 0.375, -0.375, 0.500, -0.750, 0.250, 0.875, 1.000]> : tensor<8xf32>
  %wg = arith.constant dense<[[-0.375, -0.375, 0.250, -0.250, 0.500, -0.625, -0.750, -1.000, -0.125, -0.625, -0.375, 0.875, 0.625, 0.750, 0.250, -0.875], [0.500, 0.250, 0.875, 0.000, -0.750, 0.250, -0.125, 0.375, -0.250, -0.375, -0.750, 1.000, 0.500, -0.125, -0.625, 0.250], [-0.125, 0.250, -0.875, -0.625, 0.500, -0.875, 0.375, -0.250, -1.000, 0.500, 0.375, 0.625, 0.875, 0.500, 0.750, -0.875], [0.875, 0.875, 0.375, 0.625, 0.500, 0.750, 0.875, 0.000, 0.625, 0.875, -0.375, -1.000, -0.750, -1.000, -0.125, -1.000], [-0.500, -0.500, 0.500, -0.500, 1.000, -0.625, 1.000, 0.125, -0.500, -1.000, -0.375, 0.250, -0.875, -0.750, -0.875, 0.375], [-0.875, -1.000, -0.125, -0.375, 0.125, 0.875, 0.750, 0.125, 0.250, 0.625, -0.125, 0.375, -0.625, 0.250, -0.500, -0.625], [0.500, 0.125, -0.250, -1.000, -0.500, 0.625, -0.125, 1.000, 0.875, 0.750, -1.000, -1.000, 0.125, -0.375, 0.750, -0.375], [-0.750, -0.875, -0.375, 0.250, -0.750, 0.625, -0.375, -0.375, 0.375, 0.750, -0.125, 0.625, -0.375, -0.750, 0.750, 0.625]]> : tensor<8x16xf32>
  %xd = tensor.cast %x : tensor<4x8xf32> to tensor<?x?xf32>
  %w1d = tensor.cast %w1 : tensor<8x16xf32> to tensor<?x?xf32>
  %b1d = tensor.cast %b1 : tensor<16xf32> to tensor<?xf32>
  %w2d = tensor.cast %w2 : tensor<16x8xf32> to tensor<?x?xf32>
  %b2d = tensor.cast %b2 : tensor<8xf32> to tensor<?xf32>
  %wgd = tensor.cast %wg : tensor<8x16xf32> to tensor<?x?xf32>
  // Inputs, in this order: x, w1, b1, w2, b2, wg.
  call @print2d(%xd) : (tensor<?x?xf32>) -> ()
  call @print2d(%w1d) : (tensor<?x?xf32>) -> ()
  call @print1d(%b1d) : (tensor<?xf32>) -> ()
  call @print2d(%w2d) : (tensor<?x?xf32>) -> ()
  call @print1d(%b2d) : (tensor<?xf32>) -> ()
  call @print2d(%wgd) : (tensor<?x?xf32>) -> ()
  // Results: ffn, swiglu_ffn, geglu_split(x @ w1), matmul_relu6.
  %0 = call @ffn(%x, %w1, %b1, %w2, %b2)
      : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = call @swiglu_ffn(%x, %wg, %w1, %w2)
      : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %h0 = tensor.empty() : tensor<4x16xf32>
  %zero = arith.constant 0.0 : f32
  %h1 = linalg.fill ins(%zero : f32) outs(%h0 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%h1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %2 = call @geglu_split(%h) : (tensor<4x16xf32>) -> tensor<4x8xf32>
  %3 = call @matmul_relu6(%x, %w1, %b1) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %r0 = tensor.cast %0 : tensor<4x8xf32> to tensor<?x?xf32>
  %r1 = tensor.cast %1 : tensor<4x8xf32> to tensor<?x?xf32>
  %r2 = tensor.cast %2 : tensor<4x8xf32> to tensor<?x?xf32>
  %r3 = tensor.cast %3 : tensor<4x16xf32> to tensor<?x?xf32>
  call @print2d(%r0) : (tensor<?x?xf32>) -> ()
  call @print2d(%r1) : (tensor<?x?xf32>) -> ()
  call @print2d(%r2) : (tensor<?x?xf32>) -> ()
  call @print2d(%r3) : (tensor<?x?xf32>) -> ()
  return
}
