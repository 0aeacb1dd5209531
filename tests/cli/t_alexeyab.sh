# AlexeyAB's cfgs with -dialect alexeyab: `classifier predict` prints what AlexeyAB's own
# CPU build printed on the same seeded weights (tests/fixtures/alexeyab/, recorded by
# scripts/oracle/record-alexeyab-fixtures.sh; the detector cfgs are cut before a head, so the
# top raw values of the neck are printed; mix-layers.cfg is ours, with the rarer layers and
# keys: weighted shortcuts, sam, scale_wh, maxpool_depth, local_avgpool, stride_x/stride_y,
# share_index, dilation, hard_mish, gelu). efficientnet_b0 and mix-layers run with every conv method,
# yolov4's neck with mcmk, im2col, im2row and auto, the rest with the default choice.
AB=tests/data/alexeyab
head -1000 data/imagenet.shortnames.list > "$T/ab-in1k.names"
seq 0 199999 | sed 's/^/v/' > "$T/ab-values.names"
printf 'classes=1000\nnames=%s\ntop=5\n' "$T/ab-in1k.names" > "$T/ab-in1k.data"
printf 'classes=200000\nnames=%s\ntop=5\n' "$T/ab-values.names" > "$T/ab-values.data"
ab_methods() {  # NAME -> the methods it runs with
  if [ -n "${CLI_QUICK:-}" ]; then echo default; return; fi
  case $1 in
    efficientnet_b0|mix-layers) echo default direct winograd4 winograd packed 1x1 im2col im2row mcmk auto ;;
    yolov4-neck96) echo mcmk im2col im2row auto ;;
    *) echo default ;;
  esac
}
for cfg in "$AB"/*.cfg; do
  n=$(basename "$cfg" .cfg)
  case $n in efficientnet*|csdarknet*) d=$T/ab-in1k.data ;; *) d=$T/ab-values.data ;; esac
  if ! "$DN" init "$cfg" "$T/ab.weights" -seed 15 -dialect alexeyab 2> "$T/ab.err"; then
    fail "alexeyab $n" "init: $(tail -1 "$T/ab.err")"; continue
  fi
  for m in $(ab_methods "$n"); do
    flag=(-method "$m"); [ "$m" = default ] && flag=()
    if ! "$DN" classifier predict "$d" "$cfg" "$T/ab.weights" data/chelsea.png -dialect alexeyab "${flag[@]}" > "$T/ab.out" 2> "$T/ab.err"; then
      fail "alexeyab $n $m" "exit status: $(tail -1 "$T/ab.err")"; continue
    fi
    if why=$(bash "$here/compare_alexeyab.sh" "tests/fixtures/alexeyab/$n.out" "$T/ab.out"); then ok "alexeyab $n $m"; else fail "alexeyab $n $m" "$why"; fi
  done
done
rm -f "$T/ab.weights"
expect_error "unknown -dialect" "-dialect: expected pjreddie or alexeyab, got \"darknet\"" "$DN" classifier predict "$T/ab-in1k.data" "$AB/efficientnet_b0.cfg" x.weights data/chelsea.png -dialect darknet
# pjreddie's Darknet reads no dilation: under -dialect pjreddie resnet152_trident stops at
# its first dilated layer.
expect_error "trident without the AlexeyAB dialect" "resnet152_trident-neck96.cfg:1206: [convolutional] #167: dilation: dilation=3 is read only by AlexeyAB's Darknet" "$DN" init "$AB/resnet152_trident-neck96.cfg" "$T/x.weights" -dialect pjreddie
# Geometry of AlexeyAB's detector cfgs, unchanged (tests/data/alexeyab/full/): every conv
# row's output size and BFLOPs as AlexeyAB's table prints them (record-alexeyab-tables.sh).
# Only the table is needed: both stop at the missing weights file.
printf 'classes=1\nnames=%s\n' "$T/ab-in1k.names" > "$T/ab-one.data"
for cfg in "$AB"/full/*.cfg; do
  n=$(basename "$cfg" .cfg)
  "$DN" classifier predict "$T/ab-one.data" "$cfg" "$T/missing.weights" data/chelsea.png -dialect alexeyab 2>&1 < /dev/null | bash "$here/conv_rows.sh" > "$T/ab.conv"
  if why=$(diff "tests/fixtures/alexeyab/tables/$n.conv" "$T/ab.conv" | head -3); [ -z "$why" ] && [ -s "$T/ab.conv" ]; then ok "alexeyab $n conv geometry"; else fail "alexeyab $n conv geometry" "$why"; fi
done
# Bad input in AlexeyAB's layers: one line with file:line, exit status 1.
printf '[net]\nwidth=4\nheight=4\nchannels=2\n[dropout]\n[shortcut]\nfrom=0\nweights_type=per_pixel\n' > "$T/ab-bad1.cfg"
expect_error "shortcut weights_type" "ab-bad1.cfg:8: [shortcut] #1: weights_type: unknown weights_type \"per_pixel\"" "$DN" init "$T/ab-bad1.cfg" "$T/x.weights"
printf '[net]\nwidth=4\nheight=4\nchannels=2\n[dropout]\n[scale_channels]\nfrom=0\n' > "$T/ab-bad2.cfg"
expect_error "scale_channels shapes" "ab-bad2.cfg:7: [scale_channels] #1: from: layer 0 outputs 4x4x2" "$DN" init "$T/ab-bad2.cfg" "$T/x.weights"
printf '[net]\nwidth=4\nheight=4\nchannels=2\n[dropout]\n[shortcut]\nfrom=0,1\n' > "$T/ab-bad3.cfg"
expect_error "shortcut from a later layer" "ab-bad3.cfg:7: [shortcut] #1: from: layer 1 is out of range" "$DN" init "$T/ab-bad3.cfg" "$T/x.weights"
printf '[net]\nwidth=4\nheight=4\nchannels=2\n[convolutional]\nfilters=2\nactivation=mesh\n' > "$T/ab-bad4.cfg"
expect_error "unknown activation" "ab-bad4.cfg:7: [convolutional] #0: activation: unknown activation \"mesh\"" "$DN" init "$T/ab-bad4.cfg" "$T/x.weights"
[ -e "$T/x.weights" ] && fail "alexeyab: bad cfgs write no weights" "x.weights exists" || ok "alexeyab: bad cfgs write no weights"
