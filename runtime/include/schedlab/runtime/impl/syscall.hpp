// Part of runtime_impl.hpp (include that, not this): blocking calls, the Ms beyond one per P,
// and sysmon, after Go's entersyscall / exitsyscall / handoffp / startm / stopm / retake.
//
// A G entering a blocking call leaves its P in the Syscall state and its M drops the P; the
// M then runs the call on the G's stack. Nobody runs the P meanwhile. Two things can happen:
//  - the call returns first: the M takes the P back with one CAS (Syscall -> Running), the
//    common case, as cheap as a pair of atomic operations;
//  - sysmon sees the P in the same call in two rounds in a row (so for at least one tick,
//    20 us: Go's syscalltick rule) and retakes it
//    with the same CAS, when the P has work queued, or nobody is idle or spinning to pick up
//    new work, or the call has lasted 10 ms (Go's retake conditions); it then hands the P off
//    (handoffp): to an M (an idle one, or a new thread) when there is work, else onto the idle
//    list without an M. The returning G then takes an idle P without an M if there is one,
//    else goes to the global queue (and wakes an idle P for it), and its M parks on its own
//    note in the idle-M list until startm gives it a P.
// blocking_handoff retakes its own P at entry (Go's entersyscallblock).
//
// Whatever owns a P may touch its queues' owner side and its counters; while the P is in
// Syscall nobody does, and the CAS that ends the state (by the returning M or by sysmon) is
// what hands ownership over. A run ends only when every M has stopped: an M still in a
// blocking call when main returns is waited for.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "schedlab/runtime/runtime.hpp"

namespace schedlab::rt {

template <policies::Bundle Policy>
void Runtime<Policy>::enter_blocking(bool handoff) {
    M& m = this_m("blocking");
    Runtime* rt = m.rt;
    P& p = *m.p;
    count(p.counters.syscalls);
    rt->ensure_sysmon();
    m.oldp = &p;
    m.p = nullptr;
    p.syscalltick.store(p.syscalltick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    p.status.store(kPSyscall, std::memory_order_release);
    if (handoff) rt->try_retake(p, false);
}

template <policies::Bundle Policy>
void Runtime<Policy>::exit_blocking() {
    auto* mp = static_cast<M*>(detail::current_m());
    M& m = *mp;
    Runtime* rt = m.rt;
    P* oldp = m.oldp;
    m.oldp = nullptr;
    std::uint8_t expect = kPSyscall;
    if (oldp->status.compare_exchange_strong(expect, kPRunning, std::memory_order_acq_rel)) {
        m.p = oldp;  // fast path: nobody took it
        return;
    }
    rt->sched_lock_.lock();
    P* p = rt->pidleget_mless_locked();
    if (p) {
        p->has_m = true;
        rt->nsyscall_.fetch_sub(1, std::memory_order_relaxed);
        rt->sched_lock_.unlock();
        p->note.clear();  // a terminate() may have woken it while it had no M
        m.p = p;
        count(p->counters.syscall_slow_exits);
        return;
    }
    rt->sched_lock_.unlock();
    // No P: queue the G globally (land, on g0) and park this M (schedule_loop, stopm).
    switch_out(m.curg, Action::SyscallExit);
}

// End p's Syscall state from outside its M and hand it off; false if the M came back first.
// The G in the call counts in nsyscall_ from before the CAS, so that its return (which may
// follow at once) never takes the count below zero.
template <policies::Bundle Policy>
bool Runtime<Policy>::try_retake(P& p, bool by_sysmon) {
    nsyscall_.fetch_add(1, std::memory_order_relaxed);
    std::uint8_t expect = kPSyscall;
    if (!p.status.compare_exchange_strong(expect, kPRunning, std::memory_order_acq_rel)) {
        nsyscall_.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    if (by_sysmon) count(p.counters.retakes);  // ours until handoffp gives it away
    handoffp(p);
    return true;
}

// The P is owned by nobody (just retaken): give it an M if it has work, else make it idle.
template <policies::Bundle Policy>
void Runtime<Policy>::handoffp(P& p) {
    count(p.counters.handoffs);
    sched_lock_.lock();
    // A P with timers gets an M too (it parks until the first one), else they would wait for
    // sysmon's backstop (Go's handoffp wakes the poller for them).
    const bool work = !p.runq.empty() || global_q_.size > 0 || p.timers.first() != 0 ||
                      terminating_.load(std::memory_order_relaxed);
    if (!work) {
        p.has_m = false;
        pidleput_locked(p);
        sched_lock_.unlock();
        return;
    }
    p.has_m = true;
    sched_lock_.unlock();
    startm(&p, false);
}

// Run P p on an idle M, or on a new thread when none is idle.
template <policies::Bundle Policy>
void Runtime<Policy>::startm(P* p, bool spinning) {
    m_lock_.lock();
    // A run that is ending starts no M: launch may have joined the last one already.
    if (terminating_.load(std::memory_order_acquire)) {
        m_lock_.unlock();
        return;
    }
    M* m = nullptr;
    bool fresh = false;
    if (!midle_.empty()) {
        m = midle_.back();
        midle_.pop_back();
    } else {
        allm_.push_back(std::make_unique<M>());
        m = allm_.back().get();
        m->rt = this;
        fresh = true;
    }
    m->p = p;
    m->start_spinning = spinning;
    if (fresh)
        m->thread = std::thread([this, m] { mstart(*m); });
    m_lock_.unlock();
    if (!fresh) m->note.wakeup();
}

// Park an M that has no P until startm gives it one (true) or the run ends (false).
template <policies::Bundle Policy>
bool Runtime<Policy>::stopm(M& m) {
    m_lock_.lock();
    if (terminating_.load(std::memory_order_acquire)) {
        m_lock_.unlock();
        return false;
    }
    midle_.push_back(&m);
    m_lock_.unlock();
    m.note.sleep();
    m.note.clear();
    return m.p != nullptr;
}

template <policies::Bundle Policy>
typename Runtime<Policy>::P* Runtime<Policy>::pidleget_mless_locked() {
    for (auto it = pidle_.begin(); it != pidle_.end(); ++it) {
        P* p = *it;
        if (p->has_m) continue;
        pidle_.erase(it);
        p->idle = false;
        npidle_.fetch_sub(1, std::memory_order_seq_cst);
        return p;
    }
    return nullptr;
}

// How long sysmon has seen p's schedtick unchanged: the P has run one G (or a chain of Gs
// that inherited its slice) all that time, or that G has been in back-to-back blocking calls.
template <policies::Bundle Policy>
std::uint64_t Runtime<Policy>::slice_age(P& p, std::uint64_t now) {
    const std::uint64_t tick = p.schedtick.load(std::memory_order_relaxed);
    if (tick != p.sysmon_schedtick || p.sysmon_schedwhen == 0) {
        p.sysmon_schedtick = tick;
        p.sysmon_schedwhen = now;
        return 0;
    }
    return now - p.sysmon_schedwhen;
}

// Go's preemption rule: ask a P whose slice has lasted preempt_ns to yield, when other Gs
// wait for the P or the global queue, or a timer of the P is due (with nobody waiting the
// yield would change nothing).
template <policies::Bundle Policy>
void Runtime<Policy>::mark_long_slice(P& p, std::uint64_t now) {
    if (slice_age(p, now) < Sysmon::preempt_ns || p.preempt.load(std::memory_order_relaxed)) return;
    const std::uint64_t timer = p.timers.first();
    if (p.runq.empty() && global_size_.load(std::memory_order_relaxed) == 0 && (timer == 0 || timer > now)) return;
    p.preempt.store(true, std::memory_order_relaxed);
    count(p.counters.preempt_requests);  // sysmon's field, read by finish_run under sysmon_mu_
}

template <policies::Bundle Policy>
void Runtime<Policy>::ensure_sysmon() {
    if (sysmon_started_.load(std::memory_order_acquire)) return;
    std::lock_guard<std::mutex> lock(sysmon_mu_);
    sysmon_started_.store(true, std::memory_order_release);
    if (sysmon_.joinable()) return;
    sysmon_ = std::thread([this] { sysmon_loop(); });
}

// Go's sysmon rhythm: sleep 20 us; after 50 rounds that retook nothing, double the sleep up
// to 10 ms; back to 20 us as soon as a round retakes a P.
template <policies::Bundle Policy>
void Runtime<Policy>::sysmon_loop() {
    std::uint64_t delay_ns = Sysmon::min_delay_ns;
    std::uint32_t idle = 0;
    std::unique_lock<std::mutex> lock(sysmon_mu_);
    const std::uint64_t trace_ns = opts_.schedtrace_ms * 1'000'000;
    while (!sysmon_stop_) {
        std::uint64_t wait_ns = delay_ns;
        if (trace_ns && run_active_) {
            const std::uint64_t now = detail::now_ns();
            wait_ns = std::min(wait_ns, trace_next_ns_ > now ? trace_next_ns_ - now : 0);
        }
        sysmon_cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns));
        if (sysmon_stop_) break;
        const std::uint64_t now = detail::now_ns();
        const std::size_t retook = run_active_ ? retake(now) : 0;
        if (run_active_) wake_for_overdue_timers(now);
        if (trace_ns && run_active_ && now >= trace_next_ns_) {
            schedtrace(now);
            while (trace_next_ns_ <= now) trace_next_ns_ += trace_ns;
        }
        if (retook) {
            idle = 0;
            delay_ns = Sysmon::min_delay_ns;
        } else if (++idle > Sysmon::idle_rounds) {
            delay_ns = std::min(delay_ns * 2, Sysmon::max_delay_ns);
        }
    }
}

// Under sysmon_mu_ (allp_ is stable): one line in the spirit of Go's GODEBUG=schedtrace,
//   SCHED 10ms: procs=2 idleprocs=0 threads=3 spinningthreads=0 idlethreads=1 syscallprocs=0 runqueue=4 [2 0]
// time since the run started, Ps, idle Ps, Ms (sysmon not counted), spinning Ms, idle Ms (in
// the idle-M list or parked with an idle P), Ps left in a blocking call, the global queue's
// length and each P's run queue length (its runnext slot included). With scheddetail, a line per P:
//   P0: status=running schedtick=812 syscalltick=0 runqsize=2 preempt=0
// The counts are read while the Ms run, so they are a snapshot only up to a few updates.
template <policies::Bundle Policy>
void Runtime<Policy>::schedtrace(std::uint64_t now) {
    std::size_t threads = 0, idle_ms = 0, mless_idle = 0, syscall_ps = 0;
    m_lock_.lock();
    threads = allm_.size();
    idle_ms = midle_.size();
    m_lock_.unlock();
    std::vector<char> idle(allp_.size(), 0);
    sched_lock_.lock();
    for (std::size_t i = 0; i < allp_.size(); ++i) {
        idle[i] = allp_[i]->idle;
        if (allp_[i]->idle && !allp_[i]->has_m) ++mless_idle;
    }
    const std::size_t nidle = pidle_.size();
    sched_lock_.unlock();
    idle_ms += nidle - mless_idle;
    // Another M moves head and tail meanwhile: a read of them can come out negative.
    auto qlen = [](const P& p) {
        const std::uint32_t n = p.runq.size();
        return static_cast<std::int32_t>(n) < 0 ? 0u : n;
    };
    std::string line;
    char buf[160];
    std::string queues;
    for (std::size_t i = 0; i < allp_.size(); ++i) {
        if (allp_[i]->status.load(std::memory_order_relaxed) == kPSyscall) ++syscall_ps;
        std::snprintf(buf, sizeof buf, "%s%u", i ? " " : "", qlen(*allp_[i]));
        queues += buf;
    }
    std::snprintf(buf, sizeof buf,
                  "SCHED %llums: procs=%d idleprocs=%zu threads=%zu spinningthreads=%u idlethreads=%zu "
                  "syscallprocs=%zu runqueue=%u [",
                  static_cast<unsigned long long>((now - trace_start_ns_) / 1'000'000), procs_, nidle, threads,
                  nmspinning_.load(std::memory_order_relaxed), idle_ms, syscall_ps,
                  global_size_.load(std::memory_order_relaxed));
    line = buf + queues + "]\n";
    if (opts_.scheddetail) {
        for (std::size_t i = 0; i < allp_.size(); ++i) {
            const P& p = *allp_[i];
            const bool in_call = p.status.load(std::memory_order_relaxed) == kPSyscall;
            std::snprintf(buf, sizeof buf, "  P%zu: status=%s schedtick=%llu syscalltick=%u runqsize=%u preempt=%d\n", i,
                          in_call ? "syscall" : idle[i] ? "idle" : "running",
                          static_cast<unsigned long long>(p.schedtick.load(std::memory_order_relaxed)),
                          p.syscalltick.load(std::memory_order_relaxed), qlen(p),
                          p.preempt.load(std::memory_order_relaxed) ? 1 : 0);
            line += buf;
        }
    }
    std::fputs(line.c_str(), stderr);
}

// Under sysmon_mu_ (allp_ is stable): retake the Ps that have sat in Syscall long enough.
template <policies::Bundle Policy>
std::size_t Runtime<Policy>::retake(std::uint64_t now) {
    std::size_t n = 0;
    for (auto& pp : allp_) {
        P& p = *pp;
        if (p.status.load(std::memory_order_acquire) != kPSyscall) {
            if constexpr (Sysmon::preempt_ns > 0) mark_long_slice(p, now);
            continue;
        }
        // Go's rule: a call seen in two rounds in a row (the same syscalltick) has lasted at
        // least one sysmon tick (>= 20 us); the first sighting only records it. A G whose
        // back-to-back short calls show a new syscalltick every round is caught by its slice
        // instead: no G switch on the P for 10 ms (Go's sysretake).
        const bool sysretake = slice_age(p, now) >= kSyscallRetakeAnywayNs;
        const std::uint32_t tick = p.syscalltick.load(std::memory_order_relaxed);
        if (!sysretake && (tick != p.sysmon_tick || p.sysmon_when == 0)) {
            p.sysmon_tick = tick;
            p.sysmon_when = now;
            continue;
        }
        // Go leaves a P with nothing queued alone while others are idle or spinning (they
        // take new work), unless the call has lasted 10 ms.
        if (p.runq.empty() &&
            nmspinning_.load(std::memory_order_relaxed) + npidle_.load(std::memory_order_relaxed) > 0 &&
            now < p.sysmon_when + kSyscallRetakeAnywayNs)
            continue;
        p.sysmon_when = 0;
        if (try_retake(p, true)) ++n;
    }
    return n;
}

}  // namespace schedlab::rt
