# Recurrent networks: every case of tests/fixtures/rnn/cases.txt through `rnn generate`
# against the characters /usr/bin/darknet printed (scripts/record-rnn-fixtures.sh), byte for
# byte; cfgs with convolutions ([crnn]) with every method, the others once. Then cases that
# must differ (the comparison can fail), and bad input.
rnn_methods=$("$DN" 2>&1 | sed -n 's/.*-method NAME (\(.*\)).*/\1/p' | tr -d ',')
for i in $(seq 0 255); do [ "$i" = 10 ] && echo "<NEWLINE>" || echo "t$i"; done > "$T/rtokens"
rnn_w_key=""
while IFS='|' read -r name cfg init args; do
  name=$(echo $name); cfg=$(echo $cfg); init=$(echo $init)
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  if [ "${cfg:0:4}" = "@up/" ]; then
    cfg=$UPCFG/${cfg:4}
    [ -f "$cfg" ] || { skip "rnn $name" "$cfg not installed (apt-get install darknet)"; continue; }
    # rnn.cfg is 36 MB of weights and 1024-wide layers: one case of it under CLI_QUICK.
    if [ -n "${CLI_QUICK:-}" ] && [ "$name" != rnn-default ] && [[ $cfg == */rnn.cfg ]]; then skip "rnn $name" "CLI_QUICK"; continue; fi
  fi
  if [ "$rnn_w_key" != "$cfg $init" ]; then
    # shellcheck disable=SC2086
    "$DN" init "$cfg" "$T/rw" $init 2>/dev/null || { fail "rnn $name" "init failed"; continue; }
    rnn_w_key="$cfg $init"
  fi
  ms=default; grep -q '^\[crnn\]\|^\[conv' "$cfg" && ms=$rnn_methods
  for m in $ms; do
    mflag=(); [ "$m" != default ] && mflag=(-method "$m")
    # shellcheck disable=SC2086
    "$DN" rnn generate "$cfg" "$T/rw" ${args//@tokens/$T/rtokens} "${mflag[@]}" -threads 1 > "$T/rout" 2> "$T/rerr"
    rc=$?
    if [ $rc -ne 0 ]; then fail "rnn $name $m" "exit $rc: $(tail -1 "$T/rerr")"
    elif cmp -s "tests/fixtures/rnn/$name.out" "$T/rout"; then ok "rnn $name $m"
    else fail "rnn $name $m" "$(cmp "tests/fixtures/rnn/$name.out" "$T/rout" 2>&1 | head -1)"; fi
  done
done < tests/fixtures/rnn/cases.txt

# An empty -seed: upstream prints a NUL, then samples from input 0.
"$DN" init tests/data/rnn/lstm.cfg "$T/rw" -seed 2 2>/dev/null
"$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rw" -seed "" -len 50 -srand 5 > "$T/rout" 2>/dev/null
if cmp -s tests/fixtures/rnn/lstm-empty-seed.out "$T/rout"; then ok "rnn lstm-empty-seed"; else fail "rnn lstm-empty-seed" "$(cmp tests/fixtures/rnn/lstm-empty-seed.out "$T/rout" 2>&1)"; fi

# The comparison can fail: another -srand, -temp or -seed prints other characters, and a
# network with its weights scaled otherwise (the state is computed, not ignored).
"$DN" init tests/data/rnn/lstm.cfg "$T/rw" -seed 2 2>/dev/null
rnn_differs() {  # NAME FIXTURE GENERATE-ARGS...
  local what=$1 fixture=$2; shift 2
  "$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rw" -threads 1 "$@" > "$T/rout" 2>/dev/null
  if [ ! -s "$T/rout" ]; then fail "rnn: $what" "no output"
  elif cmp -s "tests/fixtures/rnn/$fixture.out" "$T/rout"; then fail "rnn: $what" "same output as $fixture"
  else ok "rnn: $what"; fi
}
rnn_differs "another -srand prints otherwise" lstm-hello -len 300 -srand 4 -seed Hello
rnn_differs "another -temp prints otherwise" lstm-hello -len 300 -srand 3 -seed Hello -temp 0.6
rnn_differs "another -seed prints otherwise" lstm-hello -len 300 -srand 3 -seed Hellp
"$DN" init tests/data/rnn/lstm.cfg "$T/rw" -seed 2 -scale 0.9 2>/dev/null
rnn_differs "other weights print otherwise" lstm-hello -len 300 -srand 3 -seed Hello
# A time step does depend on the state: the same characters with the state zeroed at every
# step (a [connected] stack of the same weights would) are not what the fixture holds. Here:
# the seed's first characters change the rest of the text.
"$DN" init tests/data/rnn/lstm.cfg "$T/rw" -seed 2 2>/dev/null
"$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rw" -threads 1 -len 300 -srand 3 -seed XXXXHello > "$T/rout" 2>/dev/null
if cmp -s <(tail -c +5 "$T/rout") tests/fixtures/rnn/lstm-hello.out; then fail "rnn: earlier characters change later ones" "same text"
else ok "rnn: earlier characters change later ones"; fi
# The same weights with the default -srand (the time) print; -len 0 prints the seed alone.
"$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rw" -len 5 > "$T/rout" 2>/dev/null && [ "$(wc -c < "$T/rout")" = 8 ] &&
  ok "rnn: default -srand and -seed" || fail "rnn: default -srand and -seed" "$(wc -c < "$T/rout") bytes"
"$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rw" -len 0 -seed abc > "$T/rout" 2>/dev/null && [ "$(cat "$T/rout")" = abc ] &&
  ok "rnn: -len 0 prints the seed" || fail "rnn: -len 0 prints the seed" "$(head -c 20 "$T/rout")"

# rnn.train.cfg (batch=128, time_steps=576) is rnn.cfg for training: upstream's rnn generate
# reads 73728 inputs per character from its one-character buffer and crashes; ours runs one
# step per call, so with rnn.cfg's weights it prints rnn.cfg's characters.
if [ -f "$UPCFG/rnn.train.cfg" ]; then
  "$DN" init "$UPCFG/rnn.cfg" "$T/rw" -seed 1 -scale 0.5 2>/dev/null
  "$DN" rnn generate "$UPCFG/rnn.train.cfg" "$T/rw" -len 200 -srand 1 > "$T/rout" 2>/dev/null
  if cmp -s tests/fixtures/rnn/rnn-default.out "$T/rout"; then ok "rnn: rnn.train.cfg generates as rnn.cfg"
  else fail "rnn: rnn.train.cfg generates as rnn.cfg" "differs"; fi
else skip "rnn: rnn.train.cfg" "not installed"; fi

# Bad input: one line naming the file and the problem.
"$DN" init tests/data/rnn/lstm.cfg "$T/rw" -seed 2 2>/dev/null
printf 'n0\n' > "$T/rnames"; printf 'classes=1\nnames=%s\n' "$T/rnames" > "$T/r.data"
expect_error "rnn cfg to classifier predict" "lstm.cfg: [net] gives inputs= alone" "$DN" classifier predict "$T/r.data" tests/data/rnn/lstm.cfg "$T/rw" data/chelsea.png
expect_error "rnn cfg to detector test" "lstm.cfg: [net] gives inputs= alone" "$DN" detector test "$T/r.data" tests/data/rnn/lstm.cfg "$T/rw" data/chelsea.png
"$DN" init tests/data/rnn/crnn.cfg "$T/rcw" -seed 2 2>/dev/null
expect_error "crnn cfg to classifier predict" "crnn.cfg: layer 0 [crnn] is recurrent" "$DN" classifier predict "$T/r.data" tests/data/rnn/crnn.cfg "$T/rcw" data/chelsea.png
expect_error "rnn generate: missing weights" "$T/none.weights: cannot open" "$DN" rnn generate tests/data/rnn/lstm.cfg "$T/none.weights"
head -c 100000 "$T/rw" > "$T/rshort"
expect_error "rnn generate: short weights" "rshort: weights do not match" "$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rshort"
expect_error "rnn generate: crnn weights for an lstm" "weights do not match" "$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rcw"
expect_error "rnn generate: no weights argument" "usage: darknet rnn generate" "$DN" rnn generate tests/data/rnn/lstm.cfg
expect_error "rnn: other subcommands" "rnn vec is not supported" "$DN" rnn vec tests/data/rnn/lstm.cfg "$T/rw"
expect_error "rnn: unknown subcommand" "unknown subcommand \"gen\"" "$DN" rnn gen tests/data/rnn/lstm.cfg "$T/rw"
# Seed bytes index the inputs as 0..255 on every CPU (x86's char is signed, ARM's is not):
# "é" (bytes 195, 169) is outside a network of 128 inputs, and is two inputs of one of 256
# (printed first, then 5 samples and the newline).
sed 's/^inputs=256/inputs=128/' tests/data/rnn/lstm.cfg > "$T/rlstm128.cfg"
"$DN" init "$T/rlstm128.cfg" "$T/rw128" 2>/dev/null
expect_error "rnn generate: -seed outside the inputs" "-seed: character 195 is outside the network's 128 inputs" "$DN" rnn generate "$T/rlstm128.cfg" "$T/rw128" -seed "é"
sed 's/^inputs=256/inputs=160/' tests/data/rnn/lstm.cfg > "$T/rlstm160.cfg"
"$DN" init "$T/rlstm160.cfg" "$T/rw160" 2>/dev/null
expect_error "rnn generate: -seed outside the inputs, 2nd byte" "-seed: character 200 is outside the network's 160 inputs" "$DN" rnn generate "$T/rlstm160.cfg" "$T/rw160" -seed $'a\xc8'
if "$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rw" -seed "é" -len 5 -srand 1 > "$T/rout" 2>/dev/null &&
   [ "$(head -c 2 "$T/rout" | od -An -tu1 | tr -s ' ')" = " 195 169" ] && [ "$(wc -c < "$T/rout")" -eq 8 ]; then
  ok "rnn generate: a seed byte from 128 on"
else fail "rnn generate: a seed byte from 128 on" "$(od -An -tu1 "$T/rout" | head -2)"; fi
expect_error "rnn generate: -temp 0" "-temp: must not be 0" "$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rw" -temp 0
expect_error "rnn generate: -len -1" "-len: expected an integer" "$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rw" -len -1
printf 'a\nb\n' > "$T/rtok2"
expect_error "rnn generate: too few tokens" "-tokens: the file has 2 tokens" "$DN" rnn generate tests/data/rnn/lstm.cfg "$T/rw" -tokens "$T/rtok2"
printf '[net]\ninputs=16\n[convolutional]\nfilters=1\n' > "$T/rconv.cfg"
expect_error "a convolution after inputs= alone" "rconv.cfg:3: [convolutional] #0: needs an image input" "$DN" init "$T/rconv.cfg" "$T/rw2"
printf '[net]\ninputs=16\n[rnn]\noutput=4\n[maxpool]\n' > "$T/rpool.cfg"
expect_error "an image layer after [rnn]" "outputs a vector ([rnn])" "$DN" init "$T/rpool.cfg" "$T/rw2"
printf '[net]\ninputs=16\n[lstm]\noutput=4\nactivation=leaky\n' > "$T/rlstm.cfg"
"$DN" init "$T/rlstm.cfg" "$T/rw2" 2> "$T/rerr" >/dev/null; grep -q "unused option activation=leaky" "$T/rerr" &&
  ok "rnn: [lstm] activation= is unused, as upstream says" || fail "rnn: [lstm] activation= is unused, as upstream says" "$(tail -1 "$T/rerr")"
printf '[net]\ninputs=16\n[rnn]\noutput=4\nshortcut=2\n' > "$T/rbad.cfg"
expect_error "[rnn] shortcut=2" "rbad.cfg:5: [rnn] #0: shortcut" "$DN" init "$T/rbad.cfg" "$T/rw2"
printf '[net]\ninputs=16\n[rnn]\noutput=4\n[Gaussian_yolo]\n' > "$T/rab.cfg"
expect_error "[rnn] in AlexeyAB's dialect" "supported as pjreddie's Darknet computes it only" "$DN" init "$T/rab.cfg" "$T/rw2" -dialect alexeyab
printf '[net]\nwidth=16384\nheight=16384\nchannels=1\n[crnn]\nhidden_filters=4096\n' > "$T/rhuge.cfg"
expect_error "[crnn] state over the memory limit" "rhuge.cfg:6: [crnn] #0: hidden_filters: a state of" "$DN" init "$T/rhuge.cfg" "$T/rw2"

# The weights files init writes are the bytes upstream writes back after reading them
# (`darknet partial`): the same count and layout for every recurrent layer type.
if [ -x /usr/bin/darknet ]; then
  for c in tests/data/rnn/lstm.cfg tests/data/rnn/crnn.cfg tests/data/rnn/crnn-odd.cfg tests/data/rnn/gru-tanh.cfg; do
    "$DN" init "$c" "$T/rw" -seed 3 2>/dev/null
    /usr/bin/darknet partial "$c" "$T/rw" "$T/rup" 1000 > /dev/null 2>&1
    if cmp -s "$T/rw" "$T/rup"; then ok "rnn: upstream re-saves $(basename "$c") weights unchanged"
    else fail "rnn: upstream re-saves $(basename "$c") weights unchanged" "$(cmp "$T/rw" "$T/rup" 2>&1 | head -1)"; fi
  done
else skip "rnn: weights layout against upstream" "/usr/bin/darknet not installed"; fi
