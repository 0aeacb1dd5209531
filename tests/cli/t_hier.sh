# Softmax trees (tree=): every case of tests/conformance/hier-cases.txt against the fixtures
# recorded from /usr/bin/darknet (scripts/conformance-hier.sh --record), exactly, but for
# the timing. The small tree's cases run every method; darknet9000 and yolo9000 (the 9k
# tree) one, and none under CLI_QUICK.
hier_methods=$("$DN" 2>&1 | sed -n 's/.*-method NAME (\(.*\)).*/\1/p' | tr -d ',')
hier_same() {  # EXPECTED ACTUAL
  cmp -s <(sed -E 's/Predicted in [0-9.]+/P/' "$1") <(sed -E 's/Predicted in [0-9.]+/P/' "$2")
}
while IFS='|' read -r name cmd data cfg seed image args; do
  name=$(echo $name); cmd=$(echo $cmd); data=$(echo $data); cfg=$(echo $cfg); seed=$(echo $seed); image=$(echo $image)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  ms=$hier_methods
  if [ "${cfg:0:4}" = "@up/" ]; then
    if [ -n "${CLI_QUICK:-}" ]; then skip "hier $name" "CLI_QUICK"; continue; fi
    data=$UPCFG/${data:4}; cfg=$UPCFG/${cfg:4}; ms=winograd
    [ -f "$cfg" ] || { skip "hier $name" "$cfg not installed (apt-get install darknet)"; continue; }
  fi
  case $image in /usr/share/*) [ -f "$image" ] || { skip "hier $name" "$image not installed"; continue; };; esac
  out=(); [ "$cmd" = "detector test" ] && out=(-out "$T/hpred")
  "$DN" init "$cfg" "$T/hw" -seed "$seed" 2>/dev/null || { fail "hier $name" "init failed"; continue; }
  for m in $ms; do
    # shellcheck disable=SC2086
    "$DN" $cmd "$data" "$cfg" "$T/hw" $image $args "${out[@]}" -method "$m" > "$T/hout" 2> "$T/herr"
    rc=$?
    if [ $rc -ne 0 ]; then fail "hier $name $m" "exit $rc: $(tail -1 "$T/herr")"
    elif hier_same "tests/fixtures/hier/$name.out" "$T/hout"; then ok "hier $name $m"
    else fail "hier $name $m" "$(diff "tests/fixtures/hier/$name.out" "$T/hout" | grep -m2 '^[<>]' | tr '\n' ' ')"; fi
  done
done < tests/conformance/hier-cases.txt

# The cases can fail: without the tree, or with another -hier, the output changes.
grep -v '^tree=' tests/data/hier/tree-cls.cfg > "$T/notree.cfg"
"$DN" init "$T/notree.cfg" "$T/hw" -seed 4 2>/dev/null
"$DN" classifier predict tests/data/hier/small.data "$T/notree.cfg" "$T/hw" data/chelsea.png -t 12 > "$T/hout" 2>/dev/null
if ! hier_same tests/fixtures/hier/cls-chelsea.out "$T/hout"; then ok "hier: a plain softmax prints otherwise"
else fail "hier: a plain softmax prints otherwise" "same output"; fi
"$DN" init tests/data/hier/tree-region.cfg "$T/hw" -seed 5 2>/dev/null
"$DN" detector test tests/data/hier/small.data tests/data/hier/tree-region.cfg "$T/hw" /usr/share/darknet/data/dog.jpg -thresh 0.2 -hier 0.5 -out "$T/hpred" > "$T/hout" 2>/dev/null
if [ -f /usr/share/darknet/data/dog.jpg ] && ! hier_same tests/fixtures/hier/region-dog-h01.out "$T/hout"; then ok "hier: -hier changes the labels"
else fail "hier: -hier changes the labels" "same output at -hier 0.5 and 0.1"; fi

# Bad trees: one line naming the cfg, the key and the tree file.
printf 'a -1\nb 7\n' > "$T/bad.tree"
sed "s|^tree=.*|tree=$T/bad.tree|" tests/data/hier/tree-cls.cfg > "$T/badtree.cfg"
expect_error "hier: a tree parent that is not an earlier line" "bad.tree:2: parent 7 is not -1 or an earlier line" "$DN" init "$T/badtree.cfg" "$T/hw"
sed "s|^tree=.*|tree=$T/none.tree|" tests/data/hier/tree-cls.cfg > "$T/notreefile.cfg"
expect_error "hier: a missing tree file" "none.tree: cannot open" "$DN" init "$T/notreefile.cfg" "$T/hw"
sed "s|^filters=12|filters=11|" tests/data/hier/tree-cls.cfg > "$T/short.cfg"
expect_error "hier: a tree larger than the layer" "has 12 nodes, but the layer has 11 inputs" "$DN" init "$T/short.cfg" "$T/hw"
