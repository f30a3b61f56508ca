#!/usr/bin/python3
"""PyTorch (Debian python3-torch 1.13) elementwise peer; act-run's JSON."""

import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch

# act name -> (description of the call, function(x, y) writing into y). Every
# one is an out= overload (no allocation inside the timed loop). torch.relu and
# F.gelu have no out=: relu is clamp_min(x, 0, out=y) (same values, NaN
# propagates) and gelu uses the ATen op behind F.gelu, torch._C._nn.gelu.
CALLS = {
    "relu": ("torch.clamp_min(x, 0.0, out=y)",
             lambda x, y: torch.clamp_min(x, 0.0, out=y)),
    "leaky_relu": ("torch._C._nn.leaky_relu(x, 0.01, out=y)",
                   lambda x, y: torch._C._nn.leaky_relu(x, 0.01, out=y)),
    "elu": ("torch._C._nn.elu(x, 1.0, 1.0, 1.0, out=y)",
            lambda x, y: torch._C._nn.elu(x, 1.0, 1.0, 1.0, out=y)),
    "relu6": ("torch._C._nn.hardtanh(x, 0.0, 6.0, out=y)",
              lambda x, y: torch._C._nn.hardtanh(x, 0.0, 6.0, out=y)),
    "sigmoid": ("torch.sigmoid(x, out=y)",
                lambda x, y: torch.sigmoid(x, out=y)),
    "hard_sigmoid": ("torch._C._nn.hardsigmoid(x, out=y)",
                     lambda x, y: torch._C._nn.hardsigmoid(x, out=y)),
    "silu": ("torch._C._nn.silu(x, out=y)",
             lambda x, y: torch._C._nn.silu(x, out=y)),
    "hard_swish": ("torch._C._nn.hardswish(x, out=y)",
                   lambda x, y: torch._C._nn.hardswish(x, out=y)),
    "gelu": ("torch._C._nn.gelu(x, out=y)",
             lambda x, y: torch._C._nn.gelu(x, out=y)),
    "gelu_tanh": ("torch._C._nn.gelu(x, approximate='tanh', out=y)",
                  lambda x, y: torch._C._nn.gelu(x, approximate="tanh", out=y)),
    "mish": ("torch._C._nn.mish(x, out=y)",
             lambda x, y: torch._C._nn.mish(x, out=y)),
    "softplus": ("torch._C._nn.softplus(x, 1.0, 20.0, out=y)",
                 lambda x, y: torch._C._nn.softplus(x, 1.0, 20.0, out=y)),
}


def cpu_capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def load_input(path, elements):
    """--input as float32, else x uniform in [-6, 6] with seed 0."""
    if path:
        x = np.load(path)
        if x.dtype != np.float32:
            raise SystemExit(f"error: {path}: dtype must be float32")
        return np.ascontiguousarray(x).reshape(-1)
    return np.random.default_rng(0).uniform(-6, 6, elements).astype(np.float32)


def measure(call, repeat, warmup, min_sample_ms, max_seconds):
    """Median seconds per call, as bench_common.h's measure() does it."""
    for _ in range(warmup):
        call()
    t0 = time.perf_counter()
    call()
    one = max(time.perf_counter() - t0, 1e-9)
    batch = max(1, int(np.ceil(min_sample_ms * 1e-3 / one)))
    per_call = []
    start = time.perf_counter()
    for r in range(repeat):
        elapsed = time.perf_counter() - start
        if max_seconds > 0 and r >= 3 and elapsed > max_seconds:
            break
        s = time.perf_counter()
        for _ in range(batch):
            call()
        per_call.append((time.perf_counter() - s) / batch)
    return statistics.median(per_call), min(per_call), len(per_call), batch


def run(req):
    """One measurement; req has the keys of the command-line options."""
    name = req["activation"]
    if name not in CALLS:
        raise SystemExit(f"error: unknown activation {name}")
    desc, fn = CALLS[name]
    threads = int(req.get("threads", 1))
    torch.set_num_threads(threads)
    x_np = load_input(req.get("input"), int(req.get("elements", 16384)))
    x = torch.from_numpy(x_np)
    y = torch.empty_like(x)
    n = x.numel()
    med, mn, samples, batch = measure(
        lambda: fn(x, y), int(req.get("repeat", 21)), int(req.get("warmup", 3)),
        float(req.get("min_sample_ms", 2.0)), float(req.get("max_seconds", 0)))
    if req.get("output"):
        np.save(req["output"], y.numpy())
    return {
        "kernel": f"torch_{name}", "elements": n, "threads": threads,
        "seconds_median": med, "gelem_per_s": n / med * 1e-9,
        "gb_per_s": 2 * 4 * n / med * 1e-9, "seconds_min": mn,
        "samples": samples, "batch": batch, "call": desc,
        "torch": torch.__version__, "cpu_capability": cpu_capability(),
        "torch_threads": torch.get_num_threads(),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--activation", help=" ".join(CALLS))
    p.add_argument("--elements", type=int, default=16384)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=21)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--min-sample-ms", type=float, default=2.0)
    p.add_argument("--max-seconds", type=float, default=0.0)
    p.add_argument("--input")
    p.add_argument("--output")
    p.add_argument("--bench", action="store_true", help="accepted, always on")
    p.add_argument("--serve", action="store_true",
                   help="read one JSON request per stdin line (keys as the "
                   "options, with _ for -), answer one JSON line each; avoids "
                   "paying torch's start-up per measurement")
    a = p.parse_args()
    if a.serve:
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(run(json.loads(line))), flush=True)
        return
    if not a.activation:
        p.error("--activation is required")
    print(json.dumps(run(vars(a))), flush=True)


if __name__ == "__main__":
    main()
