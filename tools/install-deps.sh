#!/usr/bin/env bash
# Installs TinyTorch's build, test and benchmark dependencies from Debian packages.
# Idempotent: when every package is already present it only checks and exits (about a second).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libtorch-dev libopenblas-dev          # LibTorch oracle; OpenBLAS instead of Debian's slow reference BLAS
  libbenchmark-dev libgtest-dev libgmock-dev
  libfmt-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  python3 python3-matplotlib
  valgrind chromium                     # ttbench: instruction-count gate; HTML report render test
  libopenmpi-dev openmpi-bin
  dataset-fashion-mnist fortunes
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
