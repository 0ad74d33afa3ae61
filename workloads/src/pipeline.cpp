#include "schedlab/workloads/pipeline.hpp"

#include <array>
#include <string>

namespace schedlab::workloads {

namespace {
constexpr std::array<ParamSpec, 5> kSpecs{{
    {"messages", "100000", "messages sent by the producer"},
    {"workers", "4", "worker Gs between producer and collector"},
    {"cap", "0", "capacity of both channels (0: unbuffered)"},
    {"grain", "0", "work per message in a worker (see grain_unit)"},
    {"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
}};
}  // namespace

std::span<const ParamSpec> Pipeline::params() { return kSpecs; }

Pipeline::Pipeline(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    messages_ = static_cast<std::uint64_t>(p.get_int("messages", 1, 1'000'000'000));
    workers_ = static_cast<std::uint64_t>(p.get_int("workers", 1, 100'000));
    cap_ = static_cast<std::uint64_t>(p.get_int("cap", 0, 1 << 24));
    SplitMix unused(0);
    iters_ = read_grain(p, false).draw(unused);  // a fixed grain: the mean
    for (std::uint64_t m = 1; m <= messages_; ++m) expected_sum_ += message_value(m, iters_);
}

Result Pipeline::check() const {
    Result r;
    r.tasks = spawned_;
    r.ok = spawned_ != 0 && count_ == messages_ && sum_ == expected_sum_;
    if (spawned_ == 0)
        r.detail = "not run";
    else
        r.detail = std::to_string(count_) + " of " + std::to_string(messages_) + " messages arrived, sum " +
                   (sum_ == expected_sum_ ? "matches" : "differs");
    r.extra.emplace_back("messages", std::to_string(count_));
    return r;
}

}  // namespace schedlab::workloads
