// RUN: act-opt %s --act-cpu-pipeline="target=x86-64-v4 interleave=1" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefixes=CHECK,V4
// RUN: act-opt %s --act-cpu-pipeline="target=x86-64-v3 accuracy=fast interleave=1" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefixes=CHECK,V3
// RUN: act-opt %s --act-cpu-pipeline="target=x86-64-v4" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=IL4
// RUN: act-opt %s --act-cpu-pipeline="target=x86-64-v3" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=IL2
// RUN: act-opt %s --act-cpu-pipeline="target=x86-64-v4" | mlir-translate --mlir-to-llvmir | llc -O3 | FileCheck %s --check-prefix=ASM
// RUN: act-opt %s --act-cpu-pipeline="target=x86-64-v4 prefetch-distance=0" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=NOPF
// RUN: not act-opt %s --act-cpu-pipeline="target=pentium" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not act-opt %s --act-cpu-pipeline="target=x86-64-v4 interleave=-2" 2>&1 | FileCheck %s --check-prefix=BADIL

// The vector width follows the target, the loops have a masked tail, and no
// libm call is left for act's vector math to do. With AVX-512, GELU's table
// form looks up 32-entry tables (vpermt2ps) and exp its 16-entry one
// (vpermps); AVX2 has neither.
// CHECK-NOT: call {{.*}}@{{(erff|erfcf|expf|expm1f|log1pf|tanhf|exp|erf|erfc)}}(
// CHECK-LABEL: define void @gelu(
// V4: load <16 x float>
// V4: call <16 x float> @llvm.x86.avx512.vpermi2var.ps.512(
// V4: store <16 x float>
// V4: call <16 x float> @llvm.masked.load.v16f32
// V3: load <8 x float>
// V3-NOT: <16 x float>
// V3-NOT: @llvm.x86.avx512
// V3: call <8 x float> @llvm.masked.load.v8f32
// CHECK-LABEL: define void @_mlir_ciface_gelu(
// CHECK-LABEL: define void @silu_streaming(
// V4: call <16 x float> @llvm.x86.avx512.permvar.sf.512(
// V3-NOT: @llvm.x86.avx512
// V4: attributes #{{[0-9]+}} = { {{.*}}"target-cpu"="x86-64-v4"
// V3: attributes #{{[0-9]+}} = { {{.*}}"target-cpu"="x86-64-v3"

// By default a loop iteration computes four vectors on AVX-512, two on AVX2:
// one vector type that LLVM splits into that many registers.
// IL4-LABEL: define void @gelu(
// IL4: load <64 x float>
// IL4: store <64 x float>
// IL4: call <64 x float> @llvm.masked.load.v64f32
// IL2-LABEL: define void @gelu(
// IL2: load <16 x float>
// IL2-NOT: <64 x float>
// IL2: call <16 x float> @llvm.masked.load.v16f32

// Non-temporal loops prefetch (into L1, prefetcht0) every input cache line
// 2048 elements ahead:
// four lines per iteration of 64 floats.
// IL4-LABEL: define void @silu_streaming(
// IL4-COUNT-4: call void @llvm.prefetch.p0(ptr %{{[0-9]+}}, i32 0, i32 3, i32 1)
// IL4: store <64 x float> %{{[0-9]+}}, ptr %{{[0-9]+}}, align 256, !nontemporal
// NOPF-LABEL: define void @silu_streaming(
// NOPF-NOT: @llvm.prefetch
// NOPF: ret void

// In the machine code the 64 floats are four zmm registers.
// ASM-LABEL: gelu:
// ASM: vpermt2ps {{.*}}%zmm
// ASM: vmovups %zmm{{[0-9]+}}, {{.*}}(%r

// BAD: unknown target 'pentium' (expected native, x86-64-v3 or x86-64-v4)
// BADIL: interleave must be non-negative, got -2

func.func @gelu(%x: memref<?xf32>, %y: memref<?xf32>) attributes {llvm.emit_c_interface} {
  %t = bufferization.to_tensor %x restrict : memref<?xf32> to tensor<?xf32>
  %r = act.gelu %t : tensor<?xf32>
  bufferization.materialize_in_destination %r in restrict writable %y
      : (tensor<?xf32>, memref<?xf32>) -> ()
  return
}

func.func @silu_streaming(%x: memref<?xf32>, %y: memref<?xf32>) attributes {act.nontemporal_stores} {
  %t = bufferization.to_tensor %x restrict : memref<?xf32> to tensor<?xf32>
  %r = act.silu %t : tensor<?xf32>
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
