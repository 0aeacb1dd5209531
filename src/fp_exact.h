// Include LAST in a .cpp file whose arithmetic must round like upstream Darknet's release
// build (x86-64 baseline, no FMA): every product and sum rounded separately. With
// -march=native the compiler may fuse a*b+c into one FMA, which rounds once and changes the
// last bit (letterbox pixels, box coordinates, IoU and so NMS decisions). This turns
// contraction off for the rest of the including file only.
#pragma once

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
