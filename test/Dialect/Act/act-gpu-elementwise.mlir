// RUN: act-opt %s --split-input-file --act-expand --eliminate-empty-tensors --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --canonicalize --act-gpu-elementwise --verify-diagnostics | FileCheck %s

// One kernel per function: a grid-stride loop over 16-byte vectors with
// 16-byte alignment (ld/st.global.v4 in PTX), four vectors per step with
// every load before the first use, then the vectors left one at a time,
// then a scalar grid-stride tail; the function itself is gone.
// CHECK: module attributes {gpu.container_module}
// CHECK-NOT: func.func
// CHECK: gpu.module @act_kernels
// CHECK-LABEL: gpu.func @silu(
// CHECK-SAME: %[[X:.*]]: memref<?xf32>, %[[Y:.*]]: memref<?xf32>) kernel
// CHECK-DAG: %[[BID:.*]] = gpu.block_id x
// CHECK-DAG: %[[BDIM:.*]] = gpu.block_dim x
// CHECK-DAG: %[[TID:.*]] = gpu.thread_id x
// CHECK-DAG: gpu.grid_dim x
// CHECK: scf.for %[[V:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-COUNT-4: vector.load %[[X]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK-NOT: vector.store
// CHECK: math.exp {{.*}} : vector<4xf32>
// CHECK-COUNT-4: vector.store %{{.*}}, %[[Y]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[STRIDE:.*]] {
// CHECK: vector.load %[[X]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK: vector.store %{{.*}}, %[[Y]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[STRIDE]] {
// CHECK: memref.load %[[X]]
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK: gpu.return
// bf16: eight lanes per 16 bytes, computed in f32.
// CHECK-LABEL: gpu.func @gelu_tanh_bf16(
// CHECK: vector.load {{.*}} : memref<?xbf16>, vector<8xbf16>
// CHECK: arith.extf {{.*}} : vector<8xbf16> to vector<8xf32>
func.func @silu(%x: memref<?xf32>, %y: memref<?xf32>) {
  %xt = bufferization.to_tensor %x restrict : memref<?xf32> to tensor<?xf32>
  %r = act.silu %xt : tensor<?xf32>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?xf32>, memref<?xf32>) -> ()
  return
}
func.func @gelu_tanh_bf16(%x: memref<?xbf16>, %y: memref<?xbf16>) {
  %xt = bufferization.to_tensor %x restrict : memref<?xbf16> to tensor<?xbf16>
  %r = act.gelu %xt approximation = tanh : tensor<?xbf16>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?xbf16>, memref<?xbf16>) -> ()
  return
}

// -----

// A function that returns its result would need a device allocation and a
// host runtime.
// expected-error @+1 {{cannot make a GPU kernel of this function: it returns values (write results into a memref argument)}}
func.func @returns(%x: tensor<?xf32>) -> tensor<?xf32> {
  %r = act.relu %x : tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// expected-error @+1 {{cannot make a GPU kernel of this function: its arguments are not all 1-D identity-layout memrefs}}
func.func @two_d(%x: memref<4x4xf32>, %y: memref<4x4xf32>) {
  %xt = bufferization.to_tensor %x restrict : memref<4x4xf32> to tensor<4x4xf32>
  %r = act.relu %xt : tensor<4x4xf32>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<4x4xf32>, memref<4x4xf32>) -> ()
  return
}
