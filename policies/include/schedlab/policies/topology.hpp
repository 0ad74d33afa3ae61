// Where the Ps sit: which NUMA node and which cache group (Ps sharing a last-level cache)
// each P belongs to. Plain data handed to victim orders at start-up; the runtime fills it from
// the machine (sysfs) or from a synthetic description ("2x4": 2 nodes of 4 Ps), the simulator
// from its simulated machine.
#pragma once

#include <cstdint>
#include <vector>

namespace schedlab::policies {

struct Topology {
    std::uint32_t procs = 1;
    std::uint32_t nodes = 1;
    std::vector<std::uint32_t> node_of;   // P -> node, 0..nodes-1
    std::vector<std::uint32_t> group_of;  // P -> cache group (numbered machine-wide)

    // Every P on one node, in one cache group.
    static Topology flat(std::uint32_t procs) {
        Topology t;
        t.procs = procs;
        t.node_of.assign(procs, 0);
        t.group_of.assign(procs, 0);
        return t;
    }

    // `nodes` nodes of `groups` cache groups of `per_group` Ps, filled in P order (P i on node
    // i / (groups * per_group)); `procs` may be fewer than the product, not more.
    static Topology grid(std::uint32_t procs, std::uint32_t nodes, std::uint32_t groups,
                         std::uint32_t per_group) {
        Topology t;
        t.procs = procs;
        t.nodes = nodes;
        const std::uint32_t per_node = groups * per_group;
        for (std::uint32_t p = 0; p < procs; ++p) {
            t.node_of.push_back(per_node ? p / per_node : 0);
            t.group_of.push_back(per_group ? p / per_group : 0);
        }
        return t;
    }

    bool same_node(std::uint32_t a, std::uint32_t b) const { return node_of[a] == node_of[b]; }
    bool same_group(std::uint32_t a, std::uint32_t b) const { return group_of[a] == group_of[b]; }
};

}  // namespace schedlab::policies
