// Part of runtime_impl.hpp (include that, not this): timers, after Go's per-P timer heaps.
//
// A sleeping G parks with its timer on its stack; the timer enters its P's heap on g0, once
// the G's context is saved (park's unlock step), so whoever fires it may resume the G at once.
// Timers run on whichever M looks first once they are due, and ready their G onto that M's P
// (runnext, as Go's goready):
//  - an M runs its own P's due timers at every scheduling point (find_runnable's top; a
//    direct G-to-G switch goes through g0 instead when one is due);
//  - an M that is about to spin or park runs every P's due timers, so the timers of a P that
//    is idle, or whose M is away in a blocking call, fire too (Go's stealWork checks them);
//  - one parking M at a time, the timer waiter, parks only until the earliest timer it saw
//    anywhere (Go's M blocked in netpoll with a timeout). A new timer that is earlier, or
//    that finds no waiter, wakes it, or wakes an idle P (Go's wakeNetPoller); a long slice
//    with a due timer on its P is preempted (retake, impl/syscall.hpp); and sysmon wakes an
//    idle P for a timer that is overdue with nobody waiting for it.
// ntimers_ counts every pending timer, so that all Ps idle with a sleeper is not a deadlock.
#pragma once

#include <algorithm>
#include <memory>

#include "schedlab/runtime/chan.hpp"
#include "schedlab/runtime/runtime.hpp"

namespace schedlab::rt {

template <policies::Bundle Policy>
void Runtime<Policy>::sleep_for(std::chrono::nanoseconds d) {
    if (d.count() <= 0) return;
    sleep_until_ns(detail::now_ns() + static_cast<std::uint64_t>(d.count()));
}

template <policies::Bundle Policy>
void Runtime<Policy>::sleep_until(std::chrono::steady_clock::time_point t) {
    // steady_clock is CLOCK_MONOTONIC, the clock of detail::now_ns.
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    if (ns <= 0) return;
    sleep_until_ns(static_cast<std::uint64_t>(ns));
}

template <policies::Bundle Policy>
void Runtime<Policy>::sleep_until_ns(std::uint64_t when) {
    M& m = this_m("sleep");
    if (when <= detail::now_ns()) return;
    Timer timer;
    timer.when = when;
    timer.g = m.curg;
    park(WaitReason::Sleep, &Runtime::add_timer_fn, &timer);
}

template <policies::Bundle Policy>
auto Runtime<Policy>::after(std::chrono::nanoseconds d) -> std::shared_ptr<Chan<TimePoint>> {
    struct AfterTimer : Timer {
        std::shared_ptr<Chan<TimePoint>> chan;
    };
    M& m = this_m("after");
    auto chan = std::make_shared<Chan<TimePoint>>(1);
    auto* t = new AfterTimer;
    t->chan = chan;
    t->when = detail::now_ns() + static_cast<std::uint64_t>(std::max<std::int64_t>(d.count(), 0));
    t->fire = [](Timer* base, std::uint64_t now) -> G* {
        auto* self = static_cast<AfterTimer*>(base);
        TimePoint value{std::chrono::nanoseconds(now)};
        Waiter* w = chan_offer(self->chan->core(), &value);
        delete self;
        if (!w) return nullptr;
        w->g->param = w;  // as wake_waiter does: the receiver reads its outcome there
        return w->g;
    };
    t->drop = [](Timer* base) { delete static_cast<AfterTimer*>(base); };
    m.rt->add_timer(*m.p, t);
    return chan;
}

// park's unlock step, on the M that ran the sleeping G (its P is still that M's).
template <policies::Bundle Policy>
void Runtime<Policy>::add_timer_fn(void* timer) {
    auto* m = static_cast<M*>(detail::current_m());
    m->rt->add_timer(*m->p, static_cast<Timer*>(timer));
}

template <policies::Bundle Policy>
void Runtime<Policy>::add_timer(P& p, Timer* t) {
    count(p.counters.timers_set);
    ensure_sysmon();  // its backstop for overdue timers (one load once it runs)
    ntimers_.fetch_add(1, std::memory_order_seq_cst);
    p.timers.lock.lock();
    p.timers.push(t);
    p.timers.lock.unlock();
    // Somebody must be awake for this timer (the push above is a seq_cst store; the waiter
    // claims its role before it reads the heaps, so one of the two sees the other).
    if (P* w = timer_waiter_.load(std::memory_order_seq_cst)) {
        const std::uint64_t until = poll_until_.load(std::memory_order_seq_cst);
        if (until == 0 || t->when < until) w->note.wakeup();
    } else {
        wakep();  // an idle P looks, and parks as the waiter (this P checks its own timers)
    }
}

// Run of's due timers, readying their Gs onto mine (mine's own M only); how many fired.
template <policies::Bundle Policy>
std::size_t Runtime<Policy>::run_timers(P& mine, P& of, std::uint64_t now) {
    const std::uint64_t first = of.timers.first();
    if (first == 0 || first > now) return 0;
    constexpr std::size_t kBatch = 32;
    Timer* due[kBatch];
    std::size_t fired = 0, k = 0;
    do {
        of.timers.lock.lock();  // taken without holding any other lock
        for (k = 0; k < kBatch; ++k)
            if (!(due[k] = of.timers.pop_due(now))) break;
        of.timers.lock.unlock();
        for (std::size_t i = 0; i < k; ++i) {
            Timer* t = due[i];
            const std::uint64_t late = now - t->when;
            count(mine.counters.timers_fired);
            count(mine.counters.timer_late_ns, late);
            if (late > kTimerLateNs) count(mine.counters.timers_late);
            mine.counters.timer_late_max_ns = std::max(mine.counters.timer_late_max_ns, late);
            G* g = t->fire ? t->fire(t, now) : t->g;  // an after() timer is freed here
            if (g) {
                g->state.store(GState::Runnable, std::memory_order_relaxed);
                runqput(mine, g, Policy::runnext::enabled);
            }
            // With the G queued: a P that is running never counts as a deadlock.
            ntimers_.fetch_sub(1, std::memory_order_seq_cst);
        }
        fired += k;
    } while (k == kBatch);
    if (fired) wakep();  // others may help; an idle P then waits for the remaining timers
    return fired;
}

template <policies::Bundle Policy>
std::size_t Runtime<Policy>::run_due_timers_anywhere(P& mine, std::uint64_t now) {
    std::size_t fired = 0;
    for (auto& p : allp_) fired += run_timers(mine, *p, now);
    return fired;
}

template <policies::Bundle Policy>
bool Runtime<Policy>::own_timers_due(P& p) {
    const std::uint64_t first = p.timers.first();
    return first != 0 && first <= detail::now_ns();
}

// The earliest due time over every P's heap; 0 when there is no timer.
template <policies::Bundle Policy>
std::uint64_t Runtime<Policy>::earliest_timer() {
    std::uint64_t best = 0;
    for (auto& p : allp_)
        if (const std::uint64_t w = p->timers.first(); w && (best == 0 || w < best)) best = w;
    return best;
}

// sysmon's backstop (Go's sysmon starts an M for an overdue timer): an idle P looks when a
// timer is overdue and no M waits for timers.
template <policies::Bundle Policy>
void Runtime<Policy>::wake_for_overdue_timers(std::uint64_t now) {
    if (ntimers_.load(std::memory_order_relaxed) == 0 || timer_waiter_.load(std::memory_order_seq_cst)) return;
    const std::uint64_t first = earliest_timer();
    if (first != 0 && first < now) wakep(false, true);
}

// The run has ended: pending timers are dropped (their sleeping Gs are abandoned with the rest).
template <policies::Bundle Policy>
void Runtime<Policy>::drop_timers() {
    for (auto& p : allp_) {
        p->timers.lock.lock();
        std::vector<Timer*> all = p->timers.take_all();
        p->timers.lock.unlock();
        for (Timer* t : all)
            if (t->drop) t->drop(t);
    }
    ntimers_.store(0);
    timer_waiter_.store(nullptr);
    poll_until_.store(0);
}

}  // namespace schedlab::rt
