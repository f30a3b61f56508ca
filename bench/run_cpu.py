#!/usr/bin/python3
"""CPU elementwise benchmark: act-run vs memcpy, oneDNN, PyTorch, C++ loops.

Builds the peers in bench/peers, writes the inputs, runs every measurement in
one session (rounds interleaving all peers, median over rounds of each run's
median), and writes docs/bench/cpu-elementwise.json, docs/performance-cpu.md
and the plots in docs/bench/. See bench/README.md for the method.
"""

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS_DIR = os.path.join(ROOT, "bench", "peers")

ACTIVATIONS = ["relu", "leaky_relu", "elu", "relu6", "sigmoid", "hard_sigmoid",
               "silu", "hard_swish", "gelu", "gelu_tanh", "mish", "softplus"]
COPIES = ["memcpy", "memcpy_nt"]
PEERS = ["act", "onednn", "torch", "cpp"]
PEER_TITLES = {"act": "act", "onednn": "oneDNN 2.6", "torch": "PyTorch 1.13",
               "cpp": "C++ loop"}
# oneDNN 2.6 has no hardsigmoid (added in 3.0).
ONEDNN_MISSING = {"hard_sigmoid"}
BYTES_PER_ELEMENT = 8  # f32 forward: 4 bytes read + 4 bytes written.
# Multi-threaded runs: thread t on CPU t for every OpenMP runtime (libgomp for
# oneDNN and PyTorch, libomp if act-run uses it); the C++ peers get --pin.
# Without it, this VM's kernel (sched_vcpu_pack) sometimes stacks both threads
# on one CPU.
PIN_ENV = {"OMP_PROC_BIND": "close", "OMP_PLACES": "cores"}


def log(msg):
    print(f"[run_cpu] {msg}", file=sys.stderr, flush=True)


def parse_list(text, conv=str):
    return [conv(v) for v in text.replace(",", " ").split()]


def parse_size(text):
    """16384, 16K, 10M, 1e7 -> int."""
    t = text.strip().upper()
    mult = {"K": 1024, "M": 1_000_000}.get(t[-1:], 1)
    if mult != 1:
        t = t[:-1]
    return int(float(t) * mult)


#===-----------------------------------------------------------------------===#
# Reference values for the correctness check (float64, not code under test).
#===-----------------------------------------------------------------------===#

def _softplus(x):
    return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0))))


_ERFC = np.vectorize(math.erfc, otypes=[np.float64])
REFERENCE = {
    "relu": lambda x: np.maximum(x, 0.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "relu6": lambda x: np.clip(x, 0.0, 6.0),
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "hard_sigmoid": lambda x: np.clip(x + 3.0, 0.0, 6.0) / 6.0,
    "silu": lambda x: x / (1.0 + np.exp(-x)),
    "hard_swish": lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,
    "gelu": lambda x: 0.5 * x * _ERFC(-x / math.sqrt(2.0)),
    "gelu_tanh": lambda x: 0.5 * x * (1.0 + np.tanh(
        math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3))),
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "softplus": _softplus,
}


def compare(y, x, activation):
    """Max abs error and max error in float32 ULPs of the reference."""
    ref = REFERENCE[activation](x.astype(np.float64))
    err = np.abs(y.astype(np.float64) - ref)
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    ulp = np.maximum(ulp, np.spacing(np.float32(2.0 ** -126)))
    ulps = err / ulp
    i = int(np.argmax(ulps))
    bad = bool(np.any(err > 1e-3 + 1e-3 * np.abs(ref)))
    return {"max_abs_error": float(err.max()), "max_ulp": float(ulps.max()),
            "worst_x": float(x[i]), "status": "MISMATCH" if bad else "ok"}


#===-----------------------------------------------------------------------===#
# Machine, builds, inputs
#===-----------------------------------------------------------------------===#

def capture(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""


def machine_info(cxx):
    lscpu = {}
    for line in capture(["lscpu"]).splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            lscpu[k.strip()] = v.strip()
    keys = ["Model name", "CPU(s)", "Core(s) per socket", "Socket(s)",
            "Thread(s) per core", "L1d cache", "L2 cache", "L3 cache",
            "Hypervisor vendor", "CPU max MHz"]
    env = {k: v for k, v in os.environ.items()
           if k.startswith(("OPENBLAS_", "OMP_", "GOMP_", "KMP_", "DNNL_",
                            "ONEDNN_", "ATEN_"))}
    return {
        "cpu_model": lscpu.get("Model name", platform.processor()),
        "lscpu": {k: lscpu[k] for k in keys if k in lscpu},
        "flags_avx512f": "avx512f" in lscpu.get("Flags", ""),
        "nproc": os.cpu_count(),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "compiler": capture([cxx, "--version"]).splitlines()[0] if cxx else "",
        "env": env,
        "git_head": capture(["git", "-C", ROOT, "rev-parse", "HEAD"]),
        "git_dirty": bool(capture(["git", "-C", ROOT, "status", "--porcelain",
                                   "--untracked-files=no"])),
    }


def find_compiler(requested):
    for c in ([requested] if requested else ["clang++-22", "g++"]):
        if shutil.which(c):
            return c
    return None


def build_peers(cxx, build_dir, cxxflags):
    """Builds the C++ peers when their sources are newer; returns name->path."""
    os.makedirs(build_dir, exist_ok=True)
    header = os.path.join(PEERS_DIR, "bench_common.h")
    targets = {"copy": ("copy.cpp", []), "cpp": ("cpp_loop.cpp", []),
               "onednn": ("onednn_eltwise.cpp", ["-ldnnl", "-lgomp"])}
    built = {}
    for name, (src, libs) in targets.items():
        src_path = os.path.join(PEERS_DIR, src)
        out = os.path.join(build_dir, os.path.splitext(src)[0])
        if (os.path.exists(out) and os.path.getmtime(out) >= max(
                os.path.getmtime(src_path), os.path.getmtime(header))):
            built[name] = out
            continue
        if name == "onednn" and not os.path.exists("/usr/include/dnnl.hpp"):
            log("oneDNN missing (libdnnl-dev): the oneDNN column is n/a")
            continue
        cmd = [cxx, "-std=c++17", *cxxflags, "-pthread", src_path, "-o", out,
               *libs]
        log("build: " + " ".join(shlex.quote(c) for c in cmd))
        r = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if r.returncode != 0:
            log(f"build of {src} failed; its column is n/a:\n"
                f"{r.stderr[-3000:]}")
            continue
        built[name] = out
    return built


def make_inputs(sizes, data_dir):
    """x uniform in [-6, 6], float32, seed 0: one .npy per size."""
    os.makedirs(data_dir, exist_ok=True)
    paths = {}
    for n in sizes:
        path = os.path.join(data_dir, f"x_{n}.npy")
        if (not os.path.exists(path)
                or np.load(path, mmap_mode="r").shape != (n,)):
            x = np.random.default_rng(0).uniform(-6.0, 6.0, n)
            x = x.astype(np.float32)
            np.save(path, x)
        paths[n] = path
    return paths


#===-----------------------------------------------------------------------===#
# Running the peers
#===-----------------------------------------------------------------------===#

class TorchServer:
    """torch_eltwise.py --serve: one process, torch's start-up paid once."""

    def __init__(self, env):
        self.proc = None
        try:
            self.proc = subprocess.Popen(
                [sys.executable, os.path.join(PEERS_DIR, "torch_eltwise.py"),
                 "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True, bufsize=1, env=env)
        except OSError as e:
            log(f"PyTorch peer unavailable: {e}")

    def request(self, req):
        if self.proc is None or self.proc.poll() is not None:
            return None, "torch server not running"
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            return None, "torch server exited"
        line = self.proc.stdout.readline()
        if not line:
            return None, "torch server exited (python3-torch missing?)"
        return json.loads(line), None

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def last_json_line(text):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    return None


def peer_env(pin, threads=None):
    env = dict(os.environ, **(PIN_ENV if pin else {}))
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    return env


def pin_for(args, threads):
    """Pin multi-threaded runs only: a single thread left to the OS avoids a
    CPU that something else is using; two threads pinned cannot stack."""
    return args.pin and threads > 1


def run_process(cmd, env, timeout):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                           timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    if r.returncode != 0:
        return None, (r.stderr.strip() or f"exit status {r.returncode}")[-500:]
    try:
        rec = last_json_line(r.stdout)
    except json.JSONDecodeError as e:
        return None, f"bad JSON: {e}"
    return (rec, None) if rec else (None, "no JSON line on stdout")


class Runner:
    def __init__(self, args, binaries, act_run, tmp_dir):
        self.args = args
        self.bin = binaries
        self.act_run = act_run
        self.tmp = tmp_dir
        self.has_torch = importlib.util.find_spec("torch") is not None
        if not self.has_torch:
            log("torch not importable (python3-torch): PyTorch column is n/a")
        self.torch_servers = {}  # pinned -> TorchServer

    def torch_server(self, pinned):
        if pinned not in self.torch_servers:
            self.torch_servers[pinned] = TorchServer(peer_env(pinned))
        return self.torch_servers[pinned]

    def close(self):
        for server in self.torch_servers.values():
            server.close()

    def available(self, peer, activation):
        if peer == "act":
            return self.act_run is not None
        if peer == "torch":
            return self.has_torch
        if peer == "onednn" and activation in ONEDNN_MISSING:
            return False
        return peer in self.bin

    def run(self, peer, activation, n, threads, x_path, repeat, warmup,
            output=None):
        """One measurement; returns (record, error)."""
        a = self.args
        out = output or os.path.join(self.tmp, f"y_{peer}.npy")
        common = ["--threads", str(threads), "--input", x_path,
                  "--repeat", str(repeat)]
        timing = ["--warmup", str(warmup), "--min-sample-ms",
                  str(a.min_sample_ms), "--max-seconds", str(a.max_seconds)]
        pinned = pin_for(a, threads)
        if peer == "act":
            name, extra = activation, []
            if activation == "gelu_tanh":
                name, extra = "gelu", ["--approximation", "tanh"]
            cmd = [self.act_run, "--activation", name, *extra, *common,
                   "--output", out, "--bench", *shlex.split(a.act_args)]
            return run_process(cmd, peer_env(pinned, threads), a.timeout)
        if peer == "torch":
            return self.torch_server(pinned).request({
                "activation": activation, "threads": threads, "input": x_path,
                "repeat": repeat, "warmup": warmup,
                "min_sample_ms": a.min_sample_ms, "max_seconds": a.max_seconds,
                "output": output})
        binary = self.bin[peer]
        cmd = [binary, "--activation", activation, *common, *timing]
        if pinned:
            cmd.append("--pin")
        if output:
            cmd += ["--output", output]
        return run_process(cmd, peer_env(pinned, threads), a.timeout)


def run_checks(runner, activations, x_path):
    """Every peer once at 1 thread, output against the float64 reference."""
    x = np.load(x_path)
    checks = []
    for activation in activations:
        for peer in PEERS:
            entry = {"peer": peer, "activation": activation}
            if not runner.available(peer, activation):
                entry["status"] = "n/a"
            else:
                out = os.path.join(runner.tmp, f"check_{peer}_{activation}.npy")
                if os.path.exists(out):
                    os.remove(out)
                rec, err = runner.run(peer, activation, len(x), 1, x_path,
                                      repeat=1, warmup=0, output=out)
                if err or not os.path.exists(out):
                    entry.update(status="error", error=err or "no output file")
                else:
                    y = np.load(out).reshape(-1)
                    entry.update(compare(y, x, activation))
                    entry["kernel"] = rec.get("kernel") if rec else None
                    os.remove(out)
            checks.append(entry)
            if entry["status"] not in ("ok", "n/a"):
                log(f"check {peer} {activation}: {entry}")
    return checks


def measure_all(runner, sizes, threads_list, activations, inputs):
    """Rounds over every (size, threads) block; inside a block each
    activation's peers run back to back, in an order rotated per round."""
    a = runner.args
    raw, errors = [], []
    blocks = [(n, t) for n in sizes for t in threads_list]
    per_block = len(COPIES) + len(activations) * len(PEERS)
    total = a.rounds * len(blocks) * per_block
    done = 0
    for rnd in range(a.rounds):
        order = blocks if rnd % 2 == 0 else blocks[::-1]
        peers = PEERS[rnd % len(PEERS):] + PEERS[:rnd % len(PEERS)]
        for n, t in order:
            jobs = [("copy", c) for c in COPIES]
            jobs += [(p, act) for act in activations for p in peers]
            for peer, activation in jobs:
                done += 1
                if not runner.available(peer, activation):
                    continue
                rec, err = runner.run(peer, activation, n, t, inputs[n],
                                      a.repeat, a.warmup)
                meta = {"round": rnd, "peer": peer, "activation": activation,
                        "size": n, "threads": t,
                        "loadavg_1min": round(os.getloadavg()[0], 2)}
                if err:
                    errors.append({**meta, "error": err})
                    log(f"{peer} {activation} n={n} t={t}: {err}")
                    continue
                bad = ("no positive seconds_median"
                       if not rec.get("seconds_median", 0) > 0 else
                       f"reported elements {rec.get('elements')} != {n}"
                       if rec.get("elements", n) != n else None)
                if bad:
                    errors.append({**meta, "error": bad})
                    log(f"{peer} {activation} n={n} t={t}: {bad}")
                    continue
                # The harness's own keys win; a peer that reports another
                # thread count (or none: act-run) keeps it as reported_threads.
                record = {**rec, **meta, "reported_threads": rec.get("threads")}
                raw.append(record)
                if a.verbose:
                    log(f"[{done}/{total}] {peer:6} {activation:12} n={n} t={t}"
                        f" {n / rec['seconds_median'] * 1e-9:.3f} Gelem/s")
            log(f"round {rnd + 1}/{a.rounds} n={n} threads={t} done "
                f"({done}/{total} jobs)")
    return raw, errors


def summarize(raw):
    """Median over rounds of each run's seconds_median."""
    groups = {}
    for r in raw:
        groups.setdefault((r["peer"], r["activation"], r["size"], r["threads"]),
                          []).append(r)
    summary = []
    for (peer, activation, n, t), recs in sorted(groups.items()):
        secs = statistics.median(r["seconds_median"] for r in recs)
        summary.append({
            "peer": peer, "activation": activation, "size": n, "threads": t,
            "kernel": recs[0].get("kernel"), "rounds": len(recs),
            "seconds_median": secs, "gelem_per_s": n / secs * 1e-9,
            "gb_per_s": BYTES_PER_ELEMENT * n / secs * 1e-9,
            "spread": (max(r["seconds_median"] for r in recs) /
                       min(r["seconds_median"] for r in recs)),
        })
    return summary


#===-----------------------------------------------------------------------===#
# Reports
#===-----------------------------------------------------------------------===#

def fmt_size(n):
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1024 == 0:
        return f"{n // 1024}K"
    return str(n)


def lookup(summary):
    return {(s["peer"], s["activation"], s["size"], s["threads"]): s
            for s in summary}


def ratio(a, b):
    if a is None or b is None:
        return None
    return a["gelem_per_s"] / b["gelem_per_s"]


def cell(s):
    if s is None:
        return "n/a"
    return f"{s['gelem_per_s']:.3g} ({s['gb_per_s']:.3g})"


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}x"


TARGETS = [
    # (description, column, activations, size, threads (None: all), peer,
    #  min ratio of Gelem/s)
    ("10M f32, every activation >= 0.9x memcpy", "10M vs memcpy",
     ACTIVATIONS, 10_000_000, None, "memcpy", 0.9),
    ("16K f32 GELU exact >= 2x oneDNN eltwise_gelu_erf (1 thread)",
     "16K vs oneDNN", ["gelu"], 16384, 1, "onednn", 2.0),
    ("16K f32 SiLU, Mish, softplus >= 1.5x oneDNN (1 thread)",
     "16K vs oneDNN", ["silu", "mish", "softplus"], 16384, 1, "onednn", 1.5),
]


def evaluate_targets(summary, sizes, threads_list):
    look = lookup(summary)
    out = []
    for desc, column, acts, n, t, peer, need in TARGETS:
        if n not in sizes:
            continue
        rows = []
        for thr in ([t] if t else threads_list):
            if thr not in threads_list:
                continue
            for act in acts:
                act_s = look.get(("act", act, n, thr))
                if peer == "memcpy":
                    ref = look.get(("copy", "memcpy", n, thr))
                else:
                    ref = look.get((peer, act, n, thr))
                r = ratio(act_s, ref)
                status = ("missing" if r is None else
                          "pass" if r >= need else "FAIL")
                rows.append({"activation": act, "threads": thr, "ratio": r,
                             "status": status})
        if rows:
            out.append({"target": desc, "column": column, "need": need,
                        "rows": rows})
    return out


def write_markdown(path, meta, summary, checks, targets, sizes, threads_list,
                   activations, plots):
    look = lookup(summary)
    m = meta["machine"]
    vm = m["lscpu"].get("Hypervisor vendor")
    vm = f", VM ({vm})" if vm else ""
    lines = [
        "# CPU elementwise performance",
        "",
        "Generated by `bench/run_cpu.py`; do not edit by hand. Reproduce with:",
        "",
        "```sh",
        "bash bench/run_cpu.sh   # installs deps, builds act, then runs:",
        meta["command"],
        "```",
        "",
        f"- Machine: {m['cpu_model']}, {m['nproc']} CPUs "
        f"({m['lscpu'].get('Core(s) per socket', '?')} cores/socket, "
        f"{m['lscpu'].get('Thread(s) per core', '?')} thread/core), "
        f"L2 {m['lscpu'].get('L2 cache', '?')}, "
        f"L3 {m['lscpu'].get('L3 cache', '?')}{vm}",
        f"- Date: {meta['date']}; git {m['git_head'][:12]}"
        f"{' (dirty)' if m['git_dirty'] else ''}; compiler: {m['compiler']}",
        f"- Load average before/after: {meta['loadavg_before']} / "
        f"{meta['loadavg_after']}"
        + (" **(machine was busy: numbers are noisy)**"
           if max(meta["loadavg_before"][0], meta["loadavg_after"][0]) > 0.5
           else ""),
        f"- Rounds: {meta['config']['rounds']}, repeats per run: "
        f"{meta['config']['repeat']} (median; see bench/README.md)"
        + (" — **--quick smoke run, not for quoting**"
           if meta["config"]["quick"] else ""),
        f"- act-run: {meta['act_run'] or 'missing: act column n/a'}",
        "",
        "Cells are Gelem/s (GB/s, bytes read + written = 8 per element). "
        "Ratios compare Gelem/s; memcpy and memcpy_nt copy the same bytes.",
        "",
    ]
    if targets:
        # One row per activation, one column per (target column, threads).
        columns, cells = [], {}
        for tg in targets:
            for r in tg["rows"]:
                col = (tg["column"], r["threads"])
                if col not in columns:
                    columns.append(col)
                cells[(r["activation"], col)] = (
                    f"{fmt_ratio(r['ratio'])} {r['status']} "
                    f"(need {tg['need']:g}x)")
        lines += ["## Acceptance targets (act, precise)", ""]
        lines += [f"- {tg['target']}" for tg in targets]
        lines += ["", "| activation | " + " | ".join(
            f"{c}, {t} thread{'s' if t > 1 else ''}" for c, t in columns)
            + " |", "|---" * (len(columns) + 1) + "|"]
        for act in activations:
            row = [cells.get((act, col), "") for col in columns]
            if any(row):
                lines.append(f"| {act} | " + " | ".join(row) + " |")
        lines.append("")
    for n in sizes:
        for t in threads_list:
            cp = look.get(("copy", "memcpy", n, t))
            nt = look.get(("copy", "memcpy_nt", n, t))
            lines += [f"## {fmt_size(n)} elements ({n}), {t} thread"
                      f"{'s' if t > 1 else ''}", "",
                      f"memcpy: {cell(cp)}; memcpy_nt: {cell(nt)}", "",
                      "| activation | act Gelem/s | act GB/s | oneDNN "
                      "| PyTorch "
                      "| C++ loop | act/memcpy | act/memcpy_nt | act/oneDNN |",
                      "|---|---|---|---|---|---|---|---|---|"]
            for act in activations:
                s = {p: look.get((p, act, n, t)) for p in PEERS}
                a = s["act"]
                act_gelem = "n/a" if a is None else f"{a['gelem_per_s']:.3g}"
                act_gb = "n/a" if a is None else f"{a['gb_per_s']:.3g}"
                lines.append(
                    f"| {act} | {act_gelem} | {act_gb}"
                    f" | {cell(s['onednn'])} | {cell(s['torch'])}"
                    f" | {cell(s['cpp'])} | {fmt_ratio(ratio(a, cp))}"
                    f" | {fmt_ratio(ratio(a, nt))}"
                    f" | {fmt_ratio(ratio(a, s['onednn']))} |")
            plot = plots.get((n, t))
            if plot:
                lines += ["", f"![{fmt_size(n)}, {t} thread(s)]"
                          f"(bench/{os.path.basename(plot)})"]
            lines.append("")
    lines += [
        "## Peers",
        "",
        "- memcpy: glibc `memcpy` per thread chunk; memcpy_nt: AVX-512 "
        "`_mm512_stream_ps` + `sfence` (bench/peers/copy.cpp).",
        "- oneDNN 2.6 (Debian libdnnl, OpenMP/libgomp, threads via "
        "`omp_set_num_threads` and OMP_NUM_THREADS): eltwise_relu (alpha 0 / "
        "0.01 for leaky_relu), eltwise_elu, eltwise_clip(0, 6) for relu6, "
        "eltwise_logistic, eltwise_swish (alpha 1), eltwise_hardswish, "
        "eltwise_gelu_erf, eltwise_gelu_tanh, eltwise_mish, eltwise_soft_relu "
        "(log(1 + e^x): softplus with beta 1). No hardsigmoid in 2.6: n/a.",
        "- PyTorch 1.13 (Debian, OpenMP, `torch.set_num_threads`): out= "
        "overloads, no allocation in the loop; relu is `torch.clamp_min(x, 0, "
        "out=y)`, gelu is `torch._C._nn.gelu(x, [approximate='tanh',] out=y)` "
        "(F.gelu has no out=). ATen splits elementwise work across threads "
        "only above 32768 elements, so 16K runs on one thread either way.",
        "- C++ loop: one `for` loop per activation with <cmath> (std::erfc, "
        "std::exp, std::tanh, std::log1p, std::expm1), "
        f"{meta['config']['cxxflags']}.",
        "- Threads: " + ("runs with more than one thread are pinned, thread t "
                         "on CPU t (OMP_PROC_BIND=close OMP_PLACES=cores; "
                         "--pin for the C++ peers); 1-thread runs are not."
                         if meta["config"]["pin"] else
                         "not pinned (--no-pin)."),
        "",
        "Method, mapping of every activation and caveats: bench/README.md.",
        "",
    ]
    if checks:
        lines += ["## Correctness check (16K input, 1 thread, against float64)",
                  "", "Max error in float32 ULPs of the reference (and max "
                  "absolute error); huge ULP counts with tiny absolute errors "
                  "come from the far negative tail, where the result is tiny "
                  "and a formula like 1 + tanh(...) cancels. MISMATCH means "
                  "some |error| > 1e-3 + 1e-3·|ref| (a different function, "
                  "not rounding).", "",
                  "| activation | " + " | ".join(PEER_TITLES[p] for p in PEERS)
                  + " |", "|---" * (len(PEERS) + 1) + "|"]
        by = {(c["peer"], c["activation"]): c for c in checks}
        for act in activations:
            row = []
            for p in PEERS:
                c = by.get((p, act))
                if c is None or c["status"] == "n/a":
                    row.append("n/a")
                elif c["status"] == "error":
                    row.append("error")
                else:
                    row.append(f"{c['max_ulp']:.3g} ulp "
                               f"(abs {c['max_abs_error']:.2g})"
                               + ("" if c["status"] == "ok" else " MISMATCH"))
            lines.append(f"| {act} | " + " | ".join(row) + " |")
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def write_plots(out_dir, summary, sizes, threads_list, activations):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing (python3-matplotlib): no plots")
        return {}
    look = lookup(summary)
    plots = {}
    colors = {"act": "#d62728", "onednn": "#1f77b4", "torch": "#ff7f0e",
              "cpp": "#7f7f7f"}
    for n in sizes:
        for t in threads_list:
            fig, ax = plt.subplots(figsize=(13, 4.5))
            width = 0.8 / len(PEERS)
            xs = np.arange(len(activations))
            bottom = min([s["gelem_per_s"] for s in summary
                          if s["size"] == n and s["threads"] == t] or [1.0])
            for i, p in enumerate(PEERS):
                vals = [look.get((p, a, n, t)) for a in activations]
                pos = xs + (i - (len(PEERS) - 1) / 2) * width
                ax.bar(pos, [v["gelem_per_s"] if v else 0 for v in vals], width,
                       label=PEER_TITLES[p], color=colors[p])
                for x, v in zip(pos, vals):
                    if v is None:
                        ax.text(x, bottom, "n/a", rotation=90, ha="center",
                                va="bottom", fontsize=7, color=colors[p])
            for c, style in (("memcpy", "--"), ("memcpy_nt", ":")):
                s = look.get(("copy", c, n, t))
                if s:
                    ax.axhline(s["gelem_per_s"], color="k", linestyle=style,
                               linewidth=1, label=c)
            ax.set_yscale("log")
            ax.set_xticks(xs)
            ax.set_xticklabels(activations, rotation=30, ha="right")
            ax.set_ylabel("Gelem/s (log scale, higher is better)")
            ax.set_title(f"f32 elementwise forward, {fmt_size(n)} elements, "
                         f"{t} thread{'s' if t > 1 else ''}")
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
            ax.grid(axis="y", which="both", alpha=0.3)
            fig.tight_layout()
            path = os.path.join(out_dir,
                                f"cpu-elementwise-{fmt_size(n)}-{t}t.png")
            fig.savefig(path, dpi=110)
            plt.close(fig)
            plots[(n, t)] = path
    return plots


#===-----------------------------------------------------------------------===#
# Main
#===-----------------------------------------------------------------------===#

def main():
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 1 round, 5 repeats, short samples")
    p.add_argument("--sizes", default="16384,10000000",
                   help="element counts (16K, 10M accepted)")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--activations", default=",".join(ACTIVATIONS),
                   help="subset of: " + " ".join(ACTIVATIONS))
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 5)")
    p.add_argument("--repeat", type=int, help="samples per run (default 21)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--min-sample-ms", type=float,
                   help="a sample batches calls up to this long (default 2)")
    p.add_argument("--max-seconds", type=float,
                   help="per-run sampling budget, >= 3 samples (default 1.5)")
    build = os.environ.get("ACT_BUILD_DIR", os.path.join(ROOT, "build"))
    p.add_argument("--act-run", default=os.path.join(build, "bin", "act-run"),
                   help="act's runner (default $ACT_BUILD_DIR/bin/act-run)")
    p.add_argument("--act-args", default="",
                   help="extra act-run arguments, e.g. '--accuracy fast'")
    p.add_argument("--build-dir", default=os.path.join(build, "bench"),
                   help="peer binaries and input .npy files")
    p.add_argument("--cxx", help="C++ compiler (default clang++-22, else g++)")
    p.add_argument("--cxxflags", default="-O3 -march=native")
    p.add_argument("--out-dir", default=os.path.join(ROOT, "docs"),
                   help="gets performance-cpu.md and bench/")
    p.add_argument("--no-check", action="store_true",
                   help="skip the correctness check of every peer")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--no-pin", dest="pin", action="store_false",
                   help="leave thread placement to the OS (default for runs "
                   "with more than one thread: thread t on CPU t, "
                   "OMP_PROC_BIND=close OMP_PLACES=cores)")
    p.add_argument("--timeout", type=float, default=300.0,
                   help="seconds per peer process")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()

    a.rounds = a.rounds or (1 if a.quick else 5)
    a.repeat = a.repeat or (5 if a.quick else 21)
    a.min_sample_ms = a.min_sample_ms or (1.0 if a.quick else 2.0)
    a.max_seconds = a.max_seconds or (0.3 if a.quick else 1.5)
    sizes = parse_list(a.sizes, parse_size)
    threads_list = parse_list(a.threads, int)
    activations = parse_list(a.activations)
    unknown = [x for x in activations if x not in ACTIVATIONS]
    if unknown:
        p.error(f"unknown activations {unknown}; known: {ACTIVATIONS}")

    command = " ".join(shlex.quote(x) for x in
                       ["/usr/bin/python3", "bench/run_cpu.py", *sys.argv[1:]])
    loadavg_before = [round(v, 2) for v in os.getloadavg()]
    if loadavg_before[0] > 0.5:
        log(f"warning: load average {loadavg_before[0]} (other work running): "
            "timings will be noisy, multi-thread ones especially")
    started = time.time()

    cxx = find_compiler(a.cxx)
    if cxx is None:
        log("no C++ compiler: C++ peers are n/a")
    binaries = build_peers(cxx, a.build_dir, a.cxxflags.split()) if cxx else {}
    inputs = make_inputs(sizes, os.path.join(a.build_dir, "data"))
    tmp_dir = os.path.join(a.build_dir, "tmp")
    os.makedirs(tmp_dir, exist_ok=True)

    act_run = a.act_run if os.access(a.act_run, os.X_OK) else None
    if act_run is None:
        log(f"{a.act_run} not found: the act column is reported missing")
    runner = Runner(a, binaries, act_run, tmp_dir)
    try:
        checks = []
        if not a.no_check:
            check_size = min(sizes, key=lambda n: abs(n - 16384))
            log(f"correctness check at {check_size} elements")
            checks = run_checks(runner, activations, inputs[check_size])
        raw, errors = measure_all(runner, sizes, threads_list, activations,
                                  inputs)
        torch_info = next((r for r in raw if r["peer"] == "torch"), {})
        onednn_info = next((r for r in raw if r["peer"] == "onednn"), {})
    finally:
        runner.close()

    summary = summarize(raw)
    targets = evaluate_targets(summary, sizes, threads_list)
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
        "command": command,
        "seconds": round(time.time() - started, 1),
        "loadavg_before": loadavg_before,
        "loadavg_after": [round(v, 2) for v in os.getloadavg()],
        "machine": machine_info(cxx),
        "act_run": act_run,
        "peers": {
            "cxxflags": a.cxxflags, "built": sorted(binaries),
            "onednn_impl": onednn_info.get("impl"),
            "onednn_isa": onednn_info.get("isa"),
            "torch": torch_info.get("torch"),
            "torch_cpu_capability": torch_info.get("cpu_capability"),
        },
        "config": {"quick": a.quick, "sizes": sizes, "threads": threads_list,
                   "activations": activations, "rounds": a.rounds,
                   "repeat": a.repeat, "warmup": a.warmup,
                   "min_sample_ms": a.min_sample_ms,
                   "max_seconds": a.max_seconds, "act_args": a.act_args,
                   "pin": a.pin, "cxxflags": a.cxxflags,
                   "bytes_per_element": BYTES_PER_ELEMENT},
    }
    bench_dir = os.path.join(a.out_dir, "bench")
    os.makedirs(bench_dir, exist_ok=True)
    plots = {} if a.no_plots else write_plots(bench_dir, summary, sizes,
                                              threads_list, activations)
    json_path = os.path.join(bench_dir, "cpu-elementwise.json")
    with open(json_path, "w") as f:
        json.dump({**meta, "targets": targets, "checks": checks,
                   "summary": summary, "errors": errors, "results": raw}, f,
                  indent=1)
        f.write("\n")
    md_path = os.path.join(a.out_dir, "performance-cpu.md")
    write_markdown(md_path, meta, summary, checks, targets, sizes,
                   threads_list, activations, plots)
    log(f"wrote {json_path}, {md_path} and {len(plots)} plots "
        f"in {meta['seconds']} s")
    bad = [c for c in checks if c["status"] in ("MISMATCH", "error")]
    return 1 if bad or errors else 0


if __name__ == "__main__":
    sys.exit(main())
