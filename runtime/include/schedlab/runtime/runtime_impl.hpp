// The scheduler's machinery: included only by the translation unit that instantiates a
// bundle (runtime/src/runtime_<bundle>.cpp), never by user code.
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

// Run a G's function; an exception escaping it ends the process with its message (as a panic
// ends a Go program), whether the G runs on its own stack or inline in a join.
inline void invoke_or_die(G* g) {
    try {
        g->invoke_fn(g);
    } catch (const std::exception& e) {
        detail::report_g_exception(g->id, e.what());
    } catch (...) {
        detail::report_g_exception(g->id, "(not a std::exception)");
    }
}

template <policies::Bundle Policy>
Runtime<Policy>::Runtime(Options opts) : opts_(opts), stacks_(opts.stack_size) {
    if (opts_.procs < 1 || opts_.procs > kMaxProcs)
        detail::fatal("procs must be between 1 and %d, got %d", kMaxProcs, opts_.procs);
    detail::init_asymmetric_fences();
    placement_ = make_placement(opts_.procs, opts_.topology, opts_.pin, opts_.remote_steal_ns,
                                detail::machine_topology());
    detail::install_overflow_handler();
    detail::register_stack_pool(&stacks_);
}

template <policies::Bundle Policy>
Runtime<Policy>::~Runtime() {
    detail::unregister_stack_pool(&stacks_);
    for (auto& slab : gslabs_)
        for (std::size_t i = 0; i < kGsPerSlab; ++i) slab[i].destroy_closure();
}

// ---- Run lifecycle -----------------------------------------------------------------------

template <policies::Bundle Policy>
void Runtime<Policy>::start_run() {
    if (detail::current_m())
        detail::fatal("Runtime::run called from inside a running schedlab runtime");
    procs_ = opts_.procs;
    stats_ = Stats{};
    terminating_.store(false);
    npidle_.store(0);
    nmspinning_.store(0);
    global_q_ = GList{};
    global_size_.store(0);
    pidle_.clear();
    pidle_.reserve(static_cast<std::size_t>(procs_));
    allp_.clear();
    allm_.clear();
    for (int i = 0; i < procs_; ++i) {
        auto p = std::make_unique<P>();
        p->id = static_cast<std::uint32_t>(i);
        p->runq.set_shared(procs_ > 1);
        Policy::victim::init(p->victim, p->id, placement_.topology, opts_.seed);
        p->rng = (opts_.seed + 0x9e3779b97f4a7c15ull * (i + 1)) | 1;
        auto m = std::make_unique<M>();
        m->rt = this;
        m->p = p.get();
        allp_.push_back(std::move(p));
        allm_.push_back(std::move(m));
    }
}

template <policies::Bundle Policy>
void Runtime<Policy>::launch(G* main_g) {
    P& p0 = *allp_[0];
    ++p0.counters.spawns;
    main_g->m = allm_[0].get();
    main_g->state.store(GState::Runnable, std::memory_order_relaxed);
    runqput(p0, main_g, false);
    // This thread becomes M0: pinning it for the run must not outlive the run.
    std::optional<detail::SavedAffinity> caller_affinity;
    if (!placement_.cpu_of.empty()) caller_affinity.emplace();
    for (int i = 1; i < procs_; ++i) {
        M* m = allm_[static_cast<std::size_t>(i)].get();
        m->thread = std::thread([this, m] { mstart(*m); });
    }
    mstart(*allm_[0]);
    for (int i = 1; i < procs_; ++i) allm_[static_cast<std::size_t>(i)]->thread.join();
    finish_run();
}

template <policies::Bundle Policy>
void Runtime<Policy>::mstart(M& m) {
    detail::AltSignalStack altstack;
#if defined(SCHEDLAB_ASAN_FIBERS) || defined(SCHEDLAB_TSAN_FIBERS)
    const void* bottom = nullptr;
    std::size_t size = 0;
    detail::thread_stack_bounds(&bottom, &size);
    void* fiber = nullptr;
#ifdef SCHEDLAB_TSAN_FIBERS
    fiber = __tsan_get_current_fiber();
#endif
    san_set_stack(m.g0san, bottom, size, fiber);
#endif
    if (!placement_.cpu_of.empty()) detail::pin_this_thread(placement_.cpu_of[m.p->id]);
    detail::set_current_m(&m);
    schedule_loop(m);
    detail::set_current_m(nullptr);
}

template <policies::Bundle Policy>
void Runtime<Policy>::finish_run() {
    // Every M has stopped. Abandoned Gs (queued or parked when main returned) give back their
    // stacks and functions; all Gs return to the runtime-wide free list for the next run.
    for (auto& p : allp_) {
        stats_ += p->counters;
        stacks_.drain(p->stack_cache);
    }
    // Rebuild the free list in address order: the next run's spawns then walk G memory
    // sequentially (prefetch-friendly) instead of in the scrambled order of the last run's
    // exits, which costs a cache miss per G once a run has had many Gs alive (measured: a
    // 10^6-G spawn storm slows from ~90 to ~160 ns/G over 8 runs without this).
    std::vector<Stack*> abandoned;
    gfree_.clear();
    for (auto it = gslabs_.rbegin(); it != gslabs_.rend(); ++it)
        for (std::size_t i = kGsPerSlab; i-- > 0;) {
            G* g = &(*it)[i];
            if (g->state.load(std::memory_order_relaxed) != GState::Free) {
                g->destroy_closure();
                if (g->stack) abandoned.push_back(g->stack);
                g->stack = nullptr;
                g->ctx = nullptr;
                g->is_main = false;
                g->state.store(GState::Free, std::memory_order_relaxed);
                g->wait_reason.store(WaitReason::None, std::memory_order_relaxed);
            }
            gfree_.push_back(g);
        }
    stacks_.give_back(abandoned);
    allp_.clear();
    allm_.clear();
    pidle_.clear();
    global_q_ = GList{};
    global_size_.store(0);
}

template <policies::Bundle Policy>
void Runtime<Policy>::terminate() {
    sched_lock_.lock();
    terminating_.store(true);
    for (P* p : pidle_) p->note.wakeup();
    sched_lock_.unlock();
}

// ---- Gs ------------------------------------------------------------------------------------

template <policies::Bundle Policy>
G* Runtime<Policy>::new_g(P& p) {
    if (p.gfree.empty()) {
        g_lock_.lock();
        if (gfree_.empty()) {
            gslabs_.push_back(std::make_unique<G[]>(kGsPerSlab));
            G* slab = gslabs_.back().get();
            for (std::size_t i = kGsPerSlab; i-- > 0;) gfree_.push_back(&slab[i]);
        }
        // gfree_ is kept in descending address order, so this batch pops in ascending order.
        const std::size_t n = std::min(kCacheBatch, gfree_.size());
        for (std::size_t i = gfree_.size() - n; i < gfree_.size(); ++i) p.gfree.push(gfree_[i]);
        gfree_.resize(gfree_.size() - n);
        g_lock_.unlock();
    }
    G* g = p.gfree.pop();
    g->id = ++p.gid_seq * static_cast<std::uint64_t>(procs_) + p.id;
    return g;
}

template <policies::Bundle Policy>
void Runtime<Policy>::gfput(P& p, G* g) {
    g->state.store(GState::Free, std::memory_order_relaxed);
    if (p.gfree.full()) {
        g_lock_.lock();
        p.gfree.take_oldest(p.gfree.count / 2, [this](G* x) { gfree_.push_back(x); });
        g_lock_.unlock();
    }
    p.gfree.push(g);  // LIFO: the next spawn reuses the G that is still in cache
}

template <policies::Bundle Policy>
void Runtime<Policy>::spawn(M& m, G* g) {
    P& p = *m.p;
    ++p.counters.spawns;
    g->m = &m;  // its creator, until it runs (prepare_run counts a start elsewhere as a migration)
    g->state.store(GState::Runnable, std::memory_order_relaxed);
    runqput(p, g, Policy::runnext::enabled);
    wakep(Policy::runnext::enabled);
}

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

// ---- Parking and waking Ms ------------------------------------------------------------------

template <policies::Bundle Policy>
void Runtime<Policy>::wakep(bool fenced) {
    if (procs_ == 1) return;
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
    if (p) p->wake_spinning = true;
    sched_lock_.unlock();
    if (!p) {
        nmspinning_.fetch_sub(1, std::memory_order_seq_cst);
        return;
    }
    p->note.wakeup();
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

    // Fairness: now and then the global queue goes first, so its Gs cannot starve behind a
    // local producer.
    if (Policy::global_check::check_global_first(p.schedtick) &&
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
        bool global = false;
        do {
            if ((g = steal_work(m))) break;
            if ((global = global_size_.load(std::memory_order_relaxed) > 0)) break;
            if (terminating_.load(std::memory_order_acquire)) break;
            for (int i = 0; i < 32; ++i) cpu_relax();
        } while ((now = detail::now_ns()) < deadline);
        if (g || global || now < deadline) now = detail::now_ns();
        count(p.counters.spin_ns, now - start);
        if (g) return g;
        if (global) goto top;
        if (terminating_.load(std::memory_order_acquire)) return nullptr;
    }

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
    if (npidle_.load(std::memory_order_relaxed) == procs) check_dead_locked_and_report();
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

    count(p.counters.parks);
    const std::uint64_t parked_at = detail::now_ns();
    p.note.sleep();
    p.note.clear();
    count(p.counters.wakeups);
    count(p.counters.park_ns, detail::now_ns() - parked_at);
    sched_lock_.lock();
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

// ---- Switching -------------------------------------------------------------------------------

// Make g the running G of m (bookkeeping shared by g0's execute and the direct switch).
template <policies::Bundle Policy>
void Runtime<Policy>::prepare_run(M& m, G* g, bool inherit) {
    P& p = *m.p;
    if (!inherit) {
        ++p.schedtick;
        p.inherited = 0;
        p.slice_start = 0;
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
// this tick belongs to the global queue or the run is ending (then g0 decides).
template <policies::Bundle Policy>
G* Runtime<Policy>::next_local(M& m) {
    P& p = *m.p;
    if (terminating_.load(std::memory_order_relaxed)) return nullptr;
    if (Policy::global_check::check_global_first(p.schedtick) &&
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
    P& p = *m.p;
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
        case Action::Exit: {
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
