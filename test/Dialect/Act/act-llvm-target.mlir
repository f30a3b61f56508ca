// RUN: act-opt %s --act-llvm-target="cpu=x86-64-v4 features=+avx512f" | FileCheck %s
// RUN: act-opt %s --act-llvm-target | FileCheck %s --check-prefix=NONE

// CHECK-LABEL: llvm.func @f
// CHECK-SAME: target_cpu = "x86-64-v4"
// CHECK-SAME: target_features = #llvm.target_features<["+avx512f"]>
// NONE-NOT: target_cpu
llvm.func @f() {
  llvm.return
}
