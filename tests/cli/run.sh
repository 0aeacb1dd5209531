#!/usr/bin/env bash
# Command-line tests: conformance against recorded upstream outputs (classification and
# detection), method selection, and bad input. Prints "ok NAME", "FAIL NAME: why" or
# "skip NAME: why" per test.
# Usage: tests/cli/run.sh DARKNET_BINARY   (from the repository root)
set -uo pipefail
DN=$(realpath "$1")
UPCFG=${UPCFG:-/usr/share/darknet/cfg}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# `auto` plans go to the user's cache directory by default: keep the tests' apart.
export XDG_CACHE_HOME=$T/cache
here=$(dirname "$0")
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }
# Bad input: exit status 1, the last stderr line "darknet: ..." naming the file and the
# problem, nothing on stdout, never a crash or a hang.
expect_error() {  # NAME SUBSTRING COMMAND...
  local name=$1 want=$2; shift 2
  timeout 60 "$@" > "$T/eo" 2> "$T/ee" < /dev/null
  local rc=$? last; last=$(tail -1 "$T/ee")
  if [ $rc -ne 1 ]; then fail "error: $name" "exit $rc (want 1): $last"; return; fi
  case "$last" in darknet:*"$want"*) ;; *) fail "error: $name" "last stderr line \"$last\" lacks \"$want\""; return;; esac
  if [ -s "$T/eo" ]; then fail "error: $name" "wrote to stdout: $(head -c 100 "$T/eo")"; return; fi
  ok "error: $name"
}
# CLI_TESTS="methods auto" runs only t_methods.sh and t_auto.sh (scripts/test-matrix.sh).
# shellcheck source=/dev/null
for f in "$here"/t_*.sh; do
  if [ -n "${CLI_TESTS:-}" ]; then n=${f##*/t_}; [[ " $CLI_TESTS " == *" ${n%.sh} "* ]] || continue; fi
  source "$f"
done
