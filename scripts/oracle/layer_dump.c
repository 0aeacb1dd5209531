/* Oracle for the layer tests: runs upstream Darknet's own forward pass (libdarknet.so from the
 * Debian package `darknet`) on CFG with WEIGHTS and a synthetic input, and dumps every
 * layer's output.
 *
 *   layer_dump CFG WEIGHTS OUT
 *     input   x[i] = (float)((i * 7919) % 1000) / 1000.f for i < w * h * c (batch 1);
 *             tests/test_upstream_layers.cpp computes the same input
 *     OUT     "DNLY", int32 layer count, then per layer int32 n and n float32 (its output),
 *             all little-endian
 * Build and run: scripts/oracle/record-layer-fixtures.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "darknet.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: layer_dump CFG WEIGHTS OUT\n");
        return 1;
    }
    network *net = load_network(argv[1], argv[2], 0);
    set_batch_network(net, 1);
    const int n = net->w * net->h * net->c;
    float *x = calloc(n, sizeof(float));
    for (int i = 0; i < n; ++i) x[i] = (float)((i * 7919) % 1000) / 1000.f;
    network_predict(net, x);
    FILE *f = fopen(argv[3], "wb");
    if (!f) {
        perror(argv[3]);
        return 1;
    }
    const int32_t layers = net->n;
    fwrite("DNLY", 1, 4, f);
    fwrite(&layers, sizeof layers, 1, f);
    for (int i = 0; i < net->n; ++i) {
        const int32_t count = net->layers[i].outputs;
        fwrite(&count, sizeof count, 1, f);
        fwrite(net->layers[i].output, sizeof(float), count, f);
    }
    if (fclose(f) != 0) {
        perror(argv[3]);
        return 1;
    }
    free(x);
    return 0;
}
