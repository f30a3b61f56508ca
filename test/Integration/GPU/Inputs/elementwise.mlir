// Elementwise kernels in the JIT's form (inputs, then the output, as 1-D
// memrefs): f32, bf16, and an f16 derivative with two inputs.
func.func @gelu(%x: memref<?xf32>, %y: memref<?xf32>) {
  %xt = bufferization.to_tensor %x restrict : memref<?xf32> to tensor<?xf32>
  %r = act.gelu %xt : tensor<?xf32>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?xf32>, memref<?xf32>) -> ()
  return
}
func.func @silu_bf16(%x: memref<?xbf16>, %y: memref<?xbf16>) {
  %xt = bufferization.to_tensor %x restrict : memref<?xbf16> to tensor<?xbf16>
  %r = act.silu %xt : tensor<?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?xbf16>, memref<?xbf16>) -> ()
  return
}
func.func @gelu_grad_f16(%x: memref<?xf16>, %dy: memref<?xf16>, %y: memref<?xf16>) {
  %xt = bufferization.to_tensor %x restrict : memref<?xf16> to tensor<?xf16>
  %dyt = bufferization.to_tensor %dy restrict : memref<?xf16> to tensor<?xf16>
  %r = act.gelu_grad %xt, %dyt : tensor<?xf16>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?xf16>, memref<?xf16>) -> ()
  return
}
