// Part of runtime_impl.hpp (include that, not this): switching between Gs, and the calls
// a running G makes into the scheduler (park, ready, yield).
//
// An M runs on g0 (its thread's own stack) only between Gs: execute jumps from g0 to a G,
// and a G that parks, yields or exits either jumps straight to the next local G or back to
// g0. Whatever the leaving G asked for (m.action) is finished by land() on the stack just
// landed on, once the leaving G's context is saved: only then may another M resume it.
#pragma once

#include <algorithm>
#include <cstdio>

#include "schedlab/runtime/runtime.hpp"
#include "schedlab/runtime/sync.hpp"

namespace schedlab::rt {

// ---- Switching -------------------------------------------------------------------------------

// Make g the running G of m (bookkeeping shared by g0's execute and the direct switch).
template <policies::Bundle Policy>
void Runtime<Policy>::prepare_run(M& m, G* g, bool inherit) {
    P& p = *m.p;
    if (!inherit) {
        p.schedtick.store(p.schedtick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        p.inherited = 0;
        p.slice_start = 0;
        if (p.preempt.load(std::memory_order_relaxed)) [[unlikely]]
            p.preempt.store(false, std::memory_order_relaxed);  // meant for the last slice
    }
    count(p.counters.gs_run);
    // g->m is the M that created g (spawn) or last ran it; Ms and Ps are paired for the run.
    if (g->m != &m) count(p.counters.migrations);
    g->state.store(GState::Running, std::memory_order_relaxed);
    m.curg = g;
    g->m = &m;
    if (!g->ctx) {
        // First run: only now does the G get a stack.
        Stack* st = stacks_.get(p.stack_cache);
        // Over the memory bound: the run ends at the Ms' next scheduling points (this G
        // still runs; a spawn will stop it if it keeps growing).
        if (budget_.tripped() && !terminating_.load(std::memory_order_relaxed)) terminate();
        StackPool::renew_fiber(st);
        st->owner_gid = g->id;
        g->stack = st;
        san_set_stack(g->san, st->limit, st->size - sizeof(Stack), st->tsan_fiber);
        g->ctx = ctx_make(st->top(), st->size - sizeof(Stack), &Runtime::g_entry);
    }
}

// On g0: run g until it (or a G it switched to directly) comes back to g0.
template <policies::Bundle Policy>
void Runtime<Policy>::execute(M& m, G* g, bool inherit) {
    prepare_run(m, g, inherit);
    m.prev = nullptr;
    san_before_switch(m.g0san, g->san, false);
    const transfer_t t = ctx_jump(g->ctx, &m);
    san_after_switch(m.g0san);
    m.curg = nullptr;
    land(m, t.fctx);
}

// The G to switch to directly, without a trip through g0: runnext or the ring's head, unless
// this tick belongs to the global queue, a timer of this P is due or the run is ending (then
// g0 decides).
template <policies::Bundle Policy>
G* Runtime<Policy>::next_local(M& m) {
    P& p = *m.p;
    if (terminating_.load(std::memory_order_relaxed)) return nullptr;
    if (p.timers.first() != 0 && own_timers_due(p)) [[unlikely]]
        return nullptr;  // g0's find_runnable runs them first
    if (Policy::global_check::check_global_first(p.schedtick.load(std::memory_order_relaxed)) &&
        global_size_.load(std::memory_order_relaxed) > 0)
        return nullptr;
    bool inherit = false;
    G* g = runqget(p, inherit);
    if (g) prepare_run(m, g, inherit);
    return g;
}

// First thing after every jump, on the stack we landed on: finish what the G we came from
// asked for (m.prev, m.action), now that its context is saved; or, coming from g0, note
// where g0 is.
template <policies::Bundle Policy>
void Runtime<Policy>::land(M& m, fcontext_t from) {
    G* prev = m.prev;
    if (!prev) {
        m.g0ctx = from;
        return;
    }
    m.prev = nullptr;
    switch (m.action) {
        case Action::Park:
            prev->ctx = from;
            prev->state.store(GState::Waiting, std::memory_order_relaxed);
            m.unlockf(m.unlock_arg);  // from here on, someone may ready and resume prev
            break;
        case Action::Yield:
            prev->ctx = from;
            prev->state.store(GState::Runnable, std::memory_order_relaxed);
            sched_lock_.lock();
            globrunqput_locked(prev);
            sched_lock_.unlock();
            break;
        case Action::SyscallExit:
            // Back from a blocking call with no P: queue it where any P will find it.
            prev->ctx = from;
            prev->state.store(GState::Runnable, std::memory_order_relaxed);
            sched_lock_.lock();
            globrunqput_locked(prev);
            nsyscall_.fetch_sub(1, std::memory_order_relaxed);  // with the G queued: no false deadlock
            sched_lock_.unlock();
            wakep(false, true);
            break;
        case Action::Exit: {
            P& p = *m.p;
            const bool was_main = prev->is_main;
            stacks_.put(p.stack_cache, prev->stack);
            prev->stack = nullptr;
            prev->ctx = nullptr;
            prev->is_main = false;
            ++p.counters.gs_exited;
            gfput(p, prev);
            if (was_main) terminate();
            break;
        }
        case Action::None:
            detail::fatal("internal error: G %llu switched out with no action",
                          static_cast<unsigned long long>(prev->id));
    }
    m.action = Action::None;
}

template <policies::Bundle Policy>
void Runtime<Policy>::g_entry(transfer_t t) {
    auto* m = static_cast<M*>(t.data);
    G* g = m->curg;
    san_after_switch(g->san);
    m->rt->land(*m, t.fctx);
    invoke_or_die(g);
    g->destroy_closure();
    if constexpr (Policy::join::run_children_inline) {
        // A fork-join child that the scheduler ran: tell its group (runtime/group.hpp).
        if (g->group) Group::of(g->group)->finished_elsewhere();
    }
    switch_out(g, Action::Exit);
    __builtin_unreachable();
}

// Leave the running G g: park, yield or exit. Go straight to the next local G when there is
// one (one jump instead of two), else to g0. Returns when g is resumed (never for Exit).
template <policies::Bundle Policy>
void Runtime<Policy>::switch_out(G* g, Action a) {
    // The G may have migrated since it started: its M is the one that resumed it last.
    auto* m = static_cast<M*>(g->m);
    if (!g->stack->canary_intact()) [[unlikely]]
        detail::report_canary_overflow(g->id, m->rt->stacks_.stack_size());
    m->action = a;
    m->prev = g;
    // main's exit ends the run: go through g0, which sets terminating before anything else
    // can be picked (a direct switch would run one more G after main returned).
    const bool direct = a == Action::Park || (a == Action::Exit && !g->is_main);
    G* next = direct ? m->rt->next_local(*m) : nullptr;
    transfer_t t;
    if (next) {
        san_before_switch(g->san, next->san, a == Action::Exit);
        t = ctx_jump(next->ctx, m);
    } else {
        m->curg = nullptr;
        san_before_switch(g->san, m->g0san, a == Action::Exit);
        t = ctx_jump(m->g0ctx, m);
    }
    san_after_switch(g->san);
    auto* now = static_cast<M*>(t.data);
    now->rt->land(*now, t.fctx);
}

template <policies::Bundle Policy>
void Runtime<Policy>::park(WaitReason why, void (*unlock)(void*), void* arg) {
    M& m = this_m("park");
    G* g = m.curg;
    g->wait_reason.store(why, std::memory_order_relaxed);
    m.unlockf = unlock;
    m.unlock_arg = arg;
    switch_out(g, Action::Park);
    g->wait_reason.store(WaitReason::None, std::memory_order_relaxed);
}

template <policies::Bundle Policy>
void Runtime<Policy>::ready(G* g) {
    M& m = this_m("ready");
    g->state.store(GState::Runnable, std::memory_order_relaxed);
    m.rt->runqput(*m.p, g, Policy::runnext::enabled);
    m.rt->wakep(Policy::runnext::enabled);
}

template <policies::Bundle Policy>
void Runtime<Policy>::preempted(M& m) {
    P& p = *m.p;
    p.preempt.store(false, std::memory_order_relaxed);
    count(p.counters.preemptions);
    switch_out(m.curg, Action::Yield);
}

template <policies::Bundle Policy>
void Runtime<Policy>::yield() {
    M& m = this_m("yield");
    switch_out(m.curg, Action::Yield);
}

template <policies::Bundle Policy>
std::uint32_t Runtime<Policy>::fastrand() {
    P& p = *this_m("fastrand").p;
    p.rng ^= p.rng >> 12;
    p.rng ^= p.rng << 25;
    p.rng ^= p.rng >> 27;
    return static_cast<std::uint32_t>((p.rng * 2685821657736338717ull) >> 32);
}

}  // namespace schedlab::rt
