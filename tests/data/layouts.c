/* Prints the size and field offsets of the structs programs share with the library.
 * t_capi.sh compiles it against our darknet.h and upstream's; the outputs must match. */
#include <stddef.h>
#include <stdio.h>

#include "darknet.h"

#define FIELD(T, f) printf(#T "." #f " %zu\n", offsetof(T, f))

int main(void)
{
    printf("image %zu\n", sizeof(image));
    FIELD(image, w); FIELD(image, h); FIELD(image, c); FIELD(image, data);
    printf("box %zu\n", sizeof(box));
    FIELD(box, x); FIELD(box, y); FIELD(box, w); FIELD(box, h);
    printf("detection %zu\n", sizeof(detection));
    FIELD(detection, bbox); FIELD(detection, classes); FIELD(detection, prob);
    FIELD(detection, mask); FIELD(detection, objectness); FIELD(detection, sort_class);
    printf("metadata %zu\n", sizeof(metadata));
    FIELD(metadata, classes); FIELD(metadata, names);
    return 0;
}
