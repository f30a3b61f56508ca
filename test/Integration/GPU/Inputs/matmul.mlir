// Tensor-core matmul kernels in the launcher's form (A, B, [bias], then the
// output, as memrefs): bf16 + bias + exact GELU; a bf16 SwiGLU over [Wg | Wu]
// (B has twice the output columns); f16 + bias + tanh GELU; a bf16 GeGLU
// with a bias of 2N; the grad epilogue dy * GELU'(A B + bias).
func.func @bias_gelu(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %bias: memref<?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %biast = bufferization.to_tensor %bias restrict : memref<?xbf16> to tensor<?xbf16>
  %r = act.matmul %at, %bt bias %biast activation <gelu> : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}
func.func @swiglu(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %r = act.matmul %at, %bt glu activation <silu> : (tensor<?x?xbf16>, tensor<?x?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}
func.func @f16_gelu_tanh(%a: memref<?x?xf16>, %b: memref<?x?xf16>, %bias: memref<?xf16>, %c: memref<?x?xf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xf16> to tensor<?x?xf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xf16> to tensor<?x?xf16>
  %biast = bufferization.to_tensor %bias restrict : memref<?xf16> to tensor<?xf16>
  %r = act.matmul %at, %bt bias %biast activation <gelu, approximation = tanh> : (tensor<?x?xf16>, tensor<?x?xf16>, tensor<?xf16>) -> tensor<?x?xf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xf16>, memref<?x?xf16>) -> ()
  return
}
func.func @geglu_bias(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %bias: memref<?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %biast = bufferization.to_tensor %bias restrict : memref<?xbf16> to tensor<?xbf16>
  %r = act.matmul %at, %bt bias %biast glu activation <gelu> : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}
func.func @bias_gelu_grad(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %bias: memref<?xbf16>, %dy: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %biast = bufferization.to_tensor %bias restrict : memref<?xbf16> to tensor<?xbf16>
  %dyt = bufferization.to_tensor %dy restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %r = act.matmul %at, %bt bias %biast activation <gelu> grad %dyt : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>, tensor<?x?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}
