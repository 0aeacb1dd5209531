// Classifies one image through libdarknet's C++ API and prints the top classes as
// `darknet classifier predict` does. Usage:
//   classify-cpp DATA CFG WEIGHTS IMAGE [TOP [METHOD]]
// TOP defaults to 5; METHOD (e.g. im2col) sets every conv layer's convolution method.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "darknet.hpp"

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s DATA CFG WEIGHTS IMAGE [TOP [METHOD]]\n", argv[0]);
        return 1;
    }
    try {
        const darknet::Metadata meta = darknet::read_metadata(argv[1]);
        darknet::Options opt;
        if (argc > 6) opt.method = argv[6];
        darknet::Network net(argv[2], argv[3], opt);
        const darknet::Image im = darknet::Image::load(argv[4]);
        std::vector<float> p = net.predict(im.letterbox(net.width(), net.height()));
        p.resize(std::min(p.size(), meta.names.size()));
        const int top = argc > 5 ? std::max(1, std::stoi(argv[5])) : 5;
        for (int i : darknet::top_k(p, top))
            std::printf("%5.2f%%: %s\n", p[i] * 100, meta.names[i].c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "classify-cpp: %s\n", e.what());
        return 1;
    }
    return 0;
}
