#!/usr/bin/env python3
"""Renders the plots of a ttbench report.

ttbench writes every number of every plot into plot_data.json (it also puts them in the report's
tables); this script only draws them, one PNG per plot, named <id>.png in the output folder:

    python3 plots.py plot_data.json OUT_DIR

Plot kinds: "barh" (grouped horizontal bars, one group per label), "roofline" (points of
arithmetic intensity vs GFLOP/s, with horizontal compute ceilings) and "lines" (series of x, y;
optional per-series "width", "alpha" and "marker" let a wide pale line show beneath others).
Prints the PNG files written, one per line.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend must be chosen first)
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

PLAIN = FuncFormatter(lambda value, _: f"{value:g}")


def plain_log_axis(axis):
    """Log-scale ticks at 1, 2, 5 x powers of ten, labelled plainly (0.5, 1, 2), none in between."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(PLAIN)
    axis.set_minor_formatter(NullFormatter())


COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
          "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"]


def barh(spec, ax):
    labels = spec["labels"]
    series = spec["series"]
    height = 0.8 / max(1, len(series))
    for i, s in enumerate(series):
        ys = [row + (i - (len(series) - 1) / 2) * height for row in range(len(labels))]
        values = [v if v is not None else 0 for v in s["values"]]
        ax.barh(ys, values, height=height, label=s["label"], color=COLORS[i % len(COLORS)])
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    if spec.get("log"):
        ax.set_xscale("log")
        plain_log_axis(ax.xaxis)
    if spec.get("reference") is not None:
        ax.axvline(spec["reference"], color="black", linewidth=0.8, linestyle="--")
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="best")


def roofline(spec, ax):
    for i, s in enumerate(spec["series"]):
        ax.scatter(s["x"], s["y"], label=s["label"], s=18, color=COLORS[i % len(COLORS)])
    xs = [x for s in spec["series"] for x in s["x"]] or [1.0]
    for j, ceiling in enumerate(spec.get("ceilings", [])):
        ax.axhline(ceiling["value"], color="black", linestyle=["-", "--", ":"][j % 3], linewidth=0.9,
                   label=ceiling["label"])
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_log_axis(ax.xaxis)
    plain_log_axis(ax.yaxis)
    ax.set_xlim(min(xs) / 2, max(xs) * 2)
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.set_ylabel(spec.get("ylabel", ""))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="best")


def lines(spec, ax):
    for i, s in enumerate(spec["series"]):
        ax.plot(s["x"], s["y"], marker=s.get("marker", "o"), markersize=3, label=s["label"],
                color=COLORS[i % len(COLORS)], linewidth=s.get("width", 1.5), alpha=s.get("alpha", 1.0))
    if spec.get("log"):
        ax.set_yscale("log")
        plain_log_axis(ax.yaxis)
    if spec.get("reference") is not None:
        ax.axhline(spec["reference"], color="black", linewidth=0.8, linestyle="--")
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.set_ylabel(spec.get("ylabel", ""))
    if spec.get("xticklabels"):
        ax.set_xticks(range(len(spec["xticklabels"])))
        ax.set_xticklabels(spec["xticklabels"], rotation=45, ha="right", fontsize=6)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plots.py plot_data.json OUT_DIR")
    with open(sys.argv[1]) as f:
        data = json.load(f)
    out_dir = sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    draw = {"barh": barh, "roofline": roofline, "lines": lines}
    for spec in data["plots"]:
        rows = len(spec.get("labels", [])) or 8
        height = min(40.0, max(3.5, 0.22 * rows * max(1, len(spec.get("series", [])) / 2) + 1.5))
        fig, ax = plt.subplots(figsize=(9, height if spec["kind"] == "barh" else 5))
        draw[spec["kind"]](spec, ax)
        ax.set_title(spec["title"], fontsize=10)
        fig.tight_layout()
        path = os.path.join(out_dir, spec["id"] + ".png")
        fig.savefig(path, dpi=90)
        plt.close(fig)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
