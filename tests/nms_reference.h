// Upstream's do_nms_sort (pjreddie src/box.c), transcribed line by line over dn::Detection,
// with qsort as the stable merge sort glibc uses for it. The reference for tests/test_nms.cpp
// and the "before" of bench/nms_bench.cpp.
#pragma once
#include <algorithm>
#include <utility>
#include <vector>

#include "box.h"
#include "detection.h"

namespace dn_test {

inline void upstream_do_nms_sort(std::vector<dn::Detection>& dets, int classes, float thresh) {
    int total = static_cast<int>(dets.size());
    int k = total - 1;
    for (int i = 0; i <= k; ++i) {
        if (dets[i].objectness == 0) {
            std::swap(dets[i], dets[k]);
            --k;
            --i;
        }
    }
    total = k + 1;
    for (k = 0; k < classes; ++k) {
        for (int i = 0; i < total; ++i) dets[i].sort_class = k;
        // nms_comparator: diff = a.prob[s] - b.prob[s]; diff > 0 sorts a first.
        std::stable_sort(dets.begin(), dets.begin() + total,
                         [](const dn::Detection& a, const dn::Detection& b) {
                             const float diff = a.prob[b.sort_class] - b.prob[b.sort_class];
                             return diff > 0;
                         });
        for (int i = 0; i < total; ++i) {
            if (dets[i].prob[k] == 0) continue;
            const dn::Box a = dets[i].bbox;
            for (int j = i + 1; j < total; ++j)
                if (dn::box_iou(a, dets[j].bbox) > thresh) dets[j].prob[k] = 0;
        }
    }
}

}  // namespace dn_test
