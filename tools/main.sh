#!/usr/bin/env bash
# The README's main command: install dependencies, build Release, run the quick benchmark profile
# (TinyTorch reference/optimized vs LibTorch), gate it against the committed baseline for this
# machine type (re-running flagged benchmarks to confirm them), and write the markdown + HTML
# report. Exits with the gate's code (0 ok, 1 regression, 2 usage or input error).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
REPETITIONS=${REPETITIONS:-3}  # the committed baseline merges three runs of 5
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j "$(nproc)" --target bench_ops bench_train bench_fma_peak ttbench
TTBENCH="$BUILD_DIR/tools/ttbench/ttbench"
mkdir -p reports
"$TTBENCH" run --build-dir "$BUILD_DIR" --profile quick --repetitions "$REPETITIONS" --quiet
status=0
# --confirm: benchmarks flagged in this run are re-run once; only regressions seen again fail.
"$TTBENCH" gate --run latest --baseline auto --confirm --build-dir "$BUILD_DIR" --summary-out reports/gate-summary.md ||
  status=$?
baseline=(--baseline auto)
[ "$status" -eq 2 ] && baseline=()
"$TTBENCH" report --run latest "${baseline[@]}" --out reports/latest
echo "main: report in reports/latest/report.html (and report.md); gate summary in reports/gate-summary.md; gate exit code $status"
exit "$status"
