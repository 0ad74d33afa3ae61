#include "schedlab/workloads/starve.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace schedlab::workloads {

namespace {
constexpr std::array<ParamSpec, 5> kSpecs{{
    {"victims", "1000", "Gs started in one burst before the producer (most overflow to the global queue)"},
    {"rounds", "10000", "fork-join rounds of the local producer"},
    {"children", "8", "Gs per round"},
    {"grain", "1000", "work per child (see grain_unit)"},
    {"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
}};

}  // namespace

std::span<const ParamSpec> Starve::params() { return kSpecs; }

Starve::Starve(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    victims_ = static_cast<std::uint64_t>(p.get_int("victims", 1, 10'000'000));
    rounds_ = static_cast<std::uint64_t>(p.get_int("rounds", 1, 100'000'000));
    children_ = static_cast<std::uint64_t>(p.get_int("children", 1, 100'000));
    if (rounds_ * children_ > 1'000'000'000)
        throw ParamError("starve: rounds*children = " + std::to_string(rounds_ * children_) +
                         " Gs is more than 1e9");
    SplitMix unused(0);
    iters_ = read_grain(p, false).draw(unused);  // a fixed grain: the mean
    for (std::uint64_t i = 0; i < rounds_ * children_; ++i) expected_ += task_value(i, iters_);
    started_.assign(victims_, 0);
    ran_.assign(victims_, kNotRun);
    slots_.assign(children_, 0);
}

Result Starve::check() const {
    Result r;
    r.tasks = spawned_;
    std::vector<std::uint64_t> waits;
    waits.reserve(victims_);
    std::uint64_t served_during = 0;
    for (std::uint64_t i = 0; i < victims_; ++i) {
        if (ran_[i] == kNotRun || ran_[i] < started_[i]) continue;
        waits.push_back(ran_[i] - started_[i]);
        served_during += ran_[i] <= rounds_end_;
    }
    std::sort(waits.begin(), waits.end());
    const bool sum_ok = total_ == expected_;
    r.ok = spawned_ != 0 && waits.size() == victims_ && sum_ok;
    r.detail = spawned_ == 0 ? "not run"
                             : std::to_string(waits.size()) + " of " + std::to_string(victims_) + " victims ran; " +
                                   (sum_ok ? "the children's sum matches" : "the children's sum differs");
    const bool have = !waits.empty();
    r.extra.emplace_back("victims", std::to_string(victims_));
    r.extra.emplace_back("max_wait_ns", have ? std::to_string(waits.back()) : "");
    r.extra.emplace_back("p50_wait_ns", have ? std::to_string(percentile(waits, 0.50)) : "");
    r.extra.emplace_back("p99_wait_ns", have ? std::to_string(percentile(waits, 0.99)) : "");
    r.extra.emplace_back("served_during", std::to_string(served_during));
    r.extra.emplace_back("producer_ns", std::to_string(producer_ns_));
    return r;
}

}  // namespace schedlab::workloads
