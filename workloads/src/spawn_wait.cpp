#include "schedlab/workloads/spawn_wait.hpp"

#include <array>
#include <string>

namespace schedlab::workloads {

namespace {
constexpr std::array<ParamSpec, 1> kSpecs{{{"n", "1000000", "rounds of go f(); <-done"}}};
}  // namespace

std::span<const ParamSpec> SpawnWait::params() { return kSpecs; }

SpawnWait::SpawnWait(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    n_ = static_cast<std::uint64_t>(p.get_int("n", 1, 1'000'000'000));
}

Result SpawnWait::check() const {
    Result r;
    r.tasks = rounds_;
    r.ok = rounds_ == n_ && out_of_order_ == 0;
    r.detail = rounds_ == 0 ? "not run"
                            : std::to_string(rounds_) + " of " + std::to_string(n_) + " rounds, " +
                                  std::to_string(out_of_order_) + " out of order";
    return r;
}

}  // namespace schedlab::workloads
