/* A program written against upstream Darknet's darknet.h the way upstream's
 * examples/classifier.c and python/darknet.py use it: only upstream's functions and
 * structs, nothing of this engine's. t_capi.sh compiles it against our include/darknet.h
 * (and against upstream's header and libdarknet.so when the Debian package is there).
 * Usage: upstream_style DATA CFG WEIGHTS IMAGE TOP
 * Prints the top classes twice: letterbox_image + network_predict, then
 * network_predict_image; the two must agree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darknet.h"

static void print_top(float *predictions, metadata meta, int top)
{
    int *indexes = calloc(top, sizeof(int));
    top_k(predictions, meta.classes, top, indexes);
    for (int i = 0; i < top; ++i) {
        int index = indexes[i];
        printf("%5.2f%%: %s\n", predictions[index] * 100, meta.names[index]);
    }
    free(indexes);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s DATA CFG WEIGHTS IMAGE TOP\n", argv[0]);
        return 2;
    }
    int top = atoi(argv[5]);
    metadata meta = get_metadata(argv[1]);
    network *net = load_network(argv[2], argv[3], 0);
    if (!net) return 1;
    set_batch_network(net, 1);

    image im = load_image_color(argv[4], 0, 0);
    if (!im.data) return 1;
    image r = letterbox_image(im, network_width(net), network_height(net));
    float *X = r.data;
    float *predictions = network_predict(net, X);
    if (!predictions) return 1;
    float *first = calloc(meta.classes, sizeof(float));
    memcpy(first, predictions, meta.classes * sizeof(float));
    print_top(first, meta, top);

    float *again = network_predict_image(net, im);
    if (!again) return 1;
    print_top(again, meta, top);
    int same = memcmp(first, again, meta.classes * sizeof(float)) == 0;

    image blank = make_image(8, 6, 3);
    image big = resize_image(blank, 16, 12);
    if (big.w != 16 || big.h != 12 || big.c != 3) return 1;
    free_image(big);
    free_image(blank);

    free(first);
    if (r.data != im.data) free_image(r);
    free_image(im);
    free_network(net);
    return same ? 0 : 3;
}
