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

// Asymmetric fences, for the two Dekker-style handshakes of the runtime where one side is hot
// and the other rare: a deque owner popping its tail against a thief (local_queue.hpp), and a
// spawner looking for idle Ps against an M about to park (impl/idle.hpp). The hot side
// calls light_fence(), only a compiler barrier; the rare side calls heavy_fence(), Linux's
// membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which makes every running thread of the
// process execute a full barrier before it returns. Either the hot side's store happened
// before that barrier (so the rare side's later load sees it), or its later load happens
// after it (and sees what the rare side stored before calling it). Measured on this 2-vCPU
// KVM guest: a locked instruction costs ~8-9 ns, two per G on 2 Ps (fib, cilk-like); a
// membarrier costs microseconds, paid per steal and per park. Where membarrier is missing
// (old kernels, seccomp) or SCHEDLAB_NO_MEMBARRIER=1 is set, both sides use store_load_fence;
// ThreadSanitizer builds always do (it does not model membarrier).
namespace detail {
// Decided once, by the first Runtime's constructor, before any of its Ms runs.
bool init_asymmetric_fences();
extern std::atomic<bool> asymmetric_fences;
void membarrier_fence();
}  // namespace detail

inline void light_fence() {
#if defined(__SANITIZE_THREAD__)
    store_load_fence();
#else
    if (detail::asymmetric_fences.load(std::memory_order_relaxed)) [[likely]] {
        asm volatile("" ::: "memory");
    } else {
        store_load_fence();
    }
#endif
}

inline void heavy_fence() {
#if defined(__SANITIZE_THREAD__)
    store_load_fence();
#else
    if (detail::asymmetric_fences.load(std::memory_order_relaxed)) [[likely]]
        detail::membarrier_fence();
    else
        store_load_fence();
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
