// RUN: act-opt %s --act-cpu-pipeline="target=x86-64-v4" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefixes=CHECK,V4
// RUN: act-opt %s --act-cpu-pipeline="target=x86-64-v3 accuracy=fast" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefixes=CHECK,V3
// RUN: not act-opt %s --act-cpu-pipeline="target=pentium" 2>&1 | FileCheck %s --check-prefix=BAD

// The vector width follows the target, the loops have a masked tail, and no
// libm call is left for act's vector math to do.
// CHECK-NOT: call {{.*}}@{{(erff|erfcf|expf|expm1f|log1pf|tanhf|exp|erf|erfc)}}(
// CHECK-LABEL: define void @gelu(
// V4: load <16 x float>
// V4: store <16 x float>
// V4: call <16 x float> @llvm.masked.load.v16f32
// V3: load <8 x float>
// V3-NOT: <16 x float>
// V3: call <8 x float> @llvm.masked.load.v8f32
// CHECK-LABEL: define void @_mlir_ciface_gelu(
// V4: attributes #{{[0-9]+}} = { {{.*}}"target-cpu"="x86-64-v4"
// V3: attributes #{{[0-9]+}} = { {{.*}}"target-cpu"="x86-64-v3"
// BAD: unknown target 'pentium' (expected native, x86-64-v3 or x86-64-v4)

func.func @gelu(%x: memref<?xf32>, %y: memref<?xf32>) attributes {llvm.emit_c_interface} {
  %t = bufferization.to_tensor %x restrict : memref<?xf32> to tensor<?xf32>
  %r = act.gelu %t : tensor<?xf32>
  bufferization.materialize_in_destination %r in restrict writable %y
      : (tensor<?xf32>, memref<?xf32>) -> ()
  return
}

func.func @many(%x: tensor<?x?xf32>, %dy: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = act.silu %x : tensor<?x?xf32>
  %1 = act.mish %x : tensor<?x?xf32>
  %2 = act.softplus %x : tensor<?x?xf32>
  %3 = act.elu_grad %x, %dy : tensor<?x?xf32>
  %4 = act.gelu %x approximation = tanh : tensor<?x?xf32>
  return %0, %1, %2, %3, %4 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}
