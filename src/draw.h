// Drawing detections on an image, as upstream's draw_detections does: boxes in its per-class
// colours and line width. Upstream renders labels from glyph images (data/labels/*.png);
// we draw the label as a bar in the class colour with the text in a small built-in 5x7
// bitmap font (lower case, digits and common punctuation; other characters show as '?').
#pragma once
#include <string>

#include "image.h"

namespace dn {

// Upstream's class colour: offset = cls*123457 % classes, then get_color for red, green,
// blue (a ramp through magenta, blue, cyan, green, yellow, red).
void class_color(int cls, int classes, float rgb[3]);
// Upstream's draw_box: the outline x1..x2 by y1..y2, corners clamped into the image.
void draw_box(Image& im, int x1, int y1, int x2, int y2, const float rgb[3]);
// Upstream's draw_box_width: `width` nested outlines, each 1 pixel further inside.
void draw_box_width(Image& im, int x1, int y1, int x2, int y2, int width, const float rgb[3]);
// A label bar with dark text, placed as upstream's draw_label: its top at `row`, moved up by
// its own height when it fits above, left edge at `col`, clipped to the image. The text
// height follows the image height as upstream's label size does (im.h * .03).
void draw_label(Image& im, int row, int col, const std::string& text, const float rgb[3]);

}  // namespace dn
