#include "schedlab/workloads/blocking.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

namespace schedlab::workloads {

namespace {
constexpr std::array<ParamSpec, 10> kSpecs{{
    {"blockers", "4", "Gs making blocking calls"},
    {"calls", "200", "blocking calls per blocker"},
    {"block_us", "200", "mean duration of a call in microseconds (0..1e6)"},
    {"dist", "fixed", "distribution of a call's duration: fixed, uniform (on [0, 2*mean]) or exp"},
    {"seed", "1", "seed of the durations"},
    {"call", "sleep", "sleep (nanosleep) or pipe (a read of a pipe a helper thread writes to after the delay)"},
    {"mode", "blocking", "blocking (R::blocking), handoff (R::blocking_handoff) or plain (the bare call)"},
    {"computers", "4", "compute Gs, each doing chunks of work until the blockers are done"},
    {"grain", "10000", "work per chunk (see grain_unit)"},
    {"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
}};

constexpr std::int64_t kNotReturned = std::numeric_limits<std::int64_t>::min();
constexpr std::uint64_t kMaxPipeBlockers = 200;  // 4 descriptors and a thread each

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("blocking: ") + what + ": " + std::strerror(errno));
}
}  // namespace

namespace blocking_detail {

std::int64_t sleep_ns(std::uint64_t ns) {
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    timespec rest{};
    while (nanosleep(&ts, &rest) != 0) {
        if (errno != EINTR) return -1;
        ts = rest;
    }
    return 0;
}

struct Responders::Helper {
    int req[2] = {-1, -1}, resp[2] = {-1, -1};
    std::thread thread;
};

Responders::Responders(std::span<const std::uint64_t> delays_ns, std::uint64_t blockers, std::uint64_t calls) {
    for (std::uint64_t b = 0; b < blockers; ++b) {
        auto h = std::make_unique<Helper>();
        if (pipe2(h->req, O_CLOEXEC) != 0) fail("pipe");
        if (pipe2(h->resp, O_CLOEXEC) != 0) {
            close(h->req[0]);
            close(h->req[1]);
            fail("pipe");
        }
        // The helper: per request, sleep that call's delay, then write the call's byte. It ends
        // when its request pipe is closed (or after `calls` replies).
        h->thread = std::thread([req = h->req[0], resp = h->resp[1], delays = delays_ns.subspan(b * calls, calls),
                                 base = b * calls] {
            for (std::uint64_t i = 0; i < delays.size(); ++i) {
                char c;
                ssize_t n;
                while ((n = read(req, &c, 1)) < 0 && errno == EINTR) {
                }
                if (n != 1) return;
                sleep_ns(delays[i]);
                const char reply = static_cast<char>((base + i) & 0xff);
                while ((n = write(resp, &reply, 1)) < 0 && errno == EINTR) {
                }
                if (n != 1) return;
            }
        });
        helpers_.push_back(std::move(h));
    }
}

Responders::~Responders() {
    for (auto& h : helpers_) {
        close(h->req[1]);  // the helper's read returns 0: it ends
        h->thread.join();
        close(h->req[0]);
        close(h->resp[0]);
        close(h->resp[1]);
    }
}

std::int64_t Responders::call(std::uint64_t b) {
    Helper& h = *helpers_[b];
    const char c = 1;
    ssize_t n;
    while ((n = write(h.req[1], &c, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1) return -1;
    unsigned char reply = 0;
    while ((n = read(h.resp[0], &reply, 1)) < 0 && errno == EINTR) {
    }
    return n == 1 ? static_cast<std::int64_t>(reply) : -1;
}

}  // namespace blocking_detail

std::span<const ParamSpec> Blocking::params() { return kSpecs; }

Blocking::Blocking(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    blockers_ = static_cast<std::uint64_t>(p.get_int("blockers", 1, 10'000));
    calls_ = static_cast<std::uint64_t>(p.get_int("calls", 1, 10'000'000));
    if (blockers_ * calls_ > 10'000'000)
        throw ParamError("blocking: blockers*calls = " + std::to_string(blockers_ * calls_) +
                         " calls is more than 1e7");
    const double mean_ns = p.get_double("block_us", 0, 1e6) * 1e3;
    const std::string& dist = p.get_choice("dist", {"fixed", "uniform", "exp"});
    const auto seed = static_cast<std::uint64_t>(p.get_int("seed", 0, INT64_MAX));
    call_ = p.get_choice("call", {"sleep", "pipe"}) == "pipe" ? Call::Pipe : Call::Sleep;
    if (call_ == Call::Pipe && blockers_ > kMaxPipeBlockers)
        throw ParamError("blocking: call=pipe takes at most " + std::to_string(kMaxPipeBlockers) +
                         " blockers (a helper thread and two pipes each), not " + std::to_string(blockers_));
    const std::string& mode = p.get_choice("mode", {"blocking", "handoff", "plain"});
    mode_ = mode == "blocking" ? Mode::Blocking : mode == "handoff" ? Mode::Handoff : Mode::Plain;
    computers_ = static_cast<std::uint64_t>(p.get_int("computers", 0, 10'000));
    SplitMix unused(0);
    iters_ = read_grain(p, false).draw(unused);  // a fixed grain: the mean

    // Each call's delay: fixed = the mean; uniform on [0, 2*mean]; exponential with the mean
    // (inverse CDF; 1 - u is in (0, 1], so the log is finite). Rounded to whole ns.
    SplitMix rng(seed);
    delays_.resize(blockers_ * calls_);
    for (auto& d : delays_) {
        double ns = mean_ns;
        if (dist == "uniform") ns = 2.0 * mean_ns * rng.uniform01();
        else if (dist == "exp") ns = -mean_ns * std::log(1.0 - rng.uniform01());
        d = static_cast<std::uint64_t>(std::llround(ns));
    }
    took_.assign(delays_.size(), 0);
    got_.assign(delays_.size(), kNotReturned);
    chunks_.assign(computers_, 0);
    sums_.assign(computers_, 0);
}

Result Blocking::check() const {
    Result r;
    r.tasks = ran_ ? blockers_ + computers_ : 0;
    std::uint64_t returned = 0, right = 0;
    for (std::size_t at = 0; at < got_.size(); ++at) {
        returned += got_[at] != kNotReturned;
        right += got_[at] == expected_return(at);
    }
    std::uint64_t chunks = 0;
    bool sums_ok = true;
    for (std::uint64_t c = 0; c < computers_; ++c) {
        std::uint64_t sum = 0;
        for (std::uint64_t k = 0; k < chunks_[c]; ++k) sum += chunk_value(c, k, iters_);
        sums_ok = sums_ok && sum == sums_[c];
        chunks += chunks_[c];
    }
    r.ok = ran_ && right == got_.size() && sums_ok;
    r.detail = !ran_ ? "not run"
                     : std::to_string(returned) + " of " + std::to_string(got_.size()) + " calls returned, " +
                           std::to_string(right) + " with the expected value; " +
                           (sums_ok ? "the computers' sums match" : "a computer's sum differs");
    std::vector<std::uint64_t> took = took_;
    std::sort(took.begin(), took.end());
    long double total = 0;
    for (auto t : took) total += t;
    const bool have = ran_ && !took.empty();
    const double secs = static_cast<double>(phase_ns_) * 1e-9;
    char rate[32] = "";
    if (ran_ && phase_ns_ > 0) std::snprintf(rate, sizeof rate, "%.1f", static_cast<double>(chunks) / secs);
    r.extra.emplace_back("chunks_per_s", rate);
    r.extra.emplace_back("chunks", std::to_string(chunks));
    r.extra.emplace_back("calls", std::to_string(returned));
    r.extra.emplace_back("call_mean_ns",
                         have ? std::to_string(static_cast<std::uint64_t>(std::llround(
                                    static_cast<double>(total / static_cast<long double>(took.size())))))
                              : "");
    r.extra.emplace_back("call_p50_ns", have ? std::to_string(percentile(took, 0.50)) : "");
    r.extra.emplace_back("call_p99_ns", have ? std::to_string(percentile(took, 0.99)) : "");
    r.extra.emplace_back("phase_ns", std::to_string(phase_ns_));
    return r;
}

}  // namespace schedlab::workloads
