// Epilogue variants of the bf16 GPU matmul, for bench/gpu (what each
// epilogue costs over the plain matmul).
func.func @plain(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %r = act.matmul %at, %bt : (tensor<?x?xbf16>, tensor<?x?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}
func.func @bias(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %bias: memref<?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %biast = bufferization.to_tensor %bias restrict : memref<?xbf16> to tensor<?xbf16>
  %r = act.matmul %at, %bt bias %biast : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}
func.func @bias_relu(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %bias: memref<?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %biast = bufferization.to_tensor %bias restrict : memref<?xbf16> to tensor<?xbf16>
  %r = act.matmul %at, %bt bias %biast activation <relu> : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}
func.func @bias_gelu_tanh(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %bias: memref<?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %biast = bufferization.to_tensor %bias restrict : memref<?xbf16> to tensor<?xbf16>
  %r = act.matmul %at, %bt bias %biast activation <gelu, approximation = tanh> : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}
func.func @bias_gelu(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %bias: memref<?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %biast = bufferization.to_tensor %bias restrict : memref<?xbf16> to tensor<?xbf16>
  %r = act.matmul %at, %bt bias %biast activation <gelu> : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}
