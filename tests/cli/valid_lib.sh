# Shared by scripts/conformance-valid.sh and tests/cli/t_valid.sh: runs one case of
# tests/conformance/valid-cases.txt with a darknet binary and leaves its output in one file
# (stdout for classifier valid; the results files, joined under "== FILE" headers, for
# eval=voc; the JSON or text file for coco and imagenet; the progress lines for recall).
# Run from the repository root.

# valid_weights INIT_BIN CFG SEED HEAD OUT
valid_weights() {
  "$1" init "$2" "$5.raw" -seed "$3" 2>/dev/null || return 1
  if [ "$4" = - ]; then mv "$5.raw" "$5"; else
    # shellcheck disable=SC2086
    python3 scripts/make_valid_weights.py "$2" "$5.raw" "$5" $4 && rm -f "$5.raw"
  fi
}

# valid_run BIN KIND CFG WEIGHTS WORKDIR OUT [FLAGS...]: BIN's exit status; its stderr in WORKDIR/err.
valid_run() {
  local bin=$1 kind=$2 cfg=$3 w=$4 work=$5 out=$6 rc root=$PWD
  shift 6
  mkdir -p "$work"
  case $kind in
    valid:*|valid10:*)
      "$bin" classifier "${kind%%:*}" "tests/data/valid/${kind#*:}" "$cfg" "$w" "$@" > "$out" 2> "$work/err"
      return ;;
    recall)
      rm -rf "$work/recall"; mkdir -p "$work/recall/data" "$work/recall/images" "$work/recall/labels"
      local f b
      for f in tests/data/valid/images/*.png; do
        b=$(basename "$f")
        ln -s "$root/$f" "$work/recall/images/$b"
        cp "tests/data/valid/labels/${b%.png}.txt" "$work/recall/labels/$b"  # images -> labels, same name
        echo "$work/recall/images/$b"
      done > "$work/recall/data/coco_val_5k.list"
      (cd "$work/recall" && "$bin" detector recall unused.data "$root/$cfg" "$w" "$@" > /dev/null 2> "$work/err")
      rc=$?
      grep 'RPs/Img' "$work/err" > "$out"
      return $rc ;;
  esac
  rm -rf "$work/res"; mkdir -p "$work/res"
  local eval=$kind extra=() list=$root/tests/data/valid/valid.list
  [ "$kind" = coco ] && extra=(-out cc)
  if [ "$kind" = imagenet-map ]; then
    # YOLO9000's map=: the 200 ImageNet classes as classes of the 9k tree, on 5 images.
    eval=imagenet list=$work/map.list
    head -5 "$root/tests/data/valid/valid.list" | sed "s|^|$root/|" > "$list"
  fi
  printf 'classes=80\nnames=data/coco.names\nvalid=%s\nresults=%s/res\neval=%s\n' "$list" "$work" "$eval" > "$work/v.data"
  [ "$kind" = imagenet-map ] && echo "map=${UPDATA:-/usr/share/darknet/data}/inet9k.map" >> "$work/v.data"
  "$bin" detector valid "$work/v.data" "$cfg" "$w" "${extra[@]}" "$@" > /dev/null 2> "$work/err"
  rc=$?
  case $kind in
    coco) cp "$work/res/cc.json" "$out" 2>/dev/null || : > "$out" ;;
    imagenet|imagenet-map) cp "$work/res/imagenet-detection.txt" "$out" 2>/dev/null || : > "$out" ;;
    voc)
      : > "$out"
      (cd "$work/res" && LC_ALL=C ls) | while IFS= read -r name; do
        echo "== $name"; cat "$work/res/$name"
      done >> "$out" ;;
  esac
  return $rc
}

# valid_mode KIND: the compare_valid.py mode for a kind's output.
valid_mode() {
  case $1 in valid:*|valid10:*|recall) echo lines;; imagenet-map) echo imagenet;; *) echo "$1";; esac
}
