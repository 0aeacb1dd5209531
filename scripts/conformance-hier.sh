#!/usr/bin/env bash
# Softmax trees against upstream Darknet (Debian package `darknet`, /usr/bin/darknet):
#   scripts/conformance-hier.sh            live: upstream and ours on every case, every method
#   scripts/conformance-hier.sh --record   rewrite tests/fixtures/hier/*.out from upstream
# Cases: tests/conformance/hier-cases.txt. Run from the repository root. Upstream's
# `detector test` is given -out (its OpenCV build opens a window otherwise).
set -uo pipefail
cd "$(dirname "$0")/.."
UPSTREAM=${UPSTREAM:-/usr/bin/darknet}
UPCFG=${UPCFG:-/usr/share/darknet/cfg}
record=0; [ "${1:-}" = "--record" ] && record=1
[ -x "$UPSTREAM" ] || { echo "conformance-hier: $UPSTREAM not found (apt-get install darknet)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
methods=$(./darknet 2>&1 | sed -n 's/.*-method NAME (\(.*\)).*/\1/p' | tr -d ',')
while IFS='|' read -r name cmd data cfg seed image args; do
  name=$(echo $name); cmd=$(echo $cmd); data=$(echo $data); cfg=$(echo $cfg); seed=$(echo $seed); image=$(echo $image)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  data=${data/@up\//$UPCFG/}; cfg=${cfg/@up\//$UPCFG/}
  out=(); [ "$cmd" = "detector test" ] && out=(-out "$tmp/pred")
  ./darknet init "$cfg" "$tmp/w" -seed "$seed" 2>/dev/null || { echo "FAIL $name: init"; fail=$((fail+1)); continue; }
  # shellcheck disable=SC2086
  "$UPSTREAM" $cmd "$data" "$cfg" "$tmp/w" $image $args "${out[@]}" > "$tmp/up.out" 2>/dev/null
  if [ $record = 1 ]; then
    mkdir -p tests/fixtures/hier
    cp "$tmp/up.out" "tests/fixtures/hier/$name.out"; echo "recorded $name ($(wc -l < "$tmp/up.out") lines)"
    continue
  fi
  for m in $methods; do
    # shellcheck disable=SC2086
    ./darknet $cmd "$data" "$cfg" "$tmp/w" $image $args "${out[@]}" -method "$m" > "$tmp/ours.out" 2>/dev/null
    if cmp -s <(sed -E 's/Predicted in [0-9.]+/P/' "$tmp/up.out") <(sed -E 's/Predicted in [0-9.]+/P/' "$tmp/ours.out"); then
      echo "ok $name $m"; pass=$((pass+1))
    else
      echo "FAIL $name $m: $(diff <(sed -E 's/Predicted in [0-9.]+/P/' "$tmp/up.out") <(sed -E 's/Predicted in [0-9.]+/P/' "$tmp/ours.out") | head -3 | tr '\n' ' ')"; fail=$((fail+1))
    fi
  done
done < tests/conformance/hier-cases.txt
[ $record = 1 ] && exit 0
echo "conformance-hier: $pass passed, $fail failed"
[ $fail -eq 0 ]
