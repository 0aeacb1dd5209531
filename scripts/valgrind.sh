#!/usr/bin/env bash
# make valgrind: one `classifier predict` per convolution backend on tests/data/mixed.cfg with
# seeded weights and data/chelsea.png, under memcheck with full leak checking. Any memcheck
# error or leak fails the run. Suppressions (scripts/valgrind.supp) cover only thread-runtime
# internals, each explained there. Prints "ok METHOD" / "FAIL METHOD" and a total line.
# Usage: scripts/valgrind.sh DARKNET_BINARY
set -uo pipefail
DN=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)"; exit 1; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$DN" init tests/data/mixed.cfg "$T/mixed.w" 2>/dev/null || { echo "valgrind: init failed"; exit 1; }
methods=$("$DN" 2>&1 | sed -n 's/.*-method NAME (\([^)]*\)).*/\1/p' | tr -d ' ' | tr ',' ' ')
[ -n "$methods" ] || { echo "valgrind: no method names in the usage text"; exit 1; }
pass=0; failed=0
for m in $methods; do
  if valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible \
       --errors-for-leak-kinds=definite,indirect,possible --suppressions="$here/valgrind.supp" \
       --log-file="$T/$m.log" \
       "$DN" classifier predict cfg/imagenet1k.data tests/data/mixed.cfg "$T/mixed.w" data/chelsea.png \
       -method "$m" -plan - > "$T/$m.out" 2> "$T/$m.err"; then
    echo "ok valgrind: $m"; pass=$((pass + 1))
  else
    echo "FAIL valgrind: $m"; cat "$T/$m.log"; tail -3 "$T/$m.err"; failed=$((failed + 1))
  fi
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
