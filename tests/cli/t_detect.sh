# Object detection (`detector test`, `detect`): every conv method prints upstream's
# detections (fixtures recorded from /usr/bin/darknet by scripts/conformance-detect.sh
# --record), then -json, the boxed image, stdin mode and bad input, on the small mixed
# yolo/region cfg so they stay fast.
all_methods=$("$DN" 2>&1 | sed -n 's/.*-method NAME (\(.*\)).*/\1/p' | tr -d ',')
detect_args() {  # COMMAND CFG WEIGHTS IMAGE
  if [ "$1" = detect ]; then echo "detect $2 $3 $4"; else echo "detector test cfg/coco.data $2 $3 $4"; fi
}
while IFS='|' read -r name cfg seed image thresh cmd meths; do
  name=$(echo $name); cfg=$(echo $cfg); seed=$(echo $seed); image=$(echo $image)
  thresh=$(echo $thresh); cmd=$(echo $cmd); meths=$(echo $meths)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  if [ "${cfg:0:4}" = "@up/" ]; then
    cfg=$UPCFG/${cfg:4}
    [ -f "$cfg" ] || { skip "detect $name" "$cfg not installed (apt-get install darknet)"; continue; }
  fi
  "$DN" init "$cfg" "$T/dw" -seed "$seed" 2>/dev/null || { fail "detect $name" "init failed"; continue; }
  [ "$meths" = all ] && meths=$all_methods
  for m in ${meths//,/ }; do
    rm -f "$T/det.jpg"
    # shellcheck disable=SC2046
    "$DN" $(detect_args "$cmd" "$cfg" "$T/dw" "$image") -thresh "$thresh" -out "$T/det" -method "$m" > "$T/dout" 2> "$T/derr"
    rc=$?
    if [ $rc -ne 0 ]; then fail "detect $name $m" "exit $rc: $(tail -1 "$T/derr")"; continue; fi
    if ! why=$(bash "$here/compare_detections.sh" "tests/fixtures/detect/$name.out" "$T/dout"); then
      fail "detect $name $m" "$why"; continue
    fi
    [ -s "$T/det.jpg" ] || { fail "detect $name $m" "no $T/det.jpg written"; continue; }
    ok "detect $name $m"
  done
done < tests/conformance/detect-cases.txt
rm -f "$T/dw"

# The comparison itself must be able to fail: one percentage changed, one line dropped.
sed '3s/[0-9]*%$/1%/' tests/fixtures/detect/mix-coffee.out > "$T/bad1.out"
sed '$d' tests/fixtures/detect/mix-coffee.out > "$T/bad2.out"
if bash "$here/compare_detections.sh" tests/fixtures/detect/mix-coffee.out "$T/bad1.out" >/dev/null ||
   bash "$here/compare_detections.sh" tests/fixtures/detect/mix-coffee.out "$T/bad2.out" >/dev/null; then
  fail "compare detects a changed or missing detection" "accepted"
else
  ok "compare detects a changed or missing detection"
fi

MIX=tests/data/detect-mix.cfg
"$DN" init $MIX "$T/mix.w" -seed 5 2>/dev/null
mixrun() { "$DN" detector test cfg/coco.data $MIX "$T/mix.w" "$@" 2> "$T/mixerr"; }

# -json: valid JSON holding the printed detections, in order, with pixel boxes in the image.
rm -f "$T/j.jpg" "$T/d.json"
mixrun data/coffee.png -thresh 0.5 -out "$T/j" -json "$T/d.json" > "$T/jout"
if why=$(python3 - "$T/d.json" "$T/jout" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
printed = [l.rstrip("\n") for l in open(sys.argv[2])][1:]
assert isinstance(data, list) and len(data) == 1, "want one image"
im = data[0]
assert (im["image"], im["width"], im["height"]) == ("data/coffee.png", 600, 400), im
dets = im["detections"]
assert len(dets) == len(printed) > 0, f"{len(dets)} detections, {len(printed)} printed lines"
for d, line in zip(dets, printed):
    assert f"{d['class']}: {d['prob'] * 100:.0f}%" == line, (d, line)
    assert isinstance(d["class_index"], int) and 0 <= d["class_index"] < 3, d
    assert 0 <= d["left"] <= d["right"] <= 599 and 0 <= d["top"] <= d["bottom"] <= 399, d
PY
); then ok "detect -json: valid, one entry per printed line"; else fail "detect -json: valid, one entry per printed line" "$why"; fi

# The boxed image: NAME.jpg, a JPEG the size of the input that decodes, with boxes drawn.
jpeg_size() {
  python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:2] == b"\xff\xd8", "not a JPEG"
i = 2
while i < len(b):
    marker, n = b[i + 1], struct.unpack(">H", b[i + 2:i + 4])[0]
    if marker in (0xC0, 0xC1, 0xC2):
        h, w = struct.unpack(">HH", b[i + 5:i + 9]); print(f"{w}x{h}"); break
    i += 2 + n
PY
}
size=$(jpeg_size "$T/j.jpg" 2>/dev/null)
if [ "$size" = 600x400 ] && "$DN" detector test cfg/coco.data $MIX "$T/mix.w" "$T/j.jpg" -out "$T/j2" > /dev/null 2>&1; then
  ok "detect writes NAME.jpg, decodable, 600x400"
else
  fail "detect writes NAME.jpg, decodable, 600x400" "size \"$size\""
fi
mixrun data/coffee.png -thresh 0.99 -out "$T/nobox" > /dev/null
if [ -s "$T/nobox.jpg" ] && ! cmp -s "$T/j.jpg" "$T/nobox.jpg"; then ok "detect draws the boxes"; else fail "detect draws the boxes" "same image with and without detections"; fi
mkdir -p "$T/cwd"
printf 'classes=80\nnames=%s\n' "$PWD/data/coco.names" > "$T/abs.data"
(cd "$T/cwd" && "$DN" detector test "$T/abs.data" "$OLDPWD/$MIX" "$T/mix.w" "$OLDPWD/data/coffee.png" -thresh 0.5 > /dev/null 2>&1)
if [ -s "$T/cwd/predictions.jpg" ]; then ok "detect writes predictions.jpg by default"; else fail "detect writes predictions.jpg by default" "missing"; fi

# Upstream's -hier only matters with a tree: accepted, no effect.
mixrun data/coffee.png -thresh 0.5 -hier 0.1 -out "$T/h" > "$T/hout"
if why=$(bash "$here/compare_detections.sh" tests/fixtures/detect/mix-coffee.out "$T/hout"); then ok "detect -hier accepted"; else fail "detect -hier accepted" "$why"; fi

# Paths from stdin after upstream's prompt; a bad path is reported and the next one runs.
printf 'data/coffee.png\nmissing.png\ntests/data/tall.png\n' | mixrun -thresh 0.5 -out "$T/s" > "$T/sout"
rc=$?
prompts=$(grep -o 'Enter Image Path: ' "$T/sout" | wc -l)
sed 's/Enter Image Path: //g' "$T/sout" | grep -v '^$' > "$T/slines"
cat tests/fixtures/detect/mix-coffee.out tests/fixtures/detect/mix-tall.out > "$T/sexp"
if [ $rc -eq 1 ] && [ "$prompts" -eq 4 ] && grep -q "^darknet: missing.png: cannot open" "$T/mixerr" &&
   why=$(bash "$here/compare_detections.sh" "$T/sexp" "$T/slines"); then
  ok "detect reads paths from stdin"
else
  fail "detect reads paths from stdin" "exit $rc, $prompts prompts, ${why:-$(tail -1 "$T/mixerr")}"
fi

# Bad input: one-line error, exit 1, and no image (or JSON) written.
detect_error() {  # NAME SUBSTRING ARGS...
  local name=$1 want=$2; shift 2
  rm -f "$T/bad.jpg" "$T/bad.json"
  expect_error "detect: $name" "$want" "$DN" "$@" -out "$T/bad" -json "$T/bad.json"
  if [ -e "$T/bad.jpg" ] || [ -e "$T/bad.json" ]; then fail "detect: $name writes nothing" "found output"; fi
}
printf '[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=2\n[softmax]\n' > "$T/cls.cfg"
"$DN" init "$T/cls.cfg" "$T/cls.w" 2>/dev/null
printf '[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=9\nsize=1\n[yolo]\nclasses=3\nnum=1\n' > "$T/y.cfg"
head -c 1000 "$T/mix.w" > "$T/mix-trunc.w"
head -c 3000 data/chelsea.png > "$T/trunc.png"
head -2 data/coco.names > "$T/two.names"
printf 'names=%s\n' "$T/two.names" > "$T/two.data"
D="detector test cfg/coco.data"
detect_error "missing cfg" "$T/none.cfg: cannot open" $D "$T/none.cfg" "$T/mix.w" data/coffee.png
detect_error "not a detection cfg" "cls.cfg: not a detection network" $D "$T/cls.cfg" "$T/cls.w" data/coffee.png
detect_error "yolo channels" "y.cfg:8: [yolo] #1: the input has 9 channels, but 1 anchors x (classes=3 + 5) need 8" $D "$T/y.cfg" "$T/mix.w" data/coffee.png
detect_error "missing weights" "$T/none.w: cannot open" $D $MIX "$T/none.w" data/coffee.png
detect_error "truncated weights" "mix-trunc.w: weights do not match" $D $MIX "$T/mix-trunc.w" data/coffee.png
detect_error "missing image" "$T/none.png: cannot open" $D $MIX "$T/mix.w" "$T/none.png"
detect_error "truncated image" "trunc.png:" $D $MIX "$T/mix.w" "$T/trunc.png"
detect_error "short names list" "two.names: has 2 names, but $MIX detects 3 classes" detector test "$T/two.data" $MIX "$T/mix.w" data/coffee.png
detect_error "bad -thresh" "-thresh: expected a number" $D $MIX "$T/mix.w" data/coffee.png -thresh x
expect_error "detector train" "detector train: not supported" "$DN" detector train cfg/coco.data $MIX
expect_error "detector missing arguments" "usage: darknet detector test" "$DN" detector test cfg/coco.data $MIX
expect_error "detect missing arguments" "usage: darknet detect" "$DN" detect $MIX
