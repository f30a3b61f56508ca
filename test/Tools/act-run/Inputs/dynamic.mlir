// A matmul with dynamic sizes that takes its output as an argument.
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xf32> to tensor<?x?xf32>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xf32> to tensor<?x?xf32>
  %r = act.matmul %at, %bt : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xf32>, memref<?x?xf32>) -> ()
  return
}
