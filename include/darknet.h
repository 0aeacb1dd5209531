/* darknet-cpu C API.
 *
 * The inference entry points of upstream Darknet's darknet.h, with upstream's names,
 * argument lists and struct layouts (image, box, detection, metadata), so programs and
 * ctypes scripts written for upstream's libdarknet.so build and run unchanged as long as
 * they only call functions. `network` is opaque: use network_width(), network_height() and
 * darknet_network_outputs() instead of net->w, net->h and net->outputs.
 *
 * Errors: nothing here exits or aborts. A call that fails returns NULL, 0, or an image with
 * data == NULL, and darknet_last_error() tells why (one line naming the file and the
 * problem). Calls on different networks may run in different threads at once; calls on one
 * network may not. Everything the library hands out is allocated with malloc, so free() or
 * the matching free_* call releases it.
 *
 * Link with -ldarknet (pkg-config --libs darknet). The darknet_* calls are this engine's
 * own: error reporting, convolution method selection, threads and a few network queries.
 */
#ifndef DARKNET_API
#define DARKNET_API

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types, laid out as upstream's ---- */

typedef struct network network; /* opaque */

/* Planar float image: data[(k*h + y)*w + x], channel k, values in [0,1], RGB order. */
typedef struct {
    int w;
    int h;
    int c;
    float *data;
} image;

/* Box centre (x, y) and size (w, h). */
typedef struct {
    float x, y, w, h;
} box;

typedef struct detection {
    box bbox;
    int classes;
    float *prob;      /* [classes]: objectness * class probability, 0 when at or below thresh */
    float *mask;      /* always NULL here */
    float objectness;
    int sort_class;
} detection;

/* A .data file: classes= and the names list (names=, or labels=). */
typedef struct {
    int classes;
    char **names;
} metadata;

/* ---- Networks ---- */

/* Parses cfg and loads weights (cfg's layers, upstream's file format). weights NULL or ""
 * leaves seeded random weights. clear is accepted and ignored (training state). The
 * convolution method follows DARKNET_CONV_METHOD, then the cfg's method= keys. Prints the
 * layer table and "Loading weights from ...Done!" on stderr, as upstream, unless
 * darknet_set_log_level(0 or 1). Returns NULL on any error. */
network *load_network(char *cfg, char *weights, int clear);
/* Frees the network; NULL is allowed. */
void free_network(network *net);
/* Sets how many images network_predict takes at once (networks load with batch 1).
 * Rebuilds the layers when b changes; on failure (b < 1, out of memory) the network is
 * unchanged. Method and thread settings are kept. */
void set_batch_network(network *net, int b);
/* Input width and height of the network; 0 when net is NULL. */
int network_width(network *net);
int network_height(network *net);
/* Runs the network on batch*c*h*w planar floats. Returns the output of the last layer
 * (batch * darknet_network_outputs floats), owned by the network and overwritten by the
 * next call; NULL on error. */
float *network_predict(network *net, float *input);
/* Letterboxes im to the network input size, sets batch 1 and predicts, as upstream.
 * im must have the network's channel count. NULL on error. */
float *network_predict_image(network *net, image im);

/* ---- Images ---- */

/* Decodes an image file (JPEG, PNG, BMP, TGA, ...) into c channels (3: grey is replicated,
 * alpha dropped; 0: as stored); w and h nonzero resize to w x h. On error the image has
 * data NULL and size 0. */
image load_image(char *filename, int w, int h, int c);
/* load_image(filename, w, h, 3). */
image load_image_color(char *filename, int w, int h);
/* A zero-filled w x h x c image (data NULL on a bad size or out of memory). */
image make_image(int w, int h, int c);
/* Upstream's bilinear resize into a new image. */
image resize_image(image im, int w, int h);
/* Aspect-preserving resize into w x h, centred on 0.5 grey, as upstream. */
image letterbox_image(image im, int w, int h);
/* Frees im.data (free(NULL) is fine). */
void free_image(image m);

/* ---- Labels and results ---- */

/* The non-empty lines of a names file, as a NULL-terminated array of strings. Release it
 * with free_ptrs((void **)names, count). NULL on error. */
char **get_labels(char *filename);
/* Reads a .data file: classes= (default 2, as upstream) and the names file named by
 * names= or labels=. On error classes is 0 and names NULL. */
metadata get_metadata(char *file);
/* Frees ptrs[0..n-1], then ptrs. */
void free_ptrs(void **ptrs, int n);
/* Writes the indices of the k largest of a[0..n-1] to index, largest first; ties keep the
 * lower index first. Slots beyond n get -1. */
void top_k(float *a, int n, int k, int *index);

/* ---- Detection ---- */

/* Boxes found by the network's [yolo]/[region]/[detection] layers in the last prediction,
 * mapped back to a w x h image that was letterboxed (relative: coordinates in [0,1], else
 * pixels), as pjreddie's Darknet computes them. *num receives the count. A network without
 * detection layers gives 0 boxes (a non-NULL array to pass to free_detections). hier is the
 * tree threshold of a [region] with tree=. map (may be NULL; upstream's map= of `detector
 * valid`): for a [region] with tree=, 200 class indices, box class j getting the tree's
 * class map[j] (out-of-range entries are an error); other layers ignore it. NULL on error. For a cfg in
 * AlexeyAB's dialect, darknet_detect does what that fork's detector does. */
detection *get_network_boxes(network *net, int w, int h, float thresh, float hier, int *map,
                             int relative, int *num);
/* Upstream's per-class non-maximum suppression: boxes with objectness 0 move to the end,
 * then, class by class, boxes sorted by that class's probability zero it in later boxes
 * overlapping by IoU > thresh. Reorders dets. */
void do_nms_sort(detection *dets, int total, int classes, float thresh);
/* Upstream's class-agnostic variant: sorted by objectness, an overlapping later box loses
 * its objectness and every class. */
void do_nms_obj(detection *dets, int total, int classes, float thresh);
/* Frees n detections returned by get_network_boxes. */
void free_detections(detection *dets, int n);

/* ---- This engine's additions ---- */

/* Why the last failing call in this thread failed; "" when none has. Valid until the next
 * failing call in this thread. */
const char *darknet_last_error(void);
/* Convolution method names in table order (preference order), e.g. "im2row, im2col, mcmk". */
const char *darknet_conv_methods(void);
/* Sets the convolution method of every conv layer and of the three convolutions of each
 * [crnn] (names are case-insensitive), above the
 * cfg and DARKNET_CONV_METHOD; a layer the method cannot run falls back to the first
 * backend that can, with a notice on stderr. Returns 1, or 0 on error (unknown name: the
 * network is unchanged). */
int darknet_set_conv_method(network *net, const char *name);
/* Sets the convolution method of conv layer `layer` (0-based, as in the layer table; for a
 * [crnn], its three convolutions).
 * Returns 1, or 0 on error (unknown name, not a conv layer, or a method that cannot run
 * this layer: the layer is unchanged). */
int darknet_set_layer_conv_method(network *net, int layer, const char *name);
/* The method conv layer `layer` runs, e.g. "im2row"; NULL (with an error) for other
 * layers. Static storage. */
const char *darknet_layer_conv_method(network *net, int layer);
/* One image through the classifier as `darknet classifier predict` runs it in the cfg's
 * dialect: pjreddie's letterboxes im and, for a [softmax] with tree=, gives the hierarchy
 * predictions; AlexeyAB's resizes the short side to the network width and takes the centre
 * crop. Returns darknet_network_outputs(net) floats owned by the network, overwritten by
 * the next call; NULL on error. */
float *darknet_classify(network *net, image im);
/* One image through the detector as `darknet detector test` runs it in the cfg's dialect:
 * pjreddie's letterboxes im and suppresses with do_nms_sort; AlexeyAB's stretches im to the
 * network unless the cfg has letter_box=1, and suppresses with its last [yolo]'s nms_kind
 * and beta_nms. Boxes are relative to im, in the NMS's order, suppressed at IoU nms (none
 * when nms <= 0). *num receives the count; free with free_detections. NULL on error. */
detection *darknet_detect(network *net, image im, float thresh, float hier, float nms, int *num);
/* "pjreddie" or "alexeyab": the dialect the cfg was read in (README "AlexeyAB / hank-ai
 * cfgs"). Static storage; NULL with an error when net is NULL. */
const char *darknet_network_dialect(network *net);
/* Threads for OpenMP and OpenBLAS (0: all cores). Results do not depend on it. Returns 1,
 * or 0 on error (n < 0). */
int darknet_set_threads(network *net, int n);
/* Number of layers, and a layer's upstream short type name ("conv", "max", "softmax", ...;
 * NULL with an error when out of range). */
int darknet_network_layers(network *net);
const char *darknet_layer_type(network *net, int layer);
/* Input channels, and outputs per image of the last layer (upstream's net->c and
 * net->outputs); 0 when net is NULL. */
int darknet_network_channels(network *net);
int darknet_network_outputs(network *net);
/* Classes of the detection layers when there are any, else the outputs per image. */
int darknet_network_classes(network *net);
/* What goes to stderr: 0 nothing, 1 warnings, 2 (the default) also the layer table while
 * loading and notices, as upstream. Process-wide. */
void darknet_set_log_level(int level);

#ifdef __cplusplus
}
#endif

#endif /* DARKNET_API */
