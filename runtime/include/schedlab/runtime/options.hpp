// The runtime's tunables, threaded through from Runtime's constructor: nothing deeper reads a
// global or an environment variable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "schedlab/runtime/constants.hpp"

namespace schedlab::rt {

struct Options {
    int procs = 1;                            // number of Ps (and Ms: one M per P)
    std::size_t stack_size = kDefaultStackSize;  // bytes of virtual stack per G
    std::uint64_t spin_ns = kDefaultSpinNs;   // how long a spinning M looks before parking
    std::uint64_t seed = 1;                   // seeds victim order and select's random choice
    // Placement (topology.hpp): the topology victim orders see, pinning of Ms to CPUs, and
    // the emulated cost of a steal attempt on another node. A bad spec makes the Runtime
    // constructor throw std::invalid_argument.
    std::string topology = "flat";            // flat, machine, NxC, NxGxC
    std::string pin = "none";                 // none, compact, scatter, or a CPU list "0,2-3"
    std::uint64_t remote_steal_ns = 0;
    // Bound on the process's resident memory while the run makes Gs and stacks (memory.hpp);
    // 0: default_memory_limit(), half of the machine's or the cgroup's memory.
    std::size_t max_memory = 0;
    // Every schedtrace_ms of a run, sysmon writes one line to stderr in the spirit of Go's
    // GODEBUG=schedtrace (impl/syscall.hpp, schedtrace); scheddetail adds a line per P. 0: off.
    std::uint64_t schedtrace_ms = 0;
    bool scheddetail = false;
};

}  // namespace schedlab::rt
