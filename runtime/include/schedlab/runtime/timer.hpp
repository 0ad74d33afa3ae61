// Timers (Go's per-P timer heaps): a sleeping G's wake-up, or a value due on an after()
// channel. Each P keeps its own min-heap of timers by due time under a lock of its own, with
// the earliest due time also in an atomic word that any M may peek without the lock; the
// scheduler runs the due timers of its own P at every scheduling point, and an M about to
// spin or park runs any P's due timers (so the timers of a P whose M is parked, or away in a
// blocking call, still fire), then parks only until the earliest timer anywhere.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "schedlab/runtime/g.hpp"
#include "schedlab/runtime/spinlock.hpp"

namespace schedlab::rt {

// One pending timer. A sleep's timer lives on the sleeping G's stack and readies g when due;
// an after() timer is heap-allocated, and fire() offers the channel its value, frees the
// timer and returns the G to ready (a receiver parked on the channel), if any. drop() frees
// an after() timer that never fired (its run ended first).
struct Timer {
    std::uint64_t when = 0;  // due time, detail::now_ns() clock (CLOCK_MONOTONIC)
    std::uint64_t seq = 0;   // order among timers due at the same nanosecond
    G* g = nullptr;
    G* (*fire)(Timer*, std::uint64_t now) = nullptr;
    void (*drop)(Timer*) = nullptr;
};

// A P's timers. Written under lock; `first` (0: none) is what other Ms read without it.
class TimerHeap {
public:
    void push(Timer* t) {
        t->seq = ++seq_;
        heap_.push_back(t);
        std::push_heap(heap_.begin(), heap_.end(), later);
        publish();
    }
    // The earliest timer if it is due at `now`, removed; else null.
    Timer* pop_due(std::uint64_t now) {
        if (heap_.empty() || heap_.front()->when > now) return nullptr;
        std::pop_heap(heap_.begin(), heap_.end(), later);
        Timer* t = heap_.back();
        heap_.pop_back();
        publish();
        return t;
    }
    // Every timer, removed (the run ended): the caller drops the after() ones.
    std::vector<Timer*> take_all() {
        std::vector<Timer*> all;
        all.swap(heap_);
        publish();
        return all;
    }
    std::uint64_t first() const { return first_.load(std::memory_order_seq_cst); }
    std::size_t size() const { return heap_.size(); }

    SpinLock lock;

private:
    static bool later(const Timer* a, const Timer* b) {
        return a->when != b->when ? a->when > b->when : a->seq > b->seq;
    }
    void publish() { first_.store(heap_.empty() ? 0 : heap_.front()->when, std::memory_order_seq_cst); }

    std::vector<Timer*> heap_;
    std::uint64_t seq_ = 0;
    std::atomic<std::uint64_t> first_{0};
};

}  // namespace schedlab::rt
