// A small test-and-test-and-set lock for the runtime's short critical sections (the global
// queue, a channel, a WaitGroup's waiters). Holders never park while holding it: a G that
// blocks hands the unlock to the scheduler, which runs it after the G's context is saved.
#pragma once

#include <atomic>
#include <sched.h>

namespace schedlab::rt {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
}

// A full (StoreLoad) fence. On x86-64 a locked read-modify-write of the stack top does the
// same as mfence at a fraction of the cost (mfence also orders non-temporal stores, which
// the runtime never issues). ThreadSanitizer does not model fences at all, so its builds use
// a sequentially consistent read-modify-write, which it does understand.
inline void store_load_fence() {
#if defined(__SANITIZE_THREAD__)
    static std::atomic<unsigned> fence_word{0};
    fence_word.fetch_add(0, std::memory_order_seq_cst);
#elif defined(__x86_64__)
    asm volatile("lock; orl $0, (%%rsp)" ::: "memory", "cc");
#else
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

class SpinLock {
public:
    void lock() {
        if (!locked_.exchange(true, std::memory_order_acquire)) return;
        lock_slow();
    }
    bool try_lock() { return !locked_.exchange(true, std::memory_order_acquire); }
    void unlock() { locked_.store(false, std::memory_order_release); }

private:
    void lock_slow() {
        for (unsigned spins = 0;; ++spins) {
            if (!locked_.load(std::memory_order_relaxed) &&
                !locked_.exchange(true, std::memory_order_acquire))
                return;
            // The holder's thread may have been descheduled by the OS; after a short spin,
            // give the core away rather than burn the holder's time slice.
            if (spins < 128)
                cpu_relax();
            else
                sched_yield();
        }
    }
    std::atomic<bool> locked_{false};
};

}  // namespace schedlab::rt
