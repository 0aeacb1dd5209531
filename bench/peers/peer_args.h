// The command line every C++ peer program takes, parsed once:
//   PROG CFG WEIGHTS [-iters N] [-warmup N] [-threads N] [-out FILE] [-dialect pjreddie|alexeyab]
// -dialect: whose Darknet the cfg is written for, where the two compute differently (their
// batch-norm folds); only onednn_bench reads it, OpenCV's importer has its own.
// A bad count or a wrong number of positional arguments prints one line and exits 1.
#pragma once
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

struct PeerArgs {
    std::string cfg, weights, out_path, dialect = "pjreddie";
    int iters = 15, warmup = 3, threads = 1;
};

inline int peer_count(const char* prog, const char* s, const char* flag) {
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 1000000) {
        std::fprintf(stderr, "%s: %s: expected a count, got \"%s\"\n", prog, flag, s);
        std::exit(1);
    }
    return static_cast<int>(v);
}

// positional: how the usage line names the two positional arguments (stored in cfg, weights).
inline PeerArgs parse_peer_args(int argc, char** argv, const char* prog, const char* positional = "CFG WEIGHTS") {
    PeerArgs a;
    std::vector<std::string> pos;
    for (int i = 1; i < argc; ++i) {
        const bool has_value = i + 1 < argc;
        if (!std::strcmp(argv[i], "-iters") && has_value) a.iters = std::max(1, peer_count(prog, argv[++i], "-iters"));
        else if (!std::strcmp(argv[i], "-warmup") && has_value) a.warmup = peer_count(prog, argv[++i], "-warmup");
        else if (!std::strcmp(argv[i], "-threads") && has_value) a.threads = std::max(1, peer_count(prog, argv[++i], "-threads"));
        else if (!std::strcmp(argv[i], "-out") && has_value) a.out_path = argv[++i];
        else if (!std::strcmp(argv[i], "-dialect") && has_value) {
            a.dialect = argv[++i];
            if (a.dialect != "pjreddie" && a.dialect != "alexeyab") {
                std::fprintf(stderr, "%s: -dialect: expected pjreddie or alexeyab, got \"%s\"\n", prog, a.dialect.c_str());
                std::exit(1);
            }
        }
        else pos.push_back(argv[i]);
    }
    if (pos.size() != 2) {
        std::fprintf(stderr, "usage: %s %s [-iters N] [-warmup N] [-threads N] [-out FILE] [-dialect pjreddie|alexeyab]\n", prog,
                     positional);
        std::exit(1);
    }
    a.cfg = pos[0];
    a.weights = pos[1];
    return a;
}
