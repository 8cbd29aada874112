#!/usr/bin/env python3
"""Runs a suite binary on a small selection and checks its Google Benchmark JSON: the context
fields every result needs, every case run by all three implementations at every thread count
(apart from reference runs the profile skips, which the context must list), both modes per op,
the counters on every run and the aggregates from the repetitions.

    check_bench_json.py --out ops.json -- bench_ops --case=relu,cross_entropy
"""
import argparse
import collections
import json
import subprocess
import sys

CONTEXT_FIELDS = [
    # machine and build (add_run_context)
    "cpu_model", "cpu_isa_flags", "libtorch_blas", "libtorch_blas_core", "libtorch_version", "libtorch_parallel",
    "compiler", "cxx_flags", "build_type", "git_commit", "tinytorch_backends", "tinytorch_isa", "thread_policy",
    "environment",
    # the run (run_suite)
    "suite", "profile", "threads", "implementations", "timing", "correctness_check", "reference_flop_budget",
    "reference_skipped", "dataset_source",
    # Google Benchmark's own
    "date", "num_cpus", "caches", "library_build_type",
]
COUNTERS = ["FLOP/s", "bytes_per_second", "items_per_second", "peak_memory_bytes", "num_threads"]
AGGREGATES = ["mean", "median", "stddev", "cv"]
IMPLEMENTATIONS = {"tinytorch/reference", "tinytorch/optimized", "libtorch"}


def parse_name(name):
    """suite/op/mode/impl.../params/threads=n[/real_time] -> (case key, impl, threads)."""
    parts = name.split("/")
    if parts[-1].startswith("real_time"):
        parts.pop()
    if len(parts) < 6 or not parts[-1].startswith("threads="):
        raise ValueError(f"benchmark name {name!r} does not follow suite/op/mode/impl/params/threads=n")
    key = "/".join(parts[:3] + [parts[-2]])
    return key, "/".join(parts[3:-2]), int(parts[-1][len("threads="):])


def check(data, repetitions):
    problems = []
    context = data["context"]
    problems += [f"context lacks {field!r}" for field in CONTEXT_FIELDS if field not in context]
    impls = set(context.get("implementations", "").split(","))
    if impls != IMPLEMENTATIONS:
        problems.append(f"context implementations {sorted(impls)} != {sorted(IMPLEMENTATIONS)}")
    threads = {int(t) for t in context.get("threads", "").split(",") if t}
    if threads != {1, 2}:
        problems.append(f"context threads {sorted(threads)} != [1, 2]")
    skipped = context.get("reference_skipped", "")

    seen = collections.defaultdict(set)
    aggregates = collections.defaultdict(set)
    for bench in data["benchmarks"]:
        key, impl, n = parse_name(bench["run_name"])
        if bench.get("error_occurred"):
            problems.append(f"{bench['name']}: error {bench.get('error_message')}")
        if bench["run_type"] == "aggregate":
            aggregates[bench["run_name"]].add(bench["aggregate_name"])
            continue
        seen[key].add((impl, n))
        missing = [c for c in COUNTERS if c not in bench]
        if missing:
            problems.append(f"{bench['name']}: missing counters {missing}")
            continue
        if bench["num_threads"] != n:
            problems.append(f"{bench['name']}: num_threads counter {bench['num_threads']} != {n}")
        if bench["peak_memory_bytes"] <= 0:
            problems.append(f"{bench['name']}: peak_memory_bytes {bench['peak_memory_bytes']} <= 0")
        # Google Benchmark's MemoryManager fields, on every repetition (1.7.1 loses all but the last
        # repetition's unless the suite's reporter repairs them).
        if "allocs_per_iter" not in bench or "max_bytes_used" not in bench:
            problems.append(f"{bench['name']} repetition {bench.get('repetition_index')}: no allocs_per_iter/max_bytes_used")
        elif bench["max_bytes_used"] != bench["peak_memory_bytes"] or not 0 < bench["allocs_per_iter"] < 1e4:
            problems.append(f"{bench['name']} repetition {bench.get('repetition_index')}: max_bytes_used "
                            f"{bench['max_bytes_used']} (peak_memory_bytes {bench['peak_memory_bytes']}), "
                            f"allocs_per_iter {bench['allocs_per_iter']}")
        if bench["FLOP/s"] < 0:  # 0 for ops without arithmetic (embedding)
            problems.append(f"{bench['name']}: FLOP/s {bench['FLOP/s']} < 0")
        for rate in ["bytes_per_second", "items_per_second"]:
            if bench[rate] <= 0:
                problems.append(f"{bench['name']}: {rate} {bench[rate]} <= 0")

    if not seen:
        problems.append("no benchmarks in the JSON")
    for key, runs in sorted(seen.items()):
        for impl in sorted(IMPLEMENTATIONS):
            for n in sorted(threads):
                if (impl, n) in runs:
                    continue
                reference_skip = impl == "tinytorch/reference" and key in skipped
                if not reference_skip:
                    problems.append(f"{key}: no {impl} run at threads={n}")
    modes = collections.defaultdict(set)
    for key in seen:
        suite, op, mode, _ = key.split("/")
        modes[(suite, op)].add(mode)
    for (suite, op), found in modes.items():
        if suite == "ops" and found != {"fwd", "fwdbwd"}:
            problems.append(f"{suite}/{op}: modes {sorted(found)}, expected fwd and fwdbwd")
    if repetitions > 1:
        for bench in data["benchmarks"]:
            if bench["run_type"] == "iteration":
                lacking = set(AGGREGATES) - aggregates[bench["run_name"]]
                if lacking:
                    problems.append(f"{bench['run_name']}: missing aggregates {sorted(lacking)}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True, help="where the benchmark writes its JSON")
    parser.add_argument("--repetitions", type=int, default=2)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    command += [f"--benchmark_out={args.out}", "--benchmark_out_format=json",
                f"--benchmark_repetitions={args.repetitions}"]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    print(result.stdout)
    if result.returncode != 0:
        print(f"FAILED: {' '.join(command)} exited with {result.returncode}")
        return 1
    with open(args.out) as f:
        problems = check(json.load(f), args.repetitions)
    for problem in problems:
        print("FAILED: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
