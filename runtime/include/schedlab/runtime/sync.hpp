// WaitGroup and Mutex for Gs: a blocked G parks (its M runs other Gs), it never blocks its
// thread. Both keep their uncontended path to one atomic read-modify-write.
#pragma once

#include <atomic>
#include <cstdint>

#include "schedlab/runtime/detail.hpp"
#include "schedlab/runtime/g.hpp"
#include "schedlab/runtime/spinlock.hpp"

namespace schedlab::rt {

// Go's sync.WaitGroup: add(n) before starting work, done() when a piece finishes, wait()
// parks until the counter is zero. Reusable once wait has returned. A negative counter is a
// fatal error, as in Go.
template <class R>
class WaitGroup {
public:
    WaitGroup() = default;
    WaitGroup(const WaitGroup&) = delete;
    WaitGroup& operator=(const WaitGroup&) = delete;

    void add(std::int64_t delta) {
        // state_ packs the counter (high 32 bits) and the number of waiters (low 32), so one
        // read-modify-write tells done() whether anybody must be woken.
        const std::uint64_t before =
            state_.fetch_add(static_cast<std::uint64_t>(delta) << 32, std::memory_order_acq_rel);
        const auto count = static_cast<std::int32_t>((before >> 32) + static_cast<std::uint64_t>(delta));
        if (count < 0) detail::fatal("negative WaitGroup counter");
        if (count > 0 || static_cast<std::uint32_t>(before) == 0) return;
        wake_all();
    }
    void done() { add(-1); }

    void wait() {
        if ((state_.load(std::memory_order_acquire) >> 32) == 0) return;
        lock_.lock();
        // Count ourselves in under the lock; if the counter hit zero meanwhile, leave.
        const std::uint64_t s = state_.fetch_add(1, std::memory_order_acq_rel);
        if ((s >> 32) == 0) {
            state_.fetch_sub(1, std::memory_order_relaxed);
            lock_.unlock();
            return;
        }
        waiters_.push_back(R::current_g());
        R::park(WaitReason::WaitGroup, &unlock_fn, &lock_);
    }

    std::int64_t count() const {
        return static_cast<std::int32_t>(state_.load(std::memory_order_acquire) >> 32);
    }

private:
    void wake_all() {
        lock_.lock();
        GList woken = waiters_;
        waiters_ = GList{};
        state_.fetch_sub(woken.size, std::memory_order_relaxed);
        lock_.unlock();
        while (G* g = woken.pop_front()) R::ready(g);
    }
    static void unlock_fn(void* l) { static_cast<SpinLock*>(l)->unlock(); }

    std::atomic<std::uint64_t> state_{0};
    SpinLock lock_;
    GList waiters_;  // parked Gs, linked through G::schedlink (a parked G is in no run queue)
};

// A mutual-exclusion lock for Gs. Unlock hands the lock directly to the longest waiter, so a
// waiter cannot be overtaken forever.
template <class R>
class Mutex {
public:
    Mutex() = default;
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    void lock() {
        std::uint32_t expected = kUnlocked;
        if (state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire)) return;
        lock_slow();
    }
    bool try_lock() {
        std::uint32_t expected = kUnlocked;
        return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire);
    }
    void unlock() {
        std::uint32_t expected = kLocked;
        if (state_.compare_exchange_strong(expected, kUnlocked, std::memory_order_release)) return;
        unlock_slow();
    }

private:
    static constexpr std::uint32_t kUnlocked = 0;
    static constexpr std::uint32_t kLocked = 1;
    static constexpr std::uint32_t kContended = 2;  // locked, and waiters may exist

    void lock_slow() {
        guard_.lock();
        if (state_.exchange(kContended, std::memory_order_acquire) == kUnlocked) {
            guard_.unlock();  // it was released meanwhile: ours (marked contended, harmlessly)
            return;
        }
        waiters_.push_back(R::current_g());
        R::park(WaitReason::Mutex, &unlock_fn, &guard_);
        // Woken by unlock_slow with the lock handed to us.
    }
    void unlock_slow() {
        guard_.lock();
        G* next = waiters_.pop_front();
        if (next) {
            state_.store(waiters_.head ? kContended : kLocked, std::memory_order_release);
        } else {
            state_.store(kUnlocked, std::memory_order_release);
        }
        guard_.unlock();
        if (next) R::ready(next);
    }
    static void unlock_fn(void* l) { static_cast<SpinLock*>(l)->unlock(); }

    std::atomic<std::uint32_t> state_{kUnlocked};
    SpinLock guard_;
    GList waiters_;
};

}  // namespace schedlab::rt
