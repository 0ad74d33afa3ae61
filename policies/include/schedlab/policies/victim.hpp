// Victim order: in which order a thief visits the other Ps. The order may keep a little
// state (a random generator), owned by the thief's P.
#pragma once

#include <cstdint>
#include <numeric>

namespace schedlab::policies {

// xorshift64*: cheap, good enough to spread thieves over victims.
inline std::uint32_t victim_random(std::uint64_t& rng) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return static_cast<std::uint32_t>((rng * 2685821657736338717ull) >> 32);
}

inline std::uint64_t victim_seed(std::uint64_t seed, std::uint32_t self) {
    return (seed ^ (0x9e3779b97f4a7c15ull * (self + 1))) | 1;
}

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

    static std::uint32_t next_random(State& s) { return victim_random(s.rng); }

    static void init(State& s, std::uint32_t self, std::uint32_t procs, std::uint64_t seed) {
        s.rng = victim_seed(seed, self);
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

// Tokio's steal loop: a random start, then every other worker in index order.
struct RandomStartSequential {
    static constexpr const char* name = "random-sequential";
    static constexpr int rounds = 4;
    struct State {
        std::uint64_t rng = 1;
    };
    static void init(State& s, std::uint32_t self, std::uint32_t, std::uint64_t seed) {
        s.rng = victim_seed(seed, self);
    }
    template <class Visit>
    static bool for_each_victim(State& s, std::uint32_t, std::uint32_t procs, Visit&& visit) {
        if (procs == 0) return false;
        const std::uint32_t start = victim_random(s.rng) % procs;
        for (std::uint32_t i = 0; i < procs; ++i)
            if (visit((start + i) % procs)) return true;
        return false;
    }
};

// Deterministic: the next P up from the thief, wrapping around (self + 1, self + 2, ...).
struct RoundRobinOrder {
    static constexpr const char* name = "round-robin";
    static constexpr int rounds = 4;
    struct State {};
    static void init(State&, std::uint32_t, std::uint32_t, std::uint64_t) {}
    template <class Visit>
    static bool for_each_victim(State&, std::uint32_t self, std::uint32_t procs, Visit&& visit) {
        for (std::uint32_t i = 1; i <= procs; ++i)
            if (visit((self + i) % procs)) return true;
        return false;
    }
};

}  // namespace schedlab::policies
