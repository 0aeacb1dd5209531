# `darknet bench` smoke test on a small cfg: the method table, the -layers table, the JSON
# file, -output, and the report script of make bench. No test asserts a time.
B=tests/data/mixed.cfg
if ! "$DN" bench "$B" -method mcmk,im2col,im2row -iters 2 -warmup 0 -layers -json "$T/b.json" -output "$T/b.out" > "$T/b.txt" 2> "$T/b.err"; then
  fail "bench: runs" "exit status $?: $(tail -1 "$T/b.err")"
else
  ok "bench: runs"
  grep -qE "^# .*[0-9]+ cores, [0-9]+ threads, OpenBLAS .*core [A-Za-z0-9]+\)" "$T/b.txt" \
    && ok "bench: header names cores, threads and BLAS core" || fail "bench: header names cores, threads and BLAS core" "$(head -1 "$T/b.txt")"
  num='[0-9]+\.[0-9]+'
  rows=$(grep -cE "^(mcmk|im2col|im2row) +$num +$num +$num " "$T/b.txt")
  [ "$rows" = 3 ] && ok "bench: one row per method with numeric times" || fail "bench: one row per method with numeric times" "$rows rows"
  for m in mcmk im2col im2row; do
    [ "$(grep -cE "^$m " "$T/b.txt")" = 1 ] || fail "bench: row for $m" "missing or repeated"
  done
  grep -qE "^layer +description +mcmk_ms +im2col_ms +im2row_ms$" "$T/b.txt" \
    && ok "bench: -layers header" || fail "bench: -layers header" "not found"
  lrows=$(grep -cE "^ +[0-9]+ .* $num +$num +$num$" "$T/b.txt")
  [ "$lrows" = 18 ] && ok "bench: -layers has a row per layer" || fail "bench: -layers has a row per layer" "$lrows rows, want 18"
  if ! command -v python3 > /dev/null; then
    skip "bench: -json is valid JSON with the expected keys" "python3 not installed"
  elif why=$(python3 - "$T/b.json" <<'PY' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
top = {"cfg", "cpu", "cores", "threads", "blas", "build", "gflop", "weights", "iters", "warmup", "peak_rss_mb", "methods"}
assert top <= d.keys(), "missing keys: %s" % (top - d.keys())
assert [m["method"] for m in d["methods"]] == ["mcmk", "im2col", "im2row"], [m["method"] for m in d["methods"]]
for m in d["methods"]:
    keys = {"method", "wrong", "max_abs_diff", "median_ms", "min_ms", "max_ms", "memory_mb", "ms", "layers"}
    assert keys <= m.keys(), "%s: missing %s" % (m["method"], keys - m.keys())
    assert m["wrong"] is False and len(m["ms"]) == d["iters"] == 2, m["method"]
    assert m["min_ms"] <= m["median_ms"] <= m["max_ms"], m["method"]
    assert len(m["layers"]) == 18, len(m["layers"])
    for l in m["layers"]:
        assert {"index", "kind", "desc", "method", "ms"} <= l.keys(), l
    assert m["layers"][0]["method"] == m["method"] and m["layers"][0]["kind"] == "conv"
assert d["weights"] == "seed 1", d["weights"]
PY
  ); then ok "bench: -json is valid JSON with the expected keys"; else fail "bench: -json is valid JSON with the expected keys" "$(tail -1 <<<"$why")"; fi
  # mixed.cfg ends in 100 classes: -output holds them as float32.
  [ "$(stat -c %s "$T/b.out")" = 400 ] && ok "bench: -output writes the output" || fail "bench: -output writes the output" "$(stat -c %s "$T/b.out") bytes, want 400"
  mkdir -p "$T/rep"
  if ! command -v python3 > /dev/null; then
    skip "bench: report script writes md, csv and json" "python3 not installed"
  elif python3 scripts/bench_report.py table "$T/rep" "$T/rep" "$T/b.json" > "$T/rep.err" 2>&1 \
     && [ "$(grep -cE "^\| mixed \| (MCMK|Im2col|Im2row) \| $num \|" "$T/rep/table1.md")" = 3 ] \
     && [ "$(grep -c "^mixed,ours," "$T/rep/table1.csv")" = 3 ] \
     && python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/rep/table1.json"; then
    ok "bench: report script writes md, csv and json"
  else
    fail "bench: report script writes md, csv and json" "$(tail -1 "$T/rep.err")"
  fi
fi
# Seeded weights from `init -seed 1` are the ones bench uses when WEIGHTS is omitted.
"$DN" init "$B" "$T/b1.w" -seed 1 2>/dev/null
"$DN" bench "$B" "$T/b1.w" -method im2col -iters 1 -warmup 0 -output "$T/b1.out" > /dev/null 2>&1
"$DN" bench "$B" -method im2col -iters 1 -warmup 0 -output "$T/b0.out" > /dev/null 2>&1
cmp -s "$T/b0.out" "$T/b1.out" && ok "bench: default weights are init -seed 1" || fail "bench: default weights are init -seed 1" "outputs differ"
expect_error "bench: unknown method" "-method: unknown convolution method \"fast\" (valid: " "$DN" bench "$B" -method fast -iters 1
expect_error "bench: unknown method in a list" "-method: unknown convolution method \"fft\"" "$DN" bench "$B" -method im2col,fft -iters 1

# `default` benches what a run naming no method gets: the built-in default per layer, which
# must compute the same output as the backends it picks.
if "$DN" bench "$B" -method default,mcmk -plan - -iters 1 -warmup 0 -json "$T/bd.json" > "$T/bd.txt" 2> "$T/bd.err"; then
  if grep -qE "^default +[0-9]" "$T/bd.txt" && grep -qE "^mcmk +[0-9.]+ .* [0-9.e+-]+$" "$T/bd.txt" && ! grep -q WRONG "$T/bd.txt"; then
    ok "bench: -method default runs the built-in default"
  else
    fail "bench: -method default runs the built-in default" "$(cat "$T/bd.txt")"
  fi
else
  fail "bench: -method default runs the built-in default" "exit status: $(tail -1 "$T/bd.err")"
fi
