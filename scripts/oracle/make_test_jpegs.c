/* Writes the JPEG test inputs of tests/fixtures/image/jpeg/ from the CC0 photos in data/,
 * with libjpeg-turbo (Debian libjpeg62-turbo-dev) so every variant is chosen explicitly:
 * baseline 4:2:0 / 4:2:2 / 4:4:0 / 4:4:4, progressive, restart markers with optimised
 * Huffman tables, grayscale, Adobe CMYK, odd sizes, one EXIF Orientation tag per value 1..8,
 * plus a truncated and a corrupt file for the error tests. The same inputs give the same
 * bytes on every run (libjpeg's encoder is deterministic).
 *
 *   make_test_jpegs OUTDIR        (run from the repository root; see record-image-fixtures.sh)
 * Build: gcc -std=c99 -O2 make_test_jpegs.c -o make_test_jpegs -ljpeg -lstb
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <stb/stb_image.h>

typedef struct {
    int w, h;
    unsigned char *rgb; /* interleaved RGB, 8-bit */
} Pic;

static Pic load_png(const char *path)
{
    Pic p = {0, 0, NULL};
    int c = 0;
    p.rgb = stbi_load(path, &p.w, &p.h, &c, 3);
    if (!p.rgb) {
        fprintf(stderr, "%s: %s\n", path, stbi_failure_reason());
        exit(1);
    }
    return p;
}

/* A w x h window of p starting at (x0, y0). */
static Pic crop(Pic p, int x0, int y0, int w, int h)
{
    Pic q = {w, h, malloc((size_t)w * h * 3)};
    for (int y = 0; y < h; ++y)
        memcpy(q.rgb + (size_t)y * w * 3, p.rgb + ((size_t)(y0 + y) * p.w + x0) * 3, (size_t)w * 3);
    return q;
}

enum { RGB, GRAY, CMYK };

typedef struct {
    const char *name;
    int space;       /* RGB, GRAY or CMYK */
    int hs, vs;      /* luma sampling factors (chroma 1x1): 2,2 = 4:2:0 */
    int quality;
    int progressive;
    int restart_rows; /* restart marker every N MCU rows, 0 = none */
    int optimize;
    int orientation; /* EXIF Orientation tag to write, 0 = no APP1 */
} Variant;

/* APP1 "Exif" payload: a little-endian TIFF header and IFD0 holding only Orientation. */
static size_t exif_orientation(unsigned char *b, int orientation)
{
    static const unsigned char head[] = {'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0,
                                         1, 0, /* one entry */
                                         0x12, 0x01, 3, 0, 1, 0, 0, 0}; /* tag, SHORT, count 1 */
    size_t n = sizeof head;
    memcpy(b, head, n);
    b[n++] = (unsigned char)orientation;
    b[n++] = 0;
    b[n++] = 0;
    b[n++] = 0;
    memset(b + n, 0, 4); /* no next IFD */
    return n + 4;
}

static void write_jpeg(const char *dir, Pic p, const Variant *v)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.jpg", dir, v->name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr err;
    ci.err = jpeg_std_error(&err);
    jpeg_create_compress(&ci);
    jpeg_stdio_dest(&ci, f);
    ci.image_width = (JDIMENSION)p.w;
    ci.image_height = (JDIMENSION)p.h;
    ci.input_components = v->space == GRAY ? 1 : v->space == CMYK ? 4 : 3;
    ci.in_color_space = v->space == GRAY ? JCS_GRAYSCALE : v->space == CMYK ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, v->quality, TRUE);
    if (v->space != GRAY) {
        ci.comp_info[0].h_samp_factor = v->hs;
        ci.comp_info[0].v_samp_factor = v->vs;
    }
    if (v->progressive) jpeg_simple_progression(&ci);
    ci.restart_in_rows = v->restart_rows;
    ci.optimize_coding = v->optimize ? TRUE : FALSE;
    jpeg_start_compress(&ci, TRUE);
    if (v->orientation) {
        unsigned char app1[64];
        jpeg_write_marker(&ci, JPEG_APP0 + 1, app1, (unsigned)exif_orientation(app1, v->orientation));
    }
    unsigned char *row = malloc((size_t)p.w * 4);
    while (ci.next_scanline < ci.image_height) {
        const unsigned char *src = p.rgb + (size_t)ci.next_scanline * p.w * 3;
        for (int x = 0; x < p.w; ++x) {
            const unsigned char r = src[3 * x], g = src[3 * x + 1], b = src[3 * x + 2];
            if (v->space == GRAY) {
                row[x] = (unsigned char)((299 * r + 587 * g + 114 * b + 500) / 1000);
            } else if (v->space == CMYK) {
                /* Adobe (inverted) CMYK, as Photoshop writes it: stored = 255 - ink. */
                const int k = 255 - (r > g ? (r > b ? r : b) : (g > b ? g : b));
                const int d = 255 - k;
                row[4 * x + 0] = (unsigned char)(255 - (d ? (d - r) * 255 / d : 0));
                row[4 * x + 1] = (unsigned char)(255 - (d ? (d - g) * 255 / d : 0));
                row[4 * x + 2] = (unsigned char)(255 - (d ? (d - b) * 255 / d : 0));
                row[4 * x + 3] = (unsigned char)(255 - k);
            } else {
                memcpy(row + 3 * x, src + 3 * x, 3);
            }
        }
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&ci, rows, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    free(row);
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* Copies SRC's first `keep` bytes (or all of them) into NAME, flipping byte `flip` if >= 0. */
static void damaged_copy(const char *dir, const char *src, const char *name, long keep, long flip)
{
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/%s.jpg", dir, src);
    snprintf(out, sizeof out, "%s/%s.jpg", dir, name);
    FILE *f = fopen(in, "rb");
    if (!f) {
        perror(in);
        exit(1);
    }
    unsigned char *buf = malloc(1 << 22);
    long n = (long)fread(buf, 1, 1 << 22, f);
    fclose(f);
    if (keep > 0 && keep < n) n = keep;
    if (flip >= 0 && flip < n) buf[flip] ^= 0xff;
    f = fopen(out, "wb");
    if (!f || fwrite(buf, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0) {
        perror(out);
        exit(1);
    }
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    Pic chelsea = load_png("data/chelsea.png");     /* 451 x 300 */
    Pic coffee = load_png("data/coffee.png");       /* 600 x 400 */
    Pic astronaut = load_png("data/astronaut.png"); /* 512 x 512 */
    Pic cat = crop(chelsea, 60, 20, 227, 151);      /* odd sizes: partial MCUs on both edges */
    Pic cup = crop(coffee, 150, 60, 300, 200);
    Pic face = crop(astronaut, 150, 40, 201, 203);
    Pic tiny = crop(astronaut, 200, 80, 13, 9); /* one partial MCU row and column */

    static const Variant photos[] = {
        {"chelsea_420", RGB, 2, 2, 85, 0, 0, 0, 0},
        {"cat_420", RGB, 2, 2, 75, 0, 0, 0, 0},
        {"cat_422", RGB, 2, 1, 90, 0, 0, 0, 0},
        {"cat_440", RGB, 1, 2, 90, 0, 0, 0, 0},
        {"cat_444", RGB, 1, 1, 92, 0, 0, 0, 0},
        {"cup_progressive", RGB, 2, 2, 80, 1, 0, 0, 0},
        {"cup_restart_opt", RGB, 2, 2, 80, 0, 1, 1, 0},
        {"cup_gray", GRAY, 1, 1, 85, 0, 0, 0, 0},
        {"face_cmyk", CMYK, 1, 1, 90, 0, 0, 0, 0},
        {"face_progressive_444", RGB, 1, 1, 70, 1, 0, 0, 0},
        {"tiny_420", RGB, 2, 2, 95, 0, 0, 0, 0},
    };
    const Pic *src[] = {&chelsea, &cat, &cat, &cat, &cat, &cup, &cup, &cup, &face, &face, &tiny};
    for (size_t i = 0; i < sizeof photos / sizeof photos[0]; ++i) write_jpeg(dir, *src[i], &photos[i]);

    /* The eight EXIF orientations on a small non-square picture. */
    Pic small = crop(chelsea, 200, 100, 37, 23);
    for (int o = 1; o <= 8; ++o) {
        char name[32];
        snprintf(name, sizeof name, "exif_%d", o);
        Variant v = {name, RGB, 2, 2, 90, 0, 0, 0, o};
        write_jpeg(dir, small, &v);
    }

    damaged_copy(dir, "cat_420", "bad_truncated", 3000, -1);
    damaged_copy(dir, "cat_420", "bad_header", 100, -1); /* ends inside the tables */
    return 0;
}
