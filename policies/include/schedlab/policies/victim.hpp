// Victim order: in which order a thief visits the other Ps. An order keeps a little state per
// P (its place, a random generator, lists of Ps by distance), set up once by init from the
// topology; for_each_victim is then called once per steal round.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "schedlab/policies/name.hpp"
#include "schedlab/policies/topology.hpp"

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

// Visit every element of `ps` once, from a random start with a random stride coprime to the
// count (Go's randomOrder applied to any list of Ps). Stops when visit returns true.
template <class Visit>
bool visit_in_random_order(const std::vector<std::uint32_t>& ps, std::uint64_t& rng,
                           Visit& visit) {
    const auto n = static_cast<std::uint32_t>(ps.size());
    if (n == 0) return false;
    const std::uint32_t r = victim_random(rng);
    std::uint32_t pos = r % n;
    std::uint32_t inc = 1 + (r / n) % n;
    while (std::gcd(inc, n) != 1) inc = inc % n + 1;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (visit(ps[pos])) return true;
        pos = (pos + inc) % n;
    }
    return false;
}

// Go's randomOrder: start at a random P and walk with a random stride coprime to procs, so
// each round visits every P exactly once; stealWork makes 4 such rounds (stealTries).
struct RandomCoprimeOrder {
    static constexpr const char* name = "random";
    static constexpr int rounds = 4;  // stealTries in proc.go
    static constexpr std::uint32_t kMaxCoprimes = 64;

    struct State {
        std::uint64_t rng = 0x9e3779b97f4a7c15ull;
        std::uint32_t procs = 0;
        std::uint32_t coprimes[kMaxCoprimes] = {};
        std::uint32_t ncoprimes = 0;
    };

    static void init(State& s, std::uint32_t self, const Topology& topo, std::uint64_t seed) {
        s.rng = victim_seed(seed, self);
        s.procs = topo.procs;
        s.ncoprimes = 0;
        for (std::uint32_t i = 1; i <= s.procs && s.ncoprimes < kMaxCoprimes; ++i)
            if (std::gcd(i, s.procs) == 1) s.coprimes[s.ncoprimes++] = i;
    }

    template <class Visit>
    static bool for_each_victim(State& s, int /*round*/, Visit&& visit) {
        const std::uint32_t procs = s.procs;
        if (procs == 0 || s.ncoprimes == 0) return false;
        const std::uint32_t r = victim_random(s.rng);
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
        std::uint32_t procs = 0;
    };
    static void init(State& s, std::uint32_t self, const Topology& topo, std::uint64_t seed) {
        s.rng = victim_seed(seed, self);
        s.procs = topo.procs;
    }
    template <class Visit>
    static bool for_each_victim(State& s, int /*round*/, Visit&& visit) {
        if (s.procs == 0) return false;
        const std::uint32_t start = victim_random(s.rng) % s.procs;
        for (std::uint32_t i = 0; i < s.procs; ++i)
            if (visit((start + i) % s.procs)) return true;
        return false;
    }
};

// Deterministic: the next P up from the thief, wrapping around (self + 1, self + 2, ...).
struct RoundRobinOrder {
    static constexpr const char* name = "round-robin";
    static constexpr int rounds = 4;
    struct State {
        std::uint32_t self = 0;
        std::uint32_t procs = 0;
    };
    static void init(State& s, std::uint32_t self, const Topology& topo, std::uint64_t) {
        s.self = self;
        s.procs = topo.procs;
    }
    template <class Visit>
    static bool for_each_victim(State& s, int /*round*/, Visit&& visit) {
        for (std::uint32_t i = 1; i <= s.procs; ++i)
            if (visit((s.self + i) % s.procs)) return true;
        return false;
    }
};

// The other Ps sorted by distance from one P: same cache group, same node (other groups),
// other nodes. Shared by the topology-aware orders.
struct Neighbourhood {
    std::vector<std::uint32_t> group;   // same cache group, self excluded
    std::vector<std::uint32_t> node;    // same node, other groups
    std::vector<std::uint32_t> remote;  // other nodes

    void build(std::uint32_t self, const Topology& topo) {
        group.clear();
        node.clear();
        remote.clear();
        for (std::uint32_t p = 0; p < topo.procs; ++p) {
            if (p == self) continue;
            if (!topo.same_node(p, self))
                remote.push_back(p);
            else if (topo.same_group(p, self))
                group.push_back(p);
            else
                node.push_back(p);
        }
    }
};

// NUMA-aware, same node first: every round visits the thief's own node (random order);
// other nodes are visited only from round K on (K = 0: in every round, after the own node),
// so remote memory is touched only once local Ps have been found empty K times.
template <int K>
struct NumaLocalFirst {
    static_assert(K >= 0, "the number of local-only rounds cannot be negative");
    static constexpr const char* name = naming::with_number<naming::kNumaLocalFirst, K>.data();
    static constexpr int rounds = K + 2 > 4 ? K + 2 : 4;
    struct State {
        std::uint64_t rng = 1;
        std::vector<std::uint32_t> local;  // own node: group then the rest
        std::vector<std::uint32_t> remote;
    };
    static void init(State& s, std::uint32_t self, const Topology& topo, std::uint64_t seed) {
        s.rng = victim_seed(seed, self);
        Neighbourhood n;
        n.build(self, topo);
        s.local = n.group;
        s.local.insert(s.local.end(), n.node.begin(), n.node.end());
        s.remote = n.remote;
    }
    template <class Visit>
    static bool for_each_victim(State& s, int round, Visit&& visit) {
        if (visit_in_random_order(s.local, s.rng, visit)) return true;
        return round >= K && visit_in_random_order(s.remote, s.rng, visit);
    }
};

// NUMA-aware with a bias: every round visits the own node first, then each remote P with
// probability Percent/100 (all of them in the last round, so no work stays out of reach).
template <int Percent>
struct NumaBiased {
    static_assert(Percent >= 0 && Percent <= 100, "a bias is a percentage");
    static constexpr const char* name = naming::with_number<naming::kNumaBiased, Percent>.data();
    static constexpr int rounds = 4;
    struct State {
        std::uint64_t rng = 1;
        std::vector<std::uint32_t> local;
        std::vector<std::uint32_t> remote;
    };
    static void init(State& s, std::uint32_t self, const Topology& topo, std::uint64_t seed) {
        NumaLocalFirst<0>::State base;
        NumaLocalFirst<0>::init(base, self, topo, seed);
        s.rng = base.rng;
        s.local = std::move(base.local);
        s.remote = std::move(base.remote);
    }
    template <class Visit>
    static bool for_each_victim(State& s, int round, Visit&& visit) {
        if (visit_in_random_order(s.local, s.rng, visit)) return true;
        if (round == rounds - 1) return visit_in_random_order(s.remote, s.rng, visit);
        auto thinned = [&](std::uint32_t p) {
            return victim_random(s.rng) % 100 < static_cast<std::uint32_t>(Percent) && visit(p);
        };
        return visit_in_random_order(s.remote, s.rng, thinned);
    }
};

// Hierarchical: every round goes outward level by level: the thief's cache group, then the
// rest of its node, then each other node in turn (nodes in random order), each level in
// random order.
struct HierarchicalOrder {
    static constexpr const char* name = "hierarchical";
    static constexpr int rounds = 4;
    struct State {
        std::uint64_t rng = 1;
        Neighbourhood near;
        std::vector<std::vector<std::uint32_t>> remote_nodes;  // other nodes' Ps, by node
    };
    static void init(State& s, std::uint32_t self, const Topology& topo, std::uint64_t seed) {
        s.rng = victim_seed(seed, self);
        s.near.build(self, topo);
        s.remote_nodes.assign(topo.nodes, {});
        for (std::uint32_t p : s.near.remote) s.remote_nodes[topo.node_of[p]].push_back(p);
        std::erase_if(s.remote_nodes, [](const auto& ps) { return ps.empty(); });
    }
    template <class Visit>
    static bool for_each_victim(State& s, int /*round*/, Visit&& visit) {
        if (visit_in_random_order(s.near.group, s.rng, visit)) return true;
        if (visit_in_random_order(s.near.node, s.rng, visit)) return true;
        const auto n = static_cast<std::uint32_t>(s.remote_nodes.size());
        if (n == 0) return false;
        const std::uint32_t start = victim_random(s.rng) % n;
        for (std::uint32_t i = 0; i < n; ++i)
            if (visit_in_random_order(s.remote_nodes[(start + i) % n], s.rng, visit)) return true;
        return false;
    }
};

}  // namespace schedlab::policies
