/* Oracle for the image tests: runs upstream Darknet's own image code (libdarknet.so from
 * the Debian package `darknet`, built with OpenCV) and dumps the resulting floats.
 *
 *   image_dump OP IMAGE W H OUT
 *     OP   load       load_image_color(IMAGE, 0, 0)         (W H ignored)
 *          stbload    darknet's built-in stb path, load_image_stb(IMAGE, 3)
 *          load0      load_image(IMAGE, 0, 0, 0): the file's own channels (OpenCV
 *                     IMREAD_UNCHANGED)
 *          load1      load_image(IMAGE, 0, 0, 1): one channel (OpenCV IMREAD_GRAYSCALE)
 *          resize     resize_image(load_image_color(IMAGE), W, H)
 *          letterbox  letterbox_image(load_image_color(IMAGE), W, H)
 *     OUT  a file: "DNIM", int32 w, h, c, then w*h*c float32, all little-endian, CHW order;
 *          or "-hash": prints "w h c fnv1a64" (FNV-1a 64 over those float bytes) to stdout.
 *
 * Upstream's loader never fails: on a bad file it prints a warning and returns a 10x10x3
 * grey image, so only feed it files known to be good. Build: see record-image-fixtures.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darknet.h"

/* Exported by libdarknet.so but not declared in darknet.h. */
image load_image_stb(char *filename, int channels);

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int dump(image im, const char *out)
{
    size_t n = (size_t)im.w * im.h * im.c;
    if (strcmp(out, "-hash") == 0) {
        printf("%d %d %d %016llx\n", im.w, im.h, im.c,
               (unsigned long long)fnv1a64((const unsigned char *)im.data, n * sizeof(float)));
        return 0;
    }
    FILE *f = fopen(out, "wb");
    if (!f) {
        perror(out);
        return 1;
    }
    int32_t hdr[3] = {im.w, im.h, im.c};
    int ok = fwrite("DNIM", 1, 4, f) == 4 && fwrite(hdr, sizeof hdr, 1, f) == 1 &&
             (n == 0 || fwrite(im.data, sizeof(float), n, f) == n);
    if (fclose(f) != 0) ok = 0;
    if (!ok) {
        fprintf(stderr, "%s: write failed\n", out);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s load|load0|load1|stbload|resize|letterbox IMAGE W H OUT|-hash\n", argv[0]);
        return 2;
    }
    const char *op = argv[1];
    char *path = argv[2];
    int w = atoi(argv[3]), h = atoi(argv[4]);

    image im = strcmp(op, "stbload") == 0 ? load_image_stb(path, 3)
               : strcmp(op, "load0") == 0 ? load_image(path, 0, 0, 0)
               : strcmp(op, "load1") == 0 ? load_image(path, 0, 0, 1)
                                          : load_image_color(path, 0, 0);
    image out;
    if (strcmp(op, "load") == 0 || strcmp(op, "stbload") == 0 || strcmp(op, "load0") == 0 ||
        strcmp(op, "load1") == 0) {
        out = im;
    } else if (strcmp(op, "resize") == 0) {
        out = resize_image(im, w, h);
    } else if (strcmp(op, "letterbox") == 0) {
        out = letterbox_image(im, w, h);
    } else {
        fprintf(stderr, "unknown op %s\n", op);
        return 2;
    }
    int rc = dump(out, argv[5]);
    if (out.data != im.data) free_image(out);
    free_image(im);
    return rc;
}
