#!/usr/bin/env python3
"""Markdown table of a suite's Google Benchmark JSON: one row per case and thread count, the median
wall time of each implementation (the single run's time when there are no repetitions) and each
TinyTorch implementation relative to LibTorch (2.00x = twice LibTorch's time).

    bench_table.py ops.json [train.json ...]
"""
import json
import sys

IMPLS = ["tinytorch/reference", "tinytorch/optimized", "libtorch"]
UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def split_name(name):
    """suite/op/mode/impl.../params/threads=n[/real_time] -> (case, impl, threads)."""
    parts = name.split("/")
    if parts[-1].startswith("real_time"):
        parts.pop()
    return "/".join(parts[:3] + [parts[-2]]), "/".join(parts[3:-2]), int(parts[-1][len("threads="):])


def duration(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds:.3f} s"


def rows(benchmarks):
    table, order = {}, []
    for bench in benchmarks:
        is_median = bench["run_type"] == "aggregate" and bench["aggregate_name"] == "median"
        if bench["run_type"] == "aggregate" and not is_median:
            continue
        case, impl, threads = split_name(bench["run_name"])
        key = (case, threads)
        if key not in table:
            table[key] = {}
            order.append(key)
        cell = table[key].get(impl)
        if cell and cell[1] and not is_median:
            continue
        seconds = bench["real_time"] * UNIT_SECONDS[bench["time_unit"]]
        table[key][impl] = (None if bench.get("error_occurred") else seconds, is_median)
    return order, table


def main(paths):
    print("| case | threads | " + " | ".join(IMPLS) + " | reference/libtorch | optimized/libtorch |")
    print("|---|---|" + "---|" * (len(IMPLS) + 2))
    for path in paths:
        with open(path) as f:
            order, table = rows(json.load(f)["benchmarks"])
        # Sorted: runs with random interleaving list the cases in a different order every time.
        for case, threads in sorted(order):
            cells = {impl: value[0] for impl, value in table[(case, threads)].items()}
            times = [duration(cells[i]) if cells.get(i) else ("error" if i in cells else "skipped") for i in IMPLS]
            base = cells.get("libtorch")
            ratios = [f"{cells[i] / base:.2f}x" if cells.get(i) and base else "-" for i in IMPLS[:2]]
            print(f"| {case} | {threads} | " + " | ".join(times + ratios) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
