// Where Ps run: the topology victim orders see (real or synthetic), which CPU each P's M is
// pinned to, and the emulated cost of stealing across nodes. Built once per Runtime from three
// specs in Options, checked there (a bad spec throws std::invalid_argument, one line).
//
//   topology  "flat"      every P on one node (the default; Go's view)
//             "machine"   the machine's NUMA nodes and last-level-cache groups (Linux sysfs),
//                         P i taking the CPU the pinning gives it
//             "NxC"       synthetic: N nodes of C Ps ("2x4"); "NxGxC": N nodes of G cache
//                         groups of C Ps. Emulated: Ps still run wherever their CPUs are.
//   pin       "none"      leave Ms to the OS (the default)
//             "compact"   P i on the i-th allowed CPU, node by node
//             "scatter"   P i on node i mod nodes, spreading Ps over nodes
//             "0,2-3"     an explicit CPU list, P i on its i-th entry
//             With more Ps than CPUs, CPUs are reused in order (recorded as oversubscribed).
//   remote_steal_ns       busy-wait added to each steal attempt on a P of another node
//                         (0: none), so NUMA-aware orders can be studied on a one-node machine
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schedlab/policies/topology.hpp"

namespace schedlab::rt {

// The machine as Linux describes it: CPUs this process may run on, by NUMA node.
struct MachineTopology {
    std::vector<std::vector<int>> node_cpus;  // allowed CPUs of each node that has any
    std::vector<int> node_ids;                // the kernel's id of each of those nodes
    std::vector<int> llc_of_cpu;              // CPU -> last-level-cache group (-1: unknown)
    int allowed_cpus() const;
    // Read /sys/devices/system/node and the CPUs' cache directories, restricted to the
    // process's affinity mask; one node of all allowed CPUs when sysfs says nothing.
    static MachineTopology read();
};

struct Placement {
    policies::Topology topology;
    std::vector<int> cpu_of;           // P -> CPU its M is pinned to; empty when unpinned
    std::uint64_t remote_steal_ns = 0;
    std::string topology_spec = "flat";
    std::string pin_spec = "none";
    bool synthetic = false;            // the topology is emulated, not the machine's
    bool oversubscribed = false;       // pinned Ps share CPUs
    int machine_nodes = 1;             // what the machine really has
    int machine_cpus = 1;

    // One JSON object recording what is real and what is emulated (for result metadata).
    std::string to_json() const;
};

// Build the placement of `procs` Ps from the three specs; throws std::invalid_argument.
Placement make_placement(int procs, std::string_view topology, std::string_view pin,
                         std::uint64_t remote_steal_ns, const MachineTopology& machine);

// Bind this process's future memory allocations to one NUMA node (set_mempolicy MPOL_BIND,
// as libnuma's numa_set_membind does), so workload data built afterwards lives there; node -1
// restores the default policy. Throws std::invalid_argument naming the node and the reason
// (a node the machine does not have, or a kernel without NUMA support).
void bind_memory_to_node(int node);

// Parse "0,2-3" into CPU numbers; throws std::invalid_argument.
std::vector<int> parse_cpu_list(std::string_view text);

namespace detail {
// The machine, read once per process.
const MachineTopology& machine_topology();
// Pin the calling thread to one CPU / restore a saved mask (opaque here). Fatal on failure:
// the placement was checked against the affinity mask when it was made.
void pin_this_thread(int cpu);
struct SavedAffinity {
    SavedAffinity();
    ~SavedAffinity();
    SavedAffinity(const SavedAffinity&) = delete;
    SavedAffinity& operator=(const SavedAffinity&) = delete;

private:
    alignas(8) unsigned char mask_[128];
    bool saved_ = false;
};
// Busy-wait about ns nanoseconds (the emulated remote-steal cost).
void spin_for_ns(std::uint64_t ns);
}  // namespace detail

}  // namespace schedlab::rt
