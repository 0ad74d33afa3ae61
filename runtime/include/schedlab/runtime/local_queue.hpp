// A P's local run queue: a 256-slot ring plus the runnext slot.
//
// Who touches what (the invariant every operation below keeps):
//  - Only the owner P pushes, and it does so at the tail: it writes the slot, then publishes
//    it with a release store of tail. Thieves load tail with acquire, so a slot they see below
//    tail holds the G the owner wrote.
//  - Anyone (the owner or a thief) consumes from the head with a CAS on head. A consumer reads
//    the slots first and then CASes; if the CAS fails the reads are discarded, because the slots
//    may have been consumed and reused meanwhile. The release on a successful CAS orders those
//    reads before the owner can see the slots free again (the owner loads head with acquire
//    before it overwrites a slot). Slots are relaxed atomics so that a discarded racy read is
//    not undefined behaviour.
//  - runnext is a single atomic pointer: the owner swaps a G in, the owner or a thief takes it
//    out with a CAS, so exactly one of them gets it.
//  - The owner may also take the newest G back from the tail (pop_tail: Cilk's LIFO order, and
//    a join that runs its own queued children). That is Chase and Lev's deque: the owner
//    lowers tail, fences, then reads head, and only for the last G does it race the thieves
//    with a CAS on head; a thief reads head, fences, reads tail, and claims one slot with its
//    CAS. The owner's fence is the light half of an asymmetric pair and the thief's the heavy
//    half (spinlock.hpp), since a thief is rare and an owner's pop is not. A thief that copied a batch of n slots and then CASed head by n could claim a slot
//    the owner had just popped from the tail, so a queue whose owner pops the tail is stolen
//    from one G per CAS (steal_from<S, true>), up to the same S::take(n).
#pragma once

#include <atomic>
#include <cstdint>

#include "schedlab/policies/concepts.hpp"
#include "schedlab/runtime/constants.hpp"
#include "schedlab/runtime/detail.hpp"
#include "schedlab/runtime/g.hpp"
#include "schedlab/runtime/spinlock.hpp"

namespace schedlab::rt {

class LocalRunQueue {
public:
    static constexpr std::uint32_t kSize = kRunQueueSize;

    // With a single P there are no thieves, and runnext needs no read-modify-write: the
    // runtime says so once per run (this is the procs == 1 fast path, not a policy).
    void set_shared(bool shared) { shared_ = shared; }

    // Owner: put g into runnext; returns the G it displaced (to go to the ring's tail).
    G* swap_runnext(G* g) {
        G* old = runnext_.load(std::memory_order_relaxed);
        if (!shared_) {
            runnext_.store(g, std::memory_order_relaxed);
            return old;
        }
        // seq_cst: this CAS is the StoreLoad fence of the wake-up protocol (impl/idle.hpp)
        // between publishing g and the spawner's look at the idle and spinning counts.
        while (!runnext_.compare_exchange_weak(old, g, std::memory_order_seq_cst,
                                               std::memory_order_relaxed)) {
        }
        return old;
    }

    // Owner: push g at the tail. If the ring is full, move its older half plus g into
    // `spill` (for the global queue, in one batch) and return true.
    bool put_tail(G* g, GList& spill) {
        for (;;) {
            const std::uint32_t h = head_.load(std::memory_order_acquire);
            const std::uint32_t t = tail_.load(std::memory_order_relaxed);
            if (t - h < kSize) {
                slot(t).store(g, std::memory_order_relaxed);
                tail_.store(t + 1, std::memory_order_release);
                return false;
            }
            if (put_slow(g, h, t, spill)) return true;
            // A thief took some Gs meanwhile, so there is room now: retry the fast path.
        }
    }

    // Owner: runnext first (the G inherits the time slice), then the ring's head.
    G* take_runnext() {
        G* next = runnext_.load(std::memory_order_relaxed);
        if (!shared_) {
            if (next) runnext_.store(nullptr, std::memory_order_relaxed);
            return next;
        }
        if (next && runnext_.compare_exchange_strong(next, nullptr, std::memory_order_acquire,
                                                     std::memory_order_relaxed))
            return next;
        return nullptr;
    }
    G* pop_head() {
        for (;;) {
            std::uint32_t h = head_.load(std::memory_order_acquire);
            const std::uint32_t t = tail_.load(std::memory_order_relaxed);
            if (t == h) return nullptr;
            G* g = slot(h).load(std::memory_order_relaxed);
            if (head_.compare_exchange_weak(h, h + 1,
                                            std::memory_order_release, std::memory_order_relaxed))
                return g;
        }
    }

    // Owner: the newest G of the ring (its tail), or null. Only safe against thieves that
    // steal one G per CAS (steal_from<S, true>); see the invariants at the top.
    G* pop_tail() {
        const std::uint32_t t = tail_.load(std::memory_order_relaxed);
        if (!shared_) {
            if (t == head_.load(std::memory_order_relaxed)) return nullptr;
            tail_.store(t - 1, std::memory_order_relaxed);
            return slot(t - 1).load(std::memory_order_relaxed);
        }
        const std::uint32_t last = t - 1;
        tail_.store(last, std::memory_order_release);
        light_fence();  // the lowered tail before the read of head (Chase-Lev; see heavy side)
        std::uint32_t h = head_.load(std::memory_order_acquire);
        if (static_cast<std::int32_t>(last - h) < 0) {  // it was empty (h == t)
            tail_.store(t, std::memory_order_release);
            return nullptr;
        }
        G* g = slot(last).load(std::memory_order_relaxed);
        if (last != h) return g;  // more than one queued: no thief can reach slot `last`
        // The last G: a thief may be claiming it too; the CAS on head decides.
        const bool won = head_.compare_exchange_strong(h, h + 1, std::memory_order_acq_rel,
                                                       std::memory_order_relaxed);
        tail_.store(t, std::memory_order_release);  // head and tail both at t: empty
        return won ? g : nullptr;
    }
    // Owner: the newest G of the ring, without taking it (a hint: a thief may take it).
    G* peek_tail() const {
        const std::uint32_t t = tail_.load(std::memory_order_relaxed);
        if (t == head_.load(std::memory_order_acquire)) return nullptr;
        return ring_[(t - 1) % kSize].load(std::memory_order_relaxed);
    }

    // Thief (this queue's owner, with an empty ring): take S::take(n) of the victim's n queued
    // Gs into this ring and return one of them to run; `stolen` is the number taken. Only
    // when `take_runnext` and the victim's ring is empty, take the victim's runnext, after
    // a pause that gives the victim the chance to run it first.
    // OneByOne: the victim's owner pops its tail, so claim one G per CAS (see the top).
    template <policies::StealAmount S, bool OneByOne = false>
    G* steal_from(LocalRunQueue& victim, bool take_runnext, std::uint32_t& stolen) {
        const std::uint32_t t = tail_.load(std::memory_order_relaxed);
        std::uint32_t n = OneByOne ? victim.grab_one_by_one<S>(*this, t, take_runnext)
                                   : victim.grab<S>(*this, t, take_runnext);
        stolen = n;
        if (n == 0) return nullptr;
        --n;
        G* g = slot(t + n).load(std::memory_order_relaxed);
        if (n == 0) return g;
        tail_.store(t + n, std::memory_order_release);
        return g;
    }

    // seq_cst loads: the parking M's re-check, the other half of the wake-up protocol (on
    // x86 they are plain loads, like acquire ones).
    bool empty() const {
        return head_.load(std::memory_order_seq_cst) == tail_.load(std::memory_order_seq_cst) &&
               runnext_.load(std::memory_order_seq_cst) == nullptr;
    }
    // Number of queued Gs (ring plus runnext); exact only when nobody else is moving Gs.
    std::uint32_t size() const {
        return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire) +
               (runnext_.load(std::memory_order_acquire) ? 1u : 0u);
    }

private:
    std::atomic<G*>& slot(std::uint32_t i) { return ring_[i % kSize]; }

    // The ring is full: move half of it (kOverflowBatch Gs, oldest first) plus g to spill.
    bool put_slow(G* g, std::uint32_t h, std::uint32_t t, GList& spill) {
        const std::uint32_t n = (t - h) / 2;
        G* batch[kOverflowBatch];
        for (std::uint32_t i = 0; i < n; ++i) batch[i] = slot(h + i).load(std::memory_order_relaxed);
        if (!head_.compare_exchange_strong(h, h + n, std::memory_order_release,
                                           std::memory_order_relaxed))
            return false;
        for (std::uint32_t i = 0; i < n; ++i) spill.push_back(batch[i]);
        spill.push_back(g);
        return true;
    }

    // Copy a batch from this (victim) ring into the thief's ring starting at thief_tail, and
    // commit it with a CAS on head. Returns how many were taken.
    template <policies::StealAmount S>
    std::uint32_t grab(LocalRunQueue& thief, std::uint32_t thief_tail, bool take_runnext) {
        for (;;) {
            std::uint32_t h = head_.load(std::memory_order_acquire);
            const std::uint32_t t = tail_.load(std::memory_order_acquire);
            const std::uint32_t queued = t - h;
            if (queued > kSize) continue;  // h and t read at different times: inconsistent
            if (queued == 0) {
                if (!take_runnext) return 0;
                const int r = steal_runnext(thief, thief_tail);
                if (r < 0) continue;
                return static_cast<std::uint32_t>(r);
            }
            std::uint32_t n = S::take(queued);
            if (n > queued) n = queued;
            if (n == 0) return 0;
            for (std::uint32_t i = 0; i < n; ++i)
                thief.slot(thief_tail + i).store(slot(h + i).load(std::memory_order_relaxed),
                                                 std::memory_order_relaxed);
            if (head_.compare_exchange_strong(h, h + n, std::memory_order_acq_rel,
                                              std::memory_order_relaxed))
                return n;
        }
    }

    // grab for a victim whose owner pops its tail: the amount is decided once from the
    // queue's length, then each G is claimed with its own CAS on head after a fenced read of
    // tail, so a slot the owner has popped is never taken.
    template <policies::StealAmount S>
    std::uint32_t grab_one_by_one(LocalRunQueue& thief, std::uint32_t thief_tail,
                                  bool take_runnext) {
        std::uint32_t want = 0, got = 0;
        for (;;) {
            std::uint32_t h = head_.load(std::memory_order_acquire);
            std::uint32_t t = tail_.load(std::memory_order_acquire);
            auto queued = static_cast<std::int32_t>(t - h);
            if (queued > static_cast<std::int32_t>(kSize)) continue;  // inconsistent reads
            if (queued > 0) {
                // The owner's pop_tail lowers tail behind only a light fence: make any such
                // store visible, then read tail again (an empty-looking queue costs nothing).
                heavy_fence();
                t = tail_.load(std::memory_order_acquire);
                queued = static_cast<std::int32_t>(t - h);
                // A thief delayed since it read head can see a tail more than a ring ahead of
                // it; the amount must come from a consistent pair (the ring would overflow).
                if (queued > static_cast<std::int32_t>(kSize)) continue;
            }
            if (queued <= 0) {
                if (got > 0 || !take_runnext) return got;
                const int r = steal_runnext(thief, thief_tail);
                if (r < 0) continue;
                return static_cast<std::uint32_t>(r);
            }
            if (want == 0) {
                want = S::take(static_cast<std::uint32_t>(queued));
                if (want == 0) return 0;
            }
            G* g = slot(h).load(std::memory_order_relaxed);
            if (!head_.compare_exchange_strong(h, h + 1, std::memory_order_acq_rel,
                                               std::memory_order_relaxed))
                continue;
            thief.slot(thief_tail + got).store(g, std::memory_order_relaxed);
            if (++got == want) return got;
        }
    }

    // The ring is empty: take runnext into the thief's ring at thief_tail, after the pause.
    // 1: taken, 0: runnext was empty, -1: someone else took it meanwhile (look again).
    int steal_runnext(LocalRunQueue& thief, std::uint32_t thief_tail) {
        G* next = runnext_.load(std::memory_order_acquire);
        if (!next) return 0;
        pause_before_runnext_steal();
        if (!runnext_.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel,
                                              std::memory_order_relaxed))
            return -1;
        thief.slot(thief_tail).store(next, std::memory_order_relaxed);
        return 1;
    }

    static void pause_before_runnext_steal() {
        const std::uint64_t until = detail::now_ns() + kRunnextStealPauseNs;
        while (detail::now_ns() < until) cpu_relax();
    }

    // head is written by every consumer, tail only by the owner: separate cache lines keep
    // a thief's CAS from bouncing the owner's tail.
    alignas(64) std::atomic<std::uint32_t> head_{0};
    alignas(64) std::atomic<std::uint32_t> tail_{0};
    std::atomic<G*> runnext_{nullptr};
    bool shared_ = true;
    std::atomic<G*> ring_[kSize] = {};
};

}  // namespace schedlab::rt
