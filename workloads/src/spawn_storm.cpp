#include "schedlab/workloads/spawn_storm.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace schedlab::workloads {

namespace {
constexpr std::array<ParamSpec, 1> kSpecs{{{"n", "1000000", "number of Gs spawned by one G"}}};
}  // namespace

std::span<const ParamSpec> SpawnStorm::params() { return kSpecs; }

SpawnStorm::SpawnStorm(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    n_ = static_cast<std::uint64_t>(p.get_int("n", 1, 100'000'000));
    ran_.assign(n_, 0);
}

Result SpawnStorm::check() const {
    Result r;
    r.tasks = spawned_;
    const auto ran = static_cast<std::uint64_t>(std::count(ran_.begin(), ran_.end(), std::uint8_t{1}));
    r.ok = spawned_ == n_ && ran == n_;
    r.detail = spawned_ == 0 ? "not run" : std::to_string(ran) + " of " + std::to_string(n_) + " Gs ran";
    return r;
}

}  // namespace schedlab::workloads
