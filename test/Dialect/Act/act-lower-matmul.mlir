// RUN: act-opt %s --split-input-file --act-lower-matmul --canonicalize | FileCheck %s
// RUN: act-opt %s --split-input-file --act-lower-matmul="vector-width=8 parallel=false" --canonicalize | FileCheck %s --check-prefix=AVX2
// RUN: act-opt %s --split-input-file --act-lower-matmul="pack-b=false rows=16 vectors=1 k-chunk=256 unroll-k=2" --canonicalize | FileCheck %s --check-prefix=INPLACE
// RUN: not act-opt %s --split-input-file --act-lower-matmul="k-chunk=0" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not act-opt %s --split-input-file --act-lower-matmul="panels-per-block=-1" 2>&1 | FileCheck %s --check-prefix=BAD

// Bias + GELU epilogue: one worker per OpenMP thread (at most one per
// column block), each with its own copy of A's row tiles, takes every
// workers-th column block; each K chunk of a block's
// B is copied panel-major (8 panels x 128 rows x 48 columns), then 8-row
// tiles whose K loop carries 24 accumulators (3 B vectors, 8 broadcasts, 24
// FMAs per step, 1 step per iteration) and prefetches the next chunk's
// lines of B; then the epilogue on the accumulators and plain stores. 3072
// columns and 128 rows need no masks.
// CHECK-LABEL: func @bias_gelu
// CHECK-SAME: (%[[A:.*]]: tensor<128x768xf32>, %[[B:.*]]: tensor<768x3072xf32>, %[[BIAS:.*]]: tensor<3072xf32>)
// CHECK: %[[BM:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK: %[[C:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128x3072xf32>
// CHECK: %[[T:.*]] = call @omp_get_max_threads() : () -> i32
// CHECK: %[[TI:.*]] = arith.index_cast %[[T]] : i32 to index
// CHECK: %[[TB:.*]] = arith.minui %[[TI]], %c8 : index
// CHECK: %[[W:.*]] = arith.maxui %[[TB]], %c1 : index
// CHECK: scf.parallel (%[[WI:.*]]) = (%c0) to (%[[W]]) step (%c1)
// CHECK: %[[PA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<16x768x8xf32>
// CHECK: scf.for %[[BLK:.*]] = %[[WI]] to %c8 step %[[W]]
// CHECK: %[[PB:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8x128x48xf32>
// CHECK: scf.for {{.*}} step %c128
// CHECK: %[[ROW:.*]] = vector.load %[[BM]][{{.*}}] : memref<768x3072xf32>, vector<16xf32>
// CHECK: vector.store %[[ROW]], %[[PB]][{{.*}}] : memref<8x128x48xf32>, vector<16xf32>
// CHECK: %[[ACC:.*]]:24 = scf.for {{.*}} step %c1 iter_args({{.*}}) -> (vector<16xf32>, {{.*}}) {
// CHECK: %[[B0:.*]] = vector.load %[[PB]][{{.*}}] : memref<8x128x48xf32>, vector<16xf32>
// CHECK: %[[B1:.*]] = vector.load %[[PB]][{{.*}}] : memref<8x128x48xf32>, vector<16xf32>
// CHECK: %[[B2:.*]] = vector.load %[[PB]][{{.*}}] : memref<8x128x48xf32>, vector<16xf32>
// CHECK: memref.prefetch %[[BM]]
// CHECK: memref.load %[[PA]]
// CHECK-COUNT-8: vector.fma %{{.*}}, %[[B0]], %{{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}}, %[[C]][{{.*}}] : memref<128x3072xf32>, vector<16xf32>
// CHECK-NOT: vector.maskedstore
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[C]] restrict writable
// CHECK: return %[[R]]
// AVX2-LABEL: func @bias_gelu
// AVX2-NOT: scf.parallel
// AVX2: scf.for {{.*}} -> (vector<8xf32>, {{.*}})
// AVX2-COUNT-12: vector.fma {{.*}} : vector<8xf32>
// 128 = 21 x 6 + 2: the last two rows are one 2-row tile.
// AVX2: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX2-COUNT-4: vector.fma {{.*}} : vector<8xf32>
// AVX2: scf.yield
// With pack-b=false the tiles read B in place and prefetch the next panel;
// with unroll-k=2 two K steps per iteration.
// INPLACE-LABEL: func @bias_gelu
// INPLACE: %[[BM:.*]] = bufferization.to_buffer %{{.*}} read_only
// INPLACE-NOT: memref<8x256x16xf32>
// INPLACE: %[[ACC:.*]]:16 = scf.for {{.*}} step %c2 iter_args({{.*}}) -> (vector<16xf32>, {{.*}}) {
// INPLACE: %[[BV:.*]] = vector.load %[[BM]][{{.*}}] : memref<768x3072xf32>, vector<16xf32>
// INPLACE: memref.prefetch %[[BM]]
// INPLACE-COUNT-16: vector.fma %{{.*}}, %[[BV]], %{{.*}} : vector<16xf32>
// BAD: error: act-lower-matmul: rows, vectors and panels-per-block must be >= 0, k-chunk and unroll-k >= 1
func.func @bias_gelu(%a: tensor<128x768xf32>, %b: tensor<768x3072xf32>, %bias: tensor<3072xf32>) -> tensor<128x3072xf32> {
  %0 = act.matmul %a, %b bias %bias activation <gelu> : (tensor<128x768xf32>, tensor<768x3072xf32>, tensor<3072xf32>) -> tensor<128x3072xf32>
  return %0 : tensor<128x3072xf32>
}

// -----

// A GLU over a concat of the two weights reads them in place; 40 columns
// end in a masked panel; bf16 goes through f32 and is rounded once.
// CHECK-LABEL: func @glu_concat
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xbf16>, %[[WG:.*]]: tensor<64x40xbf16>, %[[WU:.*]]: tensor<64x40xbf16>)
// CHECK-DAG: %[[G:.*]] = bufferization.to_buffer %[[WG]] read_only
// CHECK-DAG: %[[U:.*]] = bufferization.to_buffer %[[WU]] read_only
// CHECK-NOT: tensor.concat
// Both weights are copied chunk by chunk, full vectors then the masked rest;
// a GLU's blocks are 2 panels wide (two groups of sums and copies).
// CHECK: %[[PG:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x64x48xbf16>
// CHECK: %[[PU:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x64x48xbf16>
// CHECK: vector.load %[[G]]
// CHECK: vector.maskedload %[[G]]
// CHECK: vector.load %[[U]]
// CHECK: vector.maskedload %[[U]]
// CHECK: vector.load %[[PG]]
// CHECK: vector.load %[[PU]]
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK: vector.maskedstore
func.func @glu_concat(%x: tensor<?x64xbf16>, %wg: tensor<64x40xbf16>, %wu: tensor<64x40xbf16>) -> tensor<?x40xbf16> {
  %w = tensor.concat dim(1) %wg, %wu : (tensor<64x40xbf16>, tensor<64x40xbf16>) -> tensor<64x80xbf16>
  %0 = act.matmul %x, %w glu activation <silu> : (tensor<?x64xbf16>, tensor<64x80xbf16>) -> tensor<?x40xbf16>
  return %0 : tensor<?x40xbf16>
}

// -----

// B stored N x K is transposed into a contiguous buffer before the tiles
// read it; the derivative epilogue reads dy.
// CHECK-LABEL: func @transposed_grad
// CHECK: %[[P:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8x64x48xf32>
// CHECK: tensor.extract %{{.*}} : tensor<48x64xf32>
// CHECK: memref.store {{.*}}, %[[P]]
// CHECK: vector.load %[[P]]
// CHECK: vector.fma
// CHECK: vector.load %{{.*}} : memref<32x48xf32>, vector<16xf32>
func.func @transposed_grad(%a: tensor<32x64xf32>, %b: tensor<48x64xf32>, %dy: tensor<32x48xf32>) -> tensor<32x48xf32> {
  %0 = act.matmul %a, %b transpose_b activation <gelu> grad %dy : (tensor<32x64xf32>, tensor<48x64xf32>, tensor<32x48xf32>) -> tensor<32x48xf32>
  return %0 : tensor<32x48xf32>
}

// -----

// Stored straight into the caller's buffer: no new buffer, no copy.
// CHECK-LABEL: func @in_place
// CHECK-SAME: %[[Y:[a-z0-9]+]]: memref<16x32xf32>
// CHECK-NOT: memref.alloc() {alignment = 64 : i64} : memref<16x32xf32>
// CHECK-NOT: bufferization.materialize_in_destination
// CHECK: vector.store {{.*}}, %[[Y]]
func.func @in_place(%a: tensor<16x8xf32>, %b: tensor<8x32xf32>, %y: memref<16x32xf32>) {
  %0 = act.matmul %a, %b activation <relu> : (tensor<16x8xf32>, tensor<8x32xf32>) -> tensor<16x32xf32>
  bufferization.materialize_in_destination %0 in restrict writable %y : (tensor<16x32xf32>, memref<16x32xf32>) -> ()
  return
}

// -----

// Batches loop over 2-D slices; f64 is left to act-expand.
// CHECK-LABEL: func @batch_and_f64
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK: memref.subview %{{.*}}[%[[I]], 0, 0] [1, 8, 16] [1, 1, 1]
// CHECK: act.matmul {{.*}} : (tensor<4x4xf64>, tensor<4x4xf64>) -> tensor<4x4xf64>
func.func @batch_and_f64(%a: tensor<2x8x16xf32>, %b: tensor<2x16x32xf32>, %c: tensor<4x4xf64>) -> (tensor<2x8x32xf32>, tensor<4x4xf64>) {
  %0 = act.matmul %a, %b activation <sigmoid> : (tensor<2x8x16xf32>, tensor<2x16x32xf32>) -> tensor<2x8x32xf32>
  %1 = act.matmul %c, %c : (tensor<4x4xf64>, tensor<4x4xf64>) -> tensor<4x4xf64>
  return %0, %1 : tensor<2x8x32xf32>, tensor<4x4xf64>
}

// -----

// Prepacked B (act.pack_b's 48-column panels, the AVX-512 tile): no copy,
// the tiles load the panels in place, unmasked even in the last, padded
// panel (3100 = 64 x 48 + 28), and prefetch the panel read next; only the
// stores of the last panel are masked. With AVX2's 8 lanes 48 columns are
// no register tile: B is unpacked again and lowered like any other.
// CHECK-LABEL: func @packed_gelu
// CHECK: %[[P:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<65x768x48xf32> to memref<65x768x48xf32>
// CHECK-NOT: memref<8x128x48xf32>
// CHECK: scf.parallel
// CHECK: %{{.*}}:24 = scf.for {{.*}} -> (vector<16xf32>, {{.*}}) {
// CHECK: %[[B0:.*]] = vector.load %[[P]][{{.*}}] : memref<65x768x48xf32>, vector<16xf32>
// CHECK: vector.load %[[P]][{{.*}}] : memref<65x768x48xf32>, vector<16xf32>
// CHECK: vector.load %[[P]][{{.*}}] : memref<65x768x48xf32>, vector<16xf32>
// K = 768 is a multiple of the chunk: the prefetched row kk + delta stays
// below K without a clamp.
// CHECK: %[[ROW:.*]] = arith.addi %[[KK:.*]], %{{.*}} : index
// CHECK-NOT: arith.minui %[[ROW]]
// CHECK: memref.prefetch %[[P]][%{{.*}}, %[[ROW]], %{{.*}}]
// CHECK-COUNT-8: vector.fma %{{.*}}, %[[B0]], %{{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}} : memref<128x3100xf32>, vector<16xf32>
// CHECK: %{{.*}}:24 = scf.for {{.*}} -> (vector<16xf32>, {{.*}}) {
// CHECK-NOT: vector.maskedload %[[P]]
// CHECK: vector.maskedstore {{.*}} : memref<128x3100xf32>, vector<16xi1>, vector<16xf32>
// AVX2-LABEL: func @packed_gelu
// AVX2: %[[G:.*]] = tensor.generate
// AVX2: tensor.extract %{{.*}} : tensor<65x768x48xf32>
// AVX2: %[[B:.*]] = bufferization.to_buffer %[[G]] read_only : tensor<768x3100xf32>
// AVX2: vector.load %[[B]][{{.*}}] : memref<768x3100xf32>, vector<8xf32>
// AVX2-NOT: act.matmul
func.func @packed_gelu(%a: tensor<128x768xf32>, %p: tensor<65x768x48xf32>, %bias: tensor<3100xf32>) -> tensor<128x3100xf32> {
  %0 = act.matmul %a, %p packed_b bias %bias activation <gelu> : (tensor<128x768xf32>, tensor<65x768x48xf32>, tensor<3100xf32>) -> tensor<128x3100xf32>
  return %0 : tensor<128x3100xf32>
}

// -----

// A prepacked GLU: the two groups of panels are slices of one buffer; 16
// columns are one AVX-512 vector per tile, so tiles take 8 rows, and the
// gate's tiles prefetch the up projection's panel.
// CHECK-LABEL: func @packed_swiglu
// CHECK: %[[P:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<2x3x64x16xf32>
// CHECK-DAG: %[[G:.*]] = memref.subview %[[P]][0, 0, 0, 0] [1, 3, 64, 16] [1, 1, 1, 1]
// CHECK-DAG: %[[U:.*]] = memref.subview %[[P]][1, 0, 0, 0] [1, 3, 64, 16] [1, 1, 1, 1]
// CHECK: %{{.*}}:8 = scf.for {{.*}} -> (vector<16xf32>, {{.*}}) {
// CHECK: vector.load %[[G]]
// CHECK: memref.prefetch %[[U]]
// CHECK: %{{.*}}:8 = scf.for {{.*}} -> (vector<16xf32>, {{.*}}) {
// CHECK: vector.load %[[U]]
// CHECK: memref.prefetch %[[G]]
// CHECK: math.exp
func.func @packed_swiglu(%x: tensor<?x64xf32>, %p: tensor<2x3x64x16xf32>) -> tensor<?x40xf32> {
  %0 = act.matmul %x, %p packed_b glu activation <silu> : (tensor<?x64xf32>, tensor<2x3x64x16xf32>) -> tensor<?x40xf32>
  return %0 : tensor<?x40xf32>
}
