// Part of runtime_impl.hpp (include that, not this): finding work, and spinning, parking
// and waking Ms without lost wake-ups.
//
// Spinning and parking without lost wake-ups
// ------------------------------------------
// The problem: an M that found no work wants to sleep, and a G that makes work runnable wants
// an idle P to pick it up, but waking a thread costs microseconds, so we must not wake one for
// every spawn, and we must never leave runnable work with an idle P and nobody looking.
//
// Go's answer, kept here: an M with no work may become a *spinning* M (policy: spin cap),
// which keeps looking (stealing) for a while before parking. Submitters of work wake an idle
// P only when nobody spins (wakep), and hand the woken M the spinning token. A spinner that
// finds work stops spinning and, if it was the last spinner, calls wakep so that one M keeps
// looking for whatever else appeared. The delicate transition is spinning -> parked:
//
//   submitter:  1. publish the G (ring tail store / runnext)  2. StoreLoad fence
//               3. read npidle and nmspinning: if an idle P exists and nobody spins, wake one.
//               With more than one P a G put in runnext is published by a seq_cst CAS, itself
//               a full fence, so step 2 is skipped then (it cost ~8% of fib's spawns at 2 Ps).
//   parking M:  1. put its P on the idle list (npidle++) and drop spinning (nmspinning--),
//               both as seq_cst read-modify-writes   2. re-check every P's queue
//               3. if anything is there, take its P back off the idle list and look again.
//
// Spawning is hot and parking is rare, so the pair is an asymmetric fence (spinlock.hpp): the
// submitter's step 2 is only a compiler barrier, and the parking M makes a membarrier between
// its steps 1 and 2, which drains every running M's pending stores.
//
// With a full fence between each side's store and load, at least one side sees the other:
// either the submitter sees the parking M (and wakes it), or the parking M sees the new work.
// The global queue needs none of this, since both sides touch it under sched_lock_.
//
// A P is idle iff its M is parked or about to park, and only a P's own M pushes to its local
// queue, so when the last P goes idle with an empty global queue no G can ever run again: if
// any G is still alive, it is a deadlock, reported like Go's "all goroutines are asleep".
#pragma once

#include <algorithm>
#include <cstdio>

#include "schedlab/runtime/runtime.hpp"
#include "schedlab/runtime/sync.hpp"

namespace schedlab::rt {

// ---- Parking and waking Ms ------------------------------------------------------------------

template <policies::Bundle Policy>
void Runtime<Policy>::wakep(bool fenced, bool without_p) {
    if (procs_ == 1 && !without_p) return;
    // StoreLoad: the G we just published must be visible before we read whether anyone is
    // idle or spinning (see the protocol at the top of this file). A caller that published it
    // with a seq_cst read-modify-write (runnext's CAS) is fenced already.
    if (!fenced) light_fence();  // the parking M's re-check makes the heavy half
    if (npidle_.load(std::memory_order_seq_cst) == 0) return;
    if (nmspinning_.load(std::memory_order_relaxed) != 0) return;
    std::uint32_t zero = 0;
    if (!nmspinning_.compare_exchange_strong(zero, 1, std::memory_order_seq_cst)) return;
    sched_lock_.lock();
    P* p = pidleget_locked();
    bool has_m = true;
    if (p) {
        has_m = p->has_m;
        p->has_m = true;
        p->wake_spinning = has_m;  // an M from startm is handed the token directly
    }
    sched_lock_.unlock();
    if (!p) {
        nmspinning_.fetch_sub(1, std::memory_order_seq_cst);
        return;
    }
    if (has_m)
        p->note.wakeup();
    else
        startm(p, true);  // an idle P that a hand-off left without an M
}

template <policies::Bundle Policy>
void Runtime<Policy>::reset_spinning(M& m) {
    m.spinning = false;
    // The last spinner found work: there may be more, so make sure someone keeps looking.
    if (nmspinning_.fetch_sub(1, std::memory_order_seq_cst) == 1) wakep(true);
}

template <policies::Bundle Policy>
void Runtime<Policy>::schedule_loop(M& m) {
    for (;;) {
        // An M whose G came back from a blocking call without a P waits for one.
        if (!m.p && !stopm(m)) return;
        if (m.start_spinning) {
            m.start_spinning = false;
            m.spinning = true;  // startm's caller counted it in nmspinning already
        }
        bool inherit = false;
        G* g = find_runnable(m, inherit);
        if (!g) return;
        if (m.spinning) reset_spinning(m);
        execute(m, g, inherit);
    }
}

// Go's findRunnable, in Go's order.
template <policies::Bundle Policy>
G* Runtime<Policy>::find_runnable(M& m, bool& inherit) {
    P& p = *m.p;
    const auto procs = static_cast<std::uint32_t>(procs_);
    inherit = false;
top:
    if (terminating_.load(std::memory_order_acquire)) return nullptr;
    // This P's due timers ready their Gs here (impl/timers.hpp).
    if (p.timers.first() != 0) [[unlikely]]
        run_timers(p, p, detail::now_ns());

    // Fairness: now and then the global queue goes first, so its Gs cannot starve behind a
    // local producer.
    if (Policy::global_check::check_global_first(p.schedtick.load(std::memory_order_relaxed)) &&
        global_size_.load(std::memory_order_relaxed) > 0) {
        sched_lock_.lock();
        G* g = globrunqget_locked(p, 1);
        sched_lock_.unlock();
        if (g) return g;
    }
    if (G* g = runqget(p, inherit)) return g;
    if (global_size_.load(std::memory_order_relaxed) > 0) {
        sched_lock_.lock();
        G* g = globrunqget_locked(p, 0);
        sched_lock_.unlock();
        if (g) return g;
    }

    // Spin: steal from other Ps, for up to spin_ns, if the policy lets this M spin.
    if (procs > 1 && (m.spinning || become_spinning(m))) {
        count(p.counters.spins);
        const std::uint64_t start = detail::now_ns();
        const std::uint64_t deadline = start + opts_.spin_ns;
        std::uint64_t now = start;
        G* g = nullptr;
        bool global = false, timers = false;
        do {
            if ((g = steal_work(m))) break;
            if ((global = global_size_.load(std::memory_order_relaxed) > 0)) break;
            if (terminating_.load(std::memory_order_acquire)) break;
            if (ntimers_.load(std::memory_order_relaxed) != 0 && run_due_timers_anywhere(p, now) > 0) {
                timers = true;  // their Gs are on this P now
                break;
            }
            for (int i = 0; i < 32; ++i) cpu_relax();
        } while ((now = detail::now_ns()) < deadline);
        if (g || global || timers || now < deadline) now = detail::now_ns();
        count(p.counters.spin_ns, now - start);
        if (g) return g;
        if (global || timers) goto top;
        if (terminating_.load(std::memory_order_acquire)) return nullptr;
    }

    // Any P's due timers (the spin above checked them only if this M could spin).
    if (ntimers_.load(std::memory_order_relaxed) != 0 && run_due_timers_anywhere(p, detail::now_ns()) > 0)
        goto top;

    // Stop: give up the P and park the M.
    sched_lock_.lock();
    if (terminating_.load(std::memory_order_relaxed)) {
        sched_lock_.unlock();
        return nullptr;
    }
    if (G* g = globrunqget_locked(p, 0)) {
        sched_lock_.unlock();
        return g;
    }
    pidleput_locked(p);
    // All Ps idle is a deadlock unless a G is in a blocking call (it will come back) or a
    // timer is pending (it will fire: this M or another is its waiter).
    if (npidle_.load(std::memory_order_relaxed) == procs && nsyscall_.load(std::memory_order_relaxed) == 0 &&
        ntimers_.load(std::memory_order_seq_cst) == 0)
        check_dead_locked_and_report();
    sched_lock_.unlock();

    const bool was_spinning = m.spinning;
    if (m.spinning) {
        m.spinning = false;
        nmspinning_.fetch_sub(1, std::memory_order_seq_cst);
    }
    // Re-check every P after becoming idle (the other half of the no-lost-wake-up protocol).
    // The heavy half of the asymmetric fence: submitters fence lightly (spinlock.hpp).
    heavy_fence();
    for (auto& other : allp_) {
        if (other.get() == &p || other->runq.empty()) continue;
        sched_lock_.lock();
        const bool reclaimed = p.idle;
        if (reclaimed) {
            std::erase(pidle_, &p);
            p.idle = false;
            npidle_.fetch_sub(1, std::memory_order_seq_cst);
        }
        sched_lock_.unlock();
        if (reclaimed) {
            // Go takes the spinning token back unconditionally here; schedlab asks the cap
            // again, so the cap holds at every instant. Refused, the M goes back to the top
            // without spinning: the Ms spinning at the cap will find that work.
            if (was_spinning) become_spinning(m);
            goto top;
        }
        break;  // somebody already took our P off the idle list to wake us: the note is set
    }

    // With timers pending, one parking M at a time sleeps only until the earliest of them
    // (impl/timers.hpp). It claims the role before reading the heaps: a timer added after
    // the reads sees the claim and wakes it.
    std::uint64_t until = 0;
    if (ntimers_.load(std::memory_order_seq_cst) != 0) {
        P* none = nullptr;
        if (timer_waiter_.compare_exchange_strong(none, &p, std::memory_order_seq_cst)) {
            until = earliest_timer();
            if (until)
                poll_until_.store(until, std::memory_order_seq_cst);
            else
                timer_waiter_.store(nullptr, std::memory_order_seq_cst);
        }
    }

    count(p.counters.parks);
    const std::uint64_t parked_at = detail::now_ns();
    if (until) {
        if (until > parked_at) p.note.sleep_for(until - parked_at);
        poll_until_.store(0, std::memory_order_seq_cst);
        timer_waiter_.store(nullptr, std::memory_order_seq_cst);
    } else {
        p.note.sleep();
    }
    p.note.clear();
    count(p.counters.wakeups);
    count(p.counters.park_ns, detail::now_ns() - parked_at);
    sched_lock_.lock();
    // Woken by its timeout or by a new timer, not by a waker that took the P off the idle
    // list: take it back. (A stale wake-up of the note does the same: one more look.)
    if (p.idle) {
        std::erase(pidle_, &p);
        p.idle = false;
        npidle_.fetch_sub(1, std::memory_order_seq_cst);
    }
    if (p.wake_spinning) {
        p.wake_spinning = false;
        m.spinning = true;  // the waker counted us in nmspinning already (it was 0)
        if (p.counters.spinning_high_water == 0) p.counters.spinning_high_water = 1;
    }
    sched_lock_.unlock();
    goto top;
}

// Start spinning if the spinning policy allows one more spinner. The check and the increment
// are one CAS, so concurrent Ms cannot together exceed the cap (the M woken by wakep is
// handed its spinning token separately, so at most one spinner exists beyond a cap of 0).
template <policies::Bundle Policy>
bool Runtime<Policy>::become_spinning(M& m) {
    const auto procs = static_cast<std::uint32_t>(procs_);
    std::uint32_t spinning = nmspinning_.load(std::memory_order_relaxed);
    for (;;) {
        const std::uint32_t busy = procs - npidle_.load(std::memory_order_relaxed);
        if (!Policy::spin_cap::may_spin(spinning, busy, procs)) return false;
        if (nmspinning_.compare_exchange_weak(spinning, spinning + 1, std::memory_order_seq_cst))
            break;
    }
    m.spinning = true;
    P& p = *m.p;
    if (spinning + 1 > p.counters.spinning_high_water) p.counters.spinning_high_water = spinning + 1;
    return true;
}

template <policies::Bundle Policy>
G* Runtime<Policy>::steal_work(M& m) {
    using Victim = typename Policy::victim;
    P& p = *m.p;
    const auto procs = static_cast<std::uint32_t>(procs_);
    const policies::Topology& topo = placement_.topology;
    for (int round = 0; round < Victim::rounds; ++round) {
        // Only the last round may take a victim's runnext (Go's stealTries loop).
        const bool last = round == Victim::rounds - 1;
        G* got = nullptr;
        Victim::for_each_victim(p.victim, round, [&](std::uint32_t v) {
            if (v == p.id || v >= procs) return false;
            count(p.counters.steal_attempts);
            const bool remote = topo.nodes > 1 && !topo.same_node(p.id, v);
            if (remote) {
                count(p.counters.remote_steal_attempts);
                if (placement_.remote_steal_ns) detail::spin_for_ns(placement_.remote_steal_ns);
            }
            std::uint32_t n = 0;
            got = p.runq.template steal_from<typename Policy::steal, kOwnerPopsTail>(
                allp_[v]->runq, last, n);
            if (!got) return false;
            count(p.counters.steals);
            count(p.counters.gs_stolen, n);
            if (remote) count(p.counters.remote_steals);
            return true;
        });
        if (got) return got;
    }
    return nullptr;
}

// Called with sched_lock_ held when the last P goes idle and the global queue is empty.
template <policies::Bundle Policy>
void Runtime<Policy>::check_dead_locked_and_report() {
    std::uint64_t spawned = 0, exited = 0;
    for (auto& p : allp_) {
        spawned += p->counters.spawns;
        exited += p->counters.gs_exited;
    }
    if (spawned == exited) {
        // Only possible if main already exited, in which case terminating_ was set.
        detail::fatal("internal error: every P idle, no live G, and no termination");
    }
    std::size_t by_reason[std::size_t(WaitReason::kCount)] = {};
    std::size_t blocked = 0;
    g_lock_.lock();
    for (auto& slab : gslabs_)
        for (std::size_t i = 0; i < kGsPerSlab; ++i) {
            const G& g = slab[i];
            if (g.state.load(std::memory_order_relaxed) != GState::Waiting) continue;
            ++by_reason[std::size_t(g.wait_reason.load(std::memory_order_relaxed))];
            ++blocked;
        }
    g_lock_.unlock();
    detail::report_deadlock(by_reason, blocked);
}

}  // namespace schedlab::rt
