# -method auto: measures each conv layer shape, prints the plan in the layer table, writes
# the plan file, reuses it, and prints upstream's predictions.
P="$T/plan.txt"
"$DN" init cfg/tiny.cfg "$T/auto.w" -seed 1 2>/dev/null
"$DN" classifier predict cfg/imagenet1k.data cfg/tiny.cfg "$T/auto.w" data/chelsea.png -t 1000 -method auto -plan "$P" > "$T/a1.out" 2> "$T/a1.err"
rc=$?
if [ $rc -ne 0 ]; then fail "auto: runs" "exit $rc: $(tail -1 "$T/a1.err")"; else ok "auto: runs"; fi
n=$(grep -cE "^ +[0-9]+ conv .*\(-method: auto [0-9.]+ ms" "$T/a1.err")
[ "$n" -ge 10 ] && ok "auto: layer table shows measured plans" || fail "auto: layer table shows measured plans" "$n rows"
grep -q "saved the auto plan" "$T/a1.err" && [ -s "$P" ] && ok "auto: plan file written" || fail "auto: plan file written" "no file"
why=$(bash "$here/compare_predictions.sh" tests/fixtures/conformance/tiny-rgb.out "$T/a1.out") && ok "auto: upstream's predictions" || fail "auto: upstream's predictions" "$why"
"$DN" classifier predict cfg/imagenet1k.data cfg/tiny.cfg "$T/auto.w" data/chelsea.png -method auto -plan "$P" > /dev/null 2> "$T/a2.err"
m=$(grep -cE "^ +[0-9]+ conv .*auto, planned in" "$T/a2.err")
[ "$m" = 16 ] && ok "auto: second run reuses the plan" || fail "auto: second run reuses the plan" "$m of 16 conv rows"
"$DN" classifier predict cfg/imagenet1k.data cfg/tiny.cfg "$T/auto.w" data/chelsea.png -plan "$P" > /dev/null 2> "$T/a3.err"
m=$(grep -cE "^ +[0-9]+ conv .*\(default: planned in" "$T/a3.err")
[ "$m" = 16 ] && ok "auto: default method uses the plan" || fail "auto: default method uses the plan" "$m of 16 conv rows"
sed -i 's/^# threads: .*/# threads: 999/' "$P"
"$DN" classifier predict cfg/imagenet1k.data cfg/tiny.cfg "$T/auto.w" data/chelsea.png -plan "$P" > /dev/null 2> "$T/a4.err"
grep -q "notice: plan $P was made for another CPU, thread count or build; ignoring it" "$T/a4.err" \
  && [ "$(grep -cE "\(default\)$" "$T/a4.err")" = 16 ] && ok "auto: a foreign plan is ignored with a notice" \
  || fail "auto: a foreign plan is ignored with a notice" "$(grep notice "$T/a4.err")"
# bench prints the planning cost: tiny.cfg has 16 conv layers of 13 distinct shapes.
"$DN" bench cfg/tiny.cfg "$T/auto.w" -method auto -plan "$P.b" -iters 1 -warmup 0 > "$T/ab1.out" 2>/dev/null
"$DN" bench cfg/tiny.cfg "$T/auto.w" -method auto -plan "$P.b" -iters 1 -warmup 0 > "$T/ab2.out" 2>/dev/null
grep -qE "^# auto planning: 16 conv layers, 13 distinct shapes, 13 timed now \(0 from the plan file\), [0-9]+ forward calls, [0-9.]+ s = [0-9.]+ forward passes$" "$T/ab1.out" \
  && grep -qE "^# auto planning: 16 conv layers, 13 distinct shapes, 0 timed now \(13 from the plan file\), 0 forward calls, 0.00 s" "$T/ab2.out" \
  && ok "auto: bench prints the planning cost" || fail "auto: bench prints the planning cost" "$(grep planning "$T/ab1.out" "$T/ab2.out")"
