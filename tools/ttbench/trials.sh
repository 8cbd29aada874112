#!/usr/bin/env bash
# Measures how well the gate works (issue 6's acceptance): the detection rate of a planted slowdown
# and the false-alarm rate of A/A runs, over TRIALS independent runs gated against one baseline
# made first in a scratch folder (the repository's runs/ and baselines/ are not touched).
#
#   tools/ttbench/trials.sh callgrind 20 'ops/relu/fwd:5'    # instruction-count gate, 5% planted
#   tools/ttbench/trials.sh callgrind 20 ''                  # instruction-count gate, A/A
#   tools/ttbench/trials.sh timing 20 'ops/relu/fwd:10'      # timing gate on a few cases
#   tools/ttbench/trials.sh timing 20 ''
#
# A planted trial counts as detected when a TinyTorch benchmark matching the planted substring is
# flagged; any flag in an A/A trial is a false alarm (flags of other benchmarks in planted trials
# are counted too). Environment: BUILD_DIR (build), FILTER (timing mode's benchmark filter),
# REPETITIONS (timing mode, 10), BASELINE_RUNS (timing mode: runs merged into the baseline, 3),
# CONFIRM (timing mode: 1 gates with --confirm as tools/main.sh does, 0 without), CASES (callgrind
# mode's case filter, ttbench's default).
set -euo pipefail
if [ $# -ne 3 ] || { [ "$1" != callgrind ] && [ "$1" != timing ]; }; then
  echo "usage: $0 callgrind|timing TRIALS 'SUBSTRING:PERCENT' (or '' for A/A)" >&2
  exit 2
fi
mode=$1 trials=$2 planted=$3
BUILD_DIR=${BUILD_DIR:-build}
TTBENCH=${TTBENCH:-$BUILD_DIR/tools/ttbench/ttbench}
FILTER=${FILTER:-'^ops/(relu|add|sum|matmul)/fwd/(tinytorch/optimized|libtorch)/'}
REPETITIONS=${REPETITIONS:-10}
BASELINE_RUNS=${BASELINE_RUNS:-3}
confirm=()
[ "${CONFIRM:-1}" = 1 ] && confirm=(--confirm --build-dir "$BUILD_DIR")
work=$(mktemp -d /tmp/ttbench-trials.XXXXXX)
stores=(--runs-dir "$work/runs" --baselines-dir "$work/baselines")
cases=()
[ -n "${CASES:-}" ] && cases=(--cases "$CASES")

run_timing() {  # $1: planted spec or ''
  "$TTBENCH" run --build-dir "$BUILD_DIR" --suites ops --filter "$FILTER" --repetitions "$REPETITIONS" --quiet \
    --runs-dir "$work/runs" ${1:+--planted "$1"} >/dev/null
}

echo "trials: $mode, $trials trial(s), planted '${planted:-none (A/A)}', scratch $work"
if [ "$mode" = callgrind ]; then
  "$TTBENCH" callgrind --build-dir "$BUILD_DIR" "${cases[@]}" "${stores[@]}" --update-baseline >/dev/null
else
  baseline_runs=()
  for _ in $(seq 1 "$BASELINE_RUNS"); do
    run_timing ""
    baseline_runs+=(--run "$(ls "$work/runs" | grep -v callgrind | tail -n 1)")
  done
  "$TTBENCH" baseline update "${baseline_runs[@]}" "${stores[@]}" >/dev/null
fi

substring=${planted%:*}
detected=0 other=0
for trial in $(seq 1 "$trials"); do
  status=0
  if [ "$mode" = callgrind ]; then
    out=$("$TTBENCH" callgrind --build-dir "$BUILD_DIR" "${cases[@]}" "${stores[@]}" ${planted:+--planted "$planted"}) ||
      status=$?
  else
    run_timing "$planted"
    out=$("$TTBENCH" gate --run "$(ls "$work/runs" | tail -n 1)" "${confirm[@]}" "${stores[@]}" 2>/dev/null) ||
      status=$?
  fi
  [ "$status" -le 1 ] || { echo "trial $trial: ttbench failed with $status" >&2; exit 2; }
  flagged=$(grep -F "| REGRESSION |" <<<"$out" || true)
  hit=0 others=0
  if [ -n "$planted" ]; then
    grep -qF "$substring" <<<"$flagged" && hit=1
    others=$(grep -vF "$substring" <<<"$flagged" | grep -c . || true)
  else
    others=$(grep -c . <<<"$flagged" || true)
  fi
  detected=$((detected + hit))
  other=$((other + (others > 0 ? 1 : 0)))
  echo "trial $trial: planted flagged=$hit, other benchmarks flagged=$others"
done
if [ -n "$planted" ]; then
  echo "detected $detected of $trials planted slowdowns ($planted); trials with other flags: $other of $trials"
else
  echo "false alarms: $other of $trials A/A trials"
fi
