/* Times upstream Darknet's forward pass through its own library (Debian's
 * /usr/lib/darknet/libdarknet.so): load_network, set_batch_network(net, 1), then
 * network_predict on the bench input, warm-up runs, then the median wall-clock time of
 * timed runs. Upstream's CPU build is single-threaded (no OpenMP, its own gemm), so there
 * is no thread flag. Prints one JSON object on stdout.
 * Usage: upstream_bench CFG WEIGHTS [-iters N] [-warmup N] [-out FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "darknet.h"

#include "bench_input.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

static int parse_int(const char* s, const char* flag) {
    char* end = NULL;
    const long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 1000000) {
        fprintf(stderr, "upstream_bench: %s: expected a count, got \"%s\"\n", flag, s);
        exit(1);
    }
    return (int)v;
}

int main(int argc, char** argv) {
    const char* pos[2] = {NULL, NULL};
    const char* out_path = NULL;
    int npos = 0, iters = 15, warmup = 3;
    for (int i = 1; i < argc; ++i) {
        const int has_value = i + 1 < argc;
        if (!strcmp(argv[i], "-iters") && has_value) iters = parse_int(argv[++i], "-iters");
        else if (!strcmp(argv[i], "-warmup") && has_value) warmup = parse_int(argv[++i], "-warmup");
        else if (!strcmp(argv[i], "-out") && has_value) out_path = argv[++i];
        else if (npos < 2) pos[npos++] = argv[i];
        else npos = 3;
    }
    if (npos != 2 || iters < 1) {
        fprintf(stderr, "usage: upstream_bench CFG WEIGHTS [-iters N] [-warmup N] [-out FILE]\n");
        return 1;
    }
    network* net = load_network((char*)pos[0], (char*)pos[1], 0);
    set_batch_network(net, 1);
    const size_t n_in = (size_t)net->w * net->h * net->c;
    float* input = malloc(n_in * sizeof(float));
    double* ms = malloc(iters * sizeof(double));
    double* sorted = malloc(iters * sizeof(double));
    if (!input || !ms || !sorted) return 1;
    bench_input(input, n_in);

    float* out = NULL;
    for (int i = 0; i < warmup + iters; ++i) {
        const double t0 = now_ms();
        out = network_predict(net, input);
        const double t = now_ms() - t0;
        if (i >= warmup) ms[i - warmup] = t;
    }
    const int n_out = net->outputs;
    if (out_path) {
        FILE* f = fopen(out_path, "wb");
        if (!f || fwrite(out, sizeof(float), n_out, f) != (size_t)n_out || fclose(f) != 0) {
            fprintf(stderr, "upstream_bench: %s: write failed\n", out_path);
            return 1;
        }
    }
    memcpy(sorted, ms, iters * sizeof(double));
    qsort(sorted, iters, sizeof(double), cmp_double);
    const double median = iters % 2 ? sorted[iters / 2] : 0.5 * (sorted[iters / 2 - 1] + sorted[iters / 2]);
    printf("{\"peer\": \"upstream\", \"threads\": 1, \"iters\": %d, \"warmup\": %d, \"outputs\": %d, "
           "\"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"ms\": [",
           iters, warmup, n_out, median, sorted[0], sorted[iters - 1]);
    for (int i = 0; i < iters; ++i) printf("%s%.4f", i ? ", " : "", ms[i]);
    printf("]}\n");
    free(sorted);
    free(ms);
    free(input);
    free_network(net);
    return 0;
}
