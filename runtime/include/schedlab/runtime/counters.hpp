// Per-P scheduler counters: plain integers written only by the P's own M, in a cache line of
// their own, summed into a Stats value after the run (no atomics on the hot path).
#pragma once

#include <algorithm>
#include <cstdint>

#ifndef SCHEDLAB_NO_COUNTERS
#define SCHEDLAB_NO_COUNTERS 0
#endif

namespace schedlab::rt {

#define SCHEDLAB_COUNTERS(X)                                                         \
    X(gs_run, "Gs executed (a resumed G counts again)")                             \
    X(spawns, "Gs created with go")                                                 \
    X(runnext_hits, "Gs taken from the runnext slot")                               \
    X(local_pops, "Gs taken from the P's own ring")                                 \
    X(global_pulls, "grabs from the global queue that returned a G")                \
    X(steal_attempts, "victims probed by a thief")                                  \
    X(steals, "probes that took at least one G")                                    \
    X(remote_steal_attempts, "probes of a P on another node of the topology")        \
    X(remote_steals, "probes of a P on another node that took at least one G")       \
    X(gs_stolen, "Gs moved by steals")                                              \
    X(overflows, "full rings spilled to the global queue")                          \
    X(spins, "times an M became a spinning M")                                      \
    X(parks, "times an M parked on its futex")                                      \
    X(wakeups, "times a parked M was woken")                                        \
    X(migrations, "Gs started on a P other than the one that created or last ran them") \
    X(inlined, "queued Gs a joining G ran on its own stack (join=inline)")         \
    X(spin_ns, "time Ms spent spinning (looking for work to steal), ns")              \
    X(park_ns, "time Ms spent parked, from going to sleep to running again, ns")

struct alignas(64) Counters {
#define SCHEDLAB_COUNTER_FIELD(name, doc) std::uint64_t name = 0;
    SCHEDLAB_COUNTERS(SCHEDLAB_COUNTER_FIELD)
#undef SCHEDLAB_COUNTER_FIELD
    std::uint64_t gs_exited = 0;  // internal: live Gs = spawns - gs_exited, summed over Ps
    // The most Ms seen spinning at once (by an M that had just started spinning): merged by
    // max, not sum, so the spinning policy's cap can be checked after a run.
    std::uint64_t spinning_high_water = 0;
    // Blocking calls (Runtime::blocking): not CSV columns (the harness puts them in extra
    // when non-zero). Calls made; Ps handed to another M (by sysmon or blocking_handoff);
    // Ps sysmon retook from a call; returns that found their P retaken.
    std::uint64_t syscalls = 0, handoffs = 0, retakes = 0, syscall_slow_exits = 0;
    // Preemption (Runtime::preempt_point): slices sysmon asked to end; yields at a point.
    std::uint64_t preempt_requests = 0, preemptions = 0;
    // Timers (Runtime::sleep_for, after): timers set; fired; fired more than kTimerLateNs
    // after their time; the sum and the largest of every fired timer's lateness, ns (the
    // largest merged by max).
    std::uint64_t timers_set = 0, timers_fired = 0, timers_late = 0, timer_late_ns = 0, timer_late_max_ns = 0;

    Counters& operator+=(const Counters& o) {
#define SCHEDLAB_COUNTER_ADD(name, doc) name += o.name;
        SCHEDLAB_COUNTERS(SCHEDLAB_COUNTER_ADD)
#undef SCHEDLAB_COUNTER_ADD
        gs_exited += o.gs_exited;
        syscalls += o.syscalls;
        handoffs += o.handoffs;
        retakes += o.retakes;
        syscall_slow_exits += o.syscall_slow_exits;
        preempt_requests += o.preempt_requests;
        preemptions += o.preemptions;
        timers_set += o.timers_set;
        timers_fired += o.timers_fired;
        timers_late += o.timers_late;
        timer_late_ns += o.timer_late_ns;
        timer_late_max_ns = std::max(timer_late_max_ns, o.timer_late_max_ns);
        if (o.spinning_high_water > spinning_high_water) spinning_high_water = o.spinning_high_water;
        return *this;
    }
};

// Bump a statistics counter. Building with -DSCHEDLAB_NO_COUNTERS=1 (CMake option
// SCHEDLAB_COUNTERS=OFF) compiles these away, to check that counting does not change what it
// measures; spawns and gs_exited always count (the deadlock check needs them).
inline void count([[maybe_unused]] std::uint64_t& counter, [[maybe_unused]] std::uint64_t n = 1) {
#if !SCHEDLAB_NO_COUNTERS
    counter += n;
#endif
}

// The counters of one run, summed over Ps.
using Stats = Counters;

// Visit each public counter as (name, value), in the column order of the CSV.
template <class F>
void for_each_counter(const Stats& s, F&& f) {
#define SCHEDLAB_COUNTER_VISIT(name, doc) f(#name, s.name);
    SCHEDLAB_COUNTERS(SCHEDLAB_COUNTER_VISIT)
#undef SCHEDLAB_COUNTER_VISIT
}

}  // namespace schedlab::rt
