#include "schedlab/workloads/fairness.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <string>

namespace schedlab::workloads {

namespace {
constexpr std::array<ParamSpec, 7> kSpecs{{
    {"hogs", "2", "compute-bound Gs"},
    {"hog_ms", "100", "work of each hog in ms (spin work, calibrated at build time)"},
    {"chunk_us", "50", "work between two of a hog's preemption points, in microseconds"},
    {"points", "1", "1: a hog calls R::preempt_point() after each chunk; 0: never"},
    {"probes", "2", "latency-sensitive Gs, each receiving the driver's messages"},
    {"interval_us", "1000", "the driver sends a round of messages every interval_us microseconds"},
    {"driver", "handoff", "how the driver sleeps: handoff (R::blocking_handoff) or blocking (R::blocking)"},
}};

}  // namespace

namespace fairness_detail {
void sleep_ns(std::uint64_t ns) {
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    timespec rest{};
    while (nanosleep(&ts, &rest) != 0 && errno == EINTR) ts = rest;
}
}  // namespace fairness_detail

std::span<const ParamSpec> Fairness::params() { return kSpecs; }

Fairness::Fairness(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    hogs_ = static_cast<std::uint64_t>(p.get_int("hogs", 0, 10'000));
    const auto hog_ms = static_cast<std::uint64_t>(p.get_int("hog_ms", 0, 600'000));
    const auto chunk_us = static_cast<std::uint64_t>(p.get_int("chunk_us", 1, 1'000'000));
    points_ = p.get_bool("points");
    probes_ = static_cast<std::uint64_t>(p.get_int("probes", 1, 10'000));
    interval_ns_ = static_cast<std::uint64_t>(p.get_int("interval_us", 1, 10'000'000)) * 1000;
    handoff_driver_ = p.get_choice("driver", {"handoff", "blocking"}) == "handoff";
    // hog_ms in whole chunks (at least one when hog_ms > 0), each chunk_us of spin work.
    chunks_ = (hog_ms * 1000 + chunk_us - 1) / chunk_us;
    chunk_iters_ = static_cast<std::uint64_t>(
        std::llround(static_cast<double>(chunk_us) * 1e3 * spin_iters_per_ns()));
    sums_.assign(hogs_, 0);
    latencies_.assign(probes_, {});
}

Result Fairness::check() const {
    Result r;
    r.tasks = ran_ ? hogs_ + probes_ + 1 : 0;
    std::vector<std::uint64_t> all;
    std::uint64_t complete = 0;
    for (const auto& lat : latencies_) {
        complete += lat.size() == rounds_;
        all.insert(all.end(), lat.begin(), lat.end());
    }
    std::uint64_t hogs_right = 0;
    for (std::uint64_t h = 0; h < hogs_ && ran_; ++h) {  // the serial sum, here: hog_ms of work each
        std::uint64_t expected = 0;
        for (std::uint64_t k = 0; k < chunks_; ++k) expected += chunk_value(h, k, chunk_iters_);
        hogs_right += sums_[h] == expected;
    }
    r.ok = ran_ && complete == probes_ && hogs_right == hogs_;
    r.detail = !ran_ ? "not run"
                     : std::to_string(complete) + " of " + std::to_string(probes_) + " probes received all " +
                           std::to_string(rounds_) + " rounds; " + std::to_string(hogs_right) + " of " +
                           std::to_string(hogs_) + " hogs' sums match";
    r.extra.emplace_back("messages", std::to_string(all.size()));
    add_latency_columns(r, all);
    r.extra.emplace_back("hogs_ns", std::to_string(hogs_ns_));
    return r;
}

}  // namespace schedlab::workloads
