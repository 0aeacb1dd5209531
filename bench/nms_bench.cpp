// Times do_nms_sort against upstream's algorithm (tests/nms_reference.h, which is what
// do_nms_sort computed before) on the boxes of one real forward pass. Not a test.
//
//   nms_bench CFG WEIGHTS IMAGE [-thresh T1,T2,...] [-runs N] [-old-classes K] [-stats 1]
//
// For each detection threshold: the box count, live probabilities, the median of N runs of
// each algorithm (taking turns), and whether both left the same detections. -old-classes K
// runs upstream's algorithm on the first K classes only (its cost per class is roughly the
// same for every class) and scales its time by classes / K (0: not at all); the output says
// so, and compares
// results only when K covers every class; -stats 1 prints the box counts only.
// Build: make build/bench/nms_bench.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "detection.h"
#include "error.h"
#include "image.h"
#include "network.h"
#include "nms_reference.h"
#include "weights.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool same(const std::vector<dn::Detection>& a, const std::vector<dn::Detection>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].prob != b[i].prob || a[i].objectness != b[i].objectness ||
            std::memcmp(&a[i].bbox, &b[i].bbox, sizeof a[i].bbox) != 0)
            return false;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s CFG WEIGHTS IMAGE [-thresh T1,T2,...] [-runs N] [-old-classes K]\n",
                     argv[0]);
        return 2;
    }
    std::vector<float> threshes = {.5f, .25f, .1f};
    int runs = 3, old_classes = -1;
    bool stats_only = false;
    for (int i = 4; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "-thresh")) {
            threshes.clear();
            std::stringstream ss(argv[i + 1]);
            for (std::string t; std::getline(ss, t, ',');) threshes.push_back(std::stof(t));
        } else if (!std::strcmp(argv[i], "-runs")) {
            runs = std::atoi(argv[i + 1]);
        } else if (!std::strcmp(argv[i], "-stats")) {
            stats_only = std::atoi(argv[i + 1]) != 0;
        } else if (!std::strcmp(argv[i], "-old-classes")) {
            old_classes = std::atoi(argv[i + 1]);
        }
    }
    try {
        dn::NetworkOptions opt;
        auto net = dn::parse_network(argv[1], opt);
        dn::load_weights(*net, argv[2]);
        const dn::Image im = dn::load_image(argv[3], 3);
        const dn::Image sized = dn::letterbox_image(im, net->width(), net->height());
        auto t0 = std::chrono::steady_clock::now();
        net->forward(sized.data.data());
        std::printf("forward %.2f s\n", seconds_since(t0));
        const int classes = dn::detection_classes(*net);
        const int k_old = old_classes >= 0 && old_classes < classes ? old_classes : classes;
        const float nms = .45f;
        std::printf("%-7s %7s %10s %9s %12s %12s %9s %s\n", "thresh", "boxes", "live", "max-live",
                    "new-median-s", "old-median-s", "speedup", "same");
        for (float thresh : threshes) {
            const std::vector<dn::Detection> dets =
                dn::get_network_boxes(*net, im.w, im.h, thresh, .5f, true);
            long long live = 0;
            int max_live = 0;
            for (int c = 0; c < classes; ++c) {
                int n = 0;
                for (const dn::Detection& d : dets) n += d.prob[c] != 0;
                live += n;
                max_live = std::max(max_live, n);
            }
            std::printf("%-7.3g %7zu %10lld %9d", thresh, dets.size(), live, max_live);
            std::fflush(stdout);
            if (stats_only) {
                std::printf("\n");
                continue;
            }
            std::vector<double> t_new, t_old;
            std::vector<dn::Detection> out_new, out_old;
            for (int r = 0; r < runs; ++r) {
                out_new = dets;
                t0 = std::chrono::steady_clock::now();
                dn::do_nms_sort(out_new, classes, nms);
                t_new.push_back(seconds_since(t0));
                if (k_old == 0) continue;
                out_old = dets;
                t0 = std::chrono::steady_clock::now();
                dn_test::upstream_do_nms_sort(out_old, k_old, nms);
                t_old.push_back(seconds_since(t0) * classes / k_old);
            }
            const double mn = median(t_new), mo = k_old ? median(t_old) : 0;
            std::printf(" %12.4f %12.4f %8.0fx %s\n", mn, mo, mo / mn,
                        k_old == classes ? (same(out_new, out_old) ? "yes" : "NO") : "n/a");
            if (k_old != classes)
                std::printf("        (old: first %d of %d classes, time scaled by %d/%d)\n", k_old,
                            classes, classes, k_old);
            std::fflush(stdout);
        }
    } catch (const dn::Error& e) {
        std::fprintf(stderr, "nms_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
