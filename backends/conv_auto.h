// The `auto` policy: time the backends that support a layer's shape, at the real thread
// count, and keep the fastest; remember the choice in a plain-text plan file keyed by the
// shape (ConvParams::to_string()), with a header naming the CPU, thread count and build.
// A plan made elsewhere (other CPU, thread count or build) is ignored with a notice, as
// FFTW's wisdom: timings only transfer to the same hardware and binary.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "conv_backend.h"

namespace dn {

struct BackendTiming {
    const ConvBackend* backend;
    double ms;            // fastest of its timed calls
    bool cut_short;       // first call already over PlanPolicy::close x the best: not called again
    int calls = 0;        // forward calls made on it
    double spent_ms = 0;  // their total duration
};

// How `auto` spends its time on one layer shape. The bound it guarantees, by construction:
// every candidate gets one forward call, and only those within `close` x the fastest first
// call get `repeats` more (none when that is the fastest alone). So a shape costs at most (1 + repeats) forward calls of each
// candidate, i.e. with the default repeats = 1 at most 2x one forward pass of the layer by
// every candidate, and the candidates far behind cost one pass each. With `prune`, the
// candidates exclude the table's last backend (mcmk, the reference 6-loop convolution,
// 10x to 100x slower than the others) whenever another backend supports the shape.
struct PlanPolicy {
    double close = 1.5;
    int repeats = 1;
    bool prune = true;
};

// One forward call of b on the shape being planned; returns its duration in ms.
using CallTimer = std::function<double(const ConvBackend& b)>;

// The planning algorithm with its clock injected (tests pass a scripted one): the candidates
// of `table` for p, the heuristic's choice (default_backend) first and then table order,
// timed as PlanPolicy says. Sorted fastest first; never empty (mcmk supports everything).
std::vector<BackendTiming> race_backends(const ConvParams& p, const CallTimer& time_call,
                                         const PlanPolicy& policy = {},
                                         const ConvBackend* const* table = conv_backends());

// One timed call that the scheduler did not interrupt: calls `call` (which returns its ms)
// until the count of involuntary context switches `preemptions` gives (of every thread of
// the process; negative when unknown) is the same after a call as before it, at most
// `attempts` times, and returns the fastest. On a loaded machine one preempted call is
// several times its real length; timed once, it would cut its backend from the race for
// good, and the plan file keeps that choice.
double time_unpreempted(const std::function<double()>& call, const std::function<long()>& preemptions,
                        int attempts = 3);

// The process's involuntary context switches so far (getrusage), or -1.
long process_preemptions();

// race_backends on seeded data at the real thread count, under the real clock; each
// candidate's plan and workspace are made before its first call, outside the timing, and
// each call is timed with time_unpreempted.
std::vector<BackendTiming> time_backends(const ConvParams& p, int threads, const PlanPolicy& policy = {},
                                         const ConvBackend* const* table = conv_backends());

class PlanCache {
public:
    // Reads PATH when it exists and was made for `header`; otherwise starts empty and sets
    // notice() to why (missing files are not worth a notice). Never throws for a bad file.
    PlanCache(std::string path, std::string header);

    // The backend planned for this shape, or null.
    const ConvBackend* find(const std::string& shape) const;
    void put(const std::string& shape, const std::vector<BackendTiming>& timings);
    // Writes the file (through a temporary renamed into place) if anything was put.
    // Returns false, with notice() saying why, when it cannot be written.
    bool save();

    const std::string& path() const { return path_; }
    const std::string& notice() const { return notice_; }
    std::size_t size() const { return entries_.size(); }
    bool dirty() const { return dirty_; }

private:
    std::string path_, header_, notice_;
    std::map<std::string, std::string> entries_;  // shape -> "backend name=ms ..."
    bool dirty_ = false;
};

// "# cpu: ...\n# threads: N\n# build: ...\n": what a plan file must have been made for.
std::string plan_header(int threads);
// $XDG_CACHE_HOME/darknet-cpu/conv-plan.txt, else $HOME/.cache/darknet-cpu/conv-plan.txt,
// else "" (no cache).
std::string default_plan_path();

}  // namespace dn
