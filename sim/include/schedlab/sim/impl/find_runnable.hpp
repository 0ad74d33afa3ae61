// Part of simulator_impl.hpp (include that, not this): where a P without a G finds one
// (findRunnable): the global queue every so often, its own queue, the global queue, then
// steal passes while its M spins.
//
// A Schedule step starts a G (Phase::Run), begins spinning (Phase::Steal) or goes to Park.
// Only Steal and StealPause steps take from other Ps (park's re-check only looks), one victim
// per step, each seen exactly as it is at that instant; a runnext is taken only in the last
// round, after a pause, and only if the descriptor seen before the pause is still there. A P's
// rng is drawn only by these waits, in the order of that P's steps: runs stay a pure function
// of (graph, options, bundle).
#pragma once

#include <algorithm>
#include <cstdint>

#include "schedlab/sim/impl/state.hpp"

namespace schedlab::sim {

// ---- find_runnable ---------------------------------------------------------------------------

template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::schedule(P& p, std::uint64_t t) {
    if (Policy::global_check::check_global_first(p.schedtick) && !global.empty()) {
        t = lock(t);
        const TaskId id = globrunqget(p, 1);
        if (id != kNoTask) return start(p, id, false, t);
    }
    bool inherit = false;
    if (const TaskId id = runqget(p, inherit, t); id != kNoTask) {
        charge(t, cost.local_op_ns);
        return start(p, id, inherit, t);
    }
    if (!global.empty()) {
        t = lock(t);
        const TaskId id = globrunqget(p, 0);
        if (id != kNoTask) return start(p, id, false, t);
    }
    if (procs > 1 && (p.spinning || become_spinning(p))) {
        ++r.counters.spins;
        p.spin_start = t;
        p.spin_deadline = t + cost.spin_ns;
        begin_pass(p);
        p.phase = Phase::Steal;
        return t;
    }
    p.phase = Phase::Park;
    return t;
}

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::fill_round(P& p) {
    p.victims.clear();
    p.vidx = 0;
    Victim::for_each_victim(p.victim, p.round, [&](std::uint32_t v) {
        if (v != p.id && v < procs) p.victims.push_back(v);
        return false;
    });
}

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::begin_pass(P& p) {
    p.round = 0;
    fill_round(p);
}

template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::take_batch(P& p, P& q, bool remote, std::uint64_t t) {
    const std::uint32_t queued = q.queued();
    std::uint32_t n = Steal::take(queued);
    if (n > queued) n = queued;
    if (n == 0) return t;
    TaskId last = kNoTask;
    for (std::uint32_t i = 0; i < n; ++i) {
        last = q.ring[q.head++ % detail::kRingSize];
        if (i + 1 < n) p.ring[p.tail++ % detail::kRingSize] = last;
    }
    ++r.counters.steals;
    r.counters.gs_stolen += n;
    if (remote) ++r.counters.remote_steals;
    charge(t, n * cost.steal_per_g_ns);
    end_spin(p, t);
    return start(p, last, false, t);
}

// A simulated victim's loop keeps an exact period where a real one drifts, so a thief's
// waits of fixed length would come back at one fixed phase of it, always or never finding
// its runnext full (spawnwait(300000) on 2 Ps with the default costs and fixed waits: 3886
// of 3887 pauses came back to an empty runnext). Each wait of a spinning thief (the pause
// before a runnext, the pause between passes) is lengthened by a seeded uniform draw below
// pause_jitter_ns, the drift calibrate measures over a pause.
template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::draw(P& p, std::uint64_t below) {
    p.rng ^= p.rng << 13;
    p.rng ^= p.rng >> 7;
    p.rng ^= p.rng << 17;
    return p.rng % below;
}

// The pause before taking a victim's runnext: the runtime spins until a clock read passes
// the deadline, so it overshoots by up to one turn of its loop (a clock read and a
// cpu_relax), drawn with the drift.
template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::steal_pause(P& p) {
    const std::uint64_t turn = cost.clock_read_ns + cost.spin_pause_ns / 32 + 1;
    return cost.runnext_steal_pause_ns + draw(p, turn + cost.pause_jitter_ns);
}

// One probe of steal_work, or the end of a pass (4 rounds for Go's order).
template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::steal(P& p, std::uint64_t now) {
    while (p.vidx == p.victims.size()) {
        if (++p.round < Victim::rounds) {
            fill_round(p);
            continue;
        }
        if (!global.empty()) {
            end_spin(p, now);
            p.phase = Phase::Schedule;
            return now;
        }
        const std::uint64_t t = now + std::max<std::uint64_t>(cost.spin_pause_ns, 1) + draw(p, cost.pause_jitter_ns + 1);
        if (t >= p.spin_deadline) {
            end_spin(p, t);
            p.phase = Phase::Park;
            return t;
        }
        begin_pass(p);
        return t;
    }
    const std::uint32_t v = p.victims[p.vidx++];
    P& q = ps[v];
    ++r.counters.steal_attempts;
    const bool remote = topo.nodes > 1 && !topo.same_node(p.id, v);
    std::uint64_t t = now;
    charge(t, cost.steal_attempt_ns);
    if (remote) {
        ++r.counters.remote_steal_attempts;
        charge(t, cost.remote_steal_extra_ns);
    }
    if (q.queued() > 0) {
        const std::uint64_t after = take_batch(p, q, remote, t);
        if (p.phase == Phase::Run) return after;
        return t;
    }
    if (p.round == Victim::rounds - 1 && q.runnext != kNoTask) {
        // Only the last round may take a runnext, after a pause that lets the victim run it.
        p.pause_victim = v;
        p.pause_remote = remote;
        p.pause_desc = g_desc(q.runnext);
        p.phase = Phase::StealPause;
        return t + steal_pause(p);
    }
    return t;
}

template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::steal_after_pause(P& p, std::uint64_t now) {
    P& q = ps[p.pause_victim];
    p.phase = Phase::Steal;
    if (q.queued() > 0) {
        const std::uint64_t after = take_batch(p, q, p.pause_remote, now);
        if (p.phase == Phase::Run) return after;
        return now;
    }
    if (q.runnext == kNoTask) return now;  // the victim ran it first
    if (g_desc(q.runnext) != p.pause_desc) {
        // Another G is there now: the runtime's CAS against the G it saw fails, and it
        // looks again (runqgrab's retry), pausing for the new one. The same descriptor
        // holding a newer G (it was freed and reused meanwhile) passes the CAS, as in the
        // runtime and in Go: the thief takes the newer G.
        p.pause_desc = g_desc(q.runnext);
        p.phase = Phase::StealPause;
        return now + steal_pause(p);
    }
    const TaskId id = q.runnext;
    q.runnext = kNoTask;
    ++r.counters.steals;
    ++r.counters.gs_stolen;
    if (p.pause_remote) ++r.counters.remote_steals;
    std::uint64_t t = now;
    charge(t, cost.steal_per_g_ns);
    end_spin(p, t);
    return start(p, id, false, t);
}

// A spin's steal passes are over at t: found a G (its steal's costs paid), or gave up.
template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::end_spin(const P& p, std::uint64_t t) {
    r.counters.spin_ns += t - p.spin_start;
}

}  // namespace schedlab::sim
