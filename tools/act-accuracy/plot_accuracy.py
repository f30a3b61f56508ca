#!/usr/bin/python3
# ===- plot_accuracy.py - Plot act-accuracy's error against x --------------===#
#
# Draws max ULP error per x bucket, one panel per function and one line per
# mode, from the CSV that `act-accuracy --csv` writes.
#
# ===-----------------------------------------------------------------------===#
#
# Usage: /usr/bin/python3 plot_accuracy.py results.csv [-o accuracy.png]
#            [--functions gelu,gelu_grad] [--raw]
#
# --raw plots the error before the derivatives' absolute rule. Errors are on
# a symlog axis (linear below 1 ulp); infinite errors (wrong special values)
# are drawn at the top edge. The panel title gives the worst error beyond
# x = +-20 as well. Needs Debian's /usr/bin/python3 (matplotlib).

import argparse
import csv
import math
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PRECISE_BOUND = 4.0


def read(path, functions, raw):
    """{function: {mode: ([x], [ulp], below, above)}} in file order."""
    column = "max_ulp_raw" if raw else "max_ulp"
    data = defaultdict(dict)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            name, mode = row["function"], row["mode"]
            if functions and name not in functions:
                continue
            xs, ys, tails = data[name].setdefault(mode, ([], [], {}))
            if int(row["count"]) == 0:
                continue
            lo, hi = float(row["x_lo"]), float(row["x_hi"])
            ulp = float(row[column])
            if math.isinf(lo) or math.isinf(hi):
                tails["below" if math.isinf(lo) else "above"] = ulp
            elif not math.isnan(lo):
                xs.append((lo + hi) / 2)
                ys.append(ulp)
    return data


def main():
    parser = argparse.ArgumentParser(
        description="Plot act-accuracy's max ULP error against x."
    )
    parser.add_argument("csv")
    parser.add_argument("-o", "--output", default="accuracy.png")
    parser.add_argument("--functions", default="")
    parser.add_argument("--raw", action="store_true")
    args = parser.parse_args()
    functions = set(filter(None, args.functions.split(",")))

    data = read(args.csv, functions, args.raw)
    if not data:
        sys.exit(f"plot_accuracy.py: no data in {args.csv}")

    finite = [
        y
        for modes in data.values()
        for xs, ys, tails in modes.values()
        for y in list(ys) + list(tails.values())
        if not math.isinf(y)
    ]
    top = max([PRECISE_BOUND * 2] + finite) * 2

    cols = min(5, len(data))
    rows = (len(data) + cols - 1) // cols
    fig, axes = plt.subplots(
        rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False, sharex=True
    )
    for ax, (name, modes) in zip(axes.flat, data.items()):
        notes = []
        for mode, (xs, ys, tails) in modes.items():
            ys = [top if math.isinf(y) else y for y in ys]
            ax.plot(xs, ys, drawstyle="steps-mid", linewidth=0.8, label=mode)
            for side in ("below", "above"):
                if side in tails:
                    where = "x<-20" if side == "below" else "x>=20"
                    notes.append(f"{mode} {where}: {tails[side]:.3g}")
        ax.axhline(PRECISE_BOUND, color="red", linestyle="--", linewidth=0.6)
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_ylim(0, top)
        ax.set_title(name + "\n" + ", ".join(notes), fontsize=7)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6, loc="upper left")
    for ax in list(axes.flat)[len(data):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("x", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("max ULP error" + (" (raw)" if args.raw else ""),
                      fontsize=8)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
