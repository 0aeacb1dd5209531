#!/usr/bin/env bash
# make test-qemu-x86: the default build's own binaries (the ones `make test` runs natively)
# run the suite under qemu user-mode emulation of an older x86-64 CPU, Nehalem by default
# (SSE4.2, no AVX): any AVX instruction outside the run-time dispatch would stop a test with
# SIGILL, and the baseline paths (the generic microkernel, the baseline loop builds,
# OpenBLAS's kernel for that CPU) are the ones tested. Installs qemu-user when missing
# (install-deps.sh --qemu). Prints what OpenBLAS and our kernels picked, then
# "N passed, M failed" last.
# Usage: qemu-x86-test.sh RUN_TESTS DARKNET. Environment: QEMU_CPU (Nehalem; qemu-x86_64
# -cpu help lists the models), CLI_QUICK (1: skip upstream's large cfgs, slow when
# emulated; empty runs them).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1 darknet=$2 cpu=${QEMU_CPU:-Nehalem}
say() { echo "test-qemu-x86: $*"; }
bash scripts/install-deps.sh --qemu || { echo "0 passed, 1 failed"; exit 1; }

# The test scripts run binaries directly: wrappers run them under qemu.
wrap=$(mktemp -d); trap 'rm -rf "$wrap"' EXIT
for b in "$bin" "$darknet"; do
  printf '#!/bin/sh\nexec qemu-x86_64 -cpu %s %s "$@"\n' "$cpu" "$(realpath "$b")" > "$wrap/$(basename "$b")"
  chmod +x "$wrap/$(basename "$b")"
done
dn=$wrap/$(basename "$darknet")
"$dn" init cfg/tiny.cfg "$wrap/tiny.weights" -seed 1 2> /dev/null
picked=$(OPENBLAS_VERBOSE=2 "$dn" bench cfg/tiny.cfg "$wrap/tiny.weights" -method packed -iters 1 -warmup 0 2>&1 |
  grep -E "^Core:|OpenBLAS|microkernel|isa" | head -3 | tr '\n' ' ')
say "qemu-x86_64 -cpu $cpu: $picked"
CLI_QUICK=${CLI_QUICK-1} bash scripts/run-tests.sh "$wrap/$(basename "$bin")" "$dn"
