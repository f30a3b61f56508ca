// Runs act-expand's output and compares it with mpmath (not with act).
// RUN: act-opt %s --act-expand --convert-vector-to-scf --convert-scf-to-cf \
// RUN:   --convert-math-to-libm --convert-math-to-llvm --convert-cf-to-llvm \
// RUN:   --convert-vector-to-llvm --convert-arith-to-llvm --convert-func-to-llvm \
// RUN:   --convert-index-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils \
// RUN: | %python %S/Inputs/check_activations.py

// x = -3, -1, 0, 0.5, 1, 3, -10, -5.5, 25, -0, -inf, +inf, NaN; dy = 1.

func.func @gelu(%x: vector<13xf32>) -> vector<13xf32> {
  %y = act.gelu %x : vector<13xf32>
  return %y : vector<13xf32>
}
func.func @silu(%x: vector<13xf32>) -> vector<13xf32> {
  %y = act.silu %x : vector<13xf32>
  return %y : vector<13xf32>
}
func.func @mish(%x: vector<13xf32>) -> vector<13xf32> {
  %y = act.mish %x : vector<13xf32>
  return %y : vector<13xf32>
}
func.func @softplus(%x: vector<13xf32>) -> vector<13xf32> {
  %y = act.softplus %x : vector<13xf32>
  return %y : vector<13xf32>
}
func.func @gelu_grad(%x: vector<13xf32>, %dy: vector<13xf32>) -> vector<13xf32> {
  %y = act.gelu_grad %x, %dy : vector<13xf32>
  return %y : vector<13xf32>
}
func.func @silu_grad(%x: vector<13xf32>, %dy: vector<13xf32>) -> vector<13xf32> {
  %y = act.silu_grad %x, %dy : vector<13xf32>
  return %y : vector<13xf32>
}
func.func @mish_grad(%x: vector<13xf32>, %dy: vector<13xf32>) -> vector<13xf32> {
  %y = act.mish_grad %x, %dy : vector<13xf32>
  return %y : vector<13xf32>
}
func.func @softplus_grad(%x: vector<13xf32>, %dy: vector<13xf32>) -> vector<13xf32> {
  %y = act.softplus_grad %x, %dy : vector<13xf32>
  return %y : vector<13xf32>
}
func.func @gelu_bf16(%x: vector<13xbf16>) -> vector<13xbf16> {
  %y = act.gelu %x : vector<13xbf16>
  return %y : vector<13xbf16>
}

func.func @print(%y: vector<13xf32>) {
  %bits = arith.bitcast %y : vector<13xf32> to vector<13xi32>
  vector.print %bits : vector<13xi32>
  return
}

func.func @main() {
  %x = arith.constant dense<[-3.0, -1.0, 0.0, 0.5, 1.0, 3.0, -10.0, -5.5, 25.0,
                             -0.0, 0xFF800000, 0x7F800000, 0x7FC00000]> : vector<13xf32>
  %dy = arith.constant dense<1.0> : vector<13xf32>
  vector.print str "gelu\n"
  %0 = func.call @gelu(%x) : (vector<13xf32>) -> vector<13xf32>
  func.call @print(%0) : (vector<13xf32>) -> ()
  vector.print str "silu\n"
  %1 = func.call @silu(%x) : (vector<13xf32>) -> vector<13xf32>
  func.call @print(%1) : (vector<13xf32>) -> ()
  vector.print str "mish\n"
  %2 = func.call @mish(%x) : (vector<13xf32>) -> vector<13xf32>
  func.call @print(%2) : (vector<13xf32>) -> ()
  vector.print str "softplus\n"
  %3 = func.call @softplus(%x) : (vector<13xf32>) -> vector<13xf32>
  func.call @print(%3) : (vector<13xf32>) -> ()
  vector.print str "gelu_grad\n"
  %4 = func.call @gelu_grad(%x, %dy) : (vector<13xf32>, vector<13xf32>) -> vector<13xf32>
  func.call @print(%4) : (vector<13xf32>) -> ()
  vector.print str "silu_grad\n"
  %5 = func.call @silu_grad(%x, %dy) : (vector<13xf32>, vector<13xf32>) -> vector<13xf32>
  func.call @print(%5) : (vector<13xf32>) -> ()
  vector.print str "mish_grad\n"
  %6 = func.call @mish_grad(%x, %dy) : (vector<13xf32>, vector<13xf32>) -> vector<13xf32>
  func.call @print(%6) : (vector<13xf32>) -> ()
  vector.print str "softplus_grad\n"
  %7 = func.call @softplus_grad(%x, %dy) : (vector<13xf32>, vector<13xf32>) -> vector<13xf32>
  func.call @print(%7) : (vector<13xf32>) -> ()
  vector.print str "gelu_bf16\n"
  %xb = arith.truncf %x : vector<13xf32> to vector<13xbf16>
  %8 = func.call @gelu_bf16(%xb) : (vector<13xbf16>) -> vector<13xbf16>
  %9 = arith.extf %8 : vector<13xbf16> to vector<13xf32>
  func.call @print(%9) : (vector<13xf32>) -> ()
  return
}
