// RUN: act-opt %s --split-input-file --act-expand | FileCheck %s
// RUN: act-opt %s --split-input-file --act-expand=lookup-tables=true | FileCheck %s --check-prefix=TABLES

// Exact GELU is x Phi(x) from the normal tail exp(-x^2/2) Psi(|x|), never
// 1 + erf(x): no erf, no erfc. Below x = -11.695178 (|GELU| < 2^-100, -inf
// included) the result is flushed to 0; the +inf limit is selected.
// CHECK-LABEL: func @gelu_scalar
// CHECK-NOT: math.erf
// CHECK-DAG: %[[POS_INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG: %[[FLUSH:.*]] = arith.constant -11.695178 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ABS:.*]] = math.absf %[[X:.*]] : f32
// CHECK: math.exp
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %[[X]], %[[FLUSH]] : f32
// CHECK: %[[FLUSHED:.*]] = arith.select %[[BELOW]], %[[ZERO]], %{{.*}} : f32
// CHECK: %[[IS_POS_INF:.*]] = arith.cmpf oeq, %[[X]], %[[POS_INF]] : f32
// CHECK: arith.select %[[IS_POS_INF]], %[[X]], %[[FLUSHED]] : f32
// CHECK-NOT: act.
func.func @gelu_scalar(%x: f32) -> f32 {
  %0 = act.gelu %x : f32
  return %0 : f32
}

// -----

// Vectors expand in place, on the vector type.
// CHECK-LABEL: func @elu_vector
// CHECK: math.expm1 %{{.*}} : vector<16xf32>
// CHECK: arith.select %{{.*}} : vector<16xi1>, vector<16xf32>
func.func @elu_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = act.elu %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

// Tensors become a parallel linalg.generic; bf16 is computed in f32 and
// rounded once. Softplus is max(x, 0) + log1p(e^-|x|): the maximum is an
// integer one on the f32 bits (a NaN x is carried by the log1p term), and
// with the default threshold (20) x + log1p(e^-x) already rounds to x above
// it, so no select of x is emitted.
// CHECK-LABEL: func @softplus_bf16
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xbf16>)
// CHECK: %[[DIM:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[INIT:.*]] = tensor.empty(%[[DIM]]) : tensor<?x8xbf16>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<?x8xbf16>) outs(%[[INIT]] : tensor<?x8xbf16>)
// CHECK: ^bb0(%[[IN:.*]]: bf16, %{{.*}}: bf16):
// CHECK: %[[E:.*]] = arith.extf %[[IN]] : bf16 to f32
// CHECK: math.exp
// CHECK: %[[BITS:.*]] = arith.bitcast %[[E]] : f32 to i32
// CHECK: %[[MAX:.*]] = arith.maxsi %[[BITS]], %{{.*}} : i32
// CHECK: %[[POS:.*]] = arith.bitcast %[[MAX]] : i32 to f32
// CHECK-NOT: arith.select
// CHECK: %[[R:.*]] = arith.addf %[[POS]], %{{.*}} : f32
// CHECK: %[[T:.*]] = arith.truncf %[[R]] : f32 to bf16
// CHECK: linalg.yield %[[T]] : bf16
func.func @softplus_bf16(%x: tensor<?x8xbf16>) -> tensor<?x8xbf16> {
  %0 = act.softplus %x : tensor<?x8xbf16>
  return %0 : tensor<?x8xbf16>
}

// -----

// A threshold at which log1p(e^-x) is not yet below half an ulp of x keeps
// PyTorch's select of x above it.
// CHECK-LABEL: func @softplus_low_threshold
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK: %[[SUM:.*]] = arith.addf
// CHECK: %[[ABOVE:.*]] = arith.cmpf ogt, %[[X]], %{{.*}} : f32
// CHECK: arith.select %[[ABOVE]], %[[X]], %[[SUM]] : f32
func.func @softplus_low_threshold(%x: f32) -> f32 {
  %0 = act.softplus %x threshold = 10.0 : f32
  return %0 : f32
}

// -----

// f64 has no f32 integer view: its maximum stays a float maximum.
// CHECK-LABEL: func @softplus_f64
// CHECK-NOT: arith.bitcast
// CHECK: arith.maximumf %{{.*}} : f64
func.func @softplus_f64(%x: f64) -> f64 {
  %0 = act.softplus %x : f64
  return %0 : f64
}

// -----

// Gradients: dy * f'(x), NaN where x is NaN.
// CHECK-LABEL: func @mish_grad
// CHECK-SAME: (%[[X:.*]]: f32, %[[DY:.*]]: f32)
// CHECK-DAG: %[[ISNAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK-DAG: %[[P:.*]] = arith.mulf %[[DY]], %{{.*}} : f32
// CHECK: arith.select %[[ISNAN]], %[[X]], %[[P]] : f32
// CHECK-NEXT: return
func.func @mish_grad(%x: f32, %dy: f32) -> f32 {
  %0 = act.mish_grad %x, %dy : f32
  return %0 : f32
}

// -----

// CHECK-LABEL: func @relu_f16
// CHECK: %[[E:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: %[[M:.*]] = arith.maximumf %[[E]], %{{.*}} : f32
// CHECK: arith.truncf %[[M]] : f32 to f16
func.func @relu_f16(%x: f16) -> f16 {
  %0 = act.relu %x : f16
  return %0 : f16
}

// -----

// The per-channel beta of learnable Swish is broadcast along its axis.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @swish
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[ID]]]
// CHECK: ^bb0(%[[XI:.*]]: f32, %[[BI:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.mulf %[[XI]], %[[BI]] : f32
func.func @swish(%x: tensor<2x4x8xf32>, %beta: tensor<4xf32>) -> tensor<2x4x8xf32> {
  %0 = act.swish %x, %beta axis = 1 : tensor<2x4x8xf32>, tensor<4xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// Split GLU: the first half is gated, the second is linear.
// CHECK-LABEL: func @glu_split
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>)
// CHECK: %[[GATE:.*]] = tensor.extract_slice %[[X]][0, 0] [4, 8] [1, 1]
// CHECK: %[[LINEAR:.*]] = tensor.extract_slice %[[X]][0, 8] [4, 8] [1, 1]
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[GATE]], %[[LINEAR]] : tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK: ^bb0(%[[G:.*]]: f32, %[[L:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[P:.*]] = arith.mulf %{{.*}}, %[[L]] : f32
// CHECK-NEXT: linalg.yield %[[P]]
func.func @glu_split(%x: tensor<4x16xf32>) -> tensor<4x8xf32> {
  %0 = act.glu <silu> %x : tensor<4x16xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func @glu_vector
// CHECK-NOT: linalg
// CHECK: math.exp %{{.*}} : vector<8xf32>
// CHECK: arith.mulf %{{.*}}, %{{.*}} : vector<8xf32>
func.func @glu_vector(%a: vector<8xf32>, %b: vector<8xf32>) -> vector<8xf32> {
  %0 = act.glu <gelu> %a, %b : vector<8xf32>, vector<8xf32> -> vector<8xf32>
  return %0 : vector<8xf32>
}

// -----

// bf16 matmul: f32 accumulator, bias + activation + one rounding in the
// epilogue.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @matmul_bias_relu
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xbf16>, %[[B:.*]]: tensor<8x16xbf16>, %[[BIAS:.*]]: tensor<16xbf16>)
// CHECK: %[[ACC0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK: %[[ACC:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xbf16>, tensor<8x16xbf16>) outs(%[[ACC0]] : tensor<4x16xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK-SAME: ins(%[[ACC]], %[[BIAS]] : tensor<4x16xf32>, tensor<16xbf16>)
// CHECK: arith.extf
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: arith.truncf
func.func @matmul_bias_relu(%a: tensor<4x8xbf16>, %b: tensor<8x16xbf16>, %bias: tensor<16xbf16>) -> tensor<4x16xbf16> {
  %0 = act.matmul %a, %b bias %bias activation <relu>
      : (tensor<4x8xbf16>, tensor<8x16xbf16>, tensor<16xbf16>) -> tensor<4x16xbf16>
  return %0 : tensor<4x16xbf16>
}

// -----

// A plain f32 matmul is just the linalg.matmul.
// CHECK-LABEL: func @matmul_plain
// CHECK: %[[R:.*]] = linalg.matmul
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @matmul_plain(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = act.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Dynamic sizes come from the operands.
// CHECK-LABEL: func @matmul_dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<?x8xf32>, %[[B:.*]]: tensor<8x?xf32>)
// CHECK-DAG: %[[M:.*]] = tensor.dim %[[A]], %c0
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[B]], %c1
// CHECK: tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
func.func @matmul_dynamic(%a: tensor<?x8xf32>, %b: tensor<8x?xf32>) -> tensor<?x?xf32> {
  %0 = act.matmul %a, %b activation <gelu, approximation = tanh>
      : (tensor<?x8xf32>, tensor<8x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// FFN: matmul + bias + GELU, then matmul + bias.
// CHECK-LABEL: func @ffn
// CHECK: linalg.matmul {{.*}} -> tensor<16x64xf32>
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: linalg.matmul {{.*}} -> tensor<16x32xf32>
// CHECK: linalg.generic
// CHECK-NOT: math.exp
// CHECK-NOT: act.
func.func @ffn(%x: tensor<16x32xf32>, %w1: tensor<32x64xf32>, %b1: tensor<64xf32>,
               %w2: tensor<64x32xf32>, %b2: tensor<32xf32>) -> tensor<16x32xf32> {
  %0 = act.ffn <gelu> %x, %w1 bias %b1, %w2 bias %b2
      : (tensor<16x32xf32>, tensor<32x64xf32>, tensor<64xf32>, tensor<64x32xf32>, tensor<32xf32>) -> tensor<16x32xf32>
  return %0 : tensor<16x32xf32>
}

// -----

// Gated FFN: gate and up matmuls, the GLU, the down matmul.
// CHECK-LABEL: func @gated_ffn
// CHECK-SAME: (%[[X:.*]]: tensor<16x32xf32>, %[[WG:.*]]: tensor<32x64xf32>, %[[WU:.*]]: tensor<32x64xf32>, %[[WD:.*]]: tensor<64x32xf32>)
// CHECK-DAG: %[[G:.*]] = linalg.matmul ins(%[[X]], %[[WG]]
// CHECK-DAG: %[[U:.*]] = linalg.matmul ins(%[[X]], %[[WU]]
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%[[G]], %[[U]] : tensor<16x64xf32>, tensor<16x64xf32>)
// CHECK: linalg.matmul ins(%[[H]], %[[WD]]
// CHECK-NOT: act.
func.func @gated_ffn(%x: tensor<16x32xf32>, %wg: tensor<32x64xf32>, %wu: tensor<32x64xf32>,
                     %wd: tensor<64x32xf32>) -> tensor<16x32xf32> {
  %0 = act.gated_ffn <silu> %x, %wg, %wu, %wd
      : (tensor<16x32xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<64x32xf32>) -> tensor<16x32xf32>
  return %0 : tensor<16x32xf32>
}

// -----

// Ops of other dialects are left alone.
// CHECK-LABEL: func @no_act
// CHECK-NEXT: math.tanh
// CHECK-NEXT: return
func.func @no_act(%x: f32) -> f32 {
  %0 = math.tanh %x : f32
  return %0 : f32
}

// -----

// The GLU epilogue over [Wg | Wu] transposed: one accumulator of 2N columns,
// its halves and the bias halves feed one elementwise epilogue.
// CHECK-LABEL: func @matmul_glu_transposed
// CHECK: %[[ACC:.*]] = linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<32x8xf32>) outs(%{{.*}} : tensor<4x32xf32>)
// CHECK-DAG: tensor.extract_slice %[[ACC]][0, 0] [4, 16] [1, 1]
// CHECK-DAG: tensor.extract_slice %[[ACC]][0, 16] [4, 16] [1, 1]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x16xf32>)
func.func @matmul_glu_transposed(%a: tensor<4x8xf32>, %b: tensor<32x8xf32>, %bias: tensor<32xf32>) -> tensor<4x16xf32> {
  %0 = act.matmul %a, %b transpose_b bias %bias glu activation <silu> : (tensor<4x8xf32>, tensor<32x8xf32>, tensor<32xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Batched matmul with the backward (grad) epilogue.
// CHECK-LABEL: func @batch_matmul_grad
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x4x8xbf16>, tensor<2x8x16xbf16>) outs(%{{.*}} : tensor<2x4x16xf32>)
// CHECK: linalg.generic
// CHECK: arith.extf %{{.*}} : bf16 to f32
func.func @batch_matmul_grad(%a: tensor<2x4x8xbf16>, %b: tensor<2x8x16xbf16>, %dy: tensor<2x4x16xbf16>) -> tensor<2x4x16xbf16> {
  %0 = act.matmul %a, %b activation <gelu> grad %dy : (tensor<2x4x8xbf16>, tensor<2x8x16xbf16>, tensor<2x4x16xbf16>) -> tensor<2x4x16xbf16>
  return %0 : tensor<2x4x16xbf16>
}

// -----

// With lookup-tables, exact and tanh GELU are x 2^G(x) from LogTables.h:
// seven lookups in the 32-entry interval tables, one in the 2^(i/32)
// table (stored less i << 18 in its bits, added back with the exponent),
// no division and no exp; the flush below -11.695178 stays. Without
// it, GELU keeps its rational Mills ratio (a division).
// TABLES-LABEL: func @gelu_tables
// TABLES-NOT: {{math.exp|arith.divf}}
// TABLES: arith.constant dense<-11.695178> : vector<16xf32>
// TABLES-NOT: {{math.exp|arith.divf}}
// TABLES-COUNT-7: act.lookup %{{.*}} [{{.*}}] : vector<16xi32> -> vector<16xf32>
// TABLES: act.lookup %{{.*}} [1.0, 0.995323598, 0.990886867, {{.*}}] : vector<16xi32> -> vector<16xf32>
// TABLES-COUNT-8: act.lookup
// TABLES-NOT: {{act.lookup|math.exp|arith.divf}}
// TABLES: return
// CHECK-LABEL: func @gelu_tables
// CHECK-NOT: act.lookup
// CHECK: arith.divf
func.func @gelu_tables(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>) {
  %0 = act.gelu %x : vector<16xf32>
  %1 = act.gelu %x approximation = tanh : vector<16xf32>
  return %0, %1 : vector<16xf32>, vector<16xf32>
}

// -----

// act.pack_b: every panel element from its column of B, zero past the
// last (20 = 16 + 4); a packed_b matmul unpacks the panels, then is a
// plain linalg.matmul.
// CHECK-LABEL: func @pack_and_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x20xf32>)
// CHECK: %[[P:.*]] = tensor.generate
// CHECK: ^bb0(%[[PANEL:.*]]: index, %[[K:.*]]: index, %[[LANE:.*]]: index):
// CHECK: %[[START:.*]] = arith.muli %[[PANEL]], %c16
// CHECK: %[[COL:.*]] = arith.addi %[[START]], %[[LANE]]
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[COL]], %c20
// CHECK: %[[CLAMP:.*]] = arith.minui %[[COL]], %c19
// CHECK: %[[V:.*]] = tensor.extract %[[W]][%[[K]], %[[CLAMP]]]
// CHECK: arith.select %[[IN]], %[[V]], %{{.*}} : f32
// CHECK: } : tensor<2x8x16xf32>
// CHECK: %[[B:.*]] = tensor.generate
// CHECK: ^bb0(%[[ROW:.*]]: index, %[[C:.*]]: index):
// CHECK: %[[Q:.*]] = arith.divui %[[C]], %c16
// CHECK: %[[R:.*]] = arith.remui %[[C]], %c16
// CHECK: tensor.extract %[[P]][%[[Q]], %[[ROW]], %[[R]]]
// CHECK: } : tensor<8x20xf32>
// CHECK: linalg.matmul ins(%[[X]], %[[B]] : tensor<4x8xf32>, tensor<8x20xf32>)
func.func @pack_and_matmul(%x: tensor<4x8xf32>, %w: tensor<8x20xf32>) -> tensor<4x20xf32> {
  %p = act.pack_b %w : tensor<8x20xf32> -> tensor<2x8x16xf32>
  %0 = act.matmul %x, %p packed_b : (tensor<4x8xf32>, tensor<2x8x16xf32>) -> tensor<4x20xf32>
  return %0 : tensor<4x20xf32>
}

// -----

// The GLU form of N x K weights: group g's columns start at g * N of the
// input's rows; unpacked, the group is column / N.
// CHECK-LABEL: func @pack_glu_transposed
// CHECK: tensor.generate
// CHECK: ^bb0(%[[G:.*]]: index, %[[PANEL:.*]]: index, %[[K:.*]]: index, %[[LANE:.*]]: index):
// CHECK: %[[CLAMP:.*]] = arith.minui %{{.*}}, %c9
// CHECK: %[[OFF:.*]] = arith.muli %[[G]], %c10
// CHECK: %[[SRC:.*]] = arith.addi %[[CLAMP]], %[[OFF]]
// CHECK: tensor.extract %{{.*}}[%[[SRC]], %[[K]]] : tensor<20x8xf32>
// CHECK: } : tensor<2x1x8x16xf32>
// CHECK: ^bb0(%{{.*}}: index, %[[C:.*]]: index):
// CHECK: %[[GROUP:.*]] = arith.divui %[[C]], %c10
// CHECK: %[[COL:.*]] = arith.remui %[[C]], %c10
// CHECK: } : tensor<8x20xf32>
func.func @pack_glu_transposed(%x: tensor<4x8xf32>, %w: tensor<20x8xf32>) -> tensor<4x10xf32> {
  %p = act.pack_b %w transpose_b glu : tensor<20x8xf32> -> tensor<2x1x8x16xf32>
  %0 = act.matmul %x, %p packed_b glu activation <silu> : (tensor<4x8xf32>, tensor<2x1x8x16xf32>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}
