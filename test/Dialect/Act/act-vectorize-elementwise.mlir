// RUN: act-opt %s --split-input-file --act-vectorize-elementwise=vector-width=16 | FileCheck %s
// RUN: act-opt %s --split-input-file --act-vectorize-elementwise=vector-width=8 | FileCheck %s --check-prefix=W8
// RUN: act-opt %s --split-input-file --act-vectorize-elementwise="vector-width=16 interleave=4 prefetch-distance=2048" | FileCheck %s --check-prefix=IL4
// RUN: not act-opt %s --split-input-file --act-vectorize-elementwise=vector-width=0 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not act-opt %s --split-input-file --act-vectorize-elementwise=interleave=0 2>&1 | FileCheck %s --check-prefix=BADIL
// RUN: not act-opt %s --split-input-file --act-vectorize-elementwise=prefetch-distance=-1 2>&1 | FileCheck %s --check-prefix=BADPF
// BAD: vector-width must be positive, got 0
// BADIL: interleave must be positive, got 0
// BADPF: prefetch-distance must be non-negative, got -1

#id1 = affine_map<(d0) -> (d0)>

// A 1-D elementwise generic: a vector main loop and one masked tail.
// CHECK-LABEL: func @one_dim
// CHECK-SAME: (%[[X:.*]]: memref<?xf32>, %[[Y:.*]]: memref<?xf32>)
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[N:.*]] = memref.dim %[[Y]]
// CHECK: %[[REM:.*]] = arith.remui %[[N]], %[[C16]]
// CHECK: %[[END:.*]] = arith.subi %[[N]], %[[REM]]
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[END]] step %[[C16]]
// CHECK:   %[[V:.*]] = vector.load %[[X]][%[[I]]] : memref<?xf32>, vector<16xf32>
// CHECK:   %[[R:.*]] = math.exp %[[V]] : vector<16xf32>
// CHECK:   vector.store %[[R]], %[[Y]][%[[I]]] : memref<?xf32>, vector<16xf32>
// CHECK: scf.if
// CHECK:   %[[MASK:.*]] = vector.create_mask %[[REM]] : vector<16xi1>
// CHECK:   %[[T:.*]] = vector.maskedload %[[X]][%[[END]]], %[[MASK]]
// CHECK:   %[[TR:.*]] = math.exp %[[T]] : vector<16xf32>
// CHECK:   vector.maskedstore %[[Y]][%[[END]]], %[[MASK]], %[[TR]]
// CHECK-NOT: linalg.generic
// W8-LABEL: func @one_dim
// W8: vector.load {{.*}} vector<8xf32>
// With interleave = 4, each iteration computes four vectors as one of 64
// lanes (LLVM splits it into four registers); the tail mask has 64 lanes.
// IL4-LABEL: func @one_dim
// IL4: %[[C64:.*]] = arith.constant 64 : index
// IL4: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C64]]
// IL4:   vector.load {{.*}} : memref<?xf32>, vector<64xf32>
// IL4-NOT: memref.prefetch
// IL4: vector.create_mask %{{.*}} : vector<64xi1>
func.func @one_dim(%x: memref<?xf32>, %y: memref<?xf32>) {
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : memref<?xf32>) outs(%y : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  }
  return
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// Contiguous identity generics are collapsed to one dimension first;
// scalar constants become splats; bf16 stays bf16 in memory.
// CHECK-LABEL: func @collapse
// CHECK: memref.collapse_shape %{{.*}} {{\[\[}}0, 1]] : memref<4x?xbf16> into memref<?xbf16>
// CHECK: scf.for
// CHECK:   vector.load {{.*}} : memref<?xbf16>, vector<16xbf16>
// CHECK:   arith.extf {{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK:   arith.constant dense<2.000000e+00> : vector<16xf32>
// CHECK-NOT: scf.for
func.func @collapse(%x: memref<4x?xbf16>, %y: memref<4x?xbf16>) {
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x?xbf16>) outs(%y : memref<4x?xbf16>) {
  ^bb0(%a: bf16, %b: bf16):
    %e = arith.extf %a : bf16 to f32
    %c = arith.constant 2.0 : f32
    %m = arith.mulf %e, %c : f32
    %t = arith.truncf %m : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// A bias along the innermost dimension is loaded as a vector per row.
// CHECK-LABEL: func @bias
// CHECK-SAME: (%[[ACC:.*]]: memref<?x?xf32>, %[[B:.*]]: memref<?xf32>, %[[Y:.*]]: memref<?x?xf32>)
// CHECK: scf.for %[[R:.*]] =
// CHECK:   scf.for %[[C:.*]] =
// CHECK:     vector.load %[[ACC]][%[[R]], %[[C]]]
// CHECK:     vector.load %[[B]][%[[C]]]
// CHECK:     vector.store %{{.*}}, %[[Y]][%[[R]], %[[C]]]
func.func @bias(%acc: memref<?x?xf32>, %b: memref<?xf32>, %y: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : memref<?x?xf32>, memref<?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#ch = affine_map<(d0, d1, d2) -> (d1)>

// A per-channel operand that does not vary along the innermost dimension is
// loaded once and broadcast.
// CHECK-LABEL: func @channel
// CHECK-SAME: (%[[X:.*]]: memref<2x3x?xf32>, %[[BETA:.*]]: memref<3xf32>
// CHECK: scf.for %[[I:.*]] =
// CHECK:   scf.for %[[J:.*]] =
// CHECK:     scf.for
// CHECK:       %[[S:.*]] = memref.load %[[BETA]][%[[J]]] : memref<3xf32>
// CHECK:       vector.broadcast %[[S]] : f32 to vector<16xf32>
func.func @channel(%x: memref<2x3x?xf32>, %beta: memref<3xf32>, %y: memref<2x3x?xf32>) {
  linalg.generic {indexing_maps = [#id3, #ch, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %beta : memref<2x3x?xf32>, memref<3xf32>) outs(%y : memref<2x3x?xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.mulf %a, %c : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#id1 = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>

// Not vectorized: a reduction, tensor semantics, a strided innermost dim.
// CHECK-LABEL: func @no_vectorize
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: vector.load
func.func @no_vectorize(%x: memref<?xf32>, %s: memref<f32>, %t: tensor<?xf32>,
                        %strided: memref<?xf32, strided<[2]>>) -> tensor<?xf32> {
  linalg.generic {indexing_maps = [#id1, #scalar], iterator_types = ["reduction"]}
      ins(%x : memref<?xf32>) outs(%s : memref<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  %r = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%t : tensor<?xf32>) outs(%t : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  } -> tensor<?xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%strided : memref<?xf32, strided<[2]>>) outs(%x : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return %r : tensor<?xf32>
}

// -----

#id1 = affine_map<(d0) -> (d0)>

// Kernels for arrays far beyond the caches: a masked iteration up to the
// first 64-byte aligned output element, then aligned streaming stores.
// CHECK-LABEL: func @streaming
// CHECK-SAME: (%[[X:.*]]: memref<?xf32>, %[[Y:.*]]: memref<?xf32>)
// CHECK: %[[ADDR:.*]] = memref.extract_aligned_pointer_as_index %[[Y]]
// CHECK: arith.remui %[[ADDR]], %c64
// CHECK: vector.maskedstore
// CHECK: scf.for
// CHECK:   vector.store %{{.*}}, %[[Y]][%{{.*}}] {alignment = 64 : i64, nontemporal = true}
// CHECK: vector.maskedstore
// With prefetch-distance, the streaming loop prefetches every cache line of
// the input that far ahead (clamped to the last element): four per
// iteration of 64 floats. Plain loops do not.
// IL4-LABEL: func @streaming
// IL4-SAME: (%[[X:.*]]: memref<?xf32>, %[[Y:.*]]: memref<?xf32>)
// IL4: %[[LAST:.*]] = arith.subi %{{.*}}, %c1 : index
// IL4: scf.for %[[I:.*]] =
// IL4:   %[[A0:.*]] = arith.addi %[[I]], %c2048
// IL4:   %[[P0:.*]] = arith.minsi %[[A0]], %[[LAST]] : index
// IL4:   memref.prefetch %[[X]][%[[P0]]], read, locality<3>, data : memref<?xf32>
// IL4:   arith.addi %[[I]], %c2064
// IL4:   memref.prefetch
// IL4:   arith.addi %[[I]], %c2080
// IL4:   memref.prefetch
// IL4:   arith.addi %[[I]], %c2096
// IL4:   memref.prefetch
// IL4-NOT: memref.prefetch
// IL4:   vector.store %{{.*}}, %[[Y]][%{{.*}}] {alignment = 256 : i64, nontemporal = true}
func.func @streaming(%x: memref<?xf32>, %y: memref<?xf32>) attributes {act.nontemporal_stores} {
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : memref<?xf32>) outs(%y : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  }
  return
}
