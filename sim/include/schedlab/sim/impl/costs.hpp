// Part of simulator_impl.hpp (include that, not this): charging scheduler costs, the runtime's
// locks, and the free stacks and G descriptors (StackPool, gfree).
//
// Every scheduler cost is charged through charge() or lock(), which add it both to the
// stepping P's time t and to r.overhead_ns (a lock adds its wait as well); nothing else adds
// to r.overhead_ns. A strand's work and an idle M's waits (spin and steal pauses, the park
// path's re-check, the unpark latency) move a P's time uncharged. A lock is a FIFO resource:
// its free_at only grows. A P's cache of stacks or descriptors is touched only by that P's
// steps, its shared list only under that list's lock. The reuse and migration charges are
// start's (running.hpp), from the reuse table built in Impl's constructor (state.hpp).
#pragma once

#include <algorithm>
#include <cstdint>

#include "schedlab/sim/impl/state.hpp"

namespace schedlab::sim {

// ---- The overhead account and the locks ------------------------------------------------------

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::charge(std::uint64_t& t, std::uint64_t ns) {
    t += ns;
    r.overhead_ns += ns;
}

// A runtime lock as a FIFO resource held global_op_ns per operation: the global queue's
// (by default), or a free list's.
template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::lock(std::uint64_t t) { return lock(t, lock_free_at); }

template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::lock(std::uint64_t t, std::uint64_t& free_at) {
    const std::uint64_t start = std::max(t, free_at);
    free_at = start + cost.global_op_ns;
    r.overhead_ns += free_at - t;
    return free_at;
}

// ---- Stacks and G descriptors (StackPool::get/put, new_g, gfput) ----------------------------

// Take from P's cache into out (an empty cache refills from the list, under its lock);
// false: none left anywhere, the runtime makes a new one.
template <policies::Bundle Policy>
template <class T>
inline bool Simulator<Policy>::Impl::take(detail::FreeLists<T>& l, const P& p, std::uint64_t& t, T& out) {
    if (l.cache[p.id].empty()) t = lock(t, l.lock_free_at);
    if (!l.refill_if_empty(p.id)) return false;
    out = l.pop(p.id);
    return true;
}

// Give back to P's cache (a full one spills to the list, under its lock).
template <policies::Bundle Policy>
template <class T>
inline void Simulator<Policy>::Impl::give(detail::FreeLists<T>& l, const P& p, T x, std::uint64_t& t) {
    if (l.put(p.id, x)) t = lock(t, l.lock_free_at);
}

// A first run's stack: its P cache's most recent; none left means a new stack (stack_at 0).
template <policies::Bundle Policy>
inline auto Simulator<Policy>::Impl::get_stack(P& p, std::uint64_t& t) -> FreeStack {
    FreeStack s{p.id, 0};
    if (!take(stacks, p, t, s)) {
        ++r.stacks_created;
        charge(t, cost.fresh_g_ns);  // a new stack: cold memory (calibrate's spawn storm)
    }
    return s;
}

// A spawn's G descriptor, likewise (none left: a new one); one another P last wrote (it
// came through the list) costs a cross-core line transfer as the spawn writes it:
// remote_done_ns.
template <policies::Bundle Policy>
inline std::uint32_t Simulator<Policy>::Impl::get_descriptor(P& p, std::uint64_t& t) {
    FreeDesc d{0, p.id};
    if (!take(descriptors, p, t, d)) return descriptors_made++;
    if (d.p != p.id) {
        ++r.g_moves;
        charge(t, cost.remote_done_ns);
    }
    return d.id;
}

}  // namespace schedlab::sim
