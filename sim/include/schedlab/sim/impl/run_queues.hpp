// Part of simulator_impl.hpp (include that, not this): the local run queues (a ring and a
// runnext per P), the global queue, and making a G runnable (publish, flush).
//
// Only a P's own steps put Gs into its ring's tail and runnext and pop them; thieves take from
// the head (find_runnable.hpp), an inline join from the tail (inline_joins.hpp). Slots are
// taken modulo kRingSize; head only grows, and tail - head <= kRingSize. Gs enter and leave
// the global queue only after lock() has charged its lock (its emptiness is read freely).
// With one P a G made runnable is queued at once; with more it waits in p.pending and is
// queued, with a wakep each, at the start of the P's next step (flush), once the step that
// made it runnable has been paid for.
#pragma once

#include <algorithm>
#include <cstdint>

#include "schedlab/sim/impl/state.hpp"

namespace schedlab::sim {

// ---- Queues (runqput, runqput_tail, runqget, globrunqget) -----------------------------------

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::put_tail(P& p, TaskId t_id, std::uint64_t& t) {
    if (p.queued() < detail::kRingSize) {
        p.ring[p.tail++ % detail::kRingSize] = t_id;
        return;
    }
    // runqputslow: the older half plus the new G to the global queue, one locked batch.
    ++r.counters.overflows;
    t = lock(t);
    const std::uint32_t n = p.queued() / 2;
    for (std::uint32_t i = 0; i < n; ++i) global.push_back(p.ring[p.head++ % detail::kRingSize]);
    global.push_back(t_id);
}

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::runqput(P& p, TaskId id, bool next, std::uint64_t& t) {
    if (next) {
        std::swap(id, p.runnext);
        if (id == kNoTask) return;  // the kicked-out runnext, if any, goes to the tail
    }
    put_tail(p, id, t);
}

template <policies::Bundle Policy>
inline bool Simulator<Policy>::Impl::slice_expired(P& p, std::uint64_t t) {
    if (++p.inherited % cost.slice_check_every != 0) return false;
    if (!p.slice_started) {
        p.slice_started = true;
        p.slice_start = t;
        return false;
    }
    return t - p.slice_start > cost.time_slice_ns;
}

template <policies::Bundle Policy>
inline TaskId Simulator<Policy>::Impl::runqget(P& p, bool& inherit, std::uint64_t& t) {
    if (p.runnext != kNoTask) {
        const TaskId id = p.runnext;
        p.runnext = kNoTask;
        if (!slice_expired(p, t)) {
            inherit = true;
            ++r.counters.runnext_hits;
            return id;
        }
        put_tail(p, id, t);  // the slice is over: it waits its turn at the tail
    }
    inherit = false;
    if (p.head != p.tail) {
        ++r.counters.local_pops;
        if constexpr (kLifo) return p.ring[--p.tail % detail::kRingSize];  // the newest
        return p.ring[p.head++ % detail::kRingSize];
    }
    return kNoTask;
}

// Called with the lock taken (its cost already charged).
template <policies::Bundle Policy>
inline TaskId Simulator<Policy>::Impl::globrunqget(P& p, std::uint32_t max) {
    const auto size = static_cast<std::uint32_t>(global.size());
    if (size == 0) return kNoTask;
    std::uint32_t n = size / procs + 1;
    if (n > size) n = size;
    if (max > 0 && n > max) n = max;
    if (n > detail::kGlobalGrabMax) n = detail::kGlobalGrabMax;
    const TaskId first = global.front();
    global.pop_front();
    for (std::uint32_t i = 1; i < n; ++i) {
        if (p.queued() >= detail::kRingSize) break;  // cannot happen with an empty ring
        p.ring[p.tail++ % detail::kRingSize] = global.front();
        global.pop_front();
    }
    ++r.counters.global_pulls;
    return first;
}

// runqput(next) and wakep. With one P nobody else looks, so at once; with more, the put
// is visible to other Ps only after the step's charged time (flush at the next step), not
// from the instant the step began: a G being created is not in the queue while its
// spawn is still being paid for.
template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::publish(P& p, TaskId id, std::uint64_t& t) {
    if (!shared) {
        runqput(p, id, kRunnext, t);
        return;
    }
    charge(t, cost.shared_put_ns);
    p.pending.push_back(id);
}

template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::flush(P& p, std::uint64_t t) {
    for (const TaskId id : p.pending) {
        runqput(p, id, kRunnext, t);
        wakep(t);
    }
    p.pending.clear();
    return t;
}

}  // namespace schedlab::sim
