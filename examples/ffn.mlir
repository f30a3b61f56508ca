// A BERT-style feed-forward block and a LLaMA-style SwiGLU block in act.
// `scripts/run.sh` compiles this file and prints the lowered IR.

func.func @bert_ffn(%x: tensor<?x768xf32>, %w1: tensor<768x3072xf32>,
                    %b1: tensor<3072xf32>, %w2: tensor<3072x768xf32>,
                    %b2: tensor<768xf32>) -> tensor<?x768xf32> {
  %y = act.ffn <gelu> %x, %w1 bias %b1, %w2 bias %b2
      : (tensor<?x768xf32>, tensor<768x3072xf32>, tensor<3072xf32>,
         tensor<3072x768xf32>, tensor<768xf32>) -> tensor<?x768xf32>
  return %y : tensor<?x768xf32>
}

func.func @llama_ffn(%x: tensor<?x4096xbf16>, %wg: tensor<4096x11008xbf16>,
                     %wu: tensor<4096x11008xbf16>,
                     %wd: tensor<11008x4096xbf16>) -> tensor<?x4096xbf16> {
  %y = act.gated_ffn <silu> %x, %wg, %wu, %wd
      : (tensor<?x4096xbf16>, tensor<4096x11008xbf16>,
         tensor<4096x11008xbf16>, tensor<11008x4096xbf16>)
      -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}
