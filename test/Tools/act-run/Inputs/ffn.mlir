func.func @ffn(%x: tensor<?x8xf32>, %w1: tensor<8x16xf32>, %b1: tensor<16xf32>,
               %w2: tensor<16x8xf32>, %b2: tensor<8xf32>) -> tensor<?x8xf32> {
  %y = act.ffn <gelu> %x, %w1 bias %b1, %w2 bias %b2
      : (tensor<?x8xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
