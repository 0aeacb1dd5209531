# Every conv method reproduces upstream's printed predictions (fixtures recorded from
# /usr/bin/darknet by scripts/conformance.sh --record).
methods=$("$DN" 2>&1 | sed -n 's/.*-method NAME (\(.*\)).*/\1/p' | tr -d ',')
while IFS='|' read -r name cfg seed image top; do
  name=$(echo $name); cfg=$(echo $cfg); seed=$(echo $seed); image=$(echo $image); top=$(echo $top)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  # Under sanitizers (CLI_QUICK=1) the big upstream networks would take too long.
  if [ -n "${CLI_QUICK:-}" ] && [ "${cfg:0:4}" = "@up/" ]; then skip "conformance $name" "CLI_QUICK"; continue; fi
  if [ "${cfg:0:4}" = "@up/" ]; then
    cfg=$UPCFG/${cfg:4}
    [ -f "$cfg" ] || { skip "conformance $name" "$cfg not installed (apt-get install darknet)"; continue; }
  fi
  "$DN" init "$cfg" "$T/w" -seed "$seed" 2>/dev/null || { fail "conformance $name" "init failed"; continue; }
  for m in $methods; do
    "$DN" classifier predict cfg/imagenet1k.data "$cfg" "$T/w" "$image" -t "$top" -method "$m" > "$T/out" 2>"$T/err"
    rc=$?
    if [ $rc -ne 0 ]; then fail "conformance $name $m" "exit $rc: $(tail -1 "$T/err")"; continue; fi
    if why=$(bash "$here/compare_predictions.sh" "tests/fixtures/conformance/$name.out" "$T/out"); then
      ok "conformance $name $m"
    else
      fail "conformance $name $m" "$why"
    fi
  done
done < tests/conformance/cases.txt

# The comparison itself must be able to fail: perturb one probability by 0.02 points.
awk 'NR == 5 { sub(/%/, ""); p = $1 + 0.02; $1 = ""; printf "%5.2f%%:%s\n", p, substr($0, 2); next } { print }' \
  tests/fixtures/conformance/tiny-rgb.out | sed 's/%: */%: /' > "$T/bad.out"
if bash "$here/compare_predictions.sh" tests/fixtures/conformance/tiny-rgb.out "$T/bad.out" >/dev/null; then
  fail "compare detects a perturbed probability" "accepted"
else
  ok "compare detects a perturbed probability"
fi
