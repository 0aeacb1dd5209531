// Boxes as upstream Darknet holds them: centre x, y and width, height, usually relative to
// the image (0..1). IoU follows upstream's box.c arithmetic (float, same operation order),
// so NMS keeps and drops the same boxes.
#pragma once

namespace dn {

struct Box {
    float x = 0, y = 0, w = 0, h = 0;
};

// Length of the overlap of two 1-D intervals given by centre and width; negative when apart.
float box_overlap(float x1, float w1, float x2, float w2);
// Intersection area; 0 when the boxes do not overlap.
float box_intersection(const Box& a, const Box& b);
float box_union(const Box& a, const Box& b);
// Intersection over union, as upstream (no guard against a zero union).
float box_iou(const Box& a, const Box& b);

}  // namespace dn
