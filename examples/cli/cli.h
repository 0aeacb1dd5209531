// Shared pieces of the darknet command line: flag parsing as upstream does it (known
// flags are removed from the argument list wherever they stand) and network loading.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "network.h"

namespace cli {

struct Common {
    dn::NetworkOptions net;
};

// Removes `name` from v; true if it was there.
bool take_flag(std::vector<std::string>& v, const char* name);
// Removes `name VALUE` from v and stores VALUE; false if absent. Throws when VALUE is missing.
bool take_value(std::vector<std::string>& v, const char* name, std::string* out);
// Strict integer in [lo, hi]; throws dn::Error naming `what`.
int parse_count(const std::string& s, const char* what, int lo, int hi);
// Strict number; throws dn::Error naming `what`.
float parse_number(const std::string& s, const char* what);
// Flags every command shares: -method, -threads, and upstream's GPU flags (ignored);
// DARKNET_CONV_METHOD is read here, once.
Common take_common(std::vector<std::string>& v);
// Parses CFG, loads WEIGHTS, with upstream's "Loading weights from ...Done!" on stderr.
std::unique_ptr<dn::Network> load_network(const std::string& cfg, const std::string& weights,
                                          const dn::NetworkOptions& opt);

// Runs `one` on FILENAME, or, when FILENAME is empty, on each path read from stdin after
// upstream's "Enter Image Path: " prompt (on stdout), until end of input. With FILENAME an
// error propagates; from stdin it is printed, counted in *failures, and the loop goes on.
void for_each_image(const std::string& filename, int* failures,
                    const std::function<void(const std::string&)>& one);

// Commands, each given the arguments after the program name (v[0] is the command).
int run_classifier(std::vector<std::string> v, const Common& common);
int run_classify(std::vector<std::string> v, const Common& common);
int run_bench(std::vector<std::string> v, const Common& common);
int run_detector(std::vector<std::string> v, const Common& common);
int run_detect(std::vector<std::string> v, const Common& common);

}  // namespace cli
