# The library from C, C++ and Python: the examples print what `darknet classifier predict`
# prints; a program in upstream's style compiles against our darknet.h; errors name the
# file; `make install` gives a prefix that pkg-config users build against.
# EXAMPLES_DIR (set by make test) holds classify-c and classify-cpp.
capi_checks() {
  local ex=${EXAMPLES_DIR:-} lib
  if [ -z "$ex" ] || [ ! -x "$ex/classify-c" ] || [ ! -x "$ex/classify-cpp" ]; then
    skip "capi" "examples not built (make test builds them)"; return
  fi
  ex=$(realpath "$ex"); lib=$(realpath libdarknet.so)
  local D=cfg/imagenet1k.data C=cfg/tiny.cfg I=data/chelsea.png W="$T/capi.w"
  "$DN" init $C "$W" -seed 1 2>/dev/null
  "$DN" init tests/data/mixed-methods.cfg "$T/capi-mm.w" 2>/dev/null
  "$DN" classifier predict $D $C "$W" $I -t 5 > "$T/capi.ref" 2>/dev/null
  if [ ! -s "$T/capi.ref" ]; then fail "capi: reference" "darknet classifier predict printed nothing"; return; fi

  capi_same() {  # NAME OUTPUT_FILE: byte-identical to the CLI's output
    if cmp -s "$T/capi.ref" "$2"; then ok "capi: $1"; else fail "capi: $1" "differs from the CLI: $(diff "$T/capi.ref" "$2" | head -4 | tr '\n' ' ')"; fi
  }
  capi_close() {  # NAME OUTPUT_FILE: same classes within print precision
    local why
    if why=$(bash "$here/compare_predictions.sh" "$T/capi.ref" "$2"); then ok "capi: $1"; else fail "capi: $1" "$why"; fi
  }

  "$ex/classify-c" $D $C "$W" $I 5 > "$T/c.out" 2> "$T/c.err"; capi_same "C example prints what the CLI prints" "$T/c.out"
  "$ex/classify-cpp" $D $C "$W" $I 5 > "$T/cpp.out" 2> "$T/cpp.err"; capi_same "C++ example prints what the CLI prints" "$T/cpp.out"
  for m in im2row im2col mcmk; do
    "$ex/classify-c" $D $C "$W" $I 5 $m > "$T/cm.out" 2>/dev/null; capi_close "C example, darknet_set_conv_method $m" "$T/cm.out"
    "$ex/classify-cpp" $D $C "$W" $I 5 $m > "$T/cm.out" 2>/dev/null; capi_close "C++ example, set_method $m" "$T/cm.out"
  done
  DARKNET_CONV_METHOD=mcmk "$ex/classify-c" $D $C "$W" $I 5 > "$T/env.out" 2> "$T/env.err"
  if grep -qE "^ +0 conv .*mcmk \(env\)$" "$T/env.err"; then capi_close "C API honours DARKNET_CONV_METHOD" "$T/env.out"
  else fail "capi: C API honours DARKNET_CONV_METHOD" "layer table lacks \"mcmk (env)\": $(grep -m1 -E '^ +0 conv' "$T/env.err")"; fi

  # Errors: exit 1 with the library's message naming the file, nothing on stdout.
  capi_error() {  # NAME SUBSTRING COMMAND...
    local name=$1 want=$2; shift 2
    "$@" > "$T/le.out" 2> "$T/le.err" < /dev/null
    local rc=$? last; last=$(tail -1 "$T/le.err")
    if [ $rc -ne 1 ]; then fail "capi: $name" "exit $rc (want 1): $last"
    elif [[ "$last" != *"$want"* ]]; then fail "capi: $name" "last stderr line \"$last\" lacks \"$want\""
    elif [ -s "$T/le.out" ]; then fail "capi: $name" "wrote to stdout"
    else ok "capi: $name"; fi
  }
  capi_error "C: missing weights" "classify: network: $T/none.w: cannot open" "$ex/classify-c" $D $C "$T/none.w" $I
  capi_error "C: missing cfg" "classify: network: $T/none.cfg: cannot open" "$ex/classify-c" $D "$T/none.cfg" "$W" $I
  capi_error "C: missing image" "classify: image: $T/none.png: cannot open" "$ex/classify-c" $D $C "$W" "$T/none.png"
  capi_error "C: unknown method" "classify: method: unknown convolution method \"fast\"" "$ex/classify-c" $D $C "$W" $I 5 fast
  capi_error "C++: wrong weights for the cfg" "classify-cpp: $T/capi-mm.w:" "$ex/classify-cpp" $D $C "$T/capi-mm.w" $I

  if command -v python3 >/dev/null; then
    DARKNET_LIB=$lib python3 examples/darknet.py classify $D $C "$W" $I -t 5 > "$T/py.out" 2> "$T/py.err"
    capi_same "Python ctypes script prints what the CLI prints" "$T/py.out"
    DARKNET_LIB=$lib python3 examples/darknet.py classify $D $C "$W" $I -t 5 -method mcmk > "$T/py.out" 2>/dev/null
    capi_close "Python, darknet_set_conv_method mcmk" "$T/py.out"
    if DARKNET_LIB=$lib python3 examples/darknet.py detect $D $C "$W" $I > "$T/pyd.out" 2> "$T/pyd.err" && [ ! -s "$T/pyd.out" ]; then
      ok "capi: Python detect on a classifier finds nothing"
    else fail "capi: Python detect on a classifier finds nothing" "$(tail -1 "$T/pyd.err") $(head -2 "$T/pyd.out")"; fi
    capi_error "Python: missing weights" "darknet.py: $T/none.w: cannot open" env DARKNET_LIB="$lib" python3 examples/darknet.py classify $D $C "$T/none.w" $I
  else
    skip "capi: Python" "python3 not found"
  fi

  # A program in upstream's style: strict C99 against our header, then (when the Debian
  # package is installed) the same source against upstream's header and library.
  local cflags="-std=c99 -Wall -Wextra -Wpedantic -Werror"
  if cc $cflags -Iinclude tests/data/upstream_style.c -o "$T/us" -L. -ldarknet -Wl,-rpath,"$(dirname "$lib")" 2> "$T/us.err"; then
    "$T/us" $D $C "$W" $I 5 > "$T/us.out" 2>/dev/null; local rc=$?
    head -5 "$T/us.out" > "$T/us1.out"; tail -n +6 "$T/us.out" > "$T/us2.out"
    if [ $rc -eq 0 ] && cmp -s "$T/capi.ref" "$T/us1.out" && cmp -s "$T/capi.ref" "$T/us2.out"; then
      ok "capi: upstream-style C program against our darknet.h"
    else fail "capi: upstream-style C program against our darknet.h" "exit $rc, output $(head -c 200 "$T/us.out" | tr '\n' ' ')"; fi
  else
    fail "capi: upstream-style C program compiles against our darknet.h" "$(head -3 "$T/us.err" | tr '\n' ' ')"
  fi
  if [ -f /usr/lib/darknet/include/darknet.h ] && [ -f /usr/lib/darknet/libdarknet.so ]; then
    if cc -std=gnu99 -I/usr/lib/darknet/include tests/data/upstream_style.c -o "$T/us-up" /usr/lib/darknet/libdarknet.so -Wl,-rpath,/usr/lib/darknet -lm -lpthread 2> "$T/usu.err"; then
      "$T/us-up" $D $C "$W" $I 5 2>/dev/null | head -5 > "$T/usu.out"
      capi_close "the same program against upstream's libdarknet.so agrees" "$T/usu.out"
    else fail "capi: the same program against upstream's header" "$(head -3 "$T/usu.err" | tr '\n' ' ')"; fi
    if cc -std=gnu99 -Iinclude tests/data/layouts.c -o "$T/lay" && cc -std=gnu99 -I/usr/lib/darknet/include tests/data/layouts.c -o "$T/lay-up" &&
       "$T/lay" > "$T/lay.out" && "$T/lay-up" > "$T/lay-up.out" && cmp -s "$T/lay.out" "$T/lay-up.out"; then
      ok "capi: image, box, detection, metadata laid out as upstream's"
    else fail "capi: image, box, detection, metadata laid out as upstream's" "$(diff "$T/lay-up.out" "$T/lay.out" 2>&1 | head -4 | tr '\n' ' ')"; fi
  else
    skip "capi: upstream-style program against upstream" "Debian package darknet not installed"
  fi

  # make install into a prefix, then build the examples the way users do: pkg-config.
  local P="$T/prefix" mk=${MAKE:-make}
  if ! $mk -s install PREFIX="$P" > "$T/inst.log" 2>&1; then fail "capi: make install" "$(tail -3 "$T/inst.log" | tr '\n' ' ')"; return; fi
  local missing=""
  for f in bin/darknet lib/libdarknet.a lib/libdarknet.so include/darknet.h include/darknet.hpp \
           share/darknet/cfg/tiny.cfg share/darknet/cfg/imagenet1k.data lib/pkgconfig/darknet.pc; do
    [ -f "$P/$f" ] || missing+=" $f"
  done
  [ -z "$missing" ] && ok "capi: make install PREFIX= installs everything" || fail "capi: make install PREFIX= installs everything" "missing:$missing"
  if ! command -v pkg-config >/dev/null; then skip "capi: pkg-config" "pkg-config not found"; return; fi
  local pc; pc=$(PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --cflags --libs darknet 2>&1)
  pc=$(echo $pc)  # pkg-config may end the line with a space
  if [ "$pc" = "-I$P/include -L$P/lib -ldarknet" ]; then ok "capi: pkg-config --cflags --libs darknet"
  else fail "capi: pkg-config --cflags --libs darknet" "got \"$pc\""; fi
  # shellcheck disable=SC2086
  if cc -std=c99 examples/classify.c $pc -o "$T/ic" 2> "$T/ic.err"; then
    LD_LIBRARY_PATH="$P/lib" "$T/ic" $D $C "$W" $I 5 > "$T/ic.out" 2>/dev/null
    capi_same "installed: C example built with pkg-config" "$T/ic.out"
  else fail "capi: installed: C example built with pkg-config" "$(head -3 "$T/ic.err" | tr '\n' ' ')"; fi
  # shellcheck disable=SC2086
  if c++ -std=c++17 examples/classify.cpp $pc -o "$T/icpp" 2> "$T/icpp.err"; then
    LD_LIBRARY_PATH="$P/lib" "$T/icpp" $D $C "$W" $I 5 > "$T/icpp.out" 2>/dev/null
    capi_same "installed: C++ example built with pkg-config" "$T/icpp.out"
  else fail "capi: installed: C++ example built with pkg-config" "$(head -3 "$T/icpp.err" | tr '\n' ' ')"; fi
  if command -v python3 >/dev/null; then
    DARKNET_LIB="$P/lib/libdarknet.so" python3 examples/darknet.py classify $D "$P/share/darknet/cfg/tiny.cfg" "$W" $I -t 5 > "$T/ipy.out" 2>/dev/null
    capi_same "installed: Python script on the installed library and cfg" "$T/ipy.out"
  fi
  # The installed Python package finds the installed library with no DARKNET_LIB.
  local pyd; pyd=$(echo "$P"/lib/python3*/dist-packages)
  if [ -f "$pyd/darknet_cpu/__init__.py" ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    (unset DARKNET_LIB; PYTHONPATH="$pyd" /usr/bin/python3 -c '
import sys, darknet_cpu
from darknet_cpu.records import read_data
assert darknet_cpu.__file__.startswith(sys.argv[6]), darknet_cpu.__file__
assert darknet_cpu._library_path() == sys.argv[1], darknet_cpu._library_path()
d = read_data(sys.argv[2])
net = darknet_cpu.Network(sys.argv[3], sys.argv[4], names=d.get("names") or d["labels"])
for name, p in net.classify(sys.argv[5], top=5):
    print("%5.2f%%: %s" % (p * 100, name))' "$P/lib/libdarknet.so" $D $C "$W" $I "$pyd") > "$T/ipkg.out" 2> "$T/ipkg.err"
    if [ -s "$T/ipkg.out" ]; then capi_same "installed: the Python package (darknet_cpu) on the installed library" "$T/ipkg.out"
    else fail "capi: installed: the Python package (darknet_cpu) on the installed library" "$(tail -1 "$T/ipkg.err")"; fi
  elif [ ! -f "$pyd/darknet_cpu/__init__.py" ]; then fail "capi: make install installs the Python package" "no darknet_cpu under $P/lib/python3*/dist-packages"
  else skip "capi: installed: the Python package" "python3-numpy missing"; fi
  # Static: without libdarknet.so in the prefix, -ldarknet takes libdarknet.a and
  # pkg-config --static adds Libs.private.
  local S="$T/static"
  $mk -s install PREFIX="$S" > /dev/null 2>&1 && rm -f "$S/lib/libdarknet.so"
  local spc; spc=$(PKG_CONFIG_PATH="$S/lib/pkgconfig" pkg-config --static --cflags --libs darknet 2>&1)
  # shellcheck disable=SC2086
  if cc -std=c99 examples/classify.c $spc -o "$T/is" 2> "$T/is.err"; then
    "$T/is" $D $C "$W" $I 5 > "$T/is.out" 2>/dev/null
    if ldd "$T/is" | grep -q libdarknet; then fail "capi: installed: C example linked statically with pkg-config --static" "still needs libdarknet.so"
    else capi_same "installed: C example linked statically with pkg-config --static" "$T/is.out"; fi
  else fail "capi: installed: C example linked statically with pkg-config --static" "$(head -3 "$T/is.err" | tr '\n' ' ')"; fi
  # DESTDIR stages the files; the .pc still names PREFIX; uninstall removes them all.
  local G="$T/stage"
  $mk -s install DESTDIR="$G" PREFIX=/opt/dn > /dev/null 2>&1
  if [ -f "$G/opt/dn/lib/libdarknet.so" ] && grep -qx "prefix=/opt/dn" "$G/opt/dn/lib/pkgconfig/darknet.pc"; then
    ok "capi: make install DESTDIR= PREFIX="
  else fail "capi: make install DESTDIR= PREFIX=" "files or prefix line missing"; fi
  $mk -s uninstall DESTDIR="$G" PREFIX=/opt/dn > /dev/null 2>&1
  local left; left=$(find "$G" -type f | sed "s|$G||" | head -3 | tr '\n' ' ')
  [ -z "$left" ] && ok "capi: make uninstall removes every file" || fail "capi: make uninstall removes every file" "left: $left"
}
capi_checks

# Detection through libdarknet.so from Python prints the CLI's labels and percentages.
if command -v python3 > /dev/null && [ -z "${CLI_QUICK:-}" ]; then
  "$DN" init cfg/yolov2-tiny.cfg "$T/y2.w" -seed 2 2>/dev/null
  "$DN" detector test cfg/coco.data cfg/yolov2-tiny.cfg "$T/y2.w" data/chelsea.png -thresh 0.2 -out "$T/y2pred" 2>/dev/null | grep -v "Predicted in" | sort > "$T/y2cli.out"
  DARKNET_LIB=$(realpath libdarknet.so) python3 examples/darknet.py detect cfg/coco.data cfg/yolov2-tiny.cfg "$T/y2.w" data/chelsea.png -thresh 0.2 2> "$T/y2py.err" \
    | sed 's/ (x .*//' | sort > "$T/y2py.out"
  if [ -s "$T/y2cli.out" ] && cmp -s "$T/y2cli.out" "$T/y2py.out"; then ok "capi: Python detect prints the CLI's detections"
  else fail "capi: Python detect prints the CLI's detections" "$(diff "$T/y2cli.out" "$T/y2py.out" | head -3 | tr '\n' ' ') $(tail -1 "$T/y2py.err")"; fi
fi
