//===- ActOps.td - act operations --------------------------*- tablegen -*-===//
//
// The op list: elementwise activations and their gradients (generated from
// one multiclass per activation), learnable Swish, GLU, FFN and matmul.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_IR_ACTOPS_TD
#define ACT_DIALECT_ACT_IR_ACTOPS_TD

include "act/Dialect/Act/IR/ActAttrs.td"
include "act/Dialect/Act/IR/ActDialect.td"
include "act/Dialect/Act/IR/ActInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Act_Float : AnyTypeOf<[F16, BF16, F32, F64], "f16, bf16, f32 or f64">;
def Act_FloatLike : AnyTypeOf<[Act_Float, VectorOfAnyRankOf<[Act_Float]>,
                               RankedTensorOf<[Act_Float]>],
    "f16, bf16, f32 or f64 scalar, vector or ranked tensor">;
def Act_FloatTensor : RankedTensorOf<[Act_Float]>;
def Act_FloatTensorOrVector : AnyTypeOf<[VectorOfAnyRankOf<[Act_Float]>,
                                         RankedTensorOf<[Act_Float]>],
    "vector or ranked tensor of f16, bf16, f32 or f64">;
def Act_Matrix : TensorRankOf<[Act_Float], [2]>;
def Act_Row : TensorRankOf<[Act_Float], [1]>;
def Act_MatmulOperand : TensorRankOf<[Act_Float], [2, 3]>;
// A matmul's rhs: a matrix, a batch of them, or act.pack_b's panels.
def Act_MatmulRhs : TensorRankOf<[Act_Float], [2, 3, 4]>;
def Act_PackedRhs : TensorRankOf<[Act_Float], [3, 4]>;

//===----------------------------------------------------------------------===//
// Elementwise activations and their gradients
//===----------------------------------------------------------------------===//

// Parameters an op may take; each reads its default from ActivationParams.
def Act_NegativeSlopeParam : DefaultValuedAttr<F64Attr,
    "::mlir::act::ActivationParams().negativeSlope">;
def Act_AlphaParam : DefaultValuedAttr<F64Attr,
    "::mlir::act::ActivationParams().alpha">;
def Act_BetaParam : DefaultValuedAttr<F64Attr,
    "::mlir::act::ActivationParams().beta">;
def Act_ThresholdParam : DefaultValuedAttr<F64Attr,
    "::mlir::act::ActivationParams().threshold">;
def Act_ApproximationParam : DefaultValuedAttr<Act_GeluApproximationAttr,
    "::mlir::act::GeluApproximation::none">;

class Act_ElementwiseOpBase<string mnemonic, string kind, dag operands,
                            dag params, string operandFormat,
                            string paramFormat, string paramsCode,
                            bit gradient>
    : Act_Op<mnemonic, [Pure, ElementwiseMappable, SameOperandsAndResultType,
                        DeclareOpInterfaceMethods<Act_ActivationOpInterface>]> {
  let arguments = !con(operands, params);
  let results = (outs Act_FloatLike:$result);
  let assemblyFormat = operandFormat # " " # paramFormat #
                       " attr-dict `:` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::mlir::act::ActivationAttr $cppClass::getActivation() {
      ::mlir::act::ActivationParams p;
      }] # paramsCode # [{
      return ::mlir::act::ActivationAttr::get(
          getContext(), ::mlir::act::ActivationKind::}] # kind # [{, p);
    }
    bool $cppClass::isGradient() { return }] #
      !if(gradient, "true", "false") # [{; }
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::mlir::act::foldActivationOp(*this, adaptor.getOperands());
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::act::verifyActivationOp(*this);
    }
  }];
}

// Defines `act.<mnemonic>` (f(x)) and `act.<mnemonic>_grad` (dy * f'(x)).
multiclass Act_Activation<string mnemonic, string kind, string formula,
                          string derivative, dag params = (ins),
                          string paramFormat = "", string paramsCode = "",
                          string paramDoc = ""> {
  def Op : Act_ElementwiseOpBase<mnemonic, kind,
      (ins Act_FloatLike:$input), params, "$input", paramFormat, paramsCode,
      0> {
    let summary = mnemonic # ": " # formula;
    let description = "Applies `" # formula # "` elementwise.\n\n" #
        paramDoc # "\nExample:\n\n```mlir\n%y = act." # mnemonic #
        " %x : tensor<4x8xf32>\n```\n";
  }
  def GradOp : Act_ElementwiseOpBase<mnemonic # "_grad", kind,
      (ins Act_FloatLike:$input, Act_FloatLike:$dy), params,
      "$input `,` $dy", paramFormat, paramsCode, 1> {
    let summary = "derivative of " # mnemonic # ": dy * f'(x)";
    let description = "Computes `dy * f'(x)` elementwise, where `f'(x) = " #
        derivative # "`: the backward pass of `act." # mnemonic #
        "` given its input `x` and the upstream gradient `dy`.\n\n" #
        paramDoc # "\nExample:\n\n```mlir\n%dx = act." # mnemonic #
        "_grad %x, %dy : tensor<4x8xf32>\n```\n";
  }
}

defm Act_Relu : Act_Activation<"relu", "relu", "max(x, 0)",
    "x > 0 ? 1 : 0">;

defm Act_LeakyRelu : Act_Activation<"leaky_relu", "leaky_relu",
    "x > 0 ? x : negative_slope * x", "x > 0 ? 1 : negative_slope",
    (ins Act_NegativeSlopeParam:$negative_slope),
    "(`negative_slope` `=` $negative_slope^)?",
    "p.negativeSlope = getNegativeSlope().convertToDouble();",
    "`negative_slope` (default 0.01) must be finite.\n">;

defm Act_Elu : Act_Activation<"elu", "elu",
    "x > 0 ? x : alpha * expm1(x)", "x > 0 ? 1 : alpha * exp(x)",
    (ins Act_AlphaParam:$alpha), "(`alpha` `=` $alpha^)?",
    "p.alpha = getAlpha().convertToDouble();",
    "`alpha` (default 1.0) must be finite and non-negative.\n">;

defm Act_Relu6 : Act_Activation<"relu6", "relu6", "min(max(x, 0), 6)",
    "0 < x < 6 ? 1 : 0">;

defm Act_Sigmoid : Act_Activation<"sigmoid", "sigmoid", "1 / (1 + exp(-x))",
    "sigmoid(x) * sigmoid(-x)">;

defm Act_HardSigmoid : Act_Activation<"hard_sigmoid", "hard_sigmoid",
    "relu6(x + 3) / 6", "-3 < x < 3 ? 1/6 : 0">;

defm Act_Silu : Act_Activation<"silu", "silu", "x * sigmoid(beta * x)",
    "sigmoid(beta x) (1 + beta x sigmoid(-beta x))",
    (ins Act_BetaParam:$beta), "(`beta` `=` $beta^)?",
    "p.beta = getBeta().convertToDouble();",
    "`beta` (default 1.0: SiLU; otherwise Swish with a fixed beta) must be "
    "finite and positive. For a learnable per-channel beta see `act.swish`.\n">;

defm Act_HardSwish : Act_Activation<"hard_swish", "hard_swish",
    "x * relu6(x + 3) / 6",
    "x < -3 ? 0 : x <= 3 ? (2x + 3) / 6 : 1">;

defm Act_Gelu : Act_Activation<"gelu", "gelu",
    "x / 2 * erfc(-x / sqrt(2))",
    "Phi(x) + x phi(x) (of the chosen approximation)",
    (ins Act_ApproximationParam:$approximation),
    "(`approximation` `=` `` $approximation^)?",
    "p.approximation = getApproximation();",
    "`approximation` selects the formula: `none` (default) is exact GELU, "
    "`x/2 erfc(-x/sqrt 2)`; `tanh` is "
    "`x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`; `sigmoid` is "
    "`x sigmoid(1.702 x)`. Written `act.gelu %x approximation = tanh`.\n">;

defm Act_Mish : Act_Activation<"mish", "mish", "x * tanh(softplus(x))",
    "tanh(sp) + x sech^2(sp) sigmoid(x), sp = softplus(x)">;

defm Act_Softplus : Act_Activation<"softplus", "softplus",
    "beta * x > threshold ? x : log1p(exp(beta * x)) / beta",
    "beta * x > threshold ? 1 : sigmoid(beta * x)",
    (ins Act_BetaParam:$beta, Act_ThresholdParam:$threshold),
    "(`beta` `=` $beta^)? (`threshold` `=` $threshold^)?",
    "p.beta = getBeta().convertToDouble(); "
    "p.threshold = getThreshold().convertToDouble();",
    "`beta` (default 1.0) and `threshold` (default 20.0) must be finite and "
    "positive.\n">;

//===----------------------------------------------------------------------===//
// Learnable Swish
//===----------------------------------------------------------------------===//

def Act_SwishOp : Act_Op<"swish",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "x * sigmoid(beta * x) with a per-channel beta operand";
  let description = [{
    Swish with a learnable beta: `beta` is a 1-D tensor holding one value per
    channel, where the channel is dimension `axis` of `input` (default -1,
    the last; negative values count from the end).

    ```mlir
    %y = act.swish %x, %beta axis = 1 : tensor<2x16x8x8xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins Act_FloatTensor:$input, Act_Row:$beta,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Act_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $beta (`axis` `=` $axis^)? attr-dict `:` type($input) `,`
    type($beta)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$beta,
                   "int64_t":$axis), [{
      build($_builder, $_state, input.getType(), input, beta, axis);
    }]>
  ];
  let extraClassDeclaration = [{
    /// The channel dimension in [0, rank).
    int64_t getNormalizedAxis() {
      return ::mlir::act::getNormalizedAxis(
          static_cast<int64_t>(getAxis()), getInput().getType().getRank());
    }
  }];
  let hasVerifier = 1;
}

def Act_SwishGradOp : Act_Op<"swish_grad",
    [Pure, AllTypesMatch<["input", "dy", "result"]>]> {
  let summary = "derivative of act.swish with respect to x";
  let description = [{
    `dy * f'(x)` for `f(x) = x * sigmoid(beta * x)` with a per-channel `beta`
    along dimension `axis` of `input`.

    ```mlir
    %dx = act.swish_grad %x, %beta, %dy : tensor<4x8xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins Act_FloatTensor:$input, Act_Row:$beta,
                       Act_FloatTensor:$dy,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Act_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $beta `,` $dy (`axis` `=` $axis^)? attr-dict `:` type($input)
    `,` type($beta)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$beta,
                   "::mlir::Value":$dy, "int64_t":$axis), [{
      build($_builder, $_state, input.getType(), input, beta, dy, axis);
    }]>
  ];
  let extraClassDeclaration = [{
    /// The channel dimension in [0, rank).
    int64_t getNormalizedAxis() {
      return ::mlir::act::getNormalizedAxis(
          static_cast<int64_t>(getAxis()), getInput().getType().getRank());
    }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Table lookup
//===----------------------------------------------------------------------===//

def Act_LookupOp : Act_Op<"lookup", [Pure, ElementwiseMappable]> {
  let summary = "elementwise lookup in a constant table of f32";
  let description = [{
    `result[i] = values[index[i] mod N]`, N the number of values, a power of
    two from 1 to 32: the low log2(N) bits of each index select the value,
    as x86's `vpermps`/`vpermt2ps` do. act's own formulas emit it where the
    target does such a lookup in one instruction (AVX-512: 32 entries, AVX2:
    8); `act-lower-math` lowers it to those instructions or, on any other
    target, to one extract per lane.

    ```mlir
    %y = act.lookup %i [1.0, 2.0, 4.0, 8.0] : vector<16xi32> -> vector<16xf32>
    ```
  }];
  let arguments = (ins TypeOrValueSemanticsContainer<I32, "i32-like">:$index,
                       DenseF32ArrayAttr:$values);
  let results = (outs TypeOrValueSemanticsContainer<F32, "f32-like">:$result);
  // The values print with 9 significant digits (every f32 round-trips);
  // the stripped form of DenseF32ArrayAttr keeps only 7.
  let assemblyFormat = [{
    $index custom<LookupValues>($values) attr-dict `:` type($index) `->`
    type($result)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// GLU family
//===----------------------------------------------------------------------===//

def Act_GluOp : Act_Op<"glu", [Pure]> {
  let summary = "gated linear unit: act(a) * b";
  let description = [{
    `act(a) * b` elementwise, with `act` the gate activation: `sigmoid` is
    GLU, `silu` SwiGLU, `gelu` GeGLU (any approximation), `relu` ReGLU; any
    activation of the dialect may gate.

    Two-operand form: `a` and `b` have the result's type.

    Split form (one operand of width 2n along `axis`, default -1): the input
    is cut in two halves along `axis`; the FIRST half is gated, the second
    is the linear half: `act(x[..., :n]) * x[..., n:]`. This matches the
    concatenated [gate | up] weight layout of fused SwiGLU kernels.
    `torch.nn.functional.glu` gates the SECOND half instead
    (`a * sigmoid(b)`); swap the halves of the weights to match it.

    ```mlir
    %y = act.glu <silu> %a, %b : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
    %z = act.glu <gelu, approximation = tanh> %x axis = 1
        : tensor<4x16xf32> -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Act_ActivationAttr:$gate,
                       Act_FloatTensorOrVector:$lhs,
                       Optional<Act_FloatTensorOrVector>:$rhs,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Act_FloatTensorOrVector:$result);
  let assemblyFormat = [{
    $gate $lhs (`,` $rhs^)? (`axis` `=` $axis^)? attr-dict `:` type($lhs)
    (`,` type($rhs)^)? `->` type($result)
  }];
  let extraClassDeclaration = [{
    /// Whether the op splits one operand into gate and linear halves.
    bool isSplit() { return !getRhs(); }
    /// The split dimension in [0, rank).
    int64_t getNormalizedAxis();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Matmul with epilogue and FFN
//===----------------------------------------------------------------------===//

def Act_MatmulOp : Act_Op<"matmul", [Pure, AttrSizedOperandSegments]> {
  let summary = "matmul with a fused epilogue: act(A B + bias), its "
                "derivative or a GLU";
  let description = [{
    `lhs` M x K times `rhs` K x N (N x K with `transpose_b`), or batches of
    them (B x M x K times B x K x N), plus an optional `bias` of N elements
    added to every row. The epilogue runs on the accumulator, before the
    store:

    - `activation <f>`: `f(A B + bias)`;
    - `activation <f> grad %dy`: `dy * f'(A B + bias)` (the backward
      epilogue, like cuBLASLt's DGELU), `dy` of the result's type;
    - `glu activation <f>`: `rhs` holds the gate and the up weights side by
      side, [Wg | Wu] with 2N columns (and `bias` 2N elements); the result
      is `f(acc[:, :N]) * acc[:, N:]`, M x N: SwiGLU for `silu`, GeGLU for
      `gelu`. The first half is gated, as in `act.glu`.

    With `packed_b`, `rhs` is B already in `act.pack_b`'s panel-major
    layout (P x K x W, or 2 x P x K x W for the GLU, W the panel width;
    `lhs` 2-D, the result's N static): weights packed once, before many
    calls, as oneDNN's prepacked weights are. The CPU lowering reads the
    panels in place when W is a multiple of its vector width; elsewhere the
    panels are unpacked first.

    f16/bf16 inputs accumulate in f32 and are rounded once, after the
    epilogue. `act-fuse-epilogue` and `act-fuse-glu` produce this op.

    ```mlir
    %y = act.matmul %a, %b bias %bias activation <gelu>
        : (tensor<128x768xbf16>, tensor<768x3072xbf16>, tensor<3072xbf16>)
        -> tensor<128x3072xbf16>
    %h = act.matmul %x, %wgu glu activation <silu>
        : (tensor<128x1024xf32>, tensor<1024x5632xf32>)
        -> tensor<128x2816xf32>
    ```
  }];
  let arguments = (ins Act_MatmulOperand:$lhs, Act_MatmulRhs:$rhs,
                       Optional<Act_Row>:$bias,
                       Optional<Act_MatmulOperand>:$dy,
                       OptionalAttr<Act_ActivationAttr>:$activation,
                       UnitAttr:$transpose_b, UnitAttr:$glu,
                       UnitAttr:$packed_b);
  let results = (outs Act_MatmulOperand:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_b` $transpose_b^)? (`packed_b` $packed_b^)?
    (`bias` $bias^)?
    (`glu` $glu^)? (`activation` $activation^)? (`grad` $dy^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$lhs,
                   "::mlir::Value":$rhs, "::mlir::Value":$bias,
                   "::mlir::act::ActivationAttr":$activation), [{
      build($_builder, $_state, result, lhs, rhs, bias, ::mlir::Value(),
            activation, /*transpose_b=*/false, /*glu=*/false);
    }]>
  ];
  let extraClassDeclaration = [{
    /// The number of columns of B (2N for the GLU epilogue).
    int64_t getRhsColumns();
  }];
  let hasVerifier = 1;
}

def Act_PackBOp : Act_Op<"pack_b", [Pure]> {
  let summary = "B in panel-major form, for a `packed_b` act.matmul";
  let description = [{
    Copies the K x N matrix `input` (N x K with `transpose_b`) into panels
    of W columns, W the result's last dimension: `result[p, k, j] =
    B[k, p * W + j]`, zero where `p * W + j >= N`, with P = ceil(N / W)
    panels. With `glu`, `input` is [Wg | Wu] (2N columns) and the result
    2 x P x K x W holds the gate's panels, then the up projection's, each
    padded on its own.

    An `act.matmul ... packed_b` then reads each panel as one contiguous
    stream, with no copy per call: pack a layer's weights once, run it
    many times. The CPU lowering's panel is 48 columns on AVX-512 and 16
    on AVX2 (its `rows` x `vectors` register tile); another W multiple of
    the vector width works too, any other W is unpacked again first.

    ```mlir
    %p = act.pack_b %w : tensor<768x3072xf32> -> tensor<64x768x48xf32>
    %y = act.matmul %x, %p packed_b bias %bias activation <gelu>
        : (tensor<128x768xf32>, tensor<64x768x48xf32>, tensor<3072xf32>)
        -> tensor<128x3072xf32>
    ```
  }];
  let arguments = (ins Act_Matrix:$input, UnitAttr:$transpose_b,
                       UnitAttr:$glu);
  let results = (outs Act_PackedRhs:$result);
  let assemblyFormat = [{
    $input (`transpose_b` $transpose_b^)? (`glu` $glu^)? attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Act_FfnOp : Act_Op<"ffn", [Pure, AttrSizedOperandSegments]> {
  let summary = "feed-forward block: act(x W1 + b1) W2 + b2";
  let description = [{
    The transformer feed-forward block `act(x * W1 + b1) * W2 + b2` with `x`
    M x D, `W1` D x H, `b1` H, `W2` H x P, `b2` P; both biases optional.
    The hidden activation is rounded to the element type, as a framework
    does between its two matmuls.

    ```mlir
    %y = act.ffn <gelu> %x, %w1 bias %b1, %w2 bias %b2
        : (tensor<128x768xf32>, tensor<768x3072xf32>, tensor<3072xf32>,
           tensor<3072x768xf32>, tensor<768xf32>) -> tensor<128x768xf32>
    ```
  }];
  let arguments = (ins Act_ActivationAttr:$activation, Act_Matrix:$input,
                       Act_Matrix:$up_weight, Optional<Act_Row>:$up_bias,
                       Act_Matrix:$down_weight,
                       Optional<Act_Row>:$down_bias);
  let results = (outs Act_Matrix:$result);
  let assemblyFormat = [{
    $activation $input `,` $up_weight (`bias` $up_bias^)? `,` $down_weight
    (`bias` $down_bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Act_GatedFfnOp : Act_Op<"gated_ffn", [Pure, AttrSizedOperandSegments]> {
  let summary = "gated (LLaMA) feed-forward block: (act(x Wg) * (x Wu)) Wd";
  let description = [{
    The gated feed-forward block of LLaMA, Mistral and PaLM:
    `(act(x * Wg + bg) * (x * Wu + bu)) * Wd + bd` with `x` M x D, `Wg` and
    `Wu` D x H, `Wd` H x P; the biases are optional. `silu` makes it SwiGLU,
    `gelu` GeGLU.

    ```mlir
    %y = act.gated_ffn <silu> %x, %wg, %wu, %wd
        : (tensor<16x1024xbf16>, tensor<1024x2816xbf16>,
           tensor<1024x2816xbf16>, tensor<2816x1024xbf16>)
        -> tensor<16x1024xbf16>
    ```
  }];
  let arguments = (ins Act_ActivationAttr:$activation, Act_Matrix:$input,
                       Act_Matrix:$gate_weight, Optional<Act_Row>:$gate_bias,
                       Act_Matrix:$up_weight, Optional<Act_Row>:$up_bias,
                       Act_Matrix:$down_weight,
                       Optional<Act_Row>:$down_bias);
  let results = (outs Act_Matrix:$result);
  let assemblyFormat = [{
    $activation $input `,` $gate_weight (`bias` $gate_bias^)? `,` $up_weight
    (`bias` $up_bias^)? `,` $down_weight (`bias` $down_bias^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // ACT_DIALECT_ACT_IR_ACTOPS_TD
