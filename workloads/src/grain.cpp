#include "schedlab/workloads/grain.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace schedlab::workloads {

double spin_iters_per_ns() {
    static const double rate = [] {
        // 2^20 iterations take about a millisecond; the fastest of five runs is the one least
        // disturbed by other processes on a shared machine.
        constexpr std::uint64_t kIters = 1u << 20;
        double best_ns = 1e300;
        std::uint64_t sink = 0;
        for (int r = 0; r < 5; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            sink += spin(sink + static_cast<std::uint64_t>(r), kIters);
            const auto t1 = std::chrono::steady_clock::now();
            best_ns = std::min(best_ns, static_cast<double>(
                                            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()));
        }
        // Keep the result alive so the timed loop is not removed.
        volatile std::uint64_t keep = sink;
        (void)keep;
        return static_cast<double>(kIters) / std::max(best_ns, 1.0);
    }();
    return rate;
}

std::uint64_t Grain::draw(SplitMix& rng) const {
    double it = mean_iters;
    switch (dist) {
        case GrainDist::Fixed:
            break;
        case GrainDist::Uniform:
            it = 2.0 * mean_iters * rng.uniform01();
            break;
        case GrainDist::Exponential:
            // Inverse CDF; 1 - u is in (0, 1], so the log is finite.
            it = -mean_iters * std::log(1.0 - rng.uniform01());
            break;
    }
    return static_cast<std::uint64_t>(std::llround(it));
}

Grain read_grain(const Params& p, bool with_dist) {
    Grain g;
    const bool in_ns = p.get_choice("grain_unit", {"iters", "ns"}) == "ns";
    // At most about a second per task (1e9 ns, or 1e9 iterations of a few cycles each):
    // larger is a typo, not an experiment.
    const double mean = p.get_double("grain", 0, 1e9);
    g.mean_iters = in_ns ? mean * spin_iters_per_ns() : mean;
    if (with_dist) {
        const std::string& d = p.get_choice("grain_dist", {"fixed", "uniform", "exponential"});
        g.dist = d == "fixed" ? GrainDist::Fixed
                 : d == "uniform" ? GrainDist::Uniform
                                  : GrainDist::Exponential;
    }
    return g;
}

}  // namespace schedlab::workloads
