# Streaming results (-jsonl, -list, -jobs, -shard): the records of -jobs 1 and -jobs 2, of
# stdin and -list, and of three shards put together are identical (without "time"); each
# record says what `classifier predict` / `detector test` print for that image; a bad image
# gets an error record and the run goes on; bad flags and lists are one-line errors.
C5=tests/data/valid/cls5.cfg
MIX=tests/data/detect-mix.cfg
"$DN" init $C5 "$T/s5.w" -seed 19 2>/dev/null
"$DN" init $MIX "$T/smix.w" -seed 5 2>/dev/null
# The validation images with a missing file and a directory in the middle.
{ head -12 tests/data/valid/valid.list; echo "$T/none.png"; echo tests/data; tail -n +13 tests/data/valid/valid.list; } > "$T/s.list"
n=$(wc -l < "$T/s.list")
notime() { sed -E 's/, "time": [0-9.]+\}$/}/' "$1"; }

stream_check() {  # NAME COMMAND... (the command takes -jsonl FILE and the list flags after it)
  local name=$1 rc1 rc2 rcs; shift
  "$@" -list "$T/s.list" -jsonl "$T/j1" -jobs 1 > "$T/so1" 2> "$T/se1"; rc1=$?
  "$@" -list "$T/s.list" -jsonl "$T/j2" -jobs 2 > /dev/null 2> "$T/se2"; rc2=$?
  "$@" -jsonl - -jobs 2 < "$T/s.list" > "$T/jin" 2> /dev/null
  : > "$T/jsh"; rcs=""
  for i in 0 1 2; do "$@" -list "$T/s.list" -jsonl - -jobs 2 -shard $i/3 >> "$T/jsh" 2> /dev/null; rcs="$rcs$?"; done
  local why=""
  # The bad images are 12 and 13: in shards 0 and 1 of 3.
  [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && [ "$rcs" = 110 ] || why="exit $rc1/$rc2, shards $rcs; want 1/1, shards 110"
  [ -z "$why" ] && [ "$(wc -l < "$T/j1")" = "$n" ] || why=${why:-"$(wc -l < "$T/j1") records for $n images"}
  [ -z "$why" ] && ! cmp -s <(notime "$T/j1") <(notime "$T/j2") && why="-jobs 2 differs from -jobs 1"
  [ -z "$why" ] && ! cmp -s <(notime "$T/j1") <(notime "$T/jin") && why="stdin differs from -list"
  [ -z "$why" ] && ! cmp -s <(notime "$T/j1" | LC_ALL=C sort) <(notime "$T/jsh" | LC_ALL=C sort) && why="the shards together differ"
  [ -z "$why" ] && [ -s "$T/so1" ] && why="wrote to stdout: $(head -c 80 "$T/so1")"
  [ -z "$why" ] && [ "$(grep -c '^darknet: ' "$T/se1")" != 2 ] && why="want 2 stderr lines for the bad images: $(grep '^darknet: ' "$T/se1")"
  [ -z "$why" ] && why=$(python3 - "$T/j1" "$T/s.list" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
paths = open(sys.argv[2]).read().splitlines()
assert [r["index"] for r in recs] == list(range(len(paths))), "indices not in input order"
assert [r["path"] for r in recs] == paths, "paths not in input order"
bad = [r for r in recs if "error" in r]
assert [r["index"] for r in bad] == [12, 13], f"error records at {[r['index'] for r in bad]}"
assert "cannot open" in bad[0]["error"] and "directory" in bad[1]["error"], bad
assert all(r["time"] > 0 for r in recs if "error" not in r), "time"
PY
)
  if [ -z "$why" ]; then ok "stream: $name"; else fail "stream: $name" "$why"; fi
}
stream_check "classifier predict" "$DN" classifier predict tests/data/valid/classify.data $C5 "$T/s5.w" -t 3
stream_check "detector test" "$DN" detector test cfg/coco.data $MIX "$T/smix.w" -thresh 0.5

# What the records hold is what the upstream-format commands print, image by image.
head -4 tests/data/valid/valid.list > "$T/s4.list"
"$DN" classifier predict tests/data/valid/classify.data $C5 "$T/s5.w" -t 3 -list "$T/s4.list" -jsonl "$T/c4" 2>/dev/null
"$DN" detector test cfg/coco.data $MIX "$T/smix.w" -thresh 0.5 -list "$T/s4.list" -jsonl "$T/d4" 2>/dev/null
: > "$T/cp"; : > "$T/dp"
while read -r p; do
  "$DN" classifier predict tests/data/valid/classify.data $C5 "$T/s5.w" "$p" -t 3 >> "$T/cp" 2>/dev/null
  "$DN" detector test cfg/coco.data $MIX "$T/smix.w" "$p" -thresh 0.5 -out "$T/sd" >> "$T/dp" 2>/dev/null
done < "$T/s4.list"
if why=$(python3 - "$T/c4" "$T/cp" "$T/d4" "$T/dp" <<'PY'
import json, sys
want = []
for l in open(sys.argv[1]):
    want += [f"{t['prob'] * 100:5.2f}%: {t['class']}" for t in json.loads(l)["top"]]
got = open(sys.argv[2]).read().splitlines()
assert want == got, f"classifier: {want[:3]} vs {got[:3]}"
want = []
for l in open(sys.argv[3]):
    r = json.loads(l)
    want.append(f"{r['path']}: Predicted in")
    want += [f"{d['class']}: {d['prob'] * 100:.0f}%" for d in r["detections"]]
    assert all(0 <= d["left"] <= d["right"] < r["width"] and 0 <= d["top"] <= d["bottom"] < r["height"] for d in r["detections"])
got = [l.split(" Predicted in")[0] + " Predicted in" if "Predicted in" in l else l for l in open(sys.argv[4]).read().splitlines()]
assert len(want) > 8 and want == got, f"detector: {len(want)} vs {len(got)} lines"
PY
); then ok "stream: records match the printed results"; else fail "stream: records match the printed results" "$why"; fi

# classify and detect (upstream's shortcuts) stream too.
"$DN" detect $MIX "$T/smix.w" -thresh 0.5 -list "$T/s4.list" -jsonl "$T/dd4" 2>/dev/null
if cmp -s <(notime "$T/d4") <(notime "$T/dd4"); then ok "stream: detect = detector test cfg/coco.data"; else fail "stream: detect = detector test cfg/coco.data" "differ"; fi
printf 'tests/data/valid/images/kitten_003.png\n' | "$DN" classify cfg/tiny.cfg "$T/tw" -jsonl - > "$T/cl" 2>/dev/null ||
  { "$DN" init cfg/tiny.cfg "$T/tw" -seed 2 2>/dev/null; printf 'tests/data/valid/images/kitten_003.png\n' | "$DN" classify cfg/tiny.cfg "$T/tw" -jsonl - > "$T/cl" 2>/dev/null; }
if [ "$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); print(len(r["top"]))' "$T/cl" 2>&1)" = 5 ]; then
  ok "stream: classify -jsonl gives the top 5"
else
  fail "stream: classify -jsonl gives the top 5" "$(head -c 200 "$T/cl")"
fi

# Bad flags and lists.
P="classifier predict tests/data/valid/classify.data $C5 $T/s5.w"
expect_error "stream: -shard 3/2" "-shard: expected I/N with 0 <= I < N" "$DN" $P -jsonl "$T/x" -list "$T/s.list" -shard 3/2
expect_error "stream: -shard 0/0" "-shard: expected I/N with 0 <= I < N" "$DN" $P -jsonl "$T/x" -list "$T/s.list" -shard 0/0
expect_error "stream: -shard 1" "-shard: expected I/N" "$DN" $P -jsonl "$T/x" -list "$T/s.list" -shard 1
expect_error "stream: -jobs 0" "-jobs: expected an integer in [1, 256], got \"0\"" "$DN" $P -jsonl "$T/x" -list "$T/s.list" -jobs 0
expect_error "stream: missing list" "none.list: cannot open" "$DN" $P -jsonl "$T/x" -list "$T/none.list"
: > "$T/empty.list"
expect_error "stream: empty list" "empty.list: no image paths" "$DN" $P -jsonl "$T/x" -list "$T/empty.list"
expect_error "stream: empty stdin" "stdin: no image paths" "$DN" $P -jsonl "$T/x"
expect_error "stream: a directory as the list" "tests/data: " "$DN" $P -jsonl "$T/x" -list tests/data
expect_error "stream: -list without -jsonl" "-list: only with -jsonl" "$DN" $P -list "$T/s.list"
expect_error "stream: -jobs without -jsonl" "-jobs: only with -jsonl" "$DN" detector test cfg/coco.data $MIX "$T/smix.w" -jobs 2
expect_error "stream: unwritable -jsonl" "nodir/x.jsonl: cannot open for writing" "$DN" $P -jsonl "$T/nodir/x.jsonl" -list "$T/s4.list"
[ -e "$T/x" ] && fail "stream: errors write no JSONL" "$T/x exists" || ok "stream: errors write no JSONL"

# Reading stdin: a record goes out as soon as its image is done, while the next path is
# still awaited (a camera's frames), also with another job blocked on the read.
mkfifo "$T/fifo"
"$DN" $P -jsonl - -jobs 2 < "$T/fifo" > "$T/live" 2> /dev/null &
live_pid=$!
exec 7> "$T/fifo"
echo tests/data/valid/images/kitten_002.png >&7
for _ in $(seq 600); do [ -s "$T/live" ] && break; sleep 0.1; done
if [ "$(wc -l < "$T/live")" = 1 ]; then ok "stream: stdin records go out before the input ends"; else fail "stream: stdin records go out before the input ends" "no record after 60 s"; fi
exec 7>&-
wait $live_pid
