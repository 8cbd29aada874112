#!/usr/bin/env bash
# The README's test command: install dependencies, build (Release, warnings on), run every test with
# CTest, then build the LibTorch-free threaded-kernel tests with ThreadSanitizer and run them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTINYTORCH_BUILD_TESTS=ON
cmake --build "$BUILD_DIR" -j "$(nproc)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"

TSAN_DIR=${TSAN_DIR:-$BUILD_DIR-tsan}
cmake -S . -B "$TSAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-g1 -DTINYTORCH_SANITIZE=thread \
  -DTINYTORCH_BUILD_TESTS=OFF -DTINYTORCH_BUILD_SUITES=OFF -DTINYTORCH_BUILD_THREADED_TESTS=ON
cmake --build "$TSAN_DIR" -j "$(nproc)" --target test_threaded_kernels
# halt_on_error makes any reported race fail the test instead of only printing it.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ctest --test-dir "$TSAN_DIR" --output-on-failure -L threaded
