// Options of act-gpu-pipeline that cannot work give one clear error (no
// toolkit means no libdevice and no ptxas: never a PTX with unresolved
// externs). Runs without a CUDA toolkit.
// RUN: not act-opt %s --act-gpu-pipeline="toolkit=/nonexistent/cuda" 2>&1 | FileCheck %s --check-prefix=TOOLKIT
// RUN: not act-opt %s --act-gpu-pipeline="chip=sm_70" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not act-opt %s --act-gpu-pipeline="format=fatbin" 2>&1 | FileCheck %s --check-prefix=FORMAT
// TOOLKIT: error: CUDA toolkit '/nonexistent/cuda' does not exist
// CHIP: error: unknown chip 'sm_70' (expected sm_80, sm_90 or sm_90a)
// FORMAT: error: unknown format 'fatbin' (expected isa or bin)

func.func @relu(%x: memref<?xf32>, %y: memref<?xf32>) {
  %xt = bufferization.to_tensor %x restrict : memref<?xf32> to tensor<?xf32>
  %r = act.relu %xt : tensor<?xf32>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?xf32>, memref<?xf32>) -> ()
  return
}
