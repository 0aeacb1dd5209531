/* Classifies one image through libdarknet's C API and prints the top classes as
 * `darknet classifier predict` does. Usage:
 *   classify DATA CFG WEIGHTS IMAGE [TOP [METHOD]]
 * TOP defaults to 5; METHOD (e.g. im2col) sets every conv layer's convolution method. */
#include <stdio.h>
#include <stdlib.h>

#include "darknet.h"

static int fail(const char *what)
{
    fprintf(stderr, "classify: %s: %s\n", what, darknet_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s DATA CFG WEIGHTS IMAGE [TOP [METHOD]]\n", argv[0]);
        return 1;
    }
    int top = argc > 5 ? atoi(argv[5]) : 5;
    if (top < 1) top = 1;

    metadata meta = get_metadata(argv[1]);
    if (!meta.names) return fail("names");
    network *net = load_network(argv[2], argv[3], 0);
    if (!net) return fail("network");
    set_batch_network(net, 1);
    if (argc > 6 && !darknet_set_conv_method(net, argv[6])) return fail("method");

    image im = load_image_color(argv[4], 0, 0);
    if (!im.data) return fail("image");
    image r = letterbox_image(im, network_width(net), network_height(net));
    if (!r.data) return fail("letterbox");
    float *predictions = network_predict(net, r.data);
    if (!predictions) return fail("predict");

    int names = 0; /* get_labels' arrays end with NULL */
    while (meta.names[names]) ++names;
    int n = darknet_network_outputs(net);
    if (n > names) n = names;
    if (top > n) top = n;
    if (top < 1) {
        fprintf(stderr, "classify: no named outputs\n");
        return 1;
    }
    int *indexes = calloc((size_t)top, sizeof(int));
    top_k(predictions, n, top, indexes);
    for (int i = 0; i < top; ++i) {
        int index = indexes[i];
        printf("%5.2f%%: %s\n", predictions[index] * 100, meta.names[index]);
    }

    free(indexes);
    free_image(r);
    free_image(im);
    free_network(net);
    free_ptrs((void **)meta.names, names);
    return 0;
}
