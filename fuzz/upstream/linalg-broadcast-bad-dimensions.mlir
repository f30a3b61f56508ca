%bb = linalg.broadcast ins(%bias : tensor<45xf32>) outs(%e : tensor<20x45xf32>) dimensions = g
