// RUN: act-opt %s --split-input-file --act-lower-math | FileCheck %s
// RUN: act-opt %s --split-input-file --act-lower-math=accuracy=fast | FileCheck %s --check-prefix=FAST
// RUN: act-opt %s --split-input-file --act-lower-math=lookup=avx512 | FileCheck %s --check-prefix=AVX512
// RUN: act-opt %s --split-input-file --act-lower-math=lookup=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: act-opt %s --split-input-file --act-lower-math | FileCheck %s --check-prefix=GENERIC

// exp: range reduction with a rounding constant, a polynomial, the scale
// built in the exponent bits, overflow and flush selected explicitly.
// CHECK-LABEL: func @exp
// CHECK-NOT: math.exp
// CHECK-DAG: arith.constant dense<0x4B40007E> : vector<16xf32>
// CHECK-DAG: arith.shli %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK-DAG: arith.constant dense<88.7228394> : vector<16xf32>
// CHECK: return
// FAST-LABEL: func @exp
// FAST-COUNT-8: math.fma
// FAST-NOT: math.fma
// FAST: return
func.func @exp(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.exp %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// CHECK-LABEL: func @all_f32
// CHECK-NOT: math.exp
// CHECK-NOT: math.expm1
// CHECK-NOT: math.log1p
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK: return
func.func @all_f32(%x: f32) -> (f32, f32, f32, f32, f32) {
  %0 = math.expm1 %x : f32
  %1 = math.log1p %x : f32
  %2 = math.erf %x : f32
  %3 = math.erfc %x : f32
  %4 = math.tanh %x : f32
  return %0, %1, %2, %3, %4 : f32, f32, f32, f32, f32
}

// -----

// f16 and bf16 go through f32 and are rounded once.
// CHECK-LABEL: func @narrow
// CHECK: arith.extf %{{.*}} : vector<8xf16> to vector<8xf32>
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf16>
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @narrow(%x: vector<8xf16>, %y: bf16) -> (vector<8xf16>, bf16) {
  %0 = math.exp %x : vector<8xf16>
  %1 = math.tanh %y : bf16
  return %0, %1 : vector<8xf16>, bf16
}

// -----

// f64 and tensors are left alone.
// CHECK-LABEL: func @untouched
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.erf %{{.*}} : tensor<4xf32>
func.func @untouched(%x: f64, %t: tensor<4xf32>) -> (f64, tensor<4xf32>) {
  %0 = math.exp %x : f64
  %1 = math.erf %t : tensor<4xf32>
  return %0, %1 : f64, tensor<4xf32>
}

// -----

// With AVX-512 lookups, exp of 16-lane vectors reduces by ln2/16: 2^(i/16)
// and its rounding error from two 16-entry lookups (vpermps), a cubic; no
// act.lookup is left. AVX2 and plain targets keep the degree-7 polynomial.
// AVX512-LABEL: func @exp_lookup
// AVX512-DAG: arith.constant dense<23.0831203> : vector<16xf32>
// AVX512-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// AVX512-NOT: act.lookup
// AVX512: return
// AVX2-LABEL: func @exp_lookup
// AVX2-NOT: llvm.call_intrinsic
// AVX2: return
func.func @exp_lookup(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.exp %x : vector<16xf32>
  return %y : vector<16xf32>
}

// -----

// act.lookup: one vpermps per 16 lanes for up to 16 values, one vpermt2ps
// (two table registers) for up to 32; vpermps on 8 lanes for AVX2; one
// extract per lane otherwise (and for any table on a scalar).
// AVX512-LABEL: func @lookups
// AVX512-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.ps.512"
// AVX512: vector.insert_strided_slice
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// AVX512: vector.extract %{{.*}}[%{{.*}}] : f32 from vector<4xf32>
// AVX512-NOT: act.lookup
// AVX2-LABEL: func @lookups
// AVX2-NOT: llvm.call_intrinsic "llvm.x86.avx512
// AVX2-COUNT-2: llvm.call_intrinsic "llvm.x86.avx2.permps"
// AVX2-NOT: act.lookup
// GENERIC-LABEL: func @lookups
// GENERIC-NOT: llvm.call_intrinsic
// GENERIC: arith.andi
// GENERIC: vector.extract %{{.*}}[%{{.*}}] : f32 from vector<32xf32>
// GENERIC-NOT: act.lookup
func.func @lookups(%i: vector<32xi32>, %j: vector<16xi32>, %k: i32) -> (vector<32xf32>, vector<16xf32>, f32) {
  %0 = act.lookup %i [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0] : vector<32xi32> -> vector<32xf32>
  %1 = act.lookup %j [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0] : vector<16xi32> -> vector<16xf32>
  %2 = act.lookup %k [1.0, 2.0, 4.0, 8.0] : i32 -> f32
  return %0, %1, %2 : vector<32xf32>, vector<16xf32>, f32
}
