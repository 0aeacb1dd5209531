#include "box.h"

#include "fp_exact.h"  // last: no FMA contraction below, as upstream rounds

namespace dn {

float box_overlap(float x1, float w1, float x2, float w2) {
    const float l1 = x1 - w1 / 2;
    const float l2 = x2 - w2 / 2;
    const float left = l1 > l2 ? l1 : l2;
    const float r1 = x1 + w1 / 2;
    const float r2 = x2 + w2 / 2;
    const float right = r1 < r2 ? r1 : r2;
    return right - left;
}

float box_intersection(const Box& a, const Box& b) {
    const float w = box_overlap(a.x, a.w, b.x, b.w);
    const float h = box_overlap(a.y, a.h, b.y, b.h);
    if (w < 0 || h < 0) return 0;
    return w * h;
}

float box_union(const Box& a, const Box& b) {
    const float i = box_intersection(a, b);
    return a.w * a.h + b.w * b.h - i;
}

float box_iou(const Box& a, const Box& b) { return box_intersection(a, b) / box_union(a, b); }

}  // namespace dn
