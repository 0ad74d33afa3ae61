// Runtime<Policy>::Group: structured fork-join (spawn ... wait) on schedlab's runtime.
//
// Under ParkJoin (Go) it is `go` plus a WaitGroup, exactly what a Go program writes: wait parks
// the G until every child has returned, and each child runs from the scheduler on a stack of
// its own.
//
// Under InlineJoin (Cilk, oneTBB) wait first runs, newest first, the group's children that are
// still queued on the waiting G's own P, each to completion on the waiter's stack, as a call
// (Runtime::run_queued_children): such a child never gets a stack, never switches, never parks
// its parent. wait parks only for the children that other Ps stole, or that sit under a G of
// another group in the queue, or that have started already (they blocked and were readied
// back into the queue: only the scheduler may resume them), or when less than half of the
// waiter's stack is left for nesting. A child run this way executes as part of its parent's G: if it blocks, the parent's
// G (with the child on top of its stack) is what parks, and Runtime::current_id() names the
// parent.
//
// The InlineJoin counters. Only the parent spawns, inlines and waits, so `spawned_` and
// `inlined_` are plain integers: a child that is not stolen costs no atomic read-modify-write
// at all (two of them, a WaitGroup's add and done, were half of fib's cost per G on 1 P:
// ~17 of 31 ns). A child run by the scheduler instead (stolen, or left in the queue) reports
// with one fetch_sub on `elsewhere_`, and the parent, at wait, adds the number of such children
// it is waiting for: whoever brings the sum to zero last is the one that finishes the join.
// Before the parent's add the sum is <= 0 (children only subtract), so a child sees it reach
// zero only after the parent has added, i.e. while the parent waits or is about to park; the
// parent adds under lock_ and parks with lock_ released by the scheduler once it is switched
// out, so that child's ready (taken under lock_) never overtakes the park.
//
// Each child G records which group spawned it (G::group), so a join never runs a G that is
// not its own, and the scheduler knows which group to tell when such a G returns. The G that
// spawns first owns the group and is the one that waits; a spawn from any other G (a DAG's
// task that readies a successor into the group) is counted in the atomic at once and tagged
// so that no join inlines it.
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "schedlab/runtime/g.hpp"
#include "schedlab/runtime/spinlock.hpp"

namespace schedlab::rt {

template <class R>
class JoinGroup {
    static constexpr bool kInline = R::policy_type::join::run_children_inline;

public:
    JoinGroup() = default;
    JoinGroup(const JoinGroup&) = delete;
    JoinGroup& operator=(const JoinGroup&) = delete;

    template <class F>
    void spawn(F&& f) {
        if constexpr (kInline) {
            G* me = R::current_g();
            if (!s_.owner) s_.owner = me;
            if (me == s_.owner) {
                ++s_.spawned;
                R::go_in(this, std::forward<F>(f));  // the runtime reports its end (see above)
            } else {
                // A spawn from another G (a DAG's task readying its successor): counted in
                // the atomic before it can finish, and tagged so that no join inlines it.
                s_.elsewhere.fetch_add(1, std::memory_order_relaxed);
                R::go_in(foreign_tag(), std::forward<F>(f));
            }
        } else {
            s_.wg.add(1);
            R::go_in(this, [this, fn = std::forward<F>(f)]() mutable {
                fn();
                s_.wg.done();
            });
        }
    }

    void wait() {
        if constexpr (kInline) {
            if (s_.spawned != s_.inlined) R::run_queued_children(this);
            const auto away = static_cast<std::int64_t>(s_.spawned - s_.inlined);
            s_.spawned = s_.inlined = 0;
            if (away == 0) return;
            s_.lock.lock();
            if (s_.elsewhere.fetch_add(away, std::memory_order_acq_rel) + away == 0) {
                s_.lock.unlock();  // they have all finished already
                return;
            }
            s_.waiter = R::current_g();
            R::park(WaitReason::WaitGroup, &unlock_fn, &s_.lock);
        } else {
            s_.wg.wait();
        }
    }

    // ---- For the runtime (InlineJoin) ------------------------------------------------------
    // Whether every child spawned so far has run inline.
    bool all_inlined() const { return s_.spawned == s_.inlined; }
    // The parent ran one of its children on its own stack.
    void ran_inline() { ++s_.inlined; }
    // A child ran by the scheduler has returned (its results are published by the release).
    // The sum can also pass zero before the owner waits (foreign spawns add to it early): then
    // nobody is waiting and nothing is woken.
    void finished_elsewhere() {
        if (s_.elsewhere.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        s_.lock.lock();
        G* w = s_.waiter;
        s_.waiter = nullptr;
        s_.lock.unlock();
        if (w) R::ready(w);  // the group may be gone once the parent runs: touch nothing after
    }
    // G::group of a child: this group, with the low bit set for one that a join must not run.
    static JoinGroup* of(const void* tag) {
        return reinterpret_cast<JoinGroup*>(reinterpret_cast<std::uintptr_t>(tag) & ~std::uintptr_t{1});
    }

private:
    const void* foreign_tag() const {
        return reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(this) | 1);
    }
    static void unlock_fn(void* l) { static_cast<SpinLock*>(l)->unlock(); }

    // A parked fork-join G's frame is a few cache lines (stack colouring in constants.hpp
    // counts on it), so each join keeps only the state it uses.
    struct ParkState {
        typename R::WaitGroup wg;
    };
    struct InlineState {
        std::uint32_t spawned = 0;
        std::uint32_t inlined = 0;
        std::atomic<std::int64_t> elsewhere{0};
        SpinLock lock;
        G* waiter = nullptr;
        G* owner = nullptr;  // the G that spawned first: the one that waits
    };
    std::conditional_t<kInline, InlineState, ParkState> s_;
};

}  // namespace schedlab::rt
