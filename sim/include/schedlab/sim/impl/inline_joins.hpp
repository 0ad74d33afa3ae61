// Part of simulator_impl.hpp (include that, not this): joins that run their queued children
// as calls (Policy::join::run_children_inline: Cilk, oneTBB).
//
// A frame takes only from the top of its own P's queue (runnext, else the ring's tail), and
// only unstarted children (stack_at == 0) its current join awaits. While a child runs inline
// its frame's waiting stays at least 1 (the child is counted until it returns), so the
// frame's other children, ending on other Ps, never ready the G the frame is on. A child
// shares its frame's stack fields and hands them back when it returns; its descriptor is its
// own, the G's is its outermost frame's.
#pragma once

#include <algorithm>
#include <cstdint>

#include "schedlab/sim/impl/state.hpp"

namespace schedlab::sim {

// ---- Inline joins (Policy::join::run_children_inline) ----------------------------------------
//
// As the runtime's run_queued_children_inline: a join that runs its children inline takes
// the newest G queued on its own P (runnext if it holds one, else the ring's tail) while
// that is an unstarted child of this join, and runs each as a call on its own stack. The
// child is then the innermost frame of the running G (p.cur; its graph parent is the frame
// it returns to): no stack of its own, no switch, no park or ready, no migration; it counts
// in gs_run, as the runtime's does (a G executed). The take is charged local_op_ns, the pop
// of an owner's own queue (pop_tail), and the child's strands their work as usual; its G
// descriptor is freed when it returns (gfput). A child's own joins do the same, so frames
// nest; a frame that has to wait (a child another P took or the scheduler started, a
// message) parks the whole G, which resumes in that frame. A G newer than the join's
// children (a receiver readied above them) ends the taking, as in the runtime, whose
// owner can take only from the tail; the runtime's limit on nesting (half its stack) is
// not modelled: the simulated stack is deep enough.

// Whether `id`, queued on the P running `frame`, is an unstarted child of frame's current
// join (awaited is set for those; a started G has a stack, stack_at != 0).
template <policies::Bundle Policy>
inline bool Simulator<Policy>::Impl::inlinable(TaskId id, TaskId frame) const {
    const GState& c = gs[id];
    return c.awaited && c.stack_at == 0 && g.tasks[id].parent == frame;
}

// The newest G queued on P, taken out of it if it is one of frame's inlinable children.
template <policies::Bundle Policy>
inline TaskId Simulator<Policy>::Impl::take_own_child(P& p, TaskId frame) {
    if (p.runnext != kNoTask) {
        const TaskId id = p.runnext;
        if (!inlinable(id, frame)) return kNoTask;
        p.runnext = kNoTask;
        return id;
    }
    if (p.head == p.tail) return kNoTask;
    const TaskId id = p.ring[(p.tail - 1) % detail::kRingSize];
    if (!inlinable(id, frame)) return kNoTask;
    --p.tail;
    return id;
}

// The descriptor of the G that `id` runs in: its own, or, inlined, its outermost frame's.
template <policies::Bundle Policy>
inline std::uint32_t Simulator<Policy>::Impl::g_desc(TaskId id) const {
    while (gs[id].inlined) id = g.tasks[id].parent;
    return gs[id].desc;
}

// At frame's join (frame is p.cur): run one of its children inline if one is queued here.
template <policies::Bundle Policy>
inline bool Simulator<Policy>::Impl::inline_child(P& p, TaskId frame, std::uint64_t& t) {
    const TaskId id = take_own_child(p, frame);
    if (id == kNoTask) return false;
    ++r.counters.inlined;
    ++r.counters.gs_run;
    charge(t, cost.local_op_ns);
    GState& c = gs[id];
    const GState& f = gs[frame];
    c.inlined = true;
    c.last_p = p.id;
    c.stack_p = f.stack_p;
    c.stack_at = f.stack_at;
    p.cur = id;
    p.phase = Phase::Run;
    if (tracing) {
        rec[c.strand].start = t;
        ++rec[c.strand].runs;
    }
    ++strand_runs;
    prefetch_spawn(c);
    return true;
}

// An inlined child completed: free its G, release its successors and return to its
// parent's frame, which goes on with its join (the next child inline, on past it, or a
// park).
template <policies::Bundle Policy>
inline std::uint64_t Simulator<Policy>::Impl::return_inline(P& p, TaskId id, std::uint64_t ended,
                                                          std::uint64_t t) {
    const GState& c = gs[id];
    const auto& task = g.tasks[id];
    give(descriptors, p, FreeDesc{c.desc, p.id}, t);  // gfput on the P it ended on
    const TaskId frame = task.parent;
    GState& f = gs[frame];
    f.last_p = c.last_p;  // the G's stack, as the child's frame left it
    f.stack_p = c.stack_p;
    f.stack_at = c.stack_at;
    p.cur = frame;
    release_successors(p, task, ended, t);
    if (--f.waiting > 0 && inline_child(p, frame, t)) return t;
    return pass_join(p, frame, f.waiting, t);
}

}  // namespace schedlab::sim
