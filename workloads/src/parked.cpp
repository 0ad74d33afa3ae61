#include "schedlab/workloads/parked.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>

namespace schedlab::workloads {

namespace {
constexpr std::array<ParamSpec, 1> kSpecs{{{"n", "100000", "Gs blocked at once"}}};
}  // namespace

std::span<const ParamSpec> Parked::params() { return kSpecs; }

Parked::Parked(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    n_ = static_cast<std::uint64_t>(p.get_int("n", 1, 10'000'000));
    closed_seen_.assign(n_, 0);
}

std::int64_t Parked::resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return -1;
    long long size = 0, resident = 0;
    const int got = std::fscanf(f, "%lld %lld", &size, &resident);
    std::fclose(f);
    return got == 2 ? resident * sysconf(_SC_PAGESIZE) : -1;
}

Result Parked::check() const {
    Result r;
    r.tasks = spawned_;
    r.ok = spawned_ == n_ && woken_ == n_;
    r.detail = spawned_ == 0 ? "not run"
                             : std::to_string(woken_) + " of " + std::to_string(n_) +
                                   " blocked Gs saw the channel close";
    if (rss_before_ >= 0 && rss_blocked_ >= 0 && n_ > 0)
        r.extra.emplace_back("rss_per_task_bytes",
                             std::to_string((rss_blocked_ - rss_before_) / static_cast<std::int64_t>(n_)));
    return r;
}

}  // namespace schedlab::workloads
