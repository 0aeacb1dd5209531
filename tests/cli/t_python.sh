# The Python package (python/darknet_cpu): its pytest suite (python/tests) against this
# build's darknet and libdarknet.so, one result line per test. Debian's python3 has the
# numpy, pytest and setuptools that scripts/install-deps.sh installs.
PY=/usr/bin/python3; [ -x "$PY" ] || PY=$(command -v python3)
if [ -n "${CLI_QUICK:-}" ]; then
  skip "python package" "CLI_QUICK (it runs the release libdarknet.so)"
elif [ -z "$PY" ] || ! "$PY" -c 'import numpy, pytest' 2>/dev/null; then
  skip "python package" "python3-numpy or python3-pytest missing (scripts/install-deps.sh)"
elif [ ! -f libdarknet.so ]; then
  skip "python package" "no libdarknet.so (make libdarknet.so)"
else
  DARKNET=$DN DARKNET_LIB=$(realpath libdarknet.so) PYTHONDONTWRITEBYTECODE=1 \
    "$PY" -m pytest -q -rA -p no:cacheprovider --basetemp="$T/pytest" python/tests > "$T/pyt.out" 2>&1
  prc=$?
  grep -E '^(PASSED|FAILED|ERROR) ' "$T/pyt.out" | while read -r st t _; do
    if [ "$st" = PASSED ]; then ok "python: ${t##*::}"; else fail "python: ${t##*::}" "$(grep -m1 -E '^E ' "$T/pyt.out")"; fi
  done
  grep -qE '^(PASSED|FAILED|ERROR) ' "$T/pyt.out" || fail "python: pytest" "exit $prc: $(tail -1 "$T/pyt.out")"
fi
