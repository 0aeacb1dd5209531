#!/usr/bin/env bash
# make test-matrix: the tests that exercise the convolution methods and BLAS (the backend
# grid, the connected layer, the C API, the CLI method and rnn tests), run once per OpenBLAS kernel
# (OPENBLAS_CORETYPE) and once per microkernel ISA (DARKNET_ISA) that this CPU can execute,
# to reproduce other CPUs on this one, and once under OpenBLAS's pthreads build. A core type this OpenBLAS does not have, or this CPU
# cannot run, is skipped with the reason; a core type OpenBLAS does not really take (its
# OPENBLAS_VERBOSE=2 line names another) fails. Prints "ok/FAIL/skip NAME" per combination,
# then "N passed, M failed" (over every test run in every combination).
# Usage: scripts/test-matrix.sh RUN_TESTS_BINARY DARKNET_BINARY
# CORETYPES and ISAS override the lists, CATCH_FILTER and CLI_TESTS what runs per combination.
set -uo pipefail
bin=$1
darknet=$2
# OpenBLAS 0.3.21's DYNAMIC_ARCH kernels worth covering, newest first: AVX-512, AVX2+FMA
# (Intel, AMD), AVX, SSE4.2, SSE3, Atom's SSSE3, AMD's Excavator and Bulldozer (FMA4).
CORETYPES=${CORETYPES:-"SkylakeX Cooperlake Haswell Zen Sandybridge Nehalem Prescott Atom Excavator Bulldozer"}
ISAS=${ISAS:-"avx512 avx2 generic"}
# The grid and random shapes of every backend, the C API, the connected layer's sgemm.
CATCH_FILTER=${CATCH_FILTER:-"conv backends match the reference on the sampled grid,conv backends match the reference on random shapes,[capi],[blas],[threads]"}
# The CLI tests that run every method: selection and -threads (t_methods.sh), and every
# method against upstream's recorded predictions (t_conformance.sh; CLI_QUICK leaves out
# upstream's big networks, as under sanitizers); and `rnn generate` against upstream's
# sampled text (t_rnn.sh), where one last bit of a [connected] sum changes a character (it
# did under the Sandybridge and Nehalem kernels while [connected] called sgemm).
CLI_TESTS=${CLI_TESTS:-"methods conformance rnn"}
# Idle OpenMP threads sleep rather than spin: no result depends on it, and on a loaded
# machine spinning made each combination several times slower.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
XDG_CACHE_HOME=$(mktemp -d)
export XDG_CACHE_HOME
log=$(mktemp)
trap 'rm -rf "$XDG_CACHE_HOME" "$log"' EXIT

flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
has() { for f in "$@"; do [[ $flags == *" $f "* ]] || return 1; done; }
# The instructions each core type's kernels use (OpenBLAS kernel/x86_64/KERNEL.*).
needs() {
  case $1 in
    SkylakeX) echo "avx512f avx512bw avx512dq avx512vl" ;;
    Cooperlake) echo "avx512f avx512bw avx512dq avx512vl avx512_bf16" ;;
    Haswell|Zen) echo "avx2 fma" ;;
    Sandybridge) echo "avx" ;;
    Bulldozer|Excavator) echo "avx fma4" ;;
    Nehalem) echo "sse4_2" ;;
    Atom) echo "ssse3" ;;
    *) echo "pni" ;;  # SSE3 (Prescott, Core2, ...), "pni" in /proc/cpuinfo
  esac
}

P=0; F=0; combos_ok=0; combos_failed=0; combos_skipped=0
# One combination: NAME ENV... (env(1) arguments, -u options first); runs the Catch2 tests and the CLI method tests in that
# environment and adds their counts.
run_combo() {
  local name=$1; shift
  local t0=$SECONDS cp=0 cf=0 lp=0 lf=0 line
  env "$@" "$bin" "$CATCH_FILTER" > "$log" 2>&1
  local rc=$?
  if line=$(grep -E "^All tests passed" "$log"); then
    cp=$(sed -E 's/.* in ([0-9]+) test case.*/\1/' <<<"$line")
  elif line=$(grep -E "^test cases:" "$log" | tail -1); then
    cp=$(grep -oE "[0-9]+ passed" <<<"$line" | grep -oE "[0-9]+" || echo 0)
    cf=$(grep -oE "[0-9]+ failed" <<<"$line" | grep -oE "[0-9]+" || echo 0)
  fi
  [ "$rc" -ne 0 ] && [ "$cf" -eq 0 ] && cf=1
  [ "$cf" -ne 0 ] && grep -E "FAILED|differ|mismatch|SIG" "$log" | head -5 | sed "s/^/  $name: /"
  env "$@" CLI_TESTS="$CLI_TESTS" CLI_QUICK=1 bash tests/cli/run.sh "$darknet" > "$log" 2>&1
  lp=$(grep -cE "^ok " "$log"); lf=$(grep -cE "^FAIL " "$log")
  [ "$lp" -eq 0 ] && [ "$lf" -eq 0 ] && lf=1
  [ "$lf" -ne 0 ] && grep -E "^FAIL " "$log" | head -5 | sed "s/^/  $name: /"
  P=$((P + cp + lp)); F=$((F + cf + lf))
  local verdict=ok
  if [ $((cf + lf)) -ne 0 ]; then verdict=FAIL; combos_failed=$((combos_failed + 1)); else combos_ok=$((combos_ok + 1)); fi
  echo "$verdict $name: catch2 $cp passed, $cf failed; cli $lp passed, $lf failed ($((SECONDS - t0)) s)"
}

skip() { echo "skip $1: $2"; combos_skipped=$((combos_skipped + 1)); }

# The core OpenBLAS takes, from its OPENBLAS_VERBOSE=2 line ("Core: Haswell").
core_taken() { env "$@" OPENBLAS_VERBOSE=2 "$bin" "no test has this name" 2>&1 | sed -n 's/^Core: //p' | head -1; }

default_core=$(env -u OPENBLAS_CORETYPE OPENBLAS_VERBOSE=2 "$bin" "no test has this name" 2>&1 | sed -n 's/^Core: //p;s/^Core not found.*/?/p' | head -1)
[ -z "$default_core" ] && default_core=$("$darknet" bench -h 2>&1 | grep -o "core [A-Za-z0-9]*" | head -1)
run_combo "OPENBLAS_CORETYPE unset (OpenBLAS picks ${default_core:-its own})" -u OPENBLAS_CORETYPE -u DARKNET_ISA

for c in $CORETYPES; do
  name="OPENBLAS_CORETYPE=$c"
  got=$(core_taken OPENBLAS_CORETYPE="$c")
  # An unknown name makes OpenBLAS print "Core not found: NAME" and fall back.
  verbose=$(env OPENBLAS_CORETYPE="$c" OPENBLAS_VERBOSE=2 "$bin" "no test has this name" 2>&1)
  if grep -q "^Core not found" <<<"$verbose"; then skip "$name" "not a core type of this OpenBLAS"; continue; fi
  missing=""
  for f in $(needs "$c"); do has "$f" || missing+=" $f"; done
  if [ -n "$missing" ]; then skip "$name" "this CPU lacks$missing"; continue; fi
  if [ "${got,,}" != "${c,,}" ]; then
    echo "FAIL $name: OpenBLAS took core \"$got\""; F=$((F + 1)); combos_failed=$((combos_failed + 1)); continue
  fi
  run_combo "$name" -u DARKNET_ISA OPENBLAS_CORETYPE="$c"
done

for isa in $ISAS; do
  name="DARKNET_ISA=$isa"
  # What backends/gemm_kernels.cpp asks the CPU for; without it the engine would warn and
  # fall back, so the combination would repeat another.
  case $isa in avx512) req="avx512f" ;; avx2) req="avx2 fma" ;; *) req="" ;; esac
  missing=""
  for f in $req; do has "$f" || missing+=" $f"; done
  if [ -n "$missing" ]; then skip "$name" "this CPU lacks$missing"; continue; fi
  run_combo "$name" -u OPENBLAS_CORETYPE DARKNET_ISA="$isa"
done

# OpenBLAS's pthreads build threads each call itself, even inside an OpenMP region (Debian
# ships only that build for arm64 and others; `-lopenblas` gets it wherever the OpenMP build
# is not installed). The same binaries under it, through LD_LIBRARY_PATH (they link with a
# RUNPATH, which it overrides). Unpacked from Debian's package when not installed, so the
# system's BLAS alternatives stay as they are.
multiarch=$(gcc -print-multiarch 2>/dev/null)
pth=/usr/lib/$multiarch/openblas-pthread
if [ ! -f "$pth/libopenblas.so.0" ]; then
  d=$XDG_CACHE_HOME/openblas-pthread
  # Twice at most: a download cut short once left a library the loader could not map (a FAIL
  # below that a second run did not repeat); only a package dpkg unpacks whole is kept.
  for attempt in 1 2; do
    rm -rf "$d" && mkdir -p "$d" &&
      (cd "$d" && apt-get download -qq libopenblas0-pthread >/dev/null 2>&1 && dpkg -x libopenblas0-pthread_*.deb root) &&
      break
    rm -rf "$d"
  done
  pth=$d/root/usr/lib/$multiarch/openblas-pthread
fi
if [ ! -f "$pth/libopenblas.so.0" ]; then
  skip "OpenBLAS pthreads build" "libopenblas0-pthread is neither installed nor downloadable"
elif ! LD_LIBRARY_PATH=$pth ldd "$bin" | grep -q "$pth/libopenblas.so.0"; then
  echo "FAIL OpenBLAS pthreads build: $bin does not load $pth/libopenblas.so.0"; F=$((F + 1)); combos_failed=$((combos_failed + 1))
else
  run_combo "OpenBLAS pthreads build ($pth)" -u OPENBLAS_CORETYPE -u DARKNET_ISA LD_LIBRARY_PATH="$pth"
fi

echo "test-matrix: $combos_ok combinations passed, $combos_failed failed, $combos_skipped skipped"
echo "$P passed, $F failed"
[ "$F" -eq 0 ]
