#!/usr/bin/env bash
# gate --confirm end to end with the real suites: a baseline of two runs of ops/relu/fwd at one
# thread; a run with a planted 300% slowdown (far beyond any between-run noise) is flagged, re-run
# and confirmed (exit 1, the summary says so); the re-run is marked as a confirmation, so "latest"
# still names the gated run.
# --basis time: LibTorch's relu sometimes pays page faults on its fresh 4 MB output in one run and
# not in the next (glibc hands large blocks back to the OS), which moves the TinyTorch/LibTorch ratio
# by far more than 100%; this test is about the re-run, not about that.
#   confirm_test.sh TTBENCH BUILD_DIR
set -euo pipefail
ttbench=$1 build_dir=$2
work=$(mktemp -d /tmp/ttbench-confirm.XXXXXX)
trap 'rm -rf "$work"' EXIT
stores=(--runs-dir "$work/runs" --baselines-dir "$work/baselines")
run() {
  "$ttbench" run --build-dir "$build_dir" --suites ops --threads 1 --repetitions 5 --min-time 0.02 --quiet \
    --filter '^ops/relu/fwd/(tinytorch/optimized|libtorch)/' --runs-dir "$work/runs" "$@" >/dev/null
}
run && first=$(ls "$work/runs" | tail -n 1)
sleep 1 && run && second=$(ls "$work/runs" | tail -n 1)
"$ttbench" baseline update --run "$first" --run "$second" "${stores[@]}" >/dev/null
sleep 1 && run --planted 'ops/relu/fwd:300' && gated=$(ls "$work/runs" | tail -n 1)
status=0
summary=$("$ttbench" gate --run latest --basis time --confirm --build-dir "$build_dir" "${stores[@]}" 2>"$work/gate.err") ||
  status=$?
fail() {
  echo "FAILED: $1"
  echo "$summary"
  cat "$work/gate.err"
  exit 1
}
[ "$status" -eq 1 ] || fail "gate --confirm exited $status, expected 1"
grep -q "re-run as .*: 1 confirmed, 0 not confirmed" <<<"$summary" || fail "no confirmation line"
confirmation=$(ls "$work/runs" | tail -n 1)
[ "$confirmation" != "$gated" ] || fail "no confirmation run was stored"
grep -q "\"confirmation_of\": \"$gated\"" "$work/runs/$confirmation/meta.json" || fail "confirmation run not marked"
latest=$("$ttbench" gate --run latest "${stores[@]}" 2>/dev/null | grep -o "run: \`[^\`]*\`" || true)
[ "$latest" = "run: \`$gated\`" ] || fail "latest resolved to '$latest', expected the gated run $gated"
echo "gate --confirm: planted 300% flagged, re-run $confirmation confirmed it; latest = $gated"
