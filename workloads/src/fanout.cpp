#include "schedlab/workloads/fanout.hpp"

#include <array>
#include <string>

namespace schedlab::workloads {

namespace {
constexpr std::array<ParamSpec, 4> kSpecs{{
    {"waves", "10", "number of fan-out/fan-in rounds"},
    {"n", "10000", "Gs per round"},
    {"grain", "1000", "work per G (see grain_unit)"},
    {"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
}};
}  // namespace

std::span<const ParamSpec> FanOut::params() { return kSpecs; }

FanOut::FanOut(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    waves_ = static_cast<std::uint64_t>(p.get_int("waves", 1, 1'000'000));
    n_ = static_cast<std::uint64_t>(p.get_int("n", 1, 10'000'000));
    if (waves_ * n_ > 1'000'000'000)
        throw ParamError("fanout: waves*n = " + std::to_string(waves_ * n_) + " Gs is more than 1e9");
    SplitMix unused(0);
    iters_ = read_grain(p, false).draw(unused);  // a fixed grain: the mean
    for (std::uint64_t i = 0; i < waves_ * n_; ++i) expected_ += task_value(i, iters_);
    slots_.assign(n_, 0);
}

Result FanOut::check() const {
    Result r;
    r.tasks = spawned_;
    r.ok = spawned_ == waves_ * n_ && total_ == expected_;
    r.detail = spawned_ == 0       ? "not run"
               : total_ == expected_ ? "sum over " + std::to_string(spawned_) + " Gs matches the serial sum"
                                     : "sum over the Gs differs from the serial sum";
    return r;
}

}  // namespace schedlab::workloads
