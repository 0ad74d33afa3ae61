// Part of simulator_impl.hpp (include that, not this): one step of a P (its phase's step), the
// run (go: set-up, the event loop, the result and its checks), and Simulator's members.
//
// Each event is one step of the P that is earliest in the EventTree (the lower P on a tie);
// the step's return, never earlier than its start (or kNever: it waits to be woken), is that
// P's next event. A step first flushes the P's pending Gs. The loop ends when the last task
// completes, when every P waits (a deadlock), when virtual time passes the tree's limit, or
// after max_events. Nothing but the graph and the options is read: a P's victim order and rng
// come from SimOptions::seed and its index.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "schedlab/sim/impl/state.hpp"

namespace schedlab::sim {

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::push_event(std::uint32_t p, std::uint64_t t) { events.set(p, t); }

template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::step(P& p, std::uint64_t now) {
    if (!p.pending.empty()) now = flush(p, now);
    switch (p.phase) {
        case Phase::Run: return run(p, now);
        case Phase::Boundary: return cross_boundary(p, p.ended_at, now);
        case Phase::Schedule: return schedule(p, now);
        case Phase::Steal: return steal(p, now);
        case Phase::StealPause: return steal_after_pause(p, now);
        case Phase::Park: return park(p, now);
        case Phase::Wake: return woken(p, now);
        case Phase::Parked: break;
    }
    return detail::kNever;
}

// ---- The run ---------------------------------------------------------------------------------

template <policies::Bundle Policy>
inline SimResult Simulator<Policy>::Impl::go() {
    const std::size_t ns = g.strands.size();
    if (tracing) rec.resize(ns);
    // Work is summed as strands begin (the same total once every task has run).
    if (!g.succs.empty()) {
        preds_left.reserve(g.tasks.size());
        for (const auto& task : g.tasks) preds_left.push_back(task.npred);
    }
    if (signalling) {
        sig_first.assign(ns + 1, 0);
        sig_in.assign(ns, 0);
        for (const auto& sig : g.signals) {
            ++sig_first[sig.from + 1];
            ++sig_in[sig.to];
        }
        for (std::size_t i = 0; i < ns; ++i) sig_first[i + 1] += sig_first[i];
        sig_left = sig_in;
    }
    for (std::uint32_t i = 0; i < procs; ++i) {
        ps[i].id = i;
        Victim::init(ps[i].victim, i, topo, opts.seed);
        ps[i].rng = opts.seed * 0x9e3779b97f4a7c15ull + i + 1;
    }
    // launch: main is spawned onto P0's ring (not runnext), then every M starts looking.
    std::uint64_t t0 = 0;
    init_g(g.root, g.tasks[g.root].strand_begin, 0);
    gs[g.root].desc = descriptors_made++;
    ++r.counters.spawns;
    charge(t0, cost.spawn_ns);
    runqput(ps[0], g.root, false, t0);
    for (std::uint32_t i = 0; i < procs; ++i) push_event(i, i == 0 ? t0 : 0);

    // Each step is one event; a P keeps stepping while it stays the earliest.
    while (!finished) {
        const std::uint32_t pi = events.top();
        const std::uint64_t t = events.top_time();
        if (t == detail::kNever) break;  // every P parked
        ++r.events;
        P& p = ps[pi];
        const std::uint64_t next = step(p, t);
        events.set(pi, next);
        // Its next step will most likely start the G at the front of its queue: its state
        // is asked for now, while other Ps step (at 256 Ps, five of six steps are another P's).
        if (p.phase == Phase::Schedule) {
            if (p.runnext != kNoTask) __builtin_prefetch(&gs[p.runnext]);
            else if (p.head != p.tail)
                __builtin_prefetch(&gs[p.ring[(kLifo ? p.tail - 1 : p.head) % detail::kRingSize]]);
        }
        if (events.overflowed()) {
            r.error = "virtual time passed " + std::to_string(detail::EventTree::kTimeLimit) + " ns";
            break;
        }
        if (opts.max_events && r.events >= opts.max_events && !finished) {
            r.error = "stopped after max_events events";
            break;
        }
    }
    if (finished) {
        // Ps spinning or parked at the end: up to the end (the runtime's, to its shutdown).
        for (const P& p : ps) {
            if (p.phase == Phase::Steal || p.phase == Phase::StealPause)
                r.counters.spin_ns += std::max(r.makespan_ns, p.spin_start) - p.spin_start;
            else if (p.phase == Phase::Parked || p.phase == Phase::Wake)
                r.counters.park_ns += std::max(r.makespan_ns, p.parked_at) - p.parked_at;
        }
    }
    r.tasks = completed;
    r.stack_pool_ops = stacks.ops;
    r.g_pool_ops = descriptors.ops;
    if (r.error.empty() && !finished)
        r.error = "deadlock: " + std::to_string(completed) + " of " + std::to_string(g.tasks.size()) +
                  " tasks completed and no P can run another";
    if (r.error.empty() && tracing) r.error = validate(g, r.trace);
    if (r.error.empty() && strand_runs != ns)
        r.error = std::to_string(strand_runs) + " strand runs for " + std::to_string(ns) + " strands";
    r.result_ok = r.error.empty();
    if (!opts.keep_trace) r.trace = Trace{};
    return std::move(r);
}

template <policies::Bundle Policy>
Simulator<Policy>::Simulator(SimOptions opts) : opts_(std::move(opts)) {
    if (opts_.procs < 1 || opts_.procs > detail::EventTree::kMaxPs)
        throw std::invalid_argument("simulator: procs must be between 1 and " +
                                    std::to_string(detail::EventTree::kMaxPs));
    if (opts_.topology.procs != 0 &&
        (opts_.topology.procs != opts_.procs || opts_.topology.node_of.size() != opts_.procs ||
         opts_.topology.group_of.size() != opts_.procs))
        throw std::invalid_argument("simulator: the topology does not describe exactly procs Ps");
    if (opts_.cost.slice_check_every == 0)
        throw std::invalid_argument("simulator: slice_check_every must be at least 1");
}

template <policies::Bundle Policy>
Simulator<Policy>::~Simulator() = default;

template <policies::Bundle Policy>
SimResult Simulator<Policy>::run(const TaskGraph& g) {
    if (g.root == kNoTask || g.root >= g.tasks.size())
        throw std::invalid_argument("simulator: the task graph has no root");
    Impl impl(opts_, g);
    return impl.go();
}

}  // namespace schedlab::sim
