#include "schedlab/workloads/timers.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace schedlab::workloads {

namespace {
constexpr std::array<ParamSpec, 6> kSpecs{{
    {"gs", "1000", "sleeping Gs"},
    {"sleeps", "20", "sleeps per G"},
    {"min_us", "100", "shortest sleep, microseconds"},
    {"max_us", "5000", "longest sleep, microseconds (durations are uniform in [min_us, max_us])"},
    {"via", "sleep", "how a G sleeps: sleep (R::sleep_for, time.Sleep) or after (a receive from R::after, <-time.After)"},
    {"work_us", "0", "spin work after each wake-up, microseconds (calibrated at build time)"},
}};
}  // namespace

std::span<const ParamSpec> Timers::params() { return kSpecs; }

Timers::Timers(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    gs_ = static_cast<std::uint64_t>(p.get_int("gs", 1, 1'000'000));
    sleeps_ = static_cast<std::uint64_t>(p.get_int("sleeps", 1, 1'000'000));
    if (gs_ * sleeps_ > 100'000'000) throw ParamError("timers: gs*sleeps must be at most 100000000");
    const auto min_us = p.get_int("min_us", 0, 60'000'000);
    const auto max_us = p.get_int("max_us", 0, 60'000'000);
    if (max_us < min_us) throw ParamError("timers: max_us must be at least min_us");
    min_ns_ = static_cast<std::uint64_t>(min_us) * 1000;
    max_ns_ = static_cast<std::uint64_t>(max_us) * 1000;
    via_after_ = p.get_choice("via", {"sleep", "after"}) == "after";
    const auto work_us = p.get_int("work_us", 0, 1'000'000);
    work_iters_ = static_cast<std::uint64_t>(std::llround(static_cast<double>(work_us) * 1e3 * spin_iters_per_ns()));
    seed_ = 0x7469'6d65'7273ull;  // "timers": the same durations on every runtime and run
    lateness_.assign(gs_ * sleeps_, 0);
    early_.assign(gs_, 0);
    sink_.assign(gs_, 0);
    done_.assign(gs_, 0);
}

Result Timers::check() const {
    Result r;
    r.tasks = ran_ ? gs_ : 0;
    std::uint64_t finished = 0, early = 0;
    for (std::uint64_t g = 0; g < gs_; ++g) {
        finished += done_[g] != 0;
        early += early_[g];
    }
    r.ok = ran_ && finished == gs_ && early == 0;
    r.detail = !ran_ ? "not run"
                     : std::to_string(finished) + " of " + std::to_string(gs_) + " Gs slept " +
                           std::to_string(sleeps_) + " times; " + std::to_string(early) + " sleeps ended early";
    std::vector<std::uint64_t> all;
    if (ran_) all = lateness_;
    r.extra.emplace_back("sleeps", std::to_string(all.size()));
    add_latency_columns(r, all);
    r.extra.emplace_back("early", std::to_string(early));
    return r;
}

}  // namespace schedlab::workloads
