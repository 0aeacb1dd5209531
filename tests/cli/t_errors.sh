# Bad input: exit status 1, the last stderr line "darknet: ..." naming the file and the
# problem, nothing on stdout, never a crash or a hang.
mkcfg() { printf '%b' "$2" > "$T/$1"; }
D=cfg/imagenet1k.data
"$DN" init cfg/tiny.cfg "$T/tiny.w" 2>/dev/null
"$DN" init tests/data/mixed.cfg "$T/mixed.w" 2>/dev/null
P="classifier predict"
net='[net]\nwidth=16\nheight=12\nchannels=3\n'
conv='[convolutional]\nfilters=4\nsize=3\npad=1\nactivation=leaky\n'

expect_error "missing cfg" "$T/none.cfg: cannot open" "$DN" $P $D "$T/none.cfg" "$T/tiny.w" data/chelsea.png
mkdir -p "$T/dir.cfg"
expect_error "directory as cfg" "dir.cfg: is a directory" "$DN" $P $D "$T/dir.cfg" "$T/tiny.w" data/chelsea.png
mkcfg empty.cfg ''
expect_error "empty cfg" "empty.cfg: empty cfg" "$DN" $P $D "$T/empty.cfg" "$T/tiny.w" data/chelsea.png
expect_error "binary cfg" "chelsea.png: binary data" "$DN" $P $D data/chelsea.png "$T/tiny.w" data/chelsea.png
mkcfg nonet.cfg "$conv"
expect_error "no [net]" "nonet.cfg:1: the first section must be [net]" "$DN" $P $D "$T/nonet.cfg" "$T/tiny.w" data/chelsea.png
mkcfg before.cfg "width=3\n$net"
expect_error "option before section" "before.cfg:1: option" "$DN" $P $D "$T/before.cfg" "$T/tiny.w" data/chelsea.png
mkcfg junk.cfg "$net\nthis is not an option\n"
expect_error "malformed line" "junk.cfg:6: expected [section] or key=value" "$DN" $P $D "$T/junk.cfg" "$T/tiny.w" data/chelsea.png
mkcfg nan.cfg "$net[convolutional]\nfilters=abc\n"
expect_error "non-numeric value" "nan.cfg:6: [convolutional] #0: filters: expected an integer" "$DN" $P $D "$T/nan.cfg" "$T/tiny.w" data/chelsea.png
mkcfg zero.cfg "$net[convolutional]\nfilters=0\n"
expect_error "zero filters" "zero.cfg:6: [convolutional] #0: filters: expected an integer in [1, 1048576], got \"0\"" "$DN" $P $D "$T/zero.cfg" "$T/tiny.w" data/chelsea.png
mkcfg neg.cfg "$net[convolutional]\nsize=-3\n"
expect_error "negative size" "neg.cfg:6: [convolutional] #0: size:" "$DN" $P $D "$T/neg.cfg" "$T/tiny.w" data/chelsea.png
mkcfg float.cfg "$net[convolutional]\nstride=1.5\n"
expect_error "float where integer" "float.cfg:6: [convolutional] #0: stride: expected an integer, got \"1.5\"" "$DN" $P $D "$T/float.cfg" "$T/tiny.w" data/chelsea.png
mkcfg big.cfg "$net[convolutional]\nsize=15\n"
expect_error "kernel larger than input" "big.cfg:6: [convolutional] #0: size: kernel 15" "$DN" $P $D "$T/big.cfg" "$T/tiny.w" data/chelsea.png
mkcfg groups.cfg "$net[convolutional]\nfilters=4\ngroups=2\n"
expect_error "groups not dividing channels" "groups.cfg:7: [convolutional] #0: groups: groups=2 does not divide the 3 input channels" "$DN" $P $D "$T/groups.cfg" "$T/tiny.w" data/chelsea.png
mkcfg route.cfg "$net$conv[route]\nlayers=-5\n"
expect_error "route out of range" "route.cfg:11: [route] #1: layers: layer -5 is out of range" "$DN" $P $D "$T/route.cfg" "$T/tiny.w" data/chelsea.png
mkcfg fwd.cfg "$net$conv[route]\nlayers=3\n"
expect_error "route forward" "fwd.cfg:11: [route] #1: layers: layer 3 is out of range" "$DN" $P $D "$T/fwd.cfg" "$T/tiny.w" data/chelsea.png
mkcfg huge.cfg '[net]\nwidth=1000000\nheight=1000000\nchannels=3\n'
expect_error "absurd input size" "huge.cfg:2: [net] #0: width: expected an integer in [0, 16384]" "$DN" $P $D "$T/huge.cfg" "$T/tiny.w" data/chelsea.png
mkcfg mem.cfg '[net]\nwidth=16384\nheight=16384\nchannels=3\n[convolutional]\nfilters=4096\n'
expect_error "activation memory limit" "mem.cfg:5: [convolutional] #0: output of 16384x16384x4096 exceeds" "$DN" $P $D "$T/mem.cfg" "$T/tiny.w" data/chelsea.png
mkcfg unknown.cfg "$net[bogus]\n"
expect_error "unknown section" "unknown.cfg:5: [bogus] #0: unknown section type [bogus]" "$DN" $P $D "$T/unknown.cfg" "$T/tiny.w" data/chelsea.png
mkcfg act.cfg "$net[convolutional]\nactivation=swishy\n"
expect_error "unknown activation" "act.cfg:6: [convolutional] #0: activation: unknown activation \"swishy\"" "$DN" $P $D "$T/act.cfg" "$T/tiny.w" data/chelsea.png
mkcfg local.cfg "$net[local]\nsize=15\n"
expect_error "[local] larger than its input" "local.cfg:6: [local] #0: size: window 15 (pad 0) is larger than the 16x12x3 input" "$DN" $P $D "$T/local.cfg" "$T/tiny.w" data/chelsea.png
mkcfg localpad.cfg "$net[local]\nsize=5\npad=1\n"
expect_error "[local] pad upstream's im2col overruns" "localpad.cfg:7: [local] #0: pad: pad=1 with size=5" "$DN" $P $D "$T/localpad.cfg" "$T/tiny.w" data/chelsea.png
mkcfg crop.cfg "$net[crop]\ncrop_height=20\ncrop_width=8\n"
expect_error "[crop] larger than its input" "crop.cfg:6: [crop] #0: crop_height: the 8x20 crop is larger than the 16x12 input" "$DN" $P $D "$T/crop.cfg" "$T/tiny.w" data/chelsea.png
mkcfg det.cfg "$net[detection]\nclasses=20\ncoords=4\nside=7\nnum=2\n"
expect_error "[detection] input size" "det.cfg:5: [detection] #0: the input has 576 values, but side=7 squared x ((1 + coords=4) x num=2 + classes=20) need 1470" "$DN" detector test cfg/coco.data "$T/det.cfg" "$T/tiny.w" data/chelsea.png

expect_error "missing weights" "$T/none.w: cannot open" "$DN" $P $D cfg/tiny.cfg "$T/none.w" data/chelsea.png
expect_error "directory as weights" "$T: is a directory" "$DN" $P $D cfg/tiny.cfg "$T" data/chelsea.png
: > "$T/empty.w"
expect_error "empty weights" "empty.w: truncated weights file" "$DN" $P $D cfg/tiny.cfg "$T/empty.w" data/chelsea.png
head -c 100000 "$T/tiny.w" > "$T/trunc.w"
expect_error "truncated weights" "trunc.w: weights do not match cfg/tiny.cfg: expected 4185972 bytes, file has 100000" "$DN" $P $D cfg/tiny.cfg "$T/trunc.w" data/chelsea.png
{ cat "$T/tiny.w"; printf 'xxxx'; } > "$T/long.w"
expect_error "oversized weights" "long.w: weights do not match cfg/tiny.cfg: expected 4185972 bytes, file has 4185976" "$DN" $P $D cfg/tiny.cfg "$T/long.w" data/chelsea.png
expect_error "weights for another cfg" "mixed.w: weights do not match cfg/tiny.cfg" "$DN" $P $D cfg/tiny.cfg "$T/mixed.w" data/chelsea.png

expect_error "missing image" "$T/none.png: cannot open" "$DN" $P $D cfg/tiny.cfg "$T/tiny.w" "$T/none.png"
: > "$T/empty.png"
expect_error "empty image" "empty.png:" "$DN" $P $D cfg/tiny.cfg "$T/tiny.w" "$T/empty.png"
head -c 3000 data/chelsea.png > "$T/trunc.png"
expect_error "truncated image" "trunc.png:" "$DN" $P $D cfg/tiny.cfg "$T/tiny.w" "$T/trunc.png"
expect_error "truncated JPEG" "bad_truncated.jpg: cannot decode JPEG (libjpeg: Premature end of JPEG file)" "$DN" $P $D cfg/tiny.cfg "$T/tiny.w" tests/fixtures/image/jpeg/bad_truncated.jpg
expect_error "text as image" "cases.txt:" "$DN" $P $D cfg/tiny.cfg "$T/tiny.w" tests/conformance/cases.txt
python3 - "$T/giant.png" <<'PY'
import struct, sys, zlib
def chunk(k, b): return struct.pack(">I", len(b)) + k + b + struct.pack(">I", zlib.crc32(k + b))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
PY
expect_error "image header claiming huge size" "giant.png:" "$DN" $P $D cfg/tiny.cfg "$T/tiny.w" "$T/giant.png"

printf 'P5\n2\n2\n2555\n\0\100\200\377' > "$T/p16.pgm"
expect_error "16-bit PNM image" "p16.pgm: 16-bit PNM images are not supported" "$DN" $P $D cfg/tiny.cfg "$T/tiny.w" "$T/p16.pgm"

expect_error "missing .data" "$T/none.data: cannot open" "$DN" $P "$T/none.data" cfg/tiny.cfg "$T/tiny.w" data/chelsea.png
head -5 data/imagenet.shortnames.list > "$T/short.names"
printf 'names=%s\n' "$T/short.names" > "$T/short.data"
expect_error "names list shorter than classes" "short.names: has 5 names, but cfg/tiny.cfg outputs 1000 classes" "$DN" $P "$T/short.data" cfg/tiny.cfg "$T/tiny.w" data/chelsea.png
printf 'names=%s\n' "$T/none.names" > "$T/nonames.data"
expect_error "missing names file" "none.names: cannot open" "$DN" $P "$T/nonames.data" cfg/tiny.cfg "$T/tiny.w" data/chelsea.png
expect_error "unknown function" "unknown function \"frobnicate\"" "$DN" frobnicate
expect_error "missing arguments" "usage: darknet classifier predict" "$DN" classifier predict $D
expect_error "bad -t" "-t: expected an integer" "$DN" $P $D cfg/tiny.cfg "$T/tiny.w" data/chelsea.png -t x
expect_error "bad -threads" "-threads: expected an integer" "$DN" $P $D cfg/tiny.cfg "$T/tiny.w" data/chelsea.png -threads 0

# init never leaves a half-written file behind.
expect_error "init into a missing directory" "$T/nodir/x.w: cannot write" "$DN" init cfg/tiny.cfg "$T/nodir/x.w"
if [ -e "$T/nodir" ] || ls "$T"/*.tmp >/dev/null 2>&1; then fail "init leaves nothing behind" "found a file"; else ok "init leaves nothing behind"; fi
# init to a path that is not a regular file (a FIFO here, /dev/null for a user) writes into it
# and leaves the node in place, instead of renaming a temporary file over it.
mkfifo "$T/wfifo"
cat "$T/wfifo" > "$T/wfifo.out" & catpid=$!
if timeout 60 "$DN" init cfg/tiny.cfg "$T/wfifo" 2>/dev/null && wait $catpid && [ -p "$T/wfifo" ] &&
   cmp -s "$T/wfifo.out" "$T/tiny.w" && [ ! -e "$T/wfifo.tmp" ]; then ok "init into a FIFO keeps the FIFO"
else fail "init into a FIFO keeps the FIFO" "the FIFO was replaced or got other bytes"; kill $catpid 2>/dev/null; fi
expect_error "init into a directory" "$T: cannot write: is a directory" "$DN" init cfg/tiny.cfg "$T"
