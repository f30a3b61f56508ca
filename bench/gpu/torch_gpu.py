"""PyTorch's F.gelu / F.silu on the GPU, f32, out of place, timed with CUDA
events over 20 calls after warm-up; one JSON line each (act-gpu-launch's
format)."""
import argparse
import json

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--elements", type=int, default=1 << 28)
a = p.parse_args()
x = torch.linspace(-8, 8, a.elements, device="cuda", dtype=torch.float32)
for name, fn in [("gelu", F.gelu), ("silu", F.silu)]:
    y = fn(x)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(True), torch.cuda.Event(True)
    start.record()
    for _ in range(20):
        y = fn(x)
    end.record()
    torch.cuda.synchronize()
    seconds = start.elapsed_time(end) / 1e3 / 20
    print(json.dumps({"kernel": f"torch_{name}",
                      "device": torch.cuda.get_device_name(),
                      "elements": a.elements, "seconds_median": seconds,
                      "gb_per_s": round(8 * a.elements / seconds / 1e9, 2)}))
