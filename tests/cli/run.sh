#!/usr/bin/env bash
# Command-line tests: conformance against recorded upstream outputs, method selection,
# and bad input. Prints "ok NAME", "FAIL NAME: why" or "skip NAME: why" per test.
# Usage: tests/cli/run.sh DARKNET_BINARY   (from the repository root)
set -uo pipefail
DN=$(realpath "$1")
UPCFG=${UPCFG:-/usr/share/darknet/cfg}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
here=$(dirname "$0")
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }
# shellcheck source=/dev/null
for f in "$here"/t_*.sh; do source "$f"; done
