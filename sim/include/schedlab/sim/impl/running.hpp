// Part of simulator_impl.hpp (include that, not this): running Gs. A P in Phase::Run steps
// through its G's current strand (a spawn per step, then the rest of the strand), then ends
// it (end_strand, cross_boundary): on past the join before the next strand or parked there
// (pass_join), or, at the task's end, a waiting parent readied and the successors released.
//
// p.cur is the running G (the innermost frame, with inline joins) in Phase::Run and Boundary,
// and kNoTask otherwise. Each strand starts exactly once (strand_runs; rec[s].runs when
// tracing) and adds its cost to r.work_ns once (init_g for a task's first, cross_boundary for
// the others). A parked G's waiting counts its awaited children not yet complete plus the
// messages it still lacks (kParkedHere is set in sig_left while it waits for them); the step
// that takes it to zero readies it. A started G's stack is in exactly one P's TouchLog, at
// (stack_p, stack_at): touch() clears it there before it appends it on the P that starts it.
#pragma once

#include <algorithm>
#include <cstdint>

#include "schedlab/sim/impl/state.hpp"

namespace schedlab::sim {

// ---- Running Gs ------------------------------------------------------------------------------

// find_runnable returned `id`: stop spinning, switch to it (prepare_run + execute).
template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::start(P& p, TaskId id, bool inherit, std::uint64_t t) {
    if (p.spinning) reset_spinning(p, t);
    if (!inherit) {
        ++p.schedtick;
        p.inherited = 0;
        p.slice_started = false;
    }
    ++r.counters.gs_run;
    charge(t, cost.switch_ns - cost.switch_ns / 2);
    GState& gst = gs[id];
    // Its descriptor (and, resumed, its stack) were last written on another core.
    bool moved = gst.last_p != p.id;
    if (moved) ++r.counters.migrations;
    gst.last_p = p.id;
    if constexpr (kInline) {
        // A G resumed inside children its joins ran inline: the frames that called them,
        // down to the G's own, are on the same stack, and so are their join counters.
        if (moved)
            for (TaskId f = id; gs[f].inlined;) {
                f = g.tasks[f].parent;
                gs[f].last_p = p.id;
            }
    }
    if (gst.stack_at == 0) {
        // First run: a stack from this P's cache. One that another P last touched came
        // through the pool and is written here while its lines are in that P's cache:
        // the same move (measured together with the descriptor's, charged once).
        const FreeStack fs = get_stack(p, t);
        gst.stack_p = fs.p;
        gst.stack_at = fs.at;
        if (fs.at && fs.p != p.id) {
            ++r.stack_moves;
            moved = true;
        }
    }
    if (moved) charge(t, cost.migrate_ns);
    if (gst.stack_p == p.id && gst.stack_at) {
        // The other stacks touched here since this one was pushed its lines (and the
        // descriptor's) out of the caches: a resume on the P it blocked on, or a first run
        // on a stack freed a while ago.
        const std::uint32_t d = p.touches.since(gst.stack_at);
        if (d > 0) charge(t, reuse[31 - __builtin_clz(d)]);
    }
    touch(p, gst);
    prefetch_spawn(gst);
    __builtin_prefetch(&g.tasks[id]);  // read when its strand ends (prefetch_end)
    p.cur = id;
    p.phase = Phase::Run;
    const std::uint32_t s = gs[id].strand;
    if (tracing) {
        rec[s].start = t;
        ++rec[s].runs;
    }
    ++strand_runs;
    return t;
}

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::touch(P& p, GState& gst) {
    // Written here, the stack leaves the old P's cache.
    if (gst.stack_at) ps[gst.stack_p].touches.clear(gst.stack_at);
    gst.stack_p = p.id;
    gst.stack_at = p.touches.append();
}

// `strand`: the task's first strand.
template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::init_g(TaskId id, std::uint32_t strand, std::uint32_t creator) {
    const auto& first = g.strands[strand];
    GState& st = gs[id];
    st.done = 0;
    st.strand = strand;
    st.next_spawn = first.spawn_begin;
    st.spawn_end = first.spawn_end;
    st.waiting = 0;
    st.cost = first.cost;
    st.last_p = creator;
    st.stack_p = 0;
    st.stack_at = 0;
    st.awaited = false;
    st.complete = false;
    st.inlined = false;
    if (first.spawn_begin < first.spawn_end) __builtin_prefetch(&g.spawns[first.spawn_begin]);
    r.work_ns += first.cost;
}

// What creating the G's next child will touch (the child's first strand and its G), asked
// for now: its P steps again only after hundreds of other Ps' steps at 256 Ps, so these
// cache misses are served meanwhile instead of stalling that step.
template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::prefetch_spawn(const GState& s) const {
    if (s.next_spawn >= s.spawn_end) return;
    const auto& sp = g.spawns[s.next_spawn];
    __builtin_prefetch(&g.strands[sp.child_strand]);
    __builtin_prefetch(&gs[sp.child], 1);
}

// Likewise for the step that ends the running strand: the next strand, or, if the task
// completes, its parent's G (the join's counter).
template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::prefetch_end(TaskId id, const GState& s) const {
    const auto& task = g.tasks[id];
    if (s.strand + 1 < task.strand_end) __builtin_prefetch(&g.strands[s.strand + 1]);
    else if (task.parent != kNoTask) __builtin_prefetch(&gs[task.parent]);
}

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::create(P& p, TaskId id, std::uint32_t strand, std::uint64_t& t) {
    init_g(id, strand, p.id);
    ++r.counters.spawns;
    charge(t, cost.spawn_ns);
    gs[id].desc = get_descriptor(p, t);
    publish(p, id, t);
}

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::ready(P& p, TaskId id, std::uint64_t& t) {
    charge(t, cost.ready_ns);
    publish(p, id, t);
}

template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::run(P& p, std::uint64_t now) {
    GState& s = gs[p.cur];
    if (s.next_spawn < s.spawn_end) {
        const auto& sp = g.spawns[s.next_spawn];
        if (sp.at <= s.done) {
            ++s.next_spawn;
            std::uint64_t t = now;
            create(p, sp.child, sp.child_strand, t);
            prefetch_spawn(s);
            return t;
        }
        const std::uint64_t t = now + (sp.at - s.done);
        s.done = sp.at;
        return t;
    }
    if (s.done < s.cost) {
        const std::uint64_t t = now + (s.cost - s.done);
        s.done = s.cost;
        prefetch_end(p.cur, s);
        return t;
    }
    return end_strand(p, now);
}

// The sends at the end of `strand`: each takes a channel operation and, if its receiver is
// blocked waiting for it (and nothing else), readies the receiver.
template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::send_signals(P& p, std::uint32_t strand, std::uint64_t& t) {
    for (std::uint32_t i = sig_first[strand]; i < sig_first[strand + 1]; ++i) {
        const auto& sig = g.signals[i];
        charge(t, cost.chan_op_ns);
        if ((--sig_left[sig.to] & detail::kParkedHere) == 0) continue;  // it waits in the channel
        GState& w = gs[sig.to_task];
        // The hand-off writes the parked receiver's lines, last written on its core.
        if (w.last_p != p.id) charge(t, cost.remote_done_ns);
        if (--w.waiting == 0) ready(p, sig.to_task, t);
    }
}

template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::end_strand(P& p, std::uint64_t now) {
    const TaskId id = p.cur;
    GState& s = gs[id];
    if (tracing) rec[s.strand].end = now;
    std::uint64_t t = now;
    if (signalling) {
        send_signals(p, s.strand, t);
        if (!p.pending.empty()) {
            // The readied receivers enter the queue once the sends are paid for; this G
            // goes on to its next strand (a receive, perhaps a park) in the next step.
            p.ended_at = now;
            p.phase = Phase::Boundary;
            return t;
        }
    }
    return cross_boundary(p, now, t);
}

// After strand s.strand of the running G ended at `ended` (and its sends, charged up to t):
// go on to its next strand, or block there, or complete the task. The running G is p.cur,
// or, inside children its joins run inline, the innermost of them.
template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::cross_boundary(P& p, std::uint64_t ended, std::uint64_t t) {
    const TaskId id = p.cur;
    GState& s = gs[id];
    const auto& task = g.tasks[id];
    if (s.strand + 1 < task.strand_end) {
        // A join: wait for the listed children that have not completed yet.
        const auto& next = g.strands[++s.strand];
        s.done = 0;
        s.next_spawn = next.spawn_begin;
        s.spawn_end = next.spawn_end;
        s.cost = next.cost;
        r.work_ns += next.cost;
        std::uint32_t waiting = 0;
        for (std::uint32_t j = next.join_begin; j < next.join_end; ++j) {
            GState& c = gs[g.joins[j]];
            if (!c.complete) {
                c.awaited = true;
                ++waiting;
            }
        }
        if constexpr (kInline) {
            if (waiting > 0) {
                // Counted down from here by children ending elsewhere; never to zero while
                // one runs inline (it is counted until it returns).
                s.waiting = waiting;
                if (inline_child(p, id, t)) return t;
            }
        }
        return pass_join(p, id, waiting, t);
    }
    // The task is complete: ready a waiting parent, release successors.
    s.complete = true;
    if constexpr (kInline) {
        if (s.inlined) return return_inline(p, id, ended, t);
    }
    give(stacks, p, FreeStack{s.stack_p, s.stack_at}, t);  // the runtime's stacks_.put on the exiting P
    give(descriptors, p, FreeDesc{s.desc, p.id}, t);         // and gfput
    charge(t, cost.switch_ns / 2);
    p.cur = kNoTask;
    p.phase = Phase::Schedule;
    if (task.parent != kNoTask) {
        // The join's counter lives in the parent's frame, in its last core's cache.
        if (gs[task.parent].last_p != p.id) charge(t, cost.remote_done_ns);
        if (s.awaited && --gs[task.parent].waiting == 0) ready(p, task.parent, t);
    }
    release_successors(p, task, ended, t);
    return t;
}

template <policies::Bundle Policy>
inline void Simulator<Policy>::Impl::release_successors(P& p, const TaskGraph::Task& task, std::uint64_t ended,
                                                        std::uint64_t& t) {
    for (std::uint32_t e = task.succ_begin; e < task.succ_end; ++e)
        if (--preds_left[g.succs[e]] == 0) create(p, g.succs[e], g.tasks[g.succs[e]].strand_begin, t);
    if (++completed == g.tasks.size()) {
        finished = true;
        r.makespan_ns = ended;
    }
}

// The running G passes the join before strand s.strand if nothing is left to wait for
// (`waiting` children of it, and the messages its receives still lack), else it parks.
template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::pass_join(P& p, TaskId id, std::uint32_t waiting, std::uint64_t t) {
    GState& s = gs[id];
    if (signalling && sig_in[s.strand] != 0) {
        charge(t, sig_in[s.strand] * cost.chan_op_ns);  // the receives
        if (const std::uint32_t left = sig_left[s.strand]) {
            waiting += left;
            sig_left[s.strand] = left | detail::kParkedHere;
        }
    }
    if (waiting == 0) {
        if (tracing) {
            rec[s.strand].start = t;
            ++rec[s.strand].runs;
        }
        ++strand_runs;
        p.phase = Phase::Run;
        return t;
    }
    s.waiting = waiting;  // the G parks; the last child or sender readies it
    ++r.g_blocks;
    charge(t, cost.switch_ns / 2);
    p.cur = kNoTask;
    p.phase = Phase::Schedule;
    return t;
}

}  // namespace schedlab::sim
