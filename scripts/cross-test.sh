#!/usr/bin/env bash
# make test-arm: the test suite on ARM, under emulation. Builds the engine with Debian's cross
# compiler for 32-bit ARM (armhf: NEON, the class of the paper's Odroid XU4) or 64-bit ARM
# (ARCH=arm64), against Debian's ARM OpenBLAS and stb, and runs the Catch2 suite and the
# command-line tests (the conformance against upstream's printed results included) with
# qemu user-mode emulation: the portable microkernel, 32-bit sizes and the ARM ABI, checked
# on an x86 machine. Installs what it needs (root): the cross compiler, qemu-user and the
# ARM libraries (dpkg --add-architecture). Prints "N passed, M failed" last.
# Environment: ARCH (armhf), CLI_QUICK (1: skip upstream's large cfgs, slow when emulated;
# empty runs them).
set -uo pipefail
cd "$(dirname "$0")/.."
arch=${ARCH:-armhf}
case $arch in
  armhf) triplet=arm-linux-gnueabihf; qemu=qemu-arm; opt="-O2 -mfpu=neon-vfpv4" ;;
  arm64) triplet=aarch64-linux-gnu; qemu=qemu-aarch64; opt="-O2" ;;
  *) echo "test-arm: unknown ARCH=$arch (armhf or arm64)"; echo "0 passed, 1 failed"; exit 1 ;;
esac
say() { echo "test-arm: $*"; }

pkgs=("g++-$triplet" qemu-user "libopenblas-dev:$arch" "libstb-dev:$arch" "libjpeg62-turbo-dev:$arch" "libgomp1:$arch" "libstdc++6:$arch")
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then say "needs root to install packages"; echo "0 passed, 1 failed"; exit 1; fi
  dpkg --print-foreign-architectures | grep -qx "$arch" || dpkg --add-architecture "$arch"
  # An index of some other architecture or suite may fail to download; the install below
  # tells whether what we need arrived.
  apt-get update -qq || say "apt-get update reported errors; trying the install anyway"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    { say "could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

build=build/$arch
libdir=/usr/lib/$triplet
# _FILE_OFFSET_BITS=64 is in the Makefile's flags; the multiarch include directory holds
# the ARM cblas.h.
make -j"$(nproc)" --no-print-directory BUILD="$build" CXX="$triplet-g++" CC="$triplet-gcc" OPT="$opt" \
  CXXFLAGS="-I/usr/include/$triplet" LDLIBS_EXTRA="-L$libdir -Wl,-rpath-link,$libdir" \
  "$build/run_tests" "$build/darknet" || { say "build failed"; echo "0 passed, 1 failed"; exit 1; }

# The test scripts run binaries directly: wrappers run them under qemu (-L /: the ARM
# libraries sit in the multiarch directories of this root).
wrap=$(mktemp -d); trap 'rm -rf "$wrap"' EXIT
for b in run_tests darknet; do
  printf '#!/bin/sh\nexec %s -L / %s "$@"\n' "$qemu" "$(realpath "$build/$b")" > "$wrap/$b"
  chmod +x "$wrap/$b"
done
say "$arch: $("$wrap/darknet" 2>&1 | head -1 | cut -c1-60)..."
CLI_QUICK=${CLI_QUICK-1} bash scripts/run-tests.sh "$wrap/run_tests" "$wrap/darknet"
