"""Replays every input kept in fuzz/regressions/ through act-opt: parse,
verify, act's passes and act-cpu-pipeline must end in success or in
diagnostics (exit code 0 or 1), never in a crash or a sanitizer report."""
import pathlib
import subprocess
import sys

act_opt, directory = sys.argv[1], pathlib.Path(sys.argv[2])
pipelines = [
    ["--act-expand", "--canonicalize"],
    ["--act-expand=accuracy=fast"],
    ["--act-approximate-gelu=mode=tanh silu-to-hard-swish=1 sigmoid-to-hard-sigmoid=1"],
    ["--act-vectorize-elementwise", "--act-lower-math"],
    ["--act-fuse-glu", "--act-fuse-epilogue", "--act-lower-matmul"],
    ["--act-fuse-glu", "--act-fuse-epilogue", "--act-gpu-matmul"],
    ["--act-fuse-glu", "--act-fuse-epilogue", "--act-gpu-matmul=wgmma"],
    ["--act-cpu-pipeline=target=x86-64-v4"],
]
inputs = sorted(p for p in directory.iterdir() if p.is_file())
bad = 0
for path in inputs:
    for passes in pipelines:
        run = subprocess.run([act_opt, str(path), *passes],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if run.returncode not in (0, 1) or b"Sanitizer" in run.stderr:
            print(f"{path.name} {' '.join(passes)}: exit {run.returncode}")
            print(run.stderr.decode(errors="replace")[-2000:])
            bad += 1
print(f"{len(inputs)} inputs x {len(pipelines)} pipelines: {bad} crashes")
sys.exit(1 if bad else 0)
