// Part of simulator_impl.hpp (include that, not this): spinning, parking and waking Ms
// (wakep, reset_spinning, become_spinning, the park path, the woken M).
//
// nmspinning counts the Ps with spinning set plus those woken with the spinning token
// (wake_spinning, set by wakep, counted by the waker). npidle == pidle.size(), the Ps with
// idle set, and between steps every one of them is Parked (its event kNever): park takes its
// P back within the same step when its re-check sees work. Only wakep moves a P out of
// Parked, into Wake. spin_ns runs from a spin's first steal pass to end_spin
// (find_runnable.hpp), park_ns from the park to the Wake step; go() adds the intervals still
// open when the last task completes.
#pragma once

#include <algorithm>
#include <cstdint>

#include "schedlab/sim/impl/state.hpp"

namespace schedlab::sim {

// ---- Spinning, parking and waking (wakep, reset_spinning, become_spinning, park) -------------

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::note_spinning() {
    if (nmspinning > r.max_spinning) r.max_spinning = nmspinning;
}

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::wakep(std::uint64_t& t) {
    if (procs == 1 || npidle == 0 || nmspinning != 0) return;
    nmspinning = 1;
    note_spinning();
    P& q = ps[pidle.back()];
    pidle.pop_back();
    q.idle = false;
    --npidle;
    q.wake_spinning = true;
    q.phase = Phase::Wake;
    push_event(q.id, t + cost.unpark_latency_ns);
    charge(t, cost.wake_ns);
}

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::reset_spinning(P& p, std::uint64_t& t) {
    p.spinning = false;
    if (nmspinning-- == 1) wakep(t);  // the last spinner found work: keep someone looking
}

template <policies::Bundle Policy>
inline bool Simulator<Policy>::Impl::become_spinning(P& p) {
    if (!Policy::spin_cap::may_spin(nmspinning, procs - npidle, procs)) return false;
    ++nmspinning;
    note_spinning();
    p.spinning = true;
    if (nmspinning > r.counters.spinning_high_water) r.counters.spinning_high_water = nmspinning;
    return true;
}

// The park path: the global queue under the lock, then idle, re-check, park.
template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::park(P& p, std::uint64_t now) {
    std::uint64_t t = lock(now);
    if (!global.empty()) return start(p, globrunqget(p, 0), false, t);
    p.idle = true;
    pidle.push_back(p.id);
    ++npidle;
    const bool was_spinning = p.spinning;
    if (p.spinning) {
        p.spinning = false;
        --nmspinning;
    }
    for (const P& other : ps) {
        if (other.id == p.id || (other.queued() == 0 && other.runnext == kNoTask)) continue;
        // Work appeared: take the P back and look again (spinning only if the cap allows).
        pidle.pop_back();
        p.idle = false;
        --npidle;
        if (was_spinning) become_spinning(p);
        p.phase = Phase::Schedule;
        return t + std::max<std::uint64_t>(cost.recheck_per_p_ns, 1) * procs;
    }
    ++r.counters.parks;
    p.parked_at = t;
    p.phase = Phase::Parked;
    return detail::kNever;
}

template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::woken(P& p, std::uint64_t now) {
    ++r.counters.wakeups;
    r.counters.park_ns += now - p.parked_at;  // the unpark latency included
    if (p.wake_spinning) {
        p.wake_spinning = false;
        p.spinning = true;  // the waker counted this M in nmspinning already
        if (r.counters.spinning_high_water == 0) r.counters.spinning_high_water = 1;
    }
    p.phase = Phase::Schedule;
    return now;
}

}  // namespace schedlab::sim
