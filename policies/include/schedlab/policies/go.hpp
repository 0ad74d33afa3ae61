// Go's scheduler decisions (src/runtime/proc.go), one small type per dimension, and the `Go`
// bundle that names them together. The values and their reasons are in shared/REFERENCE.md.
#pragma once

#include <cstdint>
#include <numeric>

#include "schedlab/policies/concepts.hpp"

namespace schedlab::policies {

// runqgrab takes n - n/2: half, rounded up, so a single queued G can be stolen.
struct StealHalf {
    static constexpr const char* name = "half";
    static constexpr std::uint32_t take(std::uint32_t n) { return n - n / 2; }
};

// Look at the global queue first on every Nth schedule tick. Go uses 61: often enough that
// Gs in the global queue cannot starve behind a local producer, rarely enough to cost nothing,
// and prime so that it does not fall into step with other periodic work.
template <std::uint64_t N>
struct GlobalCheckEvery {
    static_assert(N >= 1, "a global-check period must be at least 1 tick");
    static constexpr std::uint64_t period = N;
    static constexpr const char* name = "every-n";
    static constexpr bool check_global_first(std::uint64_t schedtick) {
        return schedtick % N == 0;
    }
};

// Go's findRunnable: an M may start spinning only while 2 * spinning < busy Ps, so spinning
// Ms are capped at half the busy Ps: a few spinners cut wake-up latency, the cap stops them
// burning every core.
struct SpinHalfBusy {
    static constexpr const char* name = "go";
    static constexpr bool may_spin(std::uint32_t spinning, std::uint32_t busy, std::uint32_t) {
        return 2 * spinning < busy;
    }
};

struct RunnextOn {
    static constexpr const char* name = "on";
    static constexpr bool enabled = true;
};

// Go's randomOrder: start at a random P and walk with a random stride coprime to procs, so
// each round visits every P exactly once; stealWork makes 4 such rounds (stealTries).
struct RandomCoprimeOrder {
    static constexpr const char* name = "random";
    static constexpr int rounds = 4;  // stealTries in proc.go
    static constexpr std::uint32_t kMaxCoprimes = 64;

    struct State {
        std::uint64_t rng = 0x9e3779b97f4a7c15ull;
        std::uint32_t coprimes[kMaxCoprimes] = {};
        std::uint32_t ncoprimes = 0;
    };

    static std::uint32_t next_random(State& s) {
        // xorshift64*: cheap, good enough to spread thieves over victims.
        s.rng ^= s.rng >> 12;
        s.rng ^= s.rng << 25;
        s.rng ^= s.rng >> 27;
        return static_cast<std::uint32_t>((s.rng * 2685821657736338717ull) >> 32);
    }

    static void init(State& s, std::uint32_t self, std::uint32_t procs, std::uint64_t seed) {
        s.rng = (seed ^ (0x9e3779b97f4a7c15ull * (self + 1))) | 1;
        s.ncoprimes = 0;
        for (std::uint32_t i = 1; i <= procs && s.ncoprimes < kMaxCoprimes; ++i)
            if (std::gcd(i, procs) == 1) s.coprimes[s.ncoprimes++] = i;
    }

    template <class Visit>
    static bool for_each_victim(State& s, std::uint32_t /*self*/, std::uint32_t procs,
                                Visit&& visit) {
        if (procs == 0 || s.ncoprimes == 0) return false;
        const std::uint32_t r = next_random(s);
        std::uint32_t pos = r % procs;
        const std::uint32_t inc = s.coprimes[(r / procs) % s.ncoprimes];
        for (std::uint32_t i = 0; i < procs; ++i) {
            if (visit(pos)) return true;
            pos = (pos + inc) % procs;
        }
        return false;
    }
};

// The default bundle: every decision as Go makes it.
struct Go {
    static constexpr const char* name = "go";
    using steal = StealHalf;
    using global_check = GlobalCheckEvery<61>;
    using spin_cap = SpinHalfBusy;
    using runnext = RunnextOn;
    using victim = RandomCoprimeOrder;
};

static_assert(Bundle<Go>);

}  // namespace schedlab::policies
