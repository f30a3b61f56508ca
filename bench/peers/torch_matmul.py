#!/usr/bin/python3
"""PyTorch (Debian python3-torch) matmul + epilogue peer: BERT is
F.gelu(torch.addmm(b, x, W)) (oneDNN/MKL GEMM, then a separate GELU);
SwiGLU is F.silu(x @ Wg) * (x @ Wu). Prints one JSON line."""

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

SHAPES = {"bert": (128, 768, 3072, False), "swiglu": (128, 1024, 2816, True),
          "llama": (128, 4096, 11008, True)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", default="bert", choices=SHAPES)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=11)
    p.add_argument("--min-seconds", type=float, default=0.2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    m, k, n, glu = SHAPES[a.shape]
    g = torch.Generator().manual_seed(1)
    x = torch.randn(m, k, generator=g)
    w0 = torch.randn(k, n, generator=g) / k ** 0.5
    w1 = torch.randn(k, n, generator=g) / k ** 0.5
    b = torch.randn(n, generator=g) * 0.1
    if glu:
        run = lambda: F.silu(x @ w0) * (x @ w1)
    else:
        run = lambda: F.gelu(torch.addmm(b, x, w0))
    with torch.inference_mode():
        run()
        run()
        samples = []
        for _ in range(a.repeat):
            calls, start = 0, time.perf_counter()
            while True:
                y = run()
                calls += 1
                elapsed = time.perf_counter() - start
                if elapsed >= a.min_seconds:
                    break
            samples.append(elapsed / calls)
    seconds = statistics.median(samples)
    flops = 2.0 * m * k * n * (2 if glu else 1)
    print(json.dumps({"peer": "torch", "shape": a.shape, "threads": a.threads,
                      "seconds_median": seconds,
                      "gflop_per_s": round(flops / seconds / 1e9, 2),
                      "checksum": float(y.double().sum())}))


if __name__ == "__main__":
    main()
