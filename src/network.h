// A loaded network: layers in cfg order, the shared workspace, and the run options.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "aligned.h"
#include "layer.h"
#include "tree.h"

namespace dn {

// Which Darknet a cfg was written for. The two forks compute and print some things
// differently (batch-norm epsilon, leaky's constant, dilated padding, output format);
// the parser resolves `detect` to one of the other two.
enum class Dialect { detect, pjreddie, alexeyab };

// How a network is built and run. Passed explicitly: nothing is read from globals,
// except that the caller may fill env_method from DARKNET_CONV_METHOD once.
struct NetworkOptions {
    std::string cli_method;   // -method NAME ("" when not given)
    std::string env_method;   // DARKNET_CONV_METHOD ("" when unset)
    int threads = 0;          // 0: all cores
    int batch = 1;            // inference batch (upstream's set_batch_network)
    bool print_table = true;  // layer table on stderr while loading, as upstream
    // Plan file of `auto` (-plan FILE): "" for the default under the user's cache
    // directory, "-" for none. Read whenever it exists; written when auto measured anything.
    std::string plan_path;
    // Resource limit, in floats, on any one layer's output or weights and on all activations
    // and parameters together; 0 for the built-in limits (2^29 per tensor, 2^31 in total).
    // A cfg over it is refused with dn::Error at the offending section.
    std::size_t max_floats = 0;
    // -dialect NAME; `detect` lets the parser decide from the cfg.
    Dialect dialect = Dialect::detect;
};

// What `auto` spent while the network was built (darknet bench prints it): the conv layers it
// chose for, the distinct layer shapes among them, how many of those it timed (the others
// came from the plan file), the forward calls it made, and the wall time of the timing
// (seeded data, backend plans and calls) and of the calls alone.
struct AutoPlanStats {
    int layers = 0, shapes = 0, timed = 0, calls = 0;
    double ms = 0, call_ms = 0;
};

class Network {
public:
    Network() = default;
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    // Runs every layer on `input` (batch x c x h x w floats) and returns the output of the
    // last layer that is not [cost].
    // When layer_seconds is given, it receives each layer's wall time (added to what is there;
    // resized to size() on first use).
    const float* forward(const float* input, std::vector<double>* layer_seconds = nullptr);
    // Bytes held by the network: activations, workspace and parameters.
    std::size_t memory_bytes();

    int width() const { return input.w; }
    int height() const { return input.h; }
    int channels() const { return input.c; }
    std::size_t outputs() const;  // per image, of the output layer
    const Layer& layer(int i) const { return *layers[i]; }
    int size() const { return static_cast<int>(layers.size()); }
    const Layer& output_layer() const;
    double flops() const;

    // Sizes the shared workspace and tells layers their weights are in place.
    void finalize();
    // Changes the convolution method after load, for conv layer `layer` or, when layer < 0,
    // for every conv layer (source api, above every other request); plans are rebuilt and
    // the workspace resized. For the whole network a layer the method cannot run falls back
    // with a notice, as -method does; for one layer that is an error. Throws dn::Error
    // (unknown name, layer out of range or not convolutional) before changing anything.
    void set_conv_method(const std::string& name, int layer = -1);

    std::string cfg_path;
    Shape input;
    int batch = 1;
    int threads = 1;
    Dialect dialect = Dialect::pjreddie;  // resolved by the parser, never `detect`
    // [net] gave inputs= alone (character RNNs): input is inputs x 1 x 1, not an image.
    bool vector_input = false;
    bool letter_box = false;  // AlexeyAB's [net] letter_box: detectors letterbox, not stretch
    AutoPlanStats auto_plan;
    std::vector<std::unique_ptr<Layer>> layers;
    // Upstream's net->hierarchy: the last [softmax]'s tree (tree=), or none. Classifiers
    // multiply their predictions along it (hierarchy_predictions) before the top-k.
    std::shared_ptr<const Tree> hierarchy;

private:
    void resize_workspace();
    void place_route_sources();

    FloatBuffer workspace_;
};

// Reads CFG and builds the network (no weights yet). Throws dn::Error with file:line.
std::unique_ptr<Network> parse_network(const std::string& cfg_path, const NetworkOptions& opt);
struct CfgFile;
// Same, from an already-read cfg (cfg.path is used in messages).
std::unique_ptr<Network> parse_network(const CfgFile& cfg, const NetworkOptions& opt);

}  // namespace dn
