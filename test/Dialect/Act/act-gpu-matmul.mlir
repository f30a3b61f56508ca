// RUN: act-opt %s --split-input-file --act-gpu-matmul --verify-diagnostics | FileCheck %s
// RUN: act-opt %S/Inputs/bias-gelu-bf16.mlir --act-gpu-matmul=wgmma | FileCheck %s --check-prefix=WGMMA

// A bf16 matmul + bias + GELU function becomes one tensor-core kernel:
// three shared-memory stages of A (128 x 32) and B (32 x 128), cp.async
// copies in commit groups, then per K slice a wait, a barrier, the next
// slice's copies and two k16 steps of 4 ldmatrix (A) + 2 transposed
// ldmatrix (B) + 16 mma.sync each; the epilogue adds the bias, applies the
// activation (act's arith formulas, no math.erf) and stores bf16 pairs.
// An elementwise function is left for act-gpu-elementwise.
// CHECK: module attributes {gpu.container_module}
// CHECK-NOT: func.func @bias_gelu
// CHECK: func.func @relu
// CHECK-NOT: func.func
// CHECK: gpu.module @act_kernels
// CHECK-LABEL: gpu.func @bias_gelu(
// CHECK-SAME: %[[A:.*]]: memref<?x?xbf16>, %[[B:.*]]: memref<?x?xbf16>, %[[BIAS:.*]]: memref<?xbf16>, %[[C:.*]]: memref<?x?xbf16>)
// CHECK-SAME: workgroup(%[[SA:.*]] : memref<3x128x32xbf16, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}, %[[SB:.*]] : memref<3x32x128xbf16, #gpu.address_space<workgroup>> {llvm.align = 128 : i64})
// CHECK-SAME: kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK-COUNT-2: nvgpu.device_async_copy %[[A]]{{.*}}, %[[SA]]{{.*}}, 8 {bypassL1}
// CHECK: nvvm.cp.async.commit.group
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32,
// CHECK: nvvm.cp.async.wait.group 1
// CHECK-NEXT: gpu.barrier
// CHECK: nvgpu.device_async_copy %[[B]]
// CHECK: nvvm.cp.async.commit.group
// CHECK-COUNT-4: nvgpu.ldmatrix %[[SA]]{{.*}} {numTiles = 4 : i32, transpose = false}
// CHECK-COUNT-2: nvgpu.ldmatrix %[[SB]]{{.*}} {numTiles = 4 : i32, transpose = true}
// CHECK-COUNT-16: nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK: scf.yield
// CHECK: nvvm.cp.async.wait.group 0
// CHECK-NOT: math.erf
// CHECK: vector.from_elements {{.*}} : vector<8xf32>
// CHECK-COUNT-4: vector.load %[[BIAS]]{{.*}} {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// CHECK: arith.truncf {{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK-COUNT-4: vector.store {{.*}}, %[[C]]{{.*}} {alignment = 4 : i64} : memref<?x?xbf16>, vector<2xbf16>
// CHECK: gpu.return
func.func @bias_gelu(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %bias: memref<?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %biast = bufferization.to_tensor %bias restrict : memref<?xbf16> to tensor<?xbf16>
  %r = act.matmul %at, %bt bias %biast activation <gelu> : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}

func.func @relu(%x: memref<?xf32>, %y: memref<?xf32>) {
  %xt = bufferization.to_tensor %x restrict : memref<?xf32> to tensor<?xf32>
  %r = act.relu %xt : tensor<?xf32>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?xf32>, memref<?xf32>) -> ()
  return
}

// -----

// The GLU: per warp, B columns 16 gate + the 16 matching up columns (the
// up chunk's column is offset by N, the output's width); f16 fragments go to
// mma.sync as vector<2xf16>; f(gate) * up in the epilogue.
// CHECK-LABEL: gpu.func @swiglu_f16(
// CHECK: memref.dim %{{.*}}, %c1
// CHECK: arith.cmpi uge
// CHECK: arith.select
// CHECK: nvvm.mma.sync {{.*}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: math.exp
// CHECK: arith.mulf {{.*}} : vector<4xf32>
// CHECK: vector.store {{.*}} : memref<256x64xf16>, vector<2xf16>
func.func @swiglu_f16(%a: memref<256x64xf16>, %b: memref<64x128xf16>, %c: memref<256x64xf16>) {
  %at = bufferization.to_tensor %a restrict : memref<256x64xf16> to tensor<256x64xf16>
  %bt = bufferization.to_tensor %b restrict : memref<64x128xf16> to tensor<64x128xf16>
  %r = act.matmul %at, %bt glu activation <silu> : (tensor<256x64xf16>, tensor<64x128xf16>) -> tensor<256x64xf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<256x64xf16>, memref<256x64xf16>) -> ()
  return
}

// -----

// expected-error @+1 {{cannot make a GPU matmul kernel of this function: the tensor-core matmul takes f16 or bf16 inputs}}
func.func @f32(%a: memref<128x32xf32>, %b: memref<32x128xf32>, %c: memref<128x128xf32>) {
  %at = bufferization.to_tensor %a restrict : memref<128x32xf32> to tensor<128x32xf32>
  %bt = bufferization.to_tensor %b restrict : memref<32x128xf32> to tensor<32x128xf32>
  %r = act.matmul %at, %bt activation <relu> : (tensor<128x32xf32>, tensor<32x128xf32>) -> tensor<128x128xf32>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<128x128xf32>, memref<128x128xf32>) -> ()
  return
}

// -----

// expected-error @+1 {{cannot make a GPU matmul kernel of this function: the GPU matmul needs M a multiple of 128, N of 128 and K of 32 (got M=100, N=128, K=32)}}
func.func @ragged(%a: memref<100x32xbf16>, %b: memref<32x128xbf16>, %c: memref<100x128xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<100x32xbf16> to tensor<100x32xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<32x128xbf16> to tensor<32x128xbf16>
  %r = act.matmul %at, %bt : (tensor<100x32xbf16>, tensor<32x128xbf16>) -> tensor<100x128xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<100x128xbf16>, memref<100x128xbf16>) -> ()
  return
}

// -----

// expected-error @+1 {{cannot make a GPU matmul kernel of this function: the GPU matmul does not take transpose_b yet}}
func.func @transposed(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<?x?xbf16> to tensor<?x?xbf16>
  %r = act.matmul %at, %bt transpose_b : (tensor<?x?xbf16>, tensor<?x?xbf16>) -> tensor<?x?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x?xbf16>, memref<?x?xbf16>) -> ()
  return
}

// -----

// expected-error @+1 {{cannot make a GPU matmul kernel of this function: the GPU matmul does not take packed_b (act.pack_b's panels are a CPU layout)}}
func.func @packed(%a: memref<?x64xbf16>, %p: memref<2x64x48xbf16>, %c: memref<?x96xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<?x64xbf16> to tensor<?x64xbf16>
  %pt = bufferization.to_tensor %p restrict : memref<2x64x48xbf16> to tensor<2x64x48xbf16>
  %r = act.matmul %at, %pt packed_b : (tensor<?x64xbf16>, tensor<2x64x48xbf16>) -> tensor<?x96xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<?x96xbf16>, memref<?x96xbf16>) -> ()
  return
}

// -----

// expected-error @+1 {{cannot make a GPU matmul kernel of this function: the GPU matmul takes 2-D operands (no batches yet)}}
func.func @batched(%a: memref<2x128x32xbf16>, %b: memref<2x32x128xbf16>, %c: memref<2x128x128xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<2x128x32xbf16> to tensor<2x128x32xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<2x32x128xbf16> to tensor<2x32x128xbf16>
  %r = act.matmul %at, %bt : (tensor<2x128x32xbf16>, tensor<2x32x128xbf16>) -> tensor<2x128x128xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<2x128x128xbf16>, memref<2x128x128xbf16>) -> ()
  return
}

// -----

// expected-error @+1 {{cannot make a GPU matmul kernel of this function: the matmul's operands are not read from its arguments}}
func.func @computed_operand(%a: memref<128x32xbf16>, %b: memref<32x128xbf16>, %c: memref<128x128xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<128x32xbf16> to tensor<128x32xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<32x128xbf16> to tensor<32x128xbf16>
  %bn = act.relu %bt : tensor<32x128xbf16>
  %r = act.matmul %at, %bn : (tensor<128x32xbf16>, tensor<32x128xbf16>) -> tensor<128x128xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<128x128xbf16>, memref<128x128xbf16>) -> ()
  return
}

// -----

// expected-error @+1 {{cannot make a GPU matmul kernel of this function: the matmul's result is not only stored into an argument}}
func.func @returned(%a: memref<128x32xbf16>, %b: memref<32x128xbf16>) -> tensor<128x128xbf16> {
  %at = bufferization.to_tensor %a restrict : memref<128x32xbf16> to tensor<128x32xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<32x128xbf16> to tensor<32x128xbf16>
  %r = act.matmul %at, %bt : (tensor<128x32xbf16>, tensor<32x128xbf16>) -> tensor<128x128xbf16>
  return %r : tensor<128x128xbf16>
}

// -----

// expected-error @+1 {{cannot make a GPU matmul kernel of this function: the function does more than one matmul}}
func.func @more(%a: memref<128x32xbf16>, %b: memref<32x128xbf16>, %c: memref<128x128xbf16>, %d: memref<128x128xbf16>) {
  %at = bufferization.to_tensor %a restrict : memref<128x32xbf16> to tensor<128x32xbf16>
  %bt = bufferization.to_tensor %b restrict : memref<32x128xbf16> to tensor<32x128xbf16>
  %r = act.matmul %at, %bt : (tensor<128x32xbf16>, tensor<32x128xbf16>) -> tensor<128x128xbf16>
  bufferization.materialize_in_destination %r in restrict writable %c : (tensor<128x128xbf16>, memref<128x128xbf16>) -> ()
  %s = act.relu %at : tensor<128x32xbf16>
  return
}

// The wgmma form (sm_90a) of @bias_gelu (in Inputs/): two extra tensor-map
// arguments, dynamic shared memory, mbarriers; thread 0 issues the TMA
// copies (one A box, two 64-column B boxes per slice); four m64n256k16
// wgmma per slice on descriptors, accumulators as one struct.
// WGMMA-LABEL: gpu.func @bias_gelu(
// WGMMA-SAME: %{{.*}}: memref<?x?xbf16>, %{{.*}}: memref<?x?xbf16>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?x?xbf16>, %[[MA:.*]]: memref<16xi64>, %[[MB:.*]]: memref<16xi64>) kernel
// WGMMA: gpu.dynamic_shared_memory
// WGMMA: nvvm.mbarrier.init
// WGMMA: nvvm.fence.mbarrier.init
// WGMMA: nvvm.mbarrier.arrive.expect_tx
// WGMMA-COUNT-3: nvvm.cp.async.bulk.tensor.shared.cluster.global
// WGMMA: scf.for
// WGMMA: nvvm.mbarrier.try_wait.parity
// WGMMA: nvvm.wgmma.fence.aligned
// WGMMA-COUNT-4: nvvm.wgmma.mma_async {{.*}}<m = 64, n = 256, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <row>]
// WGMMA: nvvm.wgmma.commit.group.sync.aligned
// WGMMA: nvvm.wgmma.wait.group.sync.aligned 1
// WGMMA: nvvm.mbarrier.arrive
// WGMMA: nvvm.wgmma.wait.group.sync.aligned 0
// WGMMA: arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
