#!/usr/bin/env bash
# The README's main command: install dependencies, build Release, run the smoke benchmark of a few
# ops in TinyTorch (each backend) and LibTorch side by side, and print the comparison table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j "$(nproc)" --target bench_smoke
mkdir -p runs
# OpenBLAS keeps its own thread pool; the binary also sets it, the variable covers start-up.
OPENBLAS_NUM_THREADS=1 "$BUILD_DIR/suites/bench_smoke" --benchmark_min_time=0.2 \
  --benchmark_out=runs/smoke.json --benchmark_out_format=json
echo "main: results in runs/smoke.json"
