#!/usr/bin/python3
"""Cycles per iteration of a loop of independent AVX-512 instructions.

Tells which zmm instructions compete for the same execution pipes on the
host CPU, which decides how act's elementwise formulas should be shaped for
it (docs/elementwise-tuning.md). Each MIX is a list of COUNTxOP terms, e.g.
"16xfma 16xpermps": the loop body issues that many of each instruction, round
robin, every one reading loop-invariant registers and writing its own, so
nothing depends on anything and only the pipes limit the rate. The clock is
measured in the same program with a chain of dependent integer additions
(one cycle each on every x86 core).

Usage: /usr/bin/python3 bench/uarch/port_mix.py [--cc clang-22] MIX...
       /usr/bin/python3 bench/uarch/port_mix.py --classes
(--classes runs each instruction alone and next to fma and add, 16 of each.)
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# {d}: a destination zmm register, {k}: a destination mask register.
# zmm1, zmm2, zmm3 and k1 hold the invariant inputs.
OPS = {
    "fma": "vfmadd231ps %%zmm1, %%zmm2, %%zmm{d}",
    "mul": "vmulps %%zmm1, %%zmm2, %%zmm{d}",
    "add": "vaddps %%zmm1, %%zmm2, %%zmm{d}",
    "minps": "vminps %%zmm1, %%zmm2, %%zmm{d}",
    "permps": "vpermps %%zmm2, %%zmm1, %%zmm{d}",
    "permt2ps": "vpermt2ps %%zmm3, %%zmm1, %%zmm{d}",
    "paddd": "vpaddd %%zmm1, %%zmm2, %%zmm{d}",
    "pminsd": "vpminsd %%zmm1, %%zmm2, %%zmm{d}",
    "pand": "vpandd %%zmm1, %%zmm2, %%zmm{d}",
    "pslld": "vpslld $3, %%zmm1, %%zmm{d}",
    "cmpps": "vcmpltps %%zmm1, %%zmm2, %%k{k}",
    "pcmpgtd": "vpcmpgtd %%zmm1, %%zmm2, %%k{k}",
    "blend": "vblendmps %%zmm1, %%zmm2, %%zmm{d}%{{%%k1%}}",
    "movd2m": "vpmovd2m %%zmm1, %%k{k}",
    "ptestmd": "vptestmd %%zmm1, %%zmm2, %%k{k}",
    "fpclassps": "vfpclassps $0x40, %%zmm1, %%k{k}",
    "cvtdq2ps": "vcvtdq2ps %%zmm1, %%zmm{d}",
    "rndscaleps": "vrndscaleps $0, %%zmm1, %%zmm{d}",
    "getexpps": "vgetexpps %%zmm1, %%zmm{d}",
    "scalefps": "vscalefps %%zmm1, %%zmm2, %%zmm{d}",
    "rcp14ps": "vrcp14ps %%zmm1, %%zmm{d}",
    "divps": "vdivps %%zmm1, %%zmm2, %%zmm{d}",
    "load": "vmovups (%0), %%zmm{d}",
}

PROGRAM = r"""
#include <stdio.h>
#include <time.h>
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static float data[64] __attribute__((aligned(64)));
int main(void) {
  for (int i = 0; i < 64; ++i) data[i] = 1.0f + i * 0.01f;
  asm volatile("vbroadcastss (%0), %%zmm1\n vbroadcastss 4(%0), %%zmm2\n"
               "vbroadcastss 8(%0), %%zmm3\n kxnorw %%k0, %%k0, %%k1"
               :: "r"(data) : "memory");
  const long clockIterations = 200000000, iterations = 10000000;
  long chain = 0;
  double t0 = now();
  for (long i = 0; i < clockIterations; ++i)
    asm volatile("add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0"
                 : "+r"(chain));
  double hz = 4.0 * clockIterations / (now() - t0);
  double best = 1e30;
  for (int round = 0; round < 3; ++round) {
    t0 = now();
    for (long i = 0; i < iterations; ++i)
      asm volatile(BODY :: "r"(data) : "memory");
    double t = now() - t0;
    if (t < best) best = t;
  }
  printf("%.2f %.3f\n", best * hz / iterations, hz / 1e9);
  return 0;
}
"""


def parse(mix):
    ops = []
    for term in mix.split():
        m = re.fullmatch(r"(\d+)x(\w+)", term)
        if not m or m.group(2) not in OPS:
            sys.exit(f"port_mix: bad term '{term}' (COUNTxOP, OP one of "
                     f"{', '.join(OPS)})")
        ops.append((m.group(2), int(m.group(1))))
    return ops


def body(ops):
    queues = [[name] * count for name, count in ops]
    lines, d, k = [], 4, 2
    while any(queues):
        for q in queues:
            if q:
                lines.append('"' + OPS[q.pop()].format(d=d, k=k) + '\\n"')
                d = d + 1 if d < 31 else 4
                k = k + 1 if k < 7 else 2
    return "\n".join(lines)


def run(cc, mix, workdir):
    source = os.path.join(workdir, "mix.c")
    binary = os.path.join(workdir, "mix")
    with open(source, "w") as f:
        f.write(PROGRAM.replace("BODY", body(parse(mix))))
    subprocess.run([cc, "-O2", "-mavx512f", source, "-o", binary], check=True)
    cycles, ghz = subprocess.run([binary], capture_output=True, text=True,
                                 check=True).stdout.split()
    return float(cycles), float(ghz)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cc", default="clang-22")
    p.add_argument("--classes", action="store_true")
    p.add_argument("mixes", nargs="*")
    a = p.parse_args()
    mixes = a.mixes
    if a.classes:
        mixes = []
        for op in OPS:
            mixes += [f"16x{op}", f"16x{op} 16xfma", f"16x{op} 16xadd"]
    if not mixes:
        p.error("give a MIX or --classes")
    with tempfile.TemporaryDirectory() as workdir:
        for mix in mixes:
            try:
                cycles, ghz = run(a.cc, mix, workdir)
            except (OSError, subprocess.CalledProcessError) as e:
                sys.exit(f"port_mix: '{mix}' failed: {e}")
            print(f"{mix:40s} {cycles:7.2f} cycles/iteration  ({ghz:.2f} GHz)",
                  flush=True)


if __name__ == "__main__":
    main()
