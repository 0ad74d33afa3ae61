// A one-shot sleep/wake-up for an M (Go's note): sleep() blocks on a futex until wakeup();
// clear() re-arms it; sleep_for() gives up after a timeout. A wakeup() that comes before sleep() is not lost: sleep returns at once.
#pragma once

#include <atomic>
#include <cstdint>

namespace schedlab::rt {

class Note {
public:
    void sleep();
    // Sleep until wakeup() or for at most ns nanoseconds; true when woken.
    bool sleep_for(std::uint64_t ns);
    void wakeup();
    void clear() { key_.store(0, std::memory_order_relaxed); }

private:
    std::atomic<std::uint32_t> key_{0};
};

}  // namespace schedlab::rt
