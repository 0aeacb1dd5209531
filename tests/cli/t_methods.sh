# Method selection from the command line, the environment and both cfg keys; the layer
# table names each conv layer's method and where the choice came from.
M=tests/data/mixed-methods.cfg
"$DN" init "$M" "$T/mm.w" -seed 4 2>/dev/null
table_methods() { grep -E "^ +[0-9]+ conv" "$T/mm.err" | sed -E 's/.*BFLOPs  //' | tr '\n' ';'; }
run_mm() { "$@" classifier predict cfg/imagenet1k.data "$M" "$T/mm.w" data/coffee.png -t 10 > "$T/mm.out" 2> "$T/mm.err"; }

expect_table() {  # NAME WANT COMMAND...
  local name=$1 want=$2; shift 2
  if ! run_mm "$@"; then fail "methods: $name" "exit status $?: $(tail -1 "$T/mm.err")"; return; fi
  local got; got=$(table_methods)
  [ "$got" = "$want" ] && ok "methods: $name" || fail "methods: $name" "table says \"$got\", want \"$want\""
}
expect_table "cfg: per-layer keys over the [net] default" \
  "mcmk (cfg);im2row (cfg);im2col ([net]);im2col ([net]);" "$DN"
cp "$T/mm.out" "$T/mm.ref"
expect_table "env over cfg" "im2row (env);im2row (env);im2row (env);im2row (env);" env DARKNET_CONV_METHOD=im2row "$DN"
expect_table "-method over env" "mcmk (-method);mcmk (-method);mcmk (-method);mcmk (-method);" env DARKNET_CONV_METHOD=im2row "$DN" -method MCMK
# Whatever the method mix, the printed predictions agree.
for m in mcmk im2col im2row; do
  run_mm "$DN" -method $m
  if why=$(bash "$here/compare_predictions.sh" "$T/mm.ref" "$T/mm.out"); then ok "methods: mixed cfg agrees with -method $m"; else fail "methods: mixed cfg agrees with -method $m" "$why"; fi
done
# Thread count does not change the printed result.
run_mm "$DN" -threads 1; cp "$T/mm.out" "$T/t1"
run_mm "$DN" -threads 2
cmp -s "$T/t1" "$T/mm.out" && ok "methods: -threads 1 and 2 print the same" || fail "methods: -threads 1 and 2 print the same" "outputs differ"

expect_error "unknown -method" "-method: unknown convolution method \"fast\" (valid: " "$DN" classifier predict cfg/imagenet1k.data "$M" "$T/mm.w" data/coffee.png -method fast
expect_error "unknown DARKNET_CONV_METHOD" "DARKNET_CONV_METHOD: unknown convolution method \"gpu\"" env DARKNET_CONV_METHOD=gpu "$DN" classifier predict cfg/imagenet1k.data "$M" "$T/mm.w" data/coffee.png
sed 's/method=im2row/method=fft/' "$M" > "$T/badm.cfg"
expect_error "unknown cfg method" "badm.cfg:29: [convolutional] #2: method: unknown convolution method \"fft\"" "$DN" classifier predict cfg/imagenet1k.data "$T/badm.cfg" "$T/mm.w" data/coffee.png

# DARKNET_ISA picks the GEMM microkernel of packed, direct and winograd: every kernel this
# CPU has gives the same printed predictions; an unknown name warns and falls back.
for isa in generic avx2 avx512; do
  for m in packed direct; do
    if ! DARKNET_ISA=$isa run_mm "$DN" -method $m; then fail "methods: DARKNET_ISA=$isa -method $m" "exit status $?: $(tail -1 "$T/mm.err")"; continue; fi
    if grep -q "DARKNET_ISA=$isa: not available" "$T/mm.err"; then skip "methods: DARKNET_ISA=$isa -method $m" "this CPU has no $isa"; continue; fi
    if why=$(bash "$here/compare_predictions.sh" "$T/mm.ref" "$T/mm.out"); then ok "methods: DARKNET_ISA=$isa -method $m agrees"; else fail "methods: DARKNET_ISA=$isa -method $m agrees" "$why"; fi
  done
done
if DARKNET_ISA=sse9 run_mm "$DN" -method packed && grep -q "DARKNET_ISA=sse9: not available on this CPU (available: .*generic); using" "$T/mm.err"; then
  ok "methods: unknown DARKNET_ISA warns and falls back"
else
  fail "methods: unknown DARKNET_ISA warns and falls back" "$(grep -i isa "$T/mm.err" | head -1)"
fi
