#!/usr/bin/env bash
# Differential check of upstream's list commands (`classifier valid|valid10`, `detector
# valid|recall`) against upstream Darknet (Debian package `darknet`, /usr/bin/darknet).
#   scripts/conformance-valid.sh            live: upstream and ours on every case, every method
#   scripts/conformance-valid.sh --record   rewrite tests/fixtures/valid/* from upstream
#   ... [--record] NAME...                  only those cases
# Cases: tests/conformance/valid-cases.txt. Run from the repository root. Upstream takes
# about a minute per detector case. Cases named ab-* are AlexeyAB's Darknet's, run by the
# binary ALEXEYAB names (a CPU build, OPENCV=0) and skipped without it.
set -uo pipefail
cd "$(dirname "$0")/.."
UPSTREAM=${UPSTREAM:-/usr/bin/darknet}
INIT=${INIT:-./darknet}  # makes the seeded weights
record=0; [ "${1:-}" = "--record" ] && { record=1; shift; }
only=" $* "
if [ ! -x "$UPSTREAM" ]; then
  echo "conformance-valid: $UPSTREAM not found (apt-get install darknet)" >&2; exit 1
fi
# shellcheck source=tests/cli/valid_lib.sh
source tests/cli/valid_lib.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
methods=$(./darknet 2>&1 | sed -n 's/.*-method NAME (\(.*\)).*/\1/p' | tr -d ',')
while IFS='|' read -r name kind cfg seed head _; do
  name=$(echo $name); kind=$(echo $kind); cfg=$(echo $cfg); seed=$(echo $seed); head=$(echo $head)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  [ "$only" != "  " ] && [ "${only/ $name /}" = "$only" ] && continue
  oracle=$UPSTREAM
  if [ "${name:0:3}" = ab- ]; then
    oracle=${ALEXEYAB:-}
    [ -x "$oracle" ] || { echo "skip $name: AlexeyAB's case; set ALEXEYAB to its darknet binary (a CPU build)"; continue; }
  fi
  valid_weights "$INIT" "$cfg" "$seed" "$head" "$tmp/w" || { echo "FAIL $name: weights"; fail=$((fail+1)); continue; }
  valid_run "$oracle" "$kind" "$cfg" "$tmp/w" "$tmp/up" "$tmp/up.out"
  if [ $record = 1 ]; then
    mkdir -p tests/fixtures/valid
    cp "$tmp/up.out" "tests/fixtures/valid/$name.out"; echo "recorded $name ($(wc -l < "$tmp/up.out") lines)"
    continue
  fi
  for m in $methods; do
    valid_run ./darknet "$kind" "$cfg" "$tmp/w" "$tmp/ours" "$tmp/ours.out" -method "$m"
    if why=$(python3 tests/cli/compare_valid.py "$(valid_mode "$kind")" "$tmp/up.out" "$tmp/ours.out"); then
      echo "ok $name $m $why"; pass=$((pass+1))
    else
      echo "FAIL $name $m: $why"; fail=$((fail+1))
    fi
  done
done < tests/conformance/valid-cases.txt
[ $record = 1 ] && exit 0
echo "conformance-valid: $pass passed, $fail failed"
[ $fail -eq 0 ]
