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
// Loads the weights file into net between upstream's "Loading weights from W..." and
// "Done!" on stderr (a newline first when it fails).
void load_weights_noted(dn::Network& net, const std::string& weights);

std::unique_ptr<dn::Network> load_network(const std::string& cfg, const std::string& weights,
                                          const dn::NetworkOptions& opt);

// Runs `one` on FILENAME, or, when FILENAME is empty, on each path read from stdin after
// upstream's "Enter Image Path: " prompt (on stdout), until end of input. With FILENAME an
// error propagates; from stdin it is printed, counted in *failures, and the loop goes on.
void for_each_image(const std::string& filename, int* failures,
                    const std::function<void(const std::string&)>& one);

// Streaming mode (stream.cpp): -jsonl FILE|-, -list FILE, -jobs N, -shard I/N.
struct StreamOptions {
    std::string jsonl;  // "" when off, "-" for stdout
    std::string list;   // "" for stdin (or the IMAGE argument)
    int jobs = 1;
    int shard_i = 0, shard_n = 1;
};
// Takes the streaming flags from v. Throws dn::Error on bad values (-jobs 0, -shard 3/2)
// and on -list, -jobs or -shard without -jsonl.
StreamOptions take_stream_options(std::vector<std::string>& v);
// A JSON string literal for s.
std::string json_string(const std::string& s);
// One job's image runner: the fields of an image's JSON record after "path" (without the
// braces), or throws for a bad image.
using Worker = std::function<std::string(const std::string& path)>;
// Runs the images of `image` (when not empty), else opt.list, else stdin, through
// opt.jobs workers made by make_worker(job, threads), threads being total_threads split
// among the jobs, and writes one JSON line per image to opt.jsonl in input order. A bad
// image gets {"index", "path", "error"} and one stderr line. Returns 1 if any image
// failed, else 0; throws dn::Error when the list is missing or empty.
int run_stream(const StreamOptions& opt, const std::string& image, int total_threads,
               const std::function<Worker(int job, int threads)>& make_worker);
// A network for job `job` of a stream: job 0 loads as load_network does (table and
// messages on stderr), the others quietly; each with `threads` threads.
std::unique_ptr<dn::Network> load_job_network(const std::string& cfg, const std::string& weights,
                                              dn::NetworkOptions opt, int job, int threads);
// Threads the user asked for (-threads), else the cores this process may use.
int total_threads(const Common& common);

// Image paths of a list file, one per line, blank lines skipped; throws dn::Error naming the
// file when it cannot be read or holds no paths.
std::vector<std::string> read_image_list(const std::string& path);

// Upstream's list commands (valid.cpp): `classifier valid|valid10`, `detector valid` (-out
// PREFIX is `outfile`) and `detector recall`. Each returns the exit status.
int validate_classifier(const std::string& sub, const std::string& datacfg, const std::string& cfg,
                        const std::string& weights, const Common& common);
int validate_detector(const std::string& datacfg, const std::string& cfg, const std::string& weights,
                      std::string outfile, const Common& common);
int validate_detector_recall(const std::string& cfg, const std::string& weights, const Common& common);

// Commands, each given the arguments after the program name (v[0] is the command).
int run_classifier(std::vector<std::string> v, const Common& common);
int run_classify(std::vector<std::string> v, const Common& common);
int run_bench(std::vector<std::string> v, const Common& common);
int run_detector(std::vector<std::string> v, const Common& common);
int run_detect(std::vector<std::string> v, const Common& common);
int run_rnn(std::vector<std::string> v, const Common& common);

}  // namespace cli
