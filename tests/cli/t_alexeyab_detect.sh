# AlexeyAB / hank-ai cfgs: every listed conv method prints what AlexeyAB's Darknet printed
# for `detector test ... -dont_show -ext_output` (fixtures recorded by
# scripts/conformance-alexeyab.sh --record), then its dialect's bad input. Methods: "all" is
# every conv method the binary lists; "all,auto" adds -method auto.
ab_methods=$("$DN" 2>&1 | sed -n 's/.*-method NAME (\([^)]*\)).*/\1/p' | tr -d ',')
while IFS='|' read -r name cfg seed scale image thresh flags oracle meths bscale; do
  name=$(echo $name); cfg=$(echo $cfg); seed=$(echo $seed); scale=$(echo $scale)
  image=$(echo $image); thresh=$(echo $thresh); flags=$(echo $flags); meths=$(echo $meths); bscale=$(echo $bscale)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  [ "$flags" = - ] && flags=
  # Under sanitizers (CLI_QUICK=1): one method each, and not the big reduced detectors.
  if [ -n "${CLI_QUICK:-}" ]; then
    case $cfg in tests/data/alexeyab/detect/*) skip "alexeyab $name" "CLI_QUICK"; continue;; esac
    [[ $meths == all* ]] && meths=im2col
    meths=${meths%%,*}
  fi
  # shellcheck disable=SC2086
  "$DN" init "$cfg" "$T/abw" -seed "$seed" -head_scale "$scale" ${flags//-letter_box/} 2>/dev/null || { fail "alexeyab $name" "init failed"; continue; }
  if [ -n "$bscale" ] && [ "$bscale" != 1 ]; then
    python3 "$here/alexeyab_scale_weights.py" "$cfg" "$T/abw" "$T/abw.s" "$bscale" 2> "$T/aberr" && mv "$T/abw.s" "$T/abw" ||
      { fail "alexeyab $name" "alexeyab_scale_weights.py: $(tail -1 "$T/aberr")"; continue; }
  fi
  [[ $meths == all* ]] && meths=$ab_methods${meths#all}
  for m in ${meths//,/ }; do
    # shellcheck disable=SC2086
    "$DN" detector test cfg/coco.data "$cfg" "$T/abw" "$image" -dont_show -ext_output -thresh "$thresh" $flags \
      -out "$T/abdet" -method "$m" > "$T/about" 2> "$T/aberr"
    rc=$?
    if [ $rc -ne 0 ]; then fail "alexeyab $name $m" "exit $rc: $(tail -1 "$T/aberr")"; continue; fi
    if ! why=$(bash "$here/compare_alexeyab_detect.sh" "tests/fixtures/alexeyab/$name.out" "$T/about"); then
      fail "alexeyab $name $m" "$why"; continue
    fi
    ok "alexeyab $name $m"
  done
done < tests/conformance/alexeyab-cases.txt

# The comparison can fail: one percentage changed, one box moved, one line dropped.
F=tests/fixtures/alexeyab/y4t-coffee.out
sed -E '0,/: [0-9]+%/s/: [0-9]+%/: 1%/' $F > "$T/abbad1"
sed -E '0,/left_x: +[-0-9]+/s/left_x: +[-0-9]+/left_x: 9999/' $F > "$T/abbad2"
sed '$d' $F > "$T/abbad3"
for b in abbad1 abbad2 abbad3; do
  if bash "$here/compare_alexeyab_detect.sh" $F "$T/$b" > /dev/null; then fail "alexeyab compare detects $b" "accepted"; else ok "alexeyab compare detects $b"; fi
done

# The dialect: detected from the cfg (a notice names the marker), or forced.
"$DN" init cfg/alexeyab/yolov4-tiny.cfg "$T/abw" -seed 1 2> "$T/aberr"
if grep -q "yolov4-tiny.cfg:60: \[route\] groups is AlexeyAB's" "$T/aberr"; then ok "alexeyab: dialect detected"; else fail "alexeyab: dialect detected" "$(grep notice "$T/aberr")"; fi
"$DN" init cfg/alexeyab/yolov3-tiny_3l.cfg "$T/abw" 2>/dev/null
"$DN" detector test cfg/coco.data cfg/alexeyab/yolov3-tiny_3l.cfg "$T/abw" data/coffee.png > "$T/about" 2>/dev/null
if grep -q "Predicted in [0-9.]* seconds" "$T/about"; then ok "alexeyab: yolov3-tiny_3l runs as pjreddie's by default"; else fail "alexeyab: yolov3-tiny_3l runs as pjreddie's by default" "$(head -1 "$T/about")"; fi

# Bad input of the dialect: one line at file:line, exit 1.
abcfg() {  # NAME BODY: a small AlexeyAB cfg
  printf '[net]\nwidth=16\nheight=16\nchannels=3\n[convolutional]\nfilters=6\nsize=3\npad=1\nactivation=leaky\n%b' "$2" > "$T/$1.cfg"
}
abcfg groups3 '[route]\nlayers=-1\ngroups=4\ngroup_id=0\n'
expect_error "alexeyab: groups not dividing" "groups3.cfg:12: [route] #1: groups: groups=4 does not divide the 6 channels of layer 0" "$DN" init "$T/groups3.cfg" "$T/x.w"
abcfg gid '[route]\nlayers=-1\ngroups=2\ngroup_id=2\n'
expect_error "alexeyab: group_id out of range" "gid.cfg:13: [route] #1: group_id: group_id=2 is out of range: groups=2 has groups 0..1" "$DN" init "$T/gid.cfg" "$T/x.w"
abcfg nmsk '[convolutional]\nfilters=18\nsize=1\nactivation=linear\n[yolo]\nmask=0,1,2\nanchors=1,2,3,4,5,6\nnum=3\nclasses=1\nnms_kind=fastnms\n'
expect_error "alexeyab: unknown nms_kind" "nmsk.cfg:19: [yolo] #2: nms_kind: unknown nms_kind \"fastnms\"" "$DN" init "$T/nmsk.cfg" "$T/x.w" -dialect alexeyab
abcfg aa '[maxpool]\nsize=2\nstride=2\nantialiasing=1\n'
expect_error "alexeyab: unimplemented inference key" "aa.cfg:13: [maxpool] #1: antialiasing: antialiasing is not supported" "$DN" init "$T/aa.cfg" "$T/x.w" -dialect alexeyab
expect_error "alexeyab: its key under -dialect pjreddie" "yolov4-tiny.cfg:60: [route] #3: groups: groups=2 is read only by AlexeyAB's Darknet" "$DN" init cfg/alexeyab/yolov4-tiny.cfg "$T/x.w" -dialect pjreddie
# What pjreddie's Darknet does not know, under -dialect pjreddie: it would compute relu for
# the activation and skip the layer ("Type not recognized"), so ours refuses them.
abcfg mish '[convolutional]\nfilters=4\nsize=1\nactivation=mish\n'
expect_error "alexeyab: mish under -dialect pjreddie" "mish.cfg:13: [convolutional] #1: activation: activation=mish is AlexeyAB's: pjreddie's Darknet (-dialect pjreddie) does not know it and computes relu instead; use -dialect alexeyab" "$DN" init "$T/mish.cfg" "$T/x.w" -dialect pjreddie
"$DN" init "$T/mish.cfg" "$T/x.w" 2> "$T/aberr"
if grep -q "mish.cfg:13: activation=mish is AlexeyAB's" "$T/aberr"; then ok "alexeyab: mish detected"; else fail "alexeyab: mish detected" "$(grep notice "$T/aberr")"; fi
expect_error "alexeyab: [Gaussian_yolo] under -dialect pjreddie" "Gaussian_yolov3_BDD-256.cfg:608: [gaussian_yolo] #82: a layer type of AlexeyAB's Darknet alone" "$DN" init tests/data/alexeyab/detect/Gaussian_yolov3_BDD-256.cfg "$T/x.w" -dialect pjreddie
expect_error "alexeyab: bad -dialect" "-dialect: expected pjreddie or alexeyab, got \"x\"" "$DN" init cfg/alexeyab/yolov4-tiny.cfg "$T/x.w" -dialect x
# Training-only keys are ignored quietly; a key no Darknet reads is only warned about.
printf '[net]\nwidth=16\nheight=16\nchannels=3\nmosaic=1\nbatch=64\n[convolutional]\nfilters=18\nsize=1\nactivation=linear\nstopbackward=1\n[yolo]\nmask=0,1,2\nanchors=1,2,3,4,5,6\nnum=3\nclasses=1\niou_loss=ciou\nignore_thresh=.7\nnosuchkey=3\n' > "$T/train.cfg"
if "$DN" init "$T/train.cfg" "$T/x.w" 2> "$T/aberr" && [ "$(grep -c "unused option" "$T/aberr")" = 1 ] && grep -q "train.cfg:19: \[yolo\] #1: unused option nosuchkey=3" "$T/aberr"; then
  ok "alexeyab: training-only keys ignored, unknown key warned"
else
  fail "alexeyab: training-only keys ignored, unknown key warned" "$(grep -v notice "$T/aberr" | head -2)"
fi
rm -f "$T/abw" "$T/x.w"
