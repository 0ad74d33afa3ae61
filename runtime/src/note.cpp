#include "schedlab/runtime/note.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "schedlab/runtime/detail.hpp"

namespace schedlab::rt {
namespace {
void futex_wait(std::atomic<std::uint32_t>* addr, std::uint32_t expected) {
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(addr), FUTEX_WAIT_PRIVATE, expected,
              nullptr, nullptr, 0);
}
// Relative timeout; returns when woken, on a spurious wake-up or at the timeout.
void futex_wait_for(std::atomic<std::uint32_t>* addr, std::uint32_t expected, std::uint64_t ns) {
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(addr), FUTEX_WAIT_PRIVATE, expected, &ts,
              nullptr, 0);
}
void futex_wake(std::atomic<std::uint32_t>* addr) {
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(addr), FUTEX_WAKE_PRIVATE, 1, nullptr,
              nullptr, 0);
}
}  // namespace

// key_ is 0 (armed), 1 (woken) or 2 (armed, sleeper waiting on the futex). The waker pays
// for a futex_wake system call only when a sleeper has announced itself with 2.
void Note::sleep() {
    std::uint32_t k = 0;
    if (!key_.compare_exchange_strong(k, 2, std::memory_order_acquire)) return;  // already woken
    for (;;) {
        futex_wait(&key_, 2);
        if (key_.load(std::memory_order_acquire) == 1) return;
    }
}

bool Note::sleep_for(std::uint64_t ns) {
    std::uint32_t k = 0;
    if (!key_.compare_exchange_strong(k, 2, std::memory_order_acquire)) return true;
    const std::uint64_t deadline = detail::now_ns() + ns;
    for (;;) {
        futex_wait_for(&key_, 2, ns);
        if (key_.load(std::memory_order_acquire) == 1) return true;
        const std::uint64_t now = detail::now_ns();
        if (now >= deadline) break;
        ns = deadline - now;
    }
    // Timed out: disarm, unless a wakeup() came meanwhile (then it counts).
    k = 2;
    return !key_.compare_exchange_strong(k, 0, std::memory_order_acquire);
}

void Note::wakeup() {
    if (key_.exchange(1, std::memory_order_release) == 2) futex_wake(&key_);
}

}  // namespace schedlab::rt
