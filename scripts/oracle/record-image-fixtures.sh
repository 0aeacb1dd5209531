#!/usr/bin/env bash
# Regenerates tests/fixtures/image/ from upstream Darknet's own image code.
# Needs the Debian package `darknet` (libdarknet.so built with OpenCV), gcc, python3,
# libjpeg62-turbo-dev and libopencv-dev (cv::imread for the channel counts upstream crashes on).
#
# Writes:
#   png/*.png   small synthetic inputs (scripts/oracle/make_test_pngs.py)
#   jpeg/*.jpg  JPEG variants of the CC0 photos (scripts/oracle/make_test_jpegs.c)
#   *.bin       full upstream outputs, dumped by image_dump ("DNIM" + w,h,c + floats)
#   cases.txt   one case per line: OP SOURCE W H EXPECT, where EXPECT is a .bin name or
#               hash:W:H:C:FNV1A64 for outputs too big to store. OP is load, resize or
#               letterbox (upstream load_image_color, i.e. OpenCV imread), stbload
#               (upstream's stb loader), or load_c0 / load_c1 (cv::imread with the flag
#               upstream's load_image(F, 0, 0, 0 or 1) passes, by scripts/oracle/cv_imread.cpp)
# tests/test_image.cpp replays cases.txt against dn::load_image/resize_image/letterbox_image.
set -euo pipefail
cd "$(dirname "$0")/../.."

FIX=tests/fixtures/image
DN=/usr/lib/darknet
ORACLE=build/oracle/image_dump

[[ -f $DN/libdarknet.so && -f $DN/include/darknet.h ]] ||
    { echo "upstream darknet not installed (apt-get install darknet)" >&2; exit 1; }
mkdir -p "$(dirname "$ORACLE")" "$FIX"
gcc -std=c99 -O2 -Wall -Wextra -Werror -I"$DN/include" scripts/oracle/image_dump.c \
    -o "$ORACLE" -L"$DN" -ldarknet -Wl,-rpath,"$DN"
gcc -std=c99 -O2 -Wall -Wextra -Werror scripts/oracle/make_test_jpegs.c -o build/oracle/make_test_jpegs \
    -ljpeg -lstb
g++ -std=c++17 -O2 -Wall -Wextra -Werror $(pkg-config --cflags opencv4) scripts/oracle/cv_imread.cpp \
    -o build/oracle/cv_imread $(pkg-config --libs-only-L opencv4) -lopencv_imgcodecs -lopencv_core

rm -f "$FIX"/*.bin "$FIX"/png/*.png "$FIX"/jpeg/*.jpg
mkdir -p "$FIX/jpeg"
python3 scripts/oracle/make_test_pngs.py "$FIX/png"
build/oracle/make_test_jpegs "$FIX/jpeg"
# Every decodable JPEG variant (bad_*.jpg are for the error tests: upstream reads the truncated
# one with a warning and grey rows, and turns the other into a 10x10 grey image).
JPEGS=($(ls "$FIX"/jpeg/*.jpg | grep -v /bad_))

# Avoid targets that upstream cannot compute: a resize to height 1 from more than one row
# (or any 1-row source to 1 row) casts NaN to int there. Letterbox cases below were
# checked not to produce such a resize.
P=$FIX/png
FULL=(
    "load $P/rgb_7x5.png 0 0"
    "load $P/gray_9x6.png 0 0"
    "load $P/rgba_6x5.png 0 0"
    "load $P/graya_5x4.png 0 0"
    "load $P/pal_6x4.png 0 0"
    "load $P/rgb16_5x4.png 0 0"
    "load $P/col_1x6.png 0 0"
    "load $P/row_6x1.png 0 0"
    "resize $P/rgb_7x5.png 3 3"
    "resize $P/rgb_7x5.png 13 11"
    "resize $P/rgb_7x5.png 1 4"
    "resize $P/rgb_7x5.png 7 5"
    "resize $P/rgb_7x5.png 2 9"
    "resize $P/rgb_7x5.png 16 16"
    "resize $P/rgb_7x5.png 4 42"
    "resize $P/gray_9x6.png 4 4"
    "resize $P/gray_9x6.png 20 13"
    "resize $P/rgba_6x5.png 11 3"
    "resize $P/graya_5x4.png 3 2"
    "resize $P/pal_6x4.png 3 8"
    "resize $P/rgb16_5x4.png 8 8"
    "resize $P/col_1x6.png 5 7"
    "resize $P/col_1x6.png 1 3"
    "resize $P/row_6x1.png 4 3"
    "letterbox $P/rgb_7x5.png 10 10"
    "letterbox $P/gray_9x6.png 5 8"
    "letterbox $P/rgba_6x5.png 12 7"
    "letterbox data/chelsea.png 32 24"
    "letterbox data/coffee.png 17 31"
    "letterbox data/astronaut.png 64 64"
)
HASH=(
    "load data/chelsea.png 0 0"
    "load data/coffee.png 0 0"
    "load data/astronaut.png 0 0"
    "resize data/chelsea.png 416 416"
    "resize data/chelsea.png 1000 700"
    "resize data/coffee.png 224 224"
    "resize data/astronaut.png 300 200"
    "letterbox data/chelsea.png 1 1"
    "letterbox data/chelsea.png 17 31"
    "letterbox data/chelsea.png 64 64"
    "letterbox data/chelsea.png 416 416"
    "letterbox data/chelsea.png 608 352"
    "letterbox data/coffee.png 32 24"
    "letterbox data/coffee.png 64 64"
    "letterbox data/coffee.png 416 416"
    "letterbox data/coffee.png 320 608"
    "letterbox data/astronaut.png 32 24"
    "letterbox data/astronaut.png 17 31"
    "letterbox data/astronaut.png 416 416"
    "letterbox data/astronaut.png 608 352"
    # JPEGs from the Debian package, through upstream's OpenCV decode; the test skips them
    # when the package is not installed.
    "load /usr/share/darknet/data/dog.jpg 0 0"
    "load /usr/share/darknet/data/person.jpg 0 0"
    "load /usr/share/darknet/data/eagle.jpg 0 0"
    "load /usr/share/darknet/data/horses.jpg 0 0"
    "letterbox /usr/share/darknet/data/person.jpg 416 416"
    "resize /usr/share/darknet/data/dog.jpg 224 224"
    "letterbox $FIX/jpeg/chelsea_420.jpg 416 416"
    "letterbox $FIX/jpeg/exif_6.jpg 32 32"
)
for j in "${JPEGS[@]}"; do HASH+=("load $j 0 0"); done

{
    echo "# Upstream Darknet outputs, recorded by scripts/oracle/record-image-fixtures.sh."
    echo "# OP SOURCE W H EXPECT   (EXPECT: a .bin in this directory, or hash:W:H:C:FNV1A64)"
    for c in "${FULL[@]}"; do
        read -r op src w h <<<"$c"
        name=$(basename "$src" .png).$op$([[ $op == load ]] || echo "_${w}x$h").bin
        "$ORACLE" "$op" "$src" "$w" "$h" "$FIX/$name"
        echo "$op $src $w $h $name"
    done
    for c in "${HASH[@]}"; do
        read -r op src w h <<<"$c"
        read -r ow oh oc fnv < <("$ORACLE" "$op" "$src" "$w" "$h" -hash)
        echo "$op $src $w $h hash:$ow:$oh:$oc:$fnv"
    done
    for j in "${JPEGS[@]}"; do
        for c in 0 1; do
            read -r ow oh oc fnv < <(build/oracle/cv_imread $c "$j")
            echo "load_c$c $j 0 0 hash:$ow:$oh:$oc:$fnv"
        done
    done
} >"$FIX/cases.txt.tmp"
mv "$FIX/cases.txt.tmp" "$FIX/cases.txt"
rm -f bad.list  # upstream's loader appends failures here; none are expected
echo "recorded $(grep -vc '^#' "$FIX/cases.txt") cases into $FIX ($(du -sk "$FIX" | cut -f1) KB)"
