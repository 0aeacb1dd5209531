#include "conv_auto.h"

#include <omp.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "aligned.h"
#include "blas_lock.h"
#include "conv_select.h"
#include "sysinfo.h"

namespace dn {

namespace {

double run_ms(const ConvBackend& b, const ConvParams& p, const ConvPlan* plan, const float* in,
              const float* w, float* out, float* ws, const ConvContext& ctx) {
    const auto lock = blas_enter(b.uses_blas, ctx.threads);
    const auto t0 = std::chrono::steady_clock::now();
    b.forward(p, plan, in, w, out, ws, ctx);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

bool make_dirs(const std::string& file) {
    for (std::size_t i = 1; i < file.size(); ++i) {
        if (file[i] != '/') continue;
        const std::string dir = file.substr(0, i);
        if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
    return true;
}

}  // namespace

double time_unpreempted(const std::function<double()>& call, const std::function<long()>& preemptions,
                        int attempts) {
    double best = 0;
    for (int a = 0; a < std::max(attempts, 1); ++a) {
        const long before = preemptions();
        const double ms = call();
        const long after = preemptions();
        if (a == 0 || ms < best) best = ms;
        if (before < 0 || after < 0 || after == before) break;
    }
    return best;
}

long process_preemptions() {
    rusage u;
    return getrusage(RUSAGE_SELF, &u) == 0 ? u.ru_nivcsw : -1;
}

std::vector<BackendTiming> race_backends(const ConvParams& p, const CallTimer& time_call,
                                         const PlanPolicy& policy, const ConvBackend* const* table) {
    // The candidates: the heuristic's choice first, so that the shape's first (coldest) call
    // goes to the backend most likely to win anyway, then table order.
    std::vector<const ConvBackend*> cands;
    const ConvBackend* h = default_backend(p, table);
    if (h) cands.push_back(h);
    for (const ConvBackend* const* bp = table; *bp; ++bp) {
        const char* why = nullptr;
        if (*bp != h && (*bp)->supports(p, &why)) cands.push_back(*bp);
    }
    const ConvBackend* reference = nullptr;  // the table's last backend
    for (const ConvBackend* const* bp = table; *bp; ++bp) reference = *bp;
    if (policy.prune && cands.size() > 1)
        cands.erase(std::remove(cands.begin(), cands.end(), reference), cands.end());
    // Round one: one call each. Then, when more than one is within `close` x the best first
    // call, `repeats` interleaved rounds (A B A B ...) over those, each keeping its fastest: on a shared
    // machine another job's burst then slows one call of every contender rather than all
    // calls of one.
    std::vector<BackendTiming> t;
    double best = 0;
    for (const ConvBackend* b : cands) {
        const double ms = time_call(*b);
        t.push_back({b, ms, false, 1, ms});
        if (t.size() == 1 || ms < best) best = ms;
    }
    int close = 0;
    for (BackendTiming& x : t) close += !(x.cut_short = x.ms > policy.close * best);
    for (int r = 0; r < policy.repeats && close > 1; ++r)  // one contender: nothing to decide
        for (BackendTiming& x : t) {
            if (x.cut_short) continue;
            const double ms = time_call(*x.backend);
            x.ms = std::min(x.ms, ms);
            x.spent_ms += ms;
            ++x.calls;
        }
    std::stable_sort(t.begin(), t.end(), [](const BackendTiming& a, const BackendTiming& b) { return a.ms < b.ms; });
    return t;
}

std::vector<BackendTiming> time_backends(const ConvParams& p, int threads, const PlanPolicy& policy,
                                         const ConvBackend* const* table) {
    // Aligned as the network's buffers are (aligned.h), or the timings follow malloc.
    FloatBuffer in(p.input_size()), w(p.weight_size()), out(p.output_size());
    uint32_t x = 2463534242u;  // xorshift: values only need to be ordinary floats
    for (auto* v : {&in, &w})
        for (float& f : *v) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            f = (x >> 8) * (2.0f / 16777216.0f) - 1.0f;
        }
    ConvContext ctx;
    ctx.threads = threads;
    // A process's first parallel regions start OpenMP's threads: 8-10 ms each for the first
    // one or two on a 2-vCPU Zen 5 guest (measured), which the shape's first call, the
    // heuristic's choice, would carry and, at over PlanPolicy::close x the best, lose the race
    // for good (Tiny-Darknet's first layer, 2 threads: direct timed 1.69 ms once and cut,
    // against 0.18-0.25 in other plans; the plan's packed then took 0.29 in passes).
    for (int i = 0; i < 2; ++i) {
#pragma omp parallel num_threads(std::max(1, threads))
        {
            volatile int sink = omp_get_thread_num();  // a body the compiler keeps
            (void)sink;
        }
    }
    struct Prepared {
        std::unique_ptr<ConvPlan> plan;
        FloatBuffer ws;
    };
    std::map<const ConvBackend*, Prepared> prepared;  // made before a backend's first call
    const CallTimer timer = [&](const ConvBackend& b) {
        auto it = prepared.find(&b);
        if (it == prepared.end())
            it = prepared.emplace(&b, Prepared{b.prepare ? b.prepare(p, w.data()) : nullptr,
                                               FloatBuffer(b.workspace_bytes(p) / sizeof(float) + 1)}).first;
        return time_unpreempted(
            [&] { return run_ms(b, p, it->second.plan.get(), in.data(), w.data(), out.data(), it->second.ws.data(), ctx); },
            process_preemptions);
    };
    return race_backends(p, timer, policy, table);
}

std::string plan_header(int threads) {
    return "# cpu: " + cpu_model() + "\n# threads: " + std::to_string(threads) + "\n# build: " + build_id() + "\n";
}

std::string default_plan_path() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    if (xdg && *xdg) return std::string(xdg) + "/darknet-cpu/conv-plan.txt";
    const char* home = std::getenv("HOME");
    if (home && *home) return std::string(home) + "/.cache/darknet-cpu/conv-plan.txt";
    return "";
}

PlanCache::PlanCache(std::string path, std::string header) : path_(std::move(path)), header_(std::move(header)) {
    if (path_.empty()) return;
    std::ifstream in(path_);
    if (!in) return;
    std::string head, line;
    std::vector<std::string> body;
    while (std::getline(in, line)) {
        if (line.rfind("# cpu:", 0) == 0 || line.rfind("# threads:", 0) == 0 || line.rfind("# build:", 0) == 0)
            head += line + "\n";
        else if (!line.empty() && line[0] != '#')
            body.push_back(line);
    }
    if (head != header_) {
        notice_ = "plan " + path_ + " was made for another CPU, thread count or build; ignoring it";
        return;
    }
    for (const std::string& l : body) {
        std::istringstream ss(l);
        std::string shape, backend;
        if (!(ss >> shape >> backend) || !find_conv_backend(backend)) {
            notice_ = "plan " + path_ + ": ignoring a malformed line";
            continue;
        }
        std::string rest;
        std::getline(ss, rest);
        entries_[shape] = backend + rest;
    }
}

const ConvBackend* PlanCache::find(const std::string& shape) const {
    const auto it = entries_.find(shape);
    if (it == entries_.end()) return nullptr;
    return find_conv_backend(it->second.substr(0, it->second.find(' ')));
}

void PlanCache::put(const std::string& shape, const std::vector<BackendTiming>& timings) {
    if (timings.empty()) return;
    std::ostringstream s;
    s << timings[0].backend->name;
    for (const BackendTiming& t : timings) s << ' ' << t.backend->name << '=' << t.ms << (t.cut_short ? "+" : "");
    entries_[shape] = s.str();
    dirty_ = true;
}

bool PlanCache::save() {
    if (!dirty_ || path_.empty()) return true;
    const std::string tmp = path_ + ".tmp";
    if (!make_dirs(path_)) {
        notice_ = "cannot create the directory of " + path_;
        return false;
    }
    {
        std::ofstream out(tmp);
        out << "# darknet-cpu convolution plan: fastest backend per layer shape, then each timed backend's\n"
            << "# fastest ms (+: one call only, too slow to time further). Made by -method auto.\n"
            << header_;
        for (const auto& [shape, line] : entries_) out << shape << ' ' << line << '\n';
        out.close();
        if (!out) {
            std::remove(tmp.c_str());
            notice_ = "cannot write " + path_;
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
        std::remove(tmp.c_str());
        notice_ = "cannot write " + path_;
        return false;
    }
    dirty_ = false;
    return true;
}

}  // namespace dn
