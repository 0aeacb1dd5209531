#!/usr/bin/env bash
# Runs the Catch2 suite and the command-line tests, then prints one total line:
# "N passed, M failed". Usage: run-tests.sh RUN_TESTS_BINARY DARKNET_BINARY
set -uo pipefail
bin=$1
darknet=$2
# `auto` plans default to the user's cache directory; the tests must neither read nor
# write the user's plan.
XDG_CACHE_HOME=$(mktemp -d)
export XDG_CACHE_HOME
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
catch_args=()
[ -n "${RUN_SLOW:-}" ] && catch_args+=("[slow],~[slow]")
out=$(mktemp)
"$bin" "${catch_args[@]}" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
# Catch2 v2 ends with "All tests passed (A assertions in N test cases)" or
# "test cases: N | P passed | F failed".
if line=$(grep -E "^All tests passed" "$out"); then
  cp=$(sed -E 's/.* in ([0-9]+) test case.*/\1/' <<<"$line"); cf=0
elif line=$(grep -E "^test cases:" "$out" | tail -1); then
  cp=$(grep -oE "[0-9]+ passed" <<<"$line" | grep -oE "[0-9]+" || echo 0)
  cf=$(grep -oE "[0-9]+ failed" <<<"$line" | grep -oE "[0-9]+" || echo 0)
else
  cp=0; cf=1
fi
[ "$rc" -ne 0 ] && [ "$cf" -eq 0 ] && cf=1
rm -f "$out"
cli_out=$(mktemp)
bash tests/cli/run.sh "$darknet" 2>&1 | tee "$cli_out"
lp=$(grep -cE "^ok " "$cli_out")
lf=$(grep -cE "^FAIL " "$cli_out")
rm -f "$cli_out"
echo "catch2: $cp passed, $cf failed; cli: $lp passed, $lf failed"
echo "$((cp + lp)) passed, $((cf + lf)) failed"
[ $((cf + lf)) -eq 0 ]
