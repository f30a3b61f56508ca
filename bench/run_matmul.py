#!/usr/bin/python3
"""Fused matmul + epilogue against its peers, in one run: act (fused by
act-cpu-pipeline on plain weights; fused on weights act.pack_b packed once;
and unfused: act's matmul then act's activation/GLU),
oneDNN 2.6 matmul with post-ops (prepacked weights), OpenBLAS sgemm + a
separate vectorized pass, PyTorch; BERT up-projection (bias + exact GELU),
SwiGLU gate+up and a LLaMA-7B-size SwiGLU; f32; 1 and 2 threads; GFLOP/s
and fraction of the measured FMA peak. Rounds interleave the peers; each
number is the median over rounds of each run's median. Writes
docs/bench/matmul.json and docs/performance-matmul.md."""

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS_DIR = os.path.join(ROOT, "bench", "peers")
SHAPES = {"bert": "BERT-base up-projection: M=128, K=768, N=3072, bias + "
                  "exact GELU",
          "swiglu": "SwiGLU gate+up: M=128, K=1024, N=2816 (x2)",
          "llama": "LLaMA-7B SwiGLU gate+up: M=128, K=4096, N=11008 (x2)"}
PEERS = ["act_prepacked", "act_fused", "act_unfused", "onednn", "openblas",
         "torch"]
TITLES = {"act_prepacked": "act prepacked", "act_fused": "act fused",
          "act_unfused": "act unfused",
          "onednn": "oneDNN 2.6 post-ops", "openblas": "OpenBLAS + pass",
          "torch": "PyTorch"}
# Thread t on core t for every OpenMP runtime (libomp for act, libgomp for
# oneDNN and PyTorch); OpenBLAS uses its own pthreads.
ENV = {"OMP_PROC_BIND": "close", "OMP_PLACES": "cores"}


def log(msg):
    print(f"[run_matmul] {msg}", file=sys.stderr, flush=True)


def openblas_candidates():
    """The OpenBLAS kernel sets this CPU's flags allow. Debian's OpenBLAS
    0.3.21 does not know newer CPUs (a 2026 Xeon and a Zen 4 EPYC are
    detected as "Prescott", plain SSE3, and run sgemm at ~20 GFLOP/s), so
    the bench names one: choose_openblas_core times these."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((l.split(":", 1)[1].split() for l in f
                          if l.startswith("flags")), [])
    except OSError:
        return []
    candidates = []
    if "avx512f" in flags:
        candidates.append("SkylakeX")
    if "avx2" in flags:
        candidates += ["Zen", "Haswell"]
    return candidates


def choose_openblas_core(binary):
    """The fastest kernel set of openblas_candidates() at the BERT shape on
    one thread (on Zen 4 the AVX2 sets beat SkylakeX: 94-98 against 87-90
    GFLOP/s), so that the peer (and PyTorch, which uses it) runs its best
    kernels. An OPENBLAS_CORETYPE already set wins. Returns the choice and
    what each candidate measured."""
    if "OPENBLAS_CORETYPE" in os.environ:
        return os.environ["OPENBLAS_CORETYPE"], {}
    measured = {}
    for core in openblas_candidates():
        env = dict(os.environ, **ENV, OPENBLAS_CORETYPE=core)
        r = subprocess.run([binary, "--shape", "bert", "--threads", "1",
                            "--repeat", "5"], capture_output=True, text=True,
                           env=env)
        if r.returncode == 0:
            measured[core] = json.loads(
                r.stdout.strip().splitlines()[-1])["gflop_per_s"]
            log(f"OpenBLAS kernel set {core}: {measured[core]} GFLOP/s")
    if not measured:
        return None, measured
    return max(measured, key=measured.get), measured


def build_peers(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    builds = {
        "onednn": (["clang++-22", "-std=c++17", "-O3", "-march=native",
                    "-pthread"], "onednn_matmul.cpp", ["-ldnnl", "-lgomp"]),
        # g++ vectorizes the pass's erff/expf against libmvec (clang 22 did
        # not, even with -fveclib=libmvec).
        "openblas": (["g++", "-std=c++17", "-O3", "-march=native",
                      "-ffast-math", "-fopenmp-simd", "-pthread"],
                     "openblas_matmul.cpp", ["-lopenblas", "-lmvec"]),
    }
    built = {}
    for name, (cxx, src, libs) in builds.items():
        src_path = os.path.join(PEERS_DIR, src)
        out = os.path.join(out_dir, name + "_matmul")
        if not (os.path.exists(out) and
                os.path.getmtime(out) >= os.path.getmtime(src_path)):
            cmd = cxx + [src_path, "-o", out] + libs
            log("build: " + " ".join(shlex.quote(c) for c in cmd))
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                log(f"build of {src} failed; its column is n/a:\n{r.stderr}")
                continue
        built[name] = out
    return built


def run_json(cmd):
    env = dict(os.environ, **ENV)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        log(f"failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def command(peer, shape, threads, built, args):
    bench = os.path.join(args.build, "bin", "act-matmul-bench")
    common = ["--shape", shape, "--threads", str(threads), "--repeat",
              str(args.repeat), "--min-seconds", str(args.min_seconds)]
    if peer.startswith("act_"):
        return [bench, "--variant", peer[4:]] + common
    if peer == "torch":
        return ["/usr/bin/python3", os.path.join(PEERS_DIR, "torch_matmul.py")
                ] + common
    if peer in built:
        return [built[peer]] + common
    return None


def fmt(v, peak):
    return "n/a" if v is None else f"{v:.1f} ({100 * v / peak:.0f}%)"


def ratio(a, b):
    return "n/a" if a is None or b is None else f"{a / b:.2f}x"


def write_markdown(path, results, meta):
    lines = [
        "# Fused matmul + epilogue on the CPU (issue 8)",
        "",
        f"Measured {meta['date']} on {meta['cpu']} ({meta['machine']}), "
        f"git {meta['git']}. Command:",
        "",
        f"    {meta['command']}",
        "",
        "f32, precise mode. Each cell: GFLOP/s (fraction of the FMA peak "
        "measured in the same run with the same thread count). Each number "
        f"is the median over {meta['rounds']} interleaved rounds of each "
        "run's median.",
        "",
        "- act prepacked: the fused act.matmul (bias + GELU, or the GLU "
        "epilogue) on weights that act.pack_b put into act's panel layout "
        "once, outside the timing, as oneDNN's weights are: the like-for-"
        "like comparison with oneDNN.",
        "- act fused: the user-level IR (linalg.matmul + bias add + act.gelu; "
        "two matmuls + act.glu) through act-cpu-pipeline, which fuses it "
        "(act-fuse-epilogue, act-fuse-glu) and lowers it (act-lower-matmul).",
        "- act unfused: act's matmul kernel, then act's activation or GLU "
        "kernel on the stored result.",
        "- oneDNN 2.6: one matmul primitive with bias + eltwise_gelu_erf "
        "post-op (BERT); SwiGLU as two matmuls, eltwise_swish post-op on the "
        "gate and a binary_mul post-op on the up projection. Weights "
        "reordered into oneDNN's layout once, outside the timing "
        "(prepacked); act fused reads plain row-major weights on every call "
        "(and copies them panel by panel).",
        "- OpenBLAS 0.3.21: cblas_sgemm, then a separate pass (bias + erff "
        "GELU, or silu(g) * u) vectorized with libmvec; kernel set "
        f"OPENBLAS_CORETYPE={ENV.get('OPENBLAS_CORETYPE', '(detected)')}, "
        "the fastest at the BERT shape on one thread of "
        f"{meta['openblas_cores'] or 'the one set in the environment'} "
        "(0.3.21 detects newer CPUs as Prescott, SSE3: see "
        "bench/run_matmul.py).",
        "- PyTorch: F.gelu(torch.addmm(b, x, W)); F.silu(x @ Wg) * (x @ Wu) "
        "(same OPENBLAS_CORETYPE).",
        "",
    ]
    for threads in sorted({r["threads"] for r in results["rows"]}):
        peak = results["peak"][str(threads)]
        lines += [f"## {threads} thread(s): peak FMA {peak:.1f} GFLOP/s", "",
                  "| shape | " + " | ".join(TITLES[p] for p in PEERS) +
                  " | prepacked / oneDNN | fused / oneDNN | "
                  "prepacked / OpenBLAS |",
                  "|---" * (len(PEERS) + 4) + "|"]
        for shape in SHAPES:
            row = next((r for r in results["rows"] if r["shape"] == shape and
                        r["threads"] == threads), None)
            if not row:
                continue
            v = row["gflop_per_s"]
            lines.append(
                f"| {shape} | " +
                " | ".join(fmt(v.get(p), peak) for p in PEERS) +
                f" | {ratio(v.get('act_prepacked'), v.get('onednn'))} | "
                f"{ratio(v.get('act_fused'), v.get('onednn'))} | "
                f"{ratio(v.get('act_prepacked'), v.get('openblas'))} |")
        lines.append("")
    lines += ["Shapes:", ""] + [f"- {k}: {v}" for k, v in SHAPES.items()]
    lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--threads", default="1,2")
    p.add_argument("--shapes", default=",".join(SHAPES))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--min-seconds", type=float, default=0.2)
    p.add_argument("--json", default=os.path.join(ROOT, "docs", "bench",
                                                  "matmul.json"))
    p.add_argument("--markdown", default=os.path.join(
        ROOT, "docs", "performance-matmul.md"))
    args = p.parse_args()
    built = build_peers(os.path.join(args.build, "bench-peers"))
    core, cores = (choose_openblas_core(built["openblas"])
                   if "openblas" in built else (None, {}))
    if core:
        ENV["OPENBLAS_CORETYPE"] = core
    threads_list = [int(t) for t in args.threads.split(",")]
    shapes = args.shapes.split(",")
    bench = os.path.join(args.build, "bin", "act-matmul-bench")
    peak = {}
    samples = {}
    for r in range(args.rounds):
        for threads in threads_list:
            res = run_json([bench, "--peak", "--threads", str(threads)])
            peak.setdefault(str(threads), []).append(res["gflop_per_s"])
            for shape in shapes:
                for peer in PEERS:
                    cmd = command(peer, shape, threads, built, args)
                    if not cmd:
                        continue
                    res = run_json(cmd)
                    if res:
                        samples.setdefault((shape, threads, peer), []).append(
                            res["gflop_per_s"])
                        log(f"round {r + 1}: {shape} {threads}t {peer}: "
                            f"{res['gflop_per_s']}")
    rows = []
    for threads in threads_list:
        for shape in shapes:
            v = {peer: statistics.median(samples[(shape, threads, peer)])
                 for peer in PEERS if (shape, threads, peer) in samples}
            rows.append({"shape": shape, "threads": threads,
                         "gflop_per_s": v})
    git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    meta = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "cpu": cpu, "machine": f"{os.cpu_count()} cores", "git": git,
            "rounds": args.rounds,
            "openblas_cores": ", ".join(f"{c} {v:.1f}"
                                        for c, v in cores.items()),
            "command": "bash bench/run_matmul.sh " + " ".join(
                shlex.quote(a) for a in sys.argv[1:])}
    results = {"meta": meta, "rows": rows,
               "peak": {t: statistics.median(v) for t, v in peak.items()},
               "samples": {f"{s}/{t}/{p}": v
                           for (s, t, p), v in samples.items()}}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)
    write_markdown(args.markdown, results, meta)
    log(f"wrote {args.json} and {args.markdown}")


if __name__ == "__main__":
    main()
