// RUN: act-opt %s --split-input-file --act-approximate-gelu="mode=tanh" | FileCheck %s --check-prefix=TANH
// RUN: act-opt %s --split-input-file --act-approximate-gelu="mode=sigmoid" | FileCheck %s --check-prefix=SIGMOID
// RUN: act-opt %s --split-input-file --act-approximate-gelu="mode=auto max-abs-error=1e-3" 2>&1 | FileCheck %s --check-prefix=AUTO3
// RUN: act-opt %s --split-input-file --act-approximate-gelu="mode=auto max-abs-error=1e-5" 2>&1 | FileCheck %s --check-prefix=AUTO5
// RUN: act-opt %s --split-input-file --act-approximate-gelu="mode=auto max-abs-error=0.05" 2>&1 | FileCheck %s --check-prefix=AUTO2

// Every context: standalone, derivative, GeGLU gate, FFN, gated FFN, matmul.
// TANH-LABEL: func @contexts
// TANH: act.gelu %{{.*}} approximation = tanh : tensor<8xf32>
// TANH: act.gelu_grad %{{.*}}, %{{.*}} approximation = tanh : tensor<8xf32>
// TANH: act.glu <gelu, approximation = tanh>
// TANH: act.ffn <gelu, approximation = tanh>
// TANH: act.gated_ffn <gelu, approximation = tanh>
// TANH: act.matmul {{.*}} activation <gelu, approximation = tanh>
// SIGMOID-LABEL: func @contexts
// SIGMOID: act.gelu %{{.*}} approximation = sigmoid
// SIGMOID: act.gelu_grad %{{.*}}, %{{.*}} approximation = sigmoid
// SIGMOID: act.glu <gelu, approximation = sigmoid>
// SIGMOID: act.ffn <gelu, approximation = sigmoid>
// SIGMOID: act.gated_ffn <gelu, approximation = sigmoid>
// SIGMOID: act.matmul {{.*}} activation <gelu, approximation = sigmoid>

// With 1e-3 the measured errors (tanh 4.7e-4, sigmoid 2.0e-2) admit tanh
// only; the remark says so on every rewritten op.
// AUTO3: remark: act-approximate-gelu: exact GELU -> tanh (measured max |error| 4.73{{[0-9]*}}e-04 at x = {{.*}} <= max-abs-error 1.000000e-03; {{[0-9]+}} ops)
// AUTO3: remark: act-approximate-gelu: exact GELU -> tanh
// AUTO3-LABEL: func @contexts
// AUTO3: act.gelu %{{.*}} approximation = tanh
// AUTO3: act.glu <gelu, approximation = tanh>

// With 1e-5 nothing qualifies: exact GELU stays, and the remark says why.
// AUTO5: remark: act-approximate-gelu: kept exact GELU (measured max |error| {{.*}}tanh 4.73{{[0-9]*}}e-04{{.*}} > max-abs-error 1.000000e-05)
// AUTO5-LABEL: func @contexts
// AUTO5: act.gelu %{{.*}} : tensor<8xf32>
// AUTO5: act.gelu_grad %{{.*}}, %{{.*}} : tensor<8xf32>
// AUTO5: act.glu <gelu>

// With 0.05 both qualify and the cheaper one, sigmoid, wins.
// AUTO2: remark: act-approximate-gelu: exact GELU -> sigmoid (measured max |error| 2.03{{[0-9]*}}e-02
// AUTO2-LABEL: func @contexts
// AUTO2: act.gelu %{{.*}} approximation = sigmoid
func.func @contexts(%x: tensor<8xf32>, %dy: tensor<8xf32>, %a: tensor<4x8xf32>,
                    %w1: tensor<8x16xf32>, %w2: tensor<16x8xf32>) {
  %0 = act.gelu %x : tensor<8xf32>
  %1 = act.gelu_grad %x, %dy : tensor<8xf32>
  %2 = act.glu <gelu> %x, %x : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  %3 = act.ffn <gelu> %a, %w1, %w2
      : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %4 = act.gated_ffn <gelu> %a, %w1, %w1, %w2
      : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %5 = act.matmul %a, %w1 activation <gelu>
      : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

// No-op cases: already approximate, not GELU, and SiLU/sigmoid without the
// opt-in companions.
// TANH-LABEL: func @untouched
// TANH: act.gelu %{{.*}} approximation = sigmoid : f32
// TANH: act.silu %{{.*}} : f32
// TANH: act.sigmoid %{{.*}} : f32
// TANH: act.glu <silu>
// AUTO3-LABEL: func @untouched
// AUTO3-NOT: remark
// AUTO3: return
func.func @untouched(%s: f32, %v: vector<4xf32>) {
  %0 = act.gelu %s approximation = sigmoid : f32
  %1 = act.silu %s : f32
  %2 = act.sigmoid %s : f32
  %3 = act.glu <silu> %v, %v : vector<4xf32>, vector<4xf32> -> vector<4xf32>
  return
}
