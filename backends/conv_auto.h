// The `auto` policy: time every backend that supports a layer's shape, at the real thread
// count, and keep the fastest; remember the choice in a plain-text plan file keyed by the
// shape (ConvParams::to_string()), with a header naming the CPU, thread count and build.
// A plan made elsewhere (other CPU, thread count or build) is ignored with a notice, as
// FFTW's wisdom: timings only transfer to the same hardware and binary.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "conv_backend.h"

namespace dn {

struct BackendTiming {
    const ConvBackend* backend;
    double ms;       // fastest of the timed runs (or the single warm-up run when cut short)
    bool cut_short;  // warm-up already far slower than the best so far: not run again
};

// Times every backend of `table` that supports p on seeded data: one warm-up each (a backend
// whose warm-up is over 4x the best so far is not run again), then `runs` interleaved rounds
// over the rest, each keeping its fastest run. Sorted fastest first; never empty (mcmk
// supports everything).
std::vector<BackendTiming> time_backends(const ConvParams& p, int threads, int runs = 5,
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
