#!/usr/bin/env bash
# Differential check against upstream Darknet (Debian package `darknet`, /usr/bin/darknet).
#   scripts/conformance.sh            live: upstream and ours on every case, every method
#   scripts/conformance.sh --record   rewrite tests/fixtures/conformance/*.out from upstream
# Cases are listed in tests/conformance/cases.txt. Run from the repository root.
set -uo pipefail
cd "$(dirname "$0")/.."
UPSTREAM=${UPSTREAM:-/usr/bin/darknet}
UPCFG=${UPCFG:-/usr/share/darknet/cfg}
record=0; [ "${1:-}" = "--record" ] && record=1
if [ ! -x "$UPSTREAM" ]; then
  echo "conformance: $UPSTREAM not found (apt-get install darknet)" >&2; exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
methods=$(./darknet 2>&1 | sed -n 's/.*-method NAME (\(.*\)).*/\1/p' | tr -d ',')
while IFS='|' read -r name cfg seed image top; do
  name=$(echo $name); cfg=$(echo $cfg); seed=$(echo $seed); image=$(echo $image); top=$(echo $top)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  cfg=${cfg/@up\//$UPCFG/}
  ./darknet init "$cfg" "$tmp/w" -seed "$seed" 2>/dev/null || { echo "FAIL $name: init"; fail=$((fail+1)); continue; }
  "$UPSTREAM" classifier predict cfg/imagenet1k.data "$cfg" "$tmp/w" "$image" -t "$top" > "$tmp/up.out" 2>/dev/null
  if [ $record = 1 ]; then
    mkdir -p tests/fixtures/conformance
    cp "$tmp/up.out" "tests/fixtures/conformance/$name.out"; echo "recorded $name ($(wc -l < "$tmp/up.out") lines)"
    continue
  fi
  for m in $methods; do
    ./darknet classifier predict cfg/imagenet1k.data "$cfg" "$tmp/w" "$image" -t "$top" -method "$m" > "$tmp/ours.out" 2>/dev/null
    if why=$(bash tests/cli/compare_predictions.sh "$tmp/up.out" "$tmp/ours.out"); then
      echo "ok $name $m"; pass=$((pass+1))
    else
      echo "FAIL $name $m: $why"; fail=$((fail+1))
    fi
  done
done < tests/conformance/cases.txt
[ $record = 1 ] && exit 0
echo "conformance: $pass passed, $fail failed"
[ $fail -eq 0 ]
