// Streaming results, beyond upstream: -jsonl FILE (or - for stdout) writes one JSON object
// per image of a list (-list FILE, else stdin, else the one IMAGE argument), in input
// order. -jobs N keeps N images in flight, each job with its own network and 1/N of the
// threads; -shard I/N takes the images whose list position is I modulo N.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "cli.h"
#include "error.h"
#include "weights.h"

namespace cli {

using dn::Error;

StreamOptions take_stream_options(std::vector<std::string>& v) {
    StreamOptions o;
    std::string s;
    const bool has_jsonl = take_value(v, "-jsonl", &o.jsonl);
    const bool has_list = take_value(v, "-list", &o.list);
    const bool has_jobs = take_value(v, "-jobs", &s);
    if (has_jobs) o.jobs = parse_count(s, "-jobs", 1, 256);
    const bool has_shard = take_value(v, "-shard", &s);
    if (has_shard) {
        const std::size_t slash = s.find('/');
        const std::string bad = "-shard: expected I/N with 0 <= I < N (I counts from 0), got \"" + s + "\"";
        if (slash == std::string::npos) throw Error(bad);
        try {
            o.shard_n = parse_count(s.substr(slash + 1), "-shard", 1, 1 << 30);
            o.shard_i = parse_count(s.substr(0, slash), "-shard", 0, o.shard_n - 1);
        } catch (const Error&) {
            throw Error(bad);
        }
    }
    if (!has_jsonl && (has_list || has_jobs || has_shard))
        throw Error(std::string(has_list ? "-list" : has_jobs ? "-jobs" : "-shard") + ": only with -jsonl FILE (or -jsonl - for stdout)");
    if (has_jsonl && o.jsonl.empty()) throw Error("-jsonl: expected a file name or -");
    return o;
}

std::string json_string(const std::string& s) {
    std::string o = "\"";
    for (const unsigned char ch : s) {
        if (ch == '"' || ch == '\\') {
            o += '\\';
            o += static_cast<char>(ch);
        } else if (ch < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", ch);
            o += buf;
        } else {
            o += static_cast<char>(ch);
        }
    }
    return o + "\"";
}

std::unique_ptr<dn::Network> load_job_network(const std::string& cfg, const std::string& weights,
                                              dn::NetworkOptions opt, int job, int threads) {
    opt.threads = threads;
    if (job == 0) return load_network(cfg, weights, opt);
    opt.print_table = false;
    auto net = dn::parse_network(cfg, opt);
    dn::load_weights(*net, weights);
    return net;
}

int total_threads(const Common& common) {
    if (common.net.threads > 0) return common.net.threads;
    return std::max(1, int(std::thread::hardware_concurrency()));
}

namespace {

// The images to run, read lazily (stdin may be a camera's stream of frame names) and
// filtered by the shard.
class Source {
public:
    Source(const StreamOptions& opt, const std::string& image) : opt_(opt) {
        if (!image.empty()) {
            paths_ = {image};
            from_stdin_ = false;
        } else if (!opt.list.empty()) {
            paths_ = read_image_list(opt.list);
            from_stdin_ = false;
        }
    }
    // The next image of this shard and its position in the whole list; false at the end.
    bool next(std::string* path, long* index) {
        while (true) {
            std::string line;
            if (from_stdin_) {
                if (!std::getline(std::cin, line)) return false;
                while (!line.empty() && line.back() == '\r') line.pop_back();
                if (line.empty()) continue;
            } else {
                if (pos_ >= paths_.size()) return false;
                line = paths_[pos_++];
            }
            const long i = seen_++;
            if (i % opt_.shard_n != opt_.shard_i) continue;
            *path = line;
            *index = i;
            return true;
        }
    }
    long seen() const { return seen_; }
    std::string name() const { return from_stdin_ ? "stdin" : opt_.list.empty() ? "IMAGE" : opt_.list; }

private:
    const StreamOptions& opt_;
    std::vector<std::string> paths_;
    std::size_t pos_ = 0;
    bool from_stdin_ = true;
    long seen_ = 0;
};

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f != stdout) std::fclose(f);
    }
};

}  // namespace

int run_stream(const StreamOptions& opt, const std::string& image, int total_threads,
               const std::function<Worker(int job, int threads)>& make_worker) {
    Source source(opt, image);
    const int jobs = opt.jobs;
    const int threads = std::max(1, total_threads / jobs);
    std::vector<Worker> workers;
    for (int j = 0; j < jobs; ++j) workers.push_back(make_worker(j, threads));

    std::unique_ptr<std::FILE, FileCloser> out;
    std::mutex m, in_m;
    std::condition_variable cv;
    long handed = 0, written = 0;  // sequence numbers of this shard's images
    int running = jobs, failures = 0;
    std::map<long, std::string> ready;

    auto work = [&](Worker& worker) {
        while (true) {
            std::string path;
            long index = 0, seq = 0;
            {
                // Readers take turns (in_m), so sequence numbers follow the input; a read
                // that blocks on stdin does not hold m, so finished records still go out.
                std::lock_guard<std::mutex> reading(in_m);
                {
                    // Bounded look-ahead: a slow image holds back at most 2N finished ones.
                    std::unique_lock<std::mutex> lock(m);
                    cv.wait(lock, [&] { return handed - written < 2L * jobs; });
                }
                if (!source.next(&path, &index)) break;
                std::lock_guard<std::mutex> lock(m);
                seq = handed++;
            }
            std::string line = "{\"index\": " + std::to_string(index) + ", \"path\": " + json_string(path) + ", ";
            const auto t0 = std::chrono::steady_clock::now();
            bool failed = false;
            try {
                line += worker(path);
                char buf[64];
                std::snprintf(buf, sizeof buf, ", \"time\": %.6f}",
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
                line += buf;
            } catch (const std::exception& e) {
                failed = true;
                line.resize(line.size() - 2);
                line += ", \"error\": " + json_string(e.what()) + "}";
                std::lock_guard<std::mutex> lock(m);
                std::fprintf(stderr, "darknet: %s\n", e.what());
            }
            std::lock_guard<std::mutex> lock(m);
            if (failed) ++failures;
            ready.emplace(seq, std::move(line));
            cv.notify_all();
        }
        std::lock_guard<std::mutex> lock(m);
        --running;
        cv.notify_all();
    };

    std::vector<std::thread> pool;
    for (Worker& w : workers) pool.emplace_back(work, std::ref(w));
    std::string write_error;
    {
        std::unique_lock<std::mutex> lock(m);
        while (true) {
            cv.wait(lock, [&] { return ready.count(written) || (running == 0 && ready.empty()); });
            if (!ready.count(written)) break;
            const std::string line = std::move(ready[written]);
            ready.erase(written);
            ++written;
            cv.notify_all();
            if (!write_error.empty()) continue;  // keep draining so the workers finish
            if (!out) {
                out.reset(opt.jsonl == "-" ? stdout : std::fopen(opt.jsonl.c_str(), "w"));
                if (!out) write_error = opt.jsonl + ": cannot open for writing";
            }
            if (out && (std::fprintf(out.get(), "%s\n", line.c_str()) < 0 || std::fflush(out.get()) != 0))
                write_error = opt.jsonl + ": write failed";
        }
    }
    for (std::thread& t : pool) t.join();
    if (!write_error.empty()) throw Error(write_error);
    if (source.seen() == 0) throw Error(source.name() + ": no image paths");
    if (written == 0) {
        // A shard of a short list may be empty; that is not an error, but say so.
        std::fprintf(stderr, "darknet: -shard %d/%d: no images of the %ld in %s\n", opt.shard_i, opt.shard_n, source.seen(), source.name().c_str());
        out.reset(opt.jsonl == "-" ? stdout : std::fopen(opt.jsonl.c_str(), "w"));
        if (!out) throw Error(opt.jsonl + ": cannot open for writing");
    }
    return failures ? 1 : 0;
}

}  // namespace cli
