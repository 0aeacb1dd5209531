# Upstream's list commands: every case of tests/conformance/valid-cases.txt, with the methods
# it lists, against the fixtures recorded from /usr/bin/darknet (scripts/conformance-valid.sh
# --record); then the comparison's own failure, and bad input.
# shellcheck source=tests/cli/valid_lib.sh
source "$here/valid_lib.sh"
all_methods=$("$DN" 2>&1 | sed -n 's/.*-method NAME (\(.*\)).*/\1/p' | tr -d ',')
while IFS='|' read -r name kind cfg seed head meths; do
  name=$(echo $name); kind=$(echo $kind); cfg=$(echo $cfg); seed=$(echo $seed); head=$(echo $head); meths=$(echo $meths)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  # Under sanitizers (CLI_QUICK=1): one method each, and of the detectors only eval=voc.
  if [ -n "${CLI_QUICK:-}" ]; then
    case $kind in coco|imagenet|recall) skip "valid $name" "CLI_QUICK"; continue;; esac
    meths=${meths%%,*}; [ "$meths" = all ] && meths=im2col
  fi
  if [ "$kind" = imagenet-map ] && [ ! -f "${UPDATA:-/usr/share/darknet/data}/9k.tree" ]; then
    skip "valid $name" "upstream's 9k.tree and inet9k.map not installed (apt-get install darknet)"; continue
  fi
  valid_weights "$DN" "$cfg" "$seed" "$head" "$T/vw" || { fail "valid $name" "weights"; continue; }
  [ "$meths" = all ] && meths=$all_methods
  for m in ${meths//,/ }; do
    valid_run "$DN" "$kind" "$cfg" "$T/vw" "$T/vwork" "$T/vout" -method "$m"
    rc=$?
    if [ $rc -ne 0 ]; then fail "valid $name $m" "exit $rc: $(tail -1 "$T/vwork/err")"; continue; fi
    if why=$(python3 "$here/compare_valid.py" "$(valid_mode "$kind")" "tests/fixtures/valid/$name.out" "$T/vout"); then
      ok "valid $name $m $why"
    else
      fail "valid $name $m" "$why"
    fi
  done
  # The bad-input cases below use the pjreddie cases' yolov3-tiny weights.
  [ "${name:0:3}" = ab- ] || case $kind in voc|coco) cp "$T/vw" "$T/vw-$kind";; esac
done < tests/conformance/valid-cases.txt

# The comparisons must be able to fail: a changed accuracy, a changed score, a box moved.
sed '2s/top 1: [0-9.]*/top 1: 0.500000/' tests/fixtures/valid/cls-valid.out > "$T/bad.out"
python3 - tests/fixtures/valid/det-voc.out "$T/bad-voc.out" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
i = next(i for i, l in enumerate(lines) if not l.startswith("==") and float(l.split()[1]) > .006)
f = lines[i].split()
lines[i] = " ".join(f[:1] + [f"{float(f[1]) + .001:f}"] + f[2:])
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
python3 - tests/fixtures/valid/det-coco.out "$T/bad-coco.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(re.sub(r'"bbox":\[(\d+)\.', lambda m: f'"bbox":[{int(m.group(1)) + 1}.', t, count=1))
PY
if ! python3 "$here/compare_valid.py" lines tests/fixtures/valid/cls-valid.out "$T/bad.out" >/dev/null &&
   ! python3 "$here/compare_valid.py" voc tests/fixtures/valid/det-voc.out "$T/bad-voc.out" >/dev/null &&
   ! python3 "$here/compare_valid.py" coco tests/fixtures/valid/det-coco.out "$T/bad-coco.out" >/dev/null &&
   ! cmp -s tests/fixtures/valid/det-voc.out "$T/bad-voc.out"; then
  ok "compare_valid detects a changed accuracy, score or box"
else
  fail "compare_valid detects a changed accuracy, score or box" "accepted"
fi

# Bad input: one-line error, exit 1.
printf 'classes=5\nlabels=tests/data/valid/labels5.list\n' > "$T/novalid.data"
printf 'classes=80\nnames=data/coco.names\nresults=%s\n' "$T" > "$T/dnovalid.data"
printf 'classes=5\nlabels=tests/data/valid/labels5.list\nvalid=%s/none.list\n' "$T" > "$T/nolist.data"
: > "$T/empty.list"
printf 'classes=5\nlabels=tests/data/valid/labels5.list\nvalid=%s/empty.list\n' "$T" > "$T/empty.data"
printf 'classes=9\nlabels=tests/data/valid/labels5.list\nvalid=tests/data/valid/valid.list\n' > "$T/short.data"
printf 'classes=80\nnames=data/coco.names\nvalid=tests/data/valid/valid.list\nresults=%s/nodir\n' "$T" > "$T/nodir.data"
printf 'classes=80\nnames=data/coco.names\nvalid=tests/data/valid/valid.list\nresults=%s\neval=imagenet\n' "$T" > "$T/inet.data"
C5=tests/data/valid/cls5.cfg
"$DN" init $C5 "$T/c5.w" 2>/dev/null
expect_error "classifier valid: no valid=" "novalid.data: no valid=" "$DN" classifier valid "$T/novalid.data" $C5 "$T/c5.w"
expect_error "detector valid: no valid=" "dnovalid.data: no valid=" "$DN" detector valid "$T/dnovalid.data" cfg/yolov3-tiny.cfg "$T/vw-voc"
expect_error "classifier valid: missing list" "none.list: cannot open" "$DN" classifier valid "$T/nolist.data" $C5 "$T/c5.w"
expect_error "classifier valid: empty list" "empty.list: no image paths" "$DN" classifier valid "$T/empty.data" $C5 "$T/c5.w"
expect_error "classifier valid: fewer labels than classes" "labels5.list: has 5 labels, but" "$DN" classifier valid "$T/short.data" $C5 "$T/c5.w"
expect_error "detector valid: no results directory" "nodir/comp4_det_test_person.txt: cannot open for writing" "$DN" detector valid "$T/nodir.data" cfg/yolov3-tiny.cfg "$T/vw-voc"
expect_error "detector valid: eval=imagenet needs 200 classes" "eval=imagenet needs 200 classes, the network has 80" "$DN" detector valid "$T/inet.data" cfg/yolov3-tiny.cfg "$T/vw-voc"
expect_error "detector valid: not a detector" "cls5.cfg: not a detection network" "$DN" detector valid "$T/nodir.data" $C5 "$T/c5.w"
expect_error "detector recall: no data/coco_val_5k.list" "data/coco_val_5k.list: cannot open" "$DN" detector recall x cfg/yolov3-tiny.cfg "$T/vw-voc"
printf 'classes=80\nnames=data/coco.names\nvalid=tests/data/valid/valid.list\nresults=%s\neval=bdd\n' "$T" > "$T/bdd.data"
"$DN" init cfg/alexeyab/yolov4-tiny.cfg "$T/y4t.w" 2>/dev/null
expect_error "detector valid: AlexeyAB's eval=bdd" "bdd.data: eval=bdd (AlexeyAB's) is not implemented" "$DN" detector valid "$T/bdd.data" cfg/alexeyab/yolov4-tiny.cfg "$T/y4t.w"
# map= (YOLO9000's class map): a missing file, a line that is not a number, too few
# entries, an entry outside the tree; each before any results file is written.
if [ -f "${UPDATA:-/usr/share/darknet/data}/9k.tree" ]; then
  M9=tests/data/valid/tree9k-region.cfg
  "$DN" init $M9 "$T/m9.w" -seed 3 2>/dev/null
  mapcase() {  # NAME WANT MAPFILE
    rm -rf "$T/mres"; mkdir -p "$T/mres"
    printf 'classes=9418\nvalid=tests/data/valid/valid.list\nresults=%s/mres\neval=imagenet\nmap=%s\n' "$T" "$3" > "$T/map.data"
    expect_error "detector valid: $1" "$2" "$DN" detector valid "$T/map.data" $M9 "$T/m9.w"
    if [ -n "$(ls -A "$T/mres")" ]; then fail "detector valid: $1: nothing written" "$(ls "$T/mres")"; fi
  }
  mapcase "a missing map= file" "none.map: cannot open" "$T/none.map"
  printf '12\nsix\n' > "$T/word.map"
  mapcase "a map= line that is not a class" "word.map:2: \"six\" is not a class index" "$T/word.map"
  seq 1 5 > "$T/short.map"
  mapcase "a map= of 5 classes" "short.map: has 5 classes, but 200 are read from it" "$T/short.map"
  { seq 1 3; echo 9418; seq 1 196; } > "$T/big.map"
  mapcase "a map= class outside the tree" "big.map:4: class 9418 is not one of the 9418 classes of $M9" "$T/big.map"
else
  skip "detector valid: bad map= files" "upstream's 9k.tree not installed (apt-get install darknet)"
fi

# A bad image in the middle of the list: reported on stderr, the run goes on, exit 1.
{ head -3 tests/data/valid/valid.list; echo "$T/none.png"; echo tests/data; tail -2 tests/data/valid/valid.list; } > "$T/bad.list"
printf 'classes=5\nlabels=tests/data/valid/labels5.list\nvalid=%s/bad.list\ntop=2\n' "$T" > "$T/bad.data"
"$DN" classifier valid "$T/bad.data" $C5 "$T/c5.w" > "$T/bo" 2> "$T/be"
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c ': top 1: ' "$T/bo")" = 7 ] && [ "$(grep -c '^darknet: ' "$T/be")" = 2 ] &&
   grep -q '^6: top 1: ' "$T/bo" && grep -q "none.png: cannot open" "$T/be"; then
  ok "classifier valid: a bad image is reported and the run goes on"
else
  fail "classifier valid: a bad image is reported and the run goes on" "exit $rc, $(grep -c ': top 1: ' "$T/bo") lines, $(tail -1 "$T/be")"
fi
