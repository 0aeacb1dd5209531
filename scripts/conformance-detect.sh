#!/usr/bin/env bash
# Differential check of object detection against upstream Darknet (Debian package
# `darknet`, /usr/bin/darknet).
#   scripts/conformance-detect.sh            live: upstream and ours on every case, every method
#   scripts/conformance-detect.sh --record   rewrite tests/fixtures/detect/*.out from upstream
# Cases are listed in tests/conformance/detect-cases.txt. Run from the repository root.
# Upstream is always given -out: without it, its OpenCV build opens a window after saving
# and aborts on a machine without a display.
set -uo pipefail
cd "$(dirname "$0")/.."
UPSTREAM=${UPSTREAM:-/usr/bin/darknet}
UPCFG=${UPCFG:-/usr/share/darknet/cfg}
record=0; [ "${1:-}" = "--record" ] && record=1
if [ ! -x "$UPSTREAM" ]; then
  echo "conformance-detect: $UPSTREAM not found (apt-get install darknet)" >&2; exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
methods=$(./darknet 2>&1 | sed -n 's/.*-method NAME (\(.*\)).*/\1/p' | tr -d ',')
# detector test DATA CFG W IMAGE, or detect CFG W IMAGE (which reads cfg/coco.data).
args() {  # COMMAND CFG WEIGHTS IMAGE
  if [ "$1" = detect ]; then echo "detect $2 $3 $4"; else echo "detector test cfg/coco.data $2 $3 $4"; fi
}
while IFS='|' read -r name cfg seed image thresh cmd _; do
  name=$(echo $name); cfg=$(echo $cfg); seed=$(echo $seed); image=$(echo $image); thresh=$(echo $thresh); cmd=$(echo $cmd)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  cfg=${cfg/@up\//$UPCFG/}
  ./darknet init "$cfg" "$tmp/w" -seed "$seed" 2>/dev/null || { echo "FAIL $name: init"; fail=$((fail+1)); continue; }
  # shellcheck disable=SC2046
  "$UPSTREAM" $(args "$cmd" "$cfg" "$tmp/w" "$image") -thresh "$thresh" -out "$tmp/up" > "$tmp/up.out" 2>/dev/null
  if [ $record = 1 ]; then
    mkdir -p tests/fixtures/detect
    cp "$tmp/up.out" "tests/fixtures/detect/$name.out"; echo "recorded $name ($(wc -l < "$tmp/up.out") lines)"
    continue
  fi
  for m in $methods; do
    # shellcheck disable=SC2046
    ./darknet $(args "$cmd" "$cfg" "$tmp/w" "$image") -thresh "$thresh" -out "$tmp/ours" -method "$m" > "$tmp/ours.out" 2>/dev/null
    if why=$(bash tests/cli/compare_detections.sh "$tmp/up.out" "$tmp/ours.out"); then
      same=""; cmp -s <(sed 's/Predicted in [0-9.]*/P/' "$tmp/up.out") <(sed 's/Predicted in [0-9.]*/P/' "$tmp/ours.out") && same=" (same order)"
      echo "ok $name $m$same"; pass=$((pass+1))
    else
      echo "FAIL $name $m: $why"; fail=$((fail+1))
    fi
  done
done < tests/conformance/detect-cases.txt
[ $record = 1 ] && exit 0
echo "conformance-detect: $pass passed, $fail failed"
[ $fail -eq 0 ]
