// The memory bound of a run: how much the process may hold while the runtime keeps making Gs
// and stacks, and the clean stop when a run would pass it (instead of the kernel's OOM killer).
//
// What is counted: the process's resident memory (/proc/self/statm), read each time the
// runtime maps a new slab of stacks or of Gs (every kStacksPerSlab stacks, kGsPerSlab Gs), so
// the check costs a system call per slab and nothing on the spawn path. Workload data counts
// too: the bound protects the machine, whatever holds the memory. A run that passes it is
// ended like one whose main returned (the Ms stop at their next scheduling point, the live Gs
// are abandoned) and Runtime::run throws MemoryLimitError, whose message says how far it got.
// The overshoot is at most one slab per M beyond the moment of the check.
//
// Who touches what: `admit` is called under the stack pool's or the G pool's lock (two
// different locks); the first caller to trip claims the state with a CAS, writes the reason,
// then publishes it with a release store that readers pair with an acquire load.
#pragma once

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace schedlab::rt {

struct MemoryLimitError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Physical memory, or the cgroup's limit when it is lower (0: unknown).
std::size_t machine_memory_bytes();
// The default bound: half of machine_memory_bytes() (a share that leaves the rest to the OS
// and to whatever else runs), or 0 (no bound) when the machine's memory is unknown.
std::size_t default_memory_limit();
// Resident bytes of this process (0 if /proc is unreadable).
std::size_t resident_bytes();
// "12.0 GiB", "640 MiB": for messages.
std::string format_bytes(std::size_t bytes);
// Parse "12G", "512M", "1.5GiB", "800000000" (bytes; K/M/G/T are powers of 1024); throws
// std::invalid_argument with a one-line message for anything else or for 0.
std::size_t parse_bytes(const std::string& text);

class MemoryBudget {
public:
    // 0: default_memory_limit(). A run starts with reset().
    void set_limit(std::size_t bytes) { limit_ = bytes ? bytes : default_memory_limit(); }
    std::size_t limit() const { return limit_; }
    void reset() {
        state_.store(kOk, std::memory_order_relaxed);
        reason_.clear();
    }

    // About to make `more` bytes resident, with `stacks` G stacks made so far: false (and the
    // reason kept, by the first caller to trip) if that takes the process past the limit.
    bool admit(std::size_t more, std::size_t stacks);

    bool tripped() const { return state_.load(std::memory_order_acquire) == kTripped; }
    const std::string& reason() const { return reason_; }  // after tripped() saw true

private:
    static constexpr int kOk = 0, kWriting = 1, kTripped = 2;
    std::size_t limit_ = 0;
    std::atomic<int> state_{kOk};
    std::string reason_;
};

}  // namespace schedlab::rt
