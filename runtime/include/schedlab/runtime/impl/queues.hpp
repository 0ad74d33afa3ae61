// Part of runtime_impl.hpp (include that, not this): the local and global run queues, and
// the inline join that runs a group's queued children as calls.
//
// Only a P's own M puts Gs on its ring (tail) and runnext; anyone may take from the head
// (local_queue.hpp has the ring's own invariants). A full ring spills half of itself plus the
// new G to the global queue in one batch. The global queue is a list under sched_lock_, with
// global_size_ a relaxed hint read without the lock. An inline join takes back only its own
// group's Gs that have never run (a started G has a context only the scheduler may resume).
#pragma once

#include <algorithm>
#include <cstdio>

#include "schedlab/runtime/runtime.hpp"
#include "schedlab/runtime/sync.hpp"

namespace schedlab::rt {

// ---- Inline join (InlineJoin; runtime/group.hpp) ---------------------------------------------

// The newest G queued on p if it is a child of `group` that has never run, else null (any
// other G that was on top goes back where it was). A child that has run has a context: it
// blocked and was readied back into the queue, and only the scheduler may resume it (calling
// its function again would run it twice). Its fields are read only once it is ours: a G seen
// in the ring but taken by a thief may already be running, or reused, elsewhere.
template <policies::Bundle Policy>
G* Runtime<Policy>::take_own_child(P& p, const void* group) {
    const auto unstarted_child = [group](const G* g) { return g->group == group && !g->ctx; };
    if constexpr (Policy::runnext::enabled) {
        if (G* next = p.runq.take_runnext()) {
            if (unstarted_child(next)) return next;
            p.runq.swap_runnext(next);  // runnext was empty since we took it: nothing displaced
            return nullptr;
        }
    }
    G* g = p.runq.pop_tail();
    if (!g || unstarted_child(g)) return g;
    runqput_tail(p, g);  // there is room: we have just taken one
    return nullptr;
}

template <policies::Bundle Policy>
void Runtime<Policy>::run_queued_children(Group* group) {
    if constexpr (!Policy::join::run_children_inline) {
        (void)group;  // ParkJoin's Group never calls this
        return;
    } else {
        run_queued_children_inline(group);
    }
}

template <policies::Bundle Policy>
template <class Grp>
void Runtime<Policy>::run_queued_children_inline(Grp* group) {
    while (!group->all_inlined()) {
        // Re-read every time: a child that blocked parked this G, which may resume on another M.
        M& m = this_m("Group::wait");
        Runtime& rt = *m.rt;
        P& p = *m.p;
        const Stack* own = m.curg->stack;
        const auto* sp = static_cast<const char*>(__builtin_frame_address(0));
        if (own && sp - own->limit < static_cast<std::ptrdiff_t>(own->size / 2)) return;
        G* g = rt.take_own_child(p, group);
        if (!g) return;
        count(p.counters.inlined);
        count(p.counters.gs_run);
        group->ran_inline();
        g->state.store(GState::Running, std::memory_order_relaxed);
        invoke_or_die(g);
        g->destroy_closure();
        P& now = *this_m("Group::wait").p;
        ++now.counters.gs_exited;
        rt.gfput(now, g);
    }
}

// ---- Queues --------------------------------------------------------------------------------

template <policies::Bundle Policy>
void Runtime<Policy>::runqput(P& p, G* g, bool next) {
    if (next) {
        g = p.runq.swap_runnext(g);
        if (!g) return;  // the kicked-out runnext, if any, goes to the tail
    }
    runqput_tail(p, g);
}

// Put g at the ring's tail; a full ring sends half of itself plus g to the global queue.
template <policies::Bundle Policy>
void Runtime<Policy>::runqput_tail(P& p, G* g) {
    GList spill;
    if (p.runq.put_tail(g, spill)) {
        count(p.counters.overflows);
        sched_lock_.lock();
        globrunqputbatch_locked(spill);
        sched_lock_.unlock();
    }
}

template <policies::Bundle Policy>
G* Runtime<Policy>::runqget(P& p, bool& inherit) {
    if (G* g = p.runq.take_runnext()) {
        if (!slice_expired(p)) {
            inherit = true;
            count(p.counters.runnext_hits);
            return g;
        }
        // The slice is over: the runnext G waits its turn at the tail like everybody else.
        runqput_tail(p, g);
    }
    inherit = false;
    if (G* g = Policy::local_order::lifo ? p.runq.pop_tail() : p.runq.pop_head()) {
        count(p.counters.local_pops);
        return g;
    }
    return nullptr;
}

// Whether the slice that runnext Gs keep inheriting has lasted longer than kTimeSliceNs. The
// clock is read only every kSliceCheckEvery inherited switches, so ping-pong stays cheap.
template <policies::Bundle Policy>
bool Runtime<Policy>::slice_expired(P& p) {
    if (++p.inherited % kSliceCheckEvery != 0) return false;
    const std::uint64_t now = detail::now_ns();
    if (p.slice_start == 0) {
        p.slice_start = now;
        return false;
    }
    return now - p.slice_start > kTimeSliceNs;
}

template <policies::Bundle Policy>
void Runtime<Policy>::globrunqput_locked(G* g) {
    global_q_.push_back(g);
    global_size_.store(static_cast<std::uint32_t>(global_q_.size), std::memory_order_relaxed);
}

template <policies::Bundle Policy>
void Runtime<Policy>::globrunqputbatch_locked(GList& batch) {
    global_q_.append(batch);
    global_size_.store(static_cast<std::uint32_t>(global_q_.size), std::memory_order_relaxed);
}

// Go's globrunqget: take a fair share (size/procs + 1), at most `max` (0 = no limit) and at
// most half a ring; run the first, queue the rest locally.
template <policies::Bundle Policy>
G* Runtime<Policy>::globrunqget_locked(P& p, std::uint32_t max) {
    const auto size = static_cast<std::uint32_t>(global_q_.size);
    if (size == 0) return nullptr;
    std::uint32_t n = size / static_cast<std::uint32_t>(procs_) + 1;
    if (n > size) n = size;
    if (max > 0 && n > max) n = max;
    if (n > kGlobalGrabMax) n = kGlobalGrabMax;
    G* g = global_q_.pop_front();
    GList spill;
    for (std::uint32_t i = 1; i < n; ++i)
        if (p.runq.put_tail(global_q_.pop_front(), spill)) break;
    if (spill.head) global_q_.append(spill);  // cannot happen with an empty ring; be safe
    global_size_.store(static_cast<std::uint32_t>(global_q_.size), std::memory_order_relaxed);
    count(p.counters.global_pulls);
    return g;
}

template <policies::Bundle Policy>
void Runtime<Policy>::pidleput_locked(P& p) {
    p.idle = true;
    pidle_.push_back(&p);
    npidle_.fetch_add(1, std::memory_order_seq_cst);
}

template <policies::Bundle Policy>
typename Runtime<Policy>::P* Runtime<Policy>::pidleget_locked() {
    if (pidle_.empty()) return nullptr;
    P* p = pidle_.back();
    pidle_.pop_back();
    p->idle = false;
    npidle_.fetch_sub(1, std::memory_order_seq_cst);
    return p;
}

}  // namespace schedlab::rt
