"""The GPU GEMM peers, bf16, one JSON line each: cuBLASLt's GELU_BIAS
epilogue (torch._addmm_activation(use_gelu=True), tanh GELU), PyTorch
F.gelu(x @ W + b) (exact GELU, two kernels), and the bare matmul x @ W.
Timed with CUDA events over --repeat calls after warm-up; A is M x K, W is
K x N, both row-major."""
import argparse
import json

import torch
import torch.nn.functional as F

SHAPES = {"8192": (8192, 8192, 8192), "bert": (4096, 768, 3072),
          "llama": (4096, 4096, 11008)}

p = argparse.ArgumentParser()
p.add_argument("--shape", action="append", choices=sorted(SHAPES))
p.add_argument("--repeat", type=int, default=20)
a = p.parse_args()


def timed(fn, repeat):
    fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(True), torch.cuda.Event(True)
    start.record()
    for _ in range(repeat):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / 1e3 / repeat


for shape in a.shape or ["8192", "bert", "llama"]:
    m, k, n = SHAPES[shape]
    g = torch.Generator(device="cuda").manual_seed(0)
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16, generator=g)
    w = torch.randn(k, n, device="cuda", dtype=torch.bfloat16, generator=g)
    w /= k ** 0.5
    b = torch.randn(n, device="cuda", dtype=torch.bfloat16, generator=g)
    peers = {
        "cublaslt_gelu_bias": lambda: torch._addmm_activation(
            b, x, w, use_gelu=True),
        "torch_gelu_addmm": lambda: F.gelu(torch.addmm(b, x, w)),
        "torch_matmul": lambda: x @ w,
    }
    for name, fn in peers.items():
        seconds = timed(fn, a.repeat)
        print(json.dumps({"kernel": name, "shape": shape, "m": m, "k": k,
                          "n": n, "device": torch.cuda.get_device_name(),
                          "seconds": seconds,
                          "tflop_per_s": round(2 * m * n * k / seconds / 1e12,
                                               1)}), flush=True)
