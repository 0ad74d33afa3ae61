// Grain of work for the synthetic workloads: a spin kernel the compiler cannot skip, a small
// seeded generator, and the per-task amount of work (fixed, uniform or exponential, given in
// kernel iterations or in nanoseconds converted through a calibration).
#pragma once

#include <cstdint>
#include <span>

#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

// A finaliser that spreads every input bit over the output (the splitmix64 mixing steps).
// Workloads hash their inputs with it, so a wrong or missing input changes the answer.
constexpr std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// `iters` dependent multiply-xorshift steps from x. Each step needs the previous one's result,
// so the loop can be neither vectorised nor folded; its cost is linear in iters (a few cycles
// per step) and the same on every core, which is what a grain of work should be.
inline std::uint64_t spin(std::uint64_t x, std::uint64_t iters) {
    for (std::uint64_t i = 0; i < iters; ++i) x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ull + i;
    return x;
}

// A seeded sequence of 64-bit numbers (splitmix64's counter-plus-mix), the same on every
// platform and library, unlike the distributions of <random>.
class SplitMix {
public:
    explicit SplitMix(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() { return mix64(state_++ * 0x9e3779b97f4a7c15ull); }
    // Uniform in [0, 1) with 53 random bits.
    double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in [0, n), n > 0 (multiply-shift: bias below 2^-32 for the n used here).
    std::uint64_t below(std::uint64_t n) {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }

private:
    std::uint64_t state_;
};

// Spin iterations per nanosecond on this machine (best of a few timed runs, measured once per
// process). Used to turn a grain given in ns into iterations when a workload is built, so the
// timed run does the same iterations whatever the unit.
double spin_iters_per_ns();

enum class GrainDist { Fixed, Uniform, Exponential };

// How much work one task does: a distribution with a mean, in spin iterations.
struct Grain {
    GrainDist dist = GrainDist::Fixed;
    double mean_iters = 0;

    // One task's iterations: fixed = the mean; uniform on [0, 2*mean]; exponential with the mean.
    std::uint64_t draw(SplitMix& rng) const;
};

// The Grain described by the keys grain (the mean), grain_unit (iters or ns) and, with
// `with_dist`, grain_dist (fixed, uniform or exponential); each workload lists these keys in its
// own specs with its own defaults. Throws ParamError on bad values.
Grain read_grain(const Params& p, bool with_dist);

}  // namespace schedlab::workloads
