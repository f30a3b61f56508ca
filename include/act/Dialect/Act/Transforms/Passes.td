//===- Passes.td - act dialect passes ----------------------*- tablegen -*-===//
//
// Declares the passes that rewrite act ops.
//
//===----------------------------------------------------------------------===//

#ifndef ACT_DIALECT_ACT_TRANSFORMS_PASSES_TD
#define ACT_DIALECT_ACT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ActExpand : Pass<"act-expand"> {
  let summary = "Expand act ops into arith, math, tensor and linalg ops";
  let description = [{
    Rewrites every act op into upstream dialects; this expansion is the
    reference semantics of the dialect.

    - Elementwise activations and gradients on scalars and vectors become
      arith/math ops on the same type; on ranked tensors, a
      `linalg.generic` whose body holds those ops. f16/bf16 are extended to
      f32, computed, and truncated once.
    - The formulas are the numerically stable ones of
      `include/act/Math/Activation.h`: GELU as `x/2 erfc(-x/sqrt 2)`, ELU
      with `expm1`, softplus with `log1p`, the logistic function from
      `exp(-|x|)`, and explicit selects for the limits at +-inf.
    - With `lookup-tables`, for targets where a 32-entry lookup is one
      instruction (AVX-512), exact and tanh GELU become x 2^G(x) with G =
      log2 Phi (log2 sigmoid(z(x))) from piecewise tables
      (`include/act/Math/LogTables.h`, fitted by
      `scripts/fit-log-tables.py`): `act.lookup` ops, no division.
    - `act.glu` becomes a `linalg.generic` (after `tensor.extract_slice` of
      the halves in the split form); `act.matmul` a `linalg.fill` +
      `linalg.matmul` accumulating in f32 (f64 for f64) and an elementwise
      epilogue; `act.ffn`/`act.gated_ffn` become `act.matmul` and `act.glu`
      ops, which expand in turn.

    ```mlir
    %y = act.gelu %x : f32
    // becomes (abridged)
    %z = arith.mulf %x, %c-0.707 : f32
    %e = math.erfc %z : f32
    %y = arith.mulf %half_x, %e_corrected : f32
    ```
  }];
  let options = [
    Option<"accuracy", "accuracy", "::mlir::act::Accuracy",
           "::mlir::act::Accuracy::precise",
           "precise (within 4 ULP) or fast (shorter polynomials)",
           [{::llvm::cl::values(
             clEnumValN(::mlir::act::Accuracy::precise, "precise",
                        "within 4 ULP of the true result"),
             clEnumValN(::mlir::act::Accuracy::fast, "fast",
                        "shorter polynomials, measured bound"))}]>,
    Option<"lookupTables", "lookup-tables", "bool", "false",
           "use the table forms of GELU and tanh-GELU (act.lookup; for "
           "targets where a 32-entry lookup is one instruction)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ActApproximateGelu : Pass<"act-approximate-gelu"> {
  let summary = "Rewrite exact GELU to its tanh or sigmoid approximation";
  let description = [{
    Rewrites exact GELU wherever it appears: `act.gelu`, `act.gelu_grad`,
    and every `#act.activation<gelu>` (GeGLU gates, FFN and matmul
    epilogues). `mode=tanh` and `mode=sigmoid` force an approximation;
    `mode=auto` takes the cheapest approximation (fewest ops in act's
    expansion) whose maximum absolute difference from exact GELU over all
    float32 inputs, measured when the pass runs, is at most
    `max-abs-error`, keeps exact GELU when none qualifies, and says what it
    chose in a remark on each op.

    Opt-in companions for targets without a fast exp: `silu-to-hard-swish`
    (SiLU with beta = 1 becomes hard-swish) and `sigmoid-to-hard-sigmoid`;
    their measured errors are in docs/properties.md.

    ```mlir
    %y = act.gelu %x : tensor<8xf32>
    // act-approximate-gelu{mode=auto max-abs-error=1e-3}:
    %y = act.gelu %x approximation = tanh : tensor<8xf32>
    ```
  }];
  let options = [
    Option<"mode", "mode", "::mlir::act::GeluApproximationMode",
           "::mlir::act::GeluApproximationMode::automatic",
           "tanh, sigmoid or auto",
           [{::llvm::cl::values(
             clEnumValN(::mlir::act::GeluApproximationMode::tanh, "tanh",
                        "the tanh approximation"),
             clEnumValN(::mlir::act::GeluApproximationMode::sigmoid, "sigmoid",
                        "x sigmoid(1.702 x)"),
             clEnumValN(::mlir::act::GeluApproximationMode::automatic, "auto",
                        "the cheapest one within max-abs-error"))}]>,
    Option<"maxAbsError", "max-abs-error", "double", "1e-3",
           "largest acceptable |approximate - exact| (mode=auto)">,
    Option<"siluToHardSwish", "silu-to-hard-swish", "bool", "false",
           "also rewrite SiLU (beta = 1) to hard-swish">,
    Option<"sigmoidToHardSigmoid", "sigmoid-to-hard-sigmoid", "bool", "false",
           "also rewrite sigmoid to hard-sigmoid">
  ];
}

def ActFuseEpilogue : Pass<"act-fuse-epilogue"> {
  let summary = "Fuse bias + activation (or its derivative) into the matmul "
                "that feeds them";
  let description = [{
    Rewrites a matmul (`linalg.matmul`, `linalg.batch_matmul`, either with
    B transposed through its indexing maps, accumulating into a zero
    `linalg.fill`; or an `act.matmul` without epilogue), optionally followed
    by a bias add broadcast along the rows (a `linalg.generic` adding a 1-D
    tensor, or `linalg.add` of a `linalg.broadcast`), followed by any act
    activation or derivative, into one `act.matmul` whose epilogue applies
    bias and activation to the accumulator before the store. Derivatives
    become the `grad` epilogue: `dy * f'(A B + bias)`.

    A matmul (or bias add) whose result has other users is left alone, with
    a remark saying so: fusing would compute it twice. `act.ffn` is split
    into its two `act.matmul` ops first, the first of which carries the
    activation.

    ```mlir
    %0 = linalg.fill ins(%zero : f32) outs(%e : tensor<128x3072xf32>) -> ...
    %1 = linalg.matmul ins(%a, %b : ...) outs(%0 : ...) -> tensor<128x3072xf32>
    %2 = act.gelu %1 : tensor<128x3072xf32>
    // becomes
    %2 = act.matmul %a, %b activation <gelu> : (...) -> tensor<128x3072xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::act::ActDialect",
  ];
}

def ActFuseGlu : Pass<"act-fuse-glu"> {
  let summary = "Fuse the gate and up matmuls of a GLU into one matmul over "
                "the concatenated weights";
  let description = [{
    Rewrites `act.glu` whose gate and linear operands are two matmuls of the
    same input (same forms as `act-fuse-epilogue` accepts, each with an
    optional bias) into one `act.matmul ... glu` over `[Wg | Wu]`
    (`tensor.concat` along the columns; along the rows for transposed B) with
    the GLU in the epilogue. The split form of `act.glu` (last axis) over a
    single matmul of pre-concatenated weights becomes the same op without a
    concat. `act.gated_ffn` is split into gate, up, GLU and down first, so
    it lowers through this pass. Matmuls with other users are left alone,
    with a remark.

    ```mlir
    %g = act.matmul %x, %wg : (...) -> tensor<128x2816xf32>
    %u = act.matmul %x, %wu : (...) -> tensor<128x2816xf32>
    %h = act.glu <silu> %g, %u : tensor<128x2816xf32>
    // becomes
    %w = tensor.concat dim(1) %wg, %wu : (...) -> tensor<1024x5632xf32>
    %h = act.matmul %x, %w glu activation <silu> : (...) -> tensor<128x2816xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::act::ActDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ActLowerMatmul : Pass<"act-lower-matmul", "::mlir::ModuleOp"> {
  let summary = "Lower act.matmul to register-tiled vector loops with the "
                "epilogue on the accumulators";
  let description = [{
    Rewrites each f16/bf16/f32 `act.matmul` on tensors into a buffer filled
    by explicit loops (f64 is left to `act-expand`); a result that is only
    stored into a caller's memref (the JIT's kernels) is computed there:

    - A's full row tiles are first copied into one buffer, so that a tile's
      broadcasts come from one cache line per K step;
    - columns are cut into blocks of `panels-per-block` panels (8; 2 for a
      GLU, whose block holds two groups), dealt round-robin to one worker
      per OpenMP thread (an `scf.parallel` over `omp_get_max_threads()`
      workers, which the CPU pipeline maps to OpenMP); each worker copies A
      for itself, so that no core reads a copy another core just wrote;
    - K is processed in chunks of `k-chunk` steps; partial sums wait in an
      f32 scratch buffer between chunks;
    - each K chunk of a block of B is first copied into a panel-major
      buffer (`pack-b`, always for B stored N x K), so that a panel's chunk
      is contiguous and stays in L1 while every row tile uses it; the tiles'
      K loops prefetch the lines of B the next copy will read (B's rows are
      pages apart, beyond the hardware prefetchers). With `pack-b=false`
      tiles read B in place and prefetch the next panel's rows;
    - a panel is `vectors` vectors of `vector-width` columns and a tile is
      `rows` rows of a panel (8 x 3 on AVX-512, 6 x 2 on AVX2): its
      accumulators are `scf.for` iteration values over the chunk (the
      panel's B vectors and one broadcast FMA per row and vector per step,
      `unroll-k` steps per iteration), so they live in registers;
    - the GLU runs the gate over every row tile of a panel, parks its sums,
      then the up projection, whose epilogue combines them; a GLU whose B
      is a `tensor.concat` of the two weights reads them in place;
    - the epilogue runs on the accumulators: + bias, the activation (act's
      formula, the same code as the elementwise ops), `dy * f'` for the grad
      epilogue, `f(gate) * up` for the GLU; one rounding to f16/bf16; then
      the store. The last panel is masked; the rows past the last full tile
      are one smaller tile when M is static, else run one at a time; batches
      loop over 2-D slices.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "f32 lanes per vector (16 for AVX-512, 8 for AVX2)">,
    Option<"rows", "rows", "int64_t", "0",
           "rows per register tile (0: chosen for the vector width)">,
    Option<"vectors", "vectors", "int64_t", "0",
           "vectors per register tile (0: chosen for the vector width)">,
    Option<"panelsPerBlock", "panels-per-block", "int64_t", "0",
           "column panels per unit of parallel work (0: 8, or 2 for a GLU)">,
    Option<"kChunk", "k-chunk", "int64_t", "128",
           "K steps per chunk (partial sums wait in scratch between chunks)">,
    Option<"unrollK", "unroll-k", "int64_t", "1",
           "K steps per iteration of a tile's K loop">,
    Option<"packB", "pack-b", "bool", "true",
           "copy B chunk by chunk into a panel-major buffer (else read it in "
           "place; B stored N x K is always copied)">,
    Option<"parallel", "parallel", "bool", "true",
           "emit scf.parallel over column blocks">,
    Option<"accuracy", "accuracy", "::mlir::act::Accuracy",
           "::mlir::act::Accuracy::precise",
           "precise (within 4 ULP) or fast (shorter polynomials)",
           [{::llvm::cl::values(
             clEnumValN(::mlir::act::Accuracy::precise, "precise",
                        "within 4 ULP of the true result"),
             clEnumValN(::mlir::act::Accuracy::fast, "fast",
                        "shorter polynomials, measured bound"))}]>,
    Option<"lookupTables", "lookup-tables", "bool", "false",
           "use the table forms of GELU and tanh-GELU (act.lookup; for "
           "targets where a 32-entry lookup is one instruction)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ActGpuElementwise : Pass<"act-gpu-elementwise", "::mlir::ModuleOp"> {
  let summary = "Turn elementwise functions on 1-D memrefs into GPU kernels";
  let description = [{
    Each public function whose work is one elementwise `linalg.generic`
    over its 1-D memref arguments (what act-expand and bufferization make
    of an activation kernel) becomes a `gpu.func` kernel of the same name
    in one `gpu.module`: a grid-stride loop over groups of `unroll` x
    blockDim consecutive 16-byte vectors (4 f32, 8 f16/bf16;
    `vector.load`/`vector.store` with `alignment = 16`, which NVPTX emits
    as `ld.global.v4`/`st.global.v4`), each thread loading its `unroll`
    vectors before using the first; then the vectors after the last full
    group one per thread, and a scalar grid-stride loop for the tail. Arguments must be 16-byte aligned (cudaMalloc's
    are). Other functions are an error: they would need a host runtime.
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string", "\"act_kernels\"",
           "name of the gpu.module">,
    // The default is act::gpu::elementwise::kUnroll (KernelGeometry.h).
    Option<"unroll", "unroll", "int64_t", "4",
           "16-byte vectors per thread per group, all loaded before the "
           "first is used">,
    Option<"minBlocksPerSm", "min-blocks-per-sm", "int64_t", "0",
           "blocks of 256 threads each SM must hold (nvvm.minctasm: caps "
           "the registers); 0 leaves it to ptxas">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ActGpuMatmul : Pass<"act-gpu-matmul", "::mlir::ModuleOp"> {
  let summary = "Turn f16/bf16 act.matmul functions into tensor-core GPU "
                "kernels with the epilogue on the accumulators";
  let description = [{
    Each public function whose work is one `act.matmul` on f16 or bf16
    operands read from its memref arguments (bufferization.to_tensor) and
    stored into one (materialize_in_destination) becomes a `gpu.func`
    kernel of the same name in the `gpu.module` (shared with
    act-gpu-elementwise), for sm_80 and later:

    - one CTA of 256 threads per 128 x 128 tile of A B (128 x 64 outputs for
      the GLU), CTAs ordered in groups of 8 tile rows for L2 reuse; a 1-D
      grid of (M / 128) (N / 128) CTAs (see act/GPU/KernelGeometry.h);
    - K in slices of 32: `nvgpu.device_async_copy` (cp.async, 16 bytes)
      into three shared-memory stages, XOR-swizzled;
    - `nvgpu.ldmatrix` (transposed for B) and `nvvm.mma.sync` m16n8k16 with
      f32 accumulators, a 64 x 32 tile per warp;
    - the epilogue on the accumulator registers: + bias, the activation or
      `dy * f'` (act's formulas, the same code as every other target), the
      GLU's `f(gate) * up` (each warp's 32 B columns are 16 gate and the 16
      matching up columns), one rounding, the store.

    With `wgmma` (act-gpu-pipeline `chip=sm_90a`), the Hopper kernel
    instead:

    - one CTA of 2 warpgroups per 128 x 256 tile (128 x 128 outputs for the
      GLU), each warpgroup 64 x 256 with `nvvm.wgmma.mma_async` m64n256k16
      and its 128 f32 accumulators in registers;
    - K in slices of 64 through 4 stages of dynamic shared memory in the
      128-byte swizzle: thread 0 issues TMA copies
      (`nvvm.cp.async.bulk.tensor`, two tensor-map arguments appended to
      the kernel's) that complete on a "full" mbarrier per stage; every
      thread arrives on the stage's "empty" mbarrier once its wgmma on it
      is done, and thread 0 waits for that before refilling it, 3 slices
      ahead; no CTA-wide barrier in the loop;
    - the same epilogue, 8 pairs of columns at a time.

    M must be a multiple of 128; N of 128 (64 for the GLU), or 256 (128)
    with `wgmma`; K of 32, or 64 with `wgmma`: static sizes that are not
    are an error here, dynamic ones at launch. An f16/bf16 result's
    activation uses the fast formulas, which are within 1 ULP of the narrow
    type (getActivationAccuracy). Batches and `transpose_b` are not taken
    yet (an error). Other functions are left alone.
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string", "\"act_kernels\"",
           "name of the gpu.module">,
    Option<"wgmma", "wgmma", "bool", "false",
           "emit the sm_90a wgmma kernel instead of mma.sync">,
    Option<"accuracy", "accuracy", "::mlir::act::Accuracy",
           "::mlir::act::Accuracy::precise",
           "precise (within 4 ULP) or fast (shorter polynomials)",
           [{::llvm::cl::values(
             clEnumValN(::mlir::act::Accuracy::precise, "precise",
                        "within 4 ULP of the true result"),
             clEnumValN(::mlir::act::Accuracy::fast, "fast",
                        "shorter polynomials, measured bound"))}]>
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ActLowerMath : Pass<"act-lower-math"> {
  let summary = "Lower math.exp/expm1/log1p/erf/erfc/tanh on f32 to "
                "act's polynomials";
  let description = [{
    Rewrites `math.exp`, `math.expm1`, `math.log1p`, `math.erf`,
    `math.erfc` and `math.tanh` on f32, f16 and bf16 scalars and vectors
    into arith ops: range reduction, fitted polynomials and explicit special
    values. No libm call remains, so vector loops stay vectorized, and the
    same code serves the CPU and the GPU. Results whose magnitude is below
    2^-100 may be flushed to zero (DESIGN.md section 5).

    It also lowers `act.lookup`: with `lookup=avx512` (or `avx2`), lookups
    on vectors of 16 (8) lanes or multiples become one `vpermps` or
    `vpermt2ps` per register (LLVM x86 intrinsics); otherwise one extract
    per lane.
  }];
  let options = [
    Option<"accuracy", "accuracy", "::mlir::act::Accuracy",
           "::mlir::act::Accuracy::precise",
           "precise (within 4 ULP) or fast (shorter polynomials)",
           [{::llvm::cl::values(
             clEnumValN(::mlir::act::Accuracy::precise, "precise",
                        "within 4 ULP of the true result"),
             clEnumValN(::mlir::act::Accuracy::fast, "fast",
                        "shorter polynomials, measured bound"))}]>,
    Option<"lookup", "lookup", "::mlir::act::LookupLowering",
           "::mlir::act::LookupLowering::generic",
           "what act.lookup becomes",
           [{::llvm::cl::values(
             clEnumValN(::mlir::act::LookupLowering::generic, "generic",
                        "one extract per lane (any target)"),
             clEnumValN(::mlir::act::LookupLowering::avx2, "avx2",
                        "vpermps on 8 lanes"),
             clEnumValN(::mlir::act::LookupLowering::avx512, "avx512",
                        "vpermps/vpermt2ps on 16 lanes"))}]>
  ];
  let dependentDialects = [
    "::mlir::act::ActDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ActVectorizeElementwise : Pass<"act-vectorize-elementwise"> {
  let summary = "Vectorize elementwise linalg.generic ops on memrefs";
  let description = [{
    Rewrites parallel `linalg.generic` ops on memrefs whose innermost
    dimension is contiguous into loops over vectors of `vector-width`
    elements: the outer dimensions become `scf.for` loops, the innermost
    one a vector main loop plus one masked iteration for the tail (no access
    beyond the end). Operands that do not vary along the innermost dimension
    (a bias or a per-channel parameter) are loaded once and broadcast. The
    body is cloned on vector types, so it must consist of elementwise ops
    (arith, math). Generics of identity-layout memrefs with identity maps
    are first collapsed to one dimension. Other generics are left alone.

    With `interleave` = k > 1, each iteration computes k vectors at once
    (one vector type of k * `vector-width` lanes, which LLVM splits into k
    registers whose instructions interleave): the out-of-order core then
    overlaps k independent dependency chains, which pays off for the long
    chains of exp-based activations. The masked tail covers up to
    k * `vector-width` - 1 elements.

    In functions marked `act.nontemporal_stores` (kernels for arrays much
    larger than the caches), the 1-D main loop stores with aligned
    non-temporal stores after a masked iteration that reaches the output's
    first aligned element: the output then costs no read for ownership.
    With `prefetch-distance` = d > 0 that loop also prefetches its inputs d
    elements ahead (clamped to the last element).
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "elements per vector (16 f32 for AVX-512, 8 for AVX2)">,
    Option<"interleave", "interleave", "int64_t", "1",
           "vectors computed per iteration">,
    Option<"prefetchDistance", "prefetch-distance", "int64_t", "0",
           "in non-temporal loops, prefetch the inputs this many elements "
           "ahead (0: none)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ActLLVMTarget : Pass<"act-llvm-target"> {
  let summary = "Set the target CPU and features of every llvm.func";
  let description = [{
    Records the target in each `llvm.func` (`target_cpu`,
    `target_features`) so that whoever compiles the LLVM IR (the JIT, llc,
    the AOT path) emits code for it: `x86-64-v4` gives AVX-512.
  }];
  let options = [
    Option<"cpu", "cpu", "std::string", "", "LLVM CPU name (x86-64-v4)">,
    Option<"features", "features", "std::string", "",
           "comma-separated LLVM target features (+avx512f,...)">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // ACT_DIALECT_ACT_TRANSFORMS_PASSES_TD
