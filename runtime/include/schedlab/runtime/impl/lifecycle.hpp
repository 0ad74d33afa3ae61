// Part of runtime_impl.hpp (include that, not this): a run's life and a G's.
//
// A run: start_run builds procs_ Ps, each paired with one M for the whole run (M0 is the
// caller's thread); launch queues main on P0, starts the other Ms and joins them; finish_run
// folds every P's counters into stats_ and returns every G (including abandoned ones, queued
// or parked when main returned) to the runtime-wide free list in address order.
// Gs: a G is Free (on a P's gfree cache or the runtime-wide gfree_ under g_lock_), then
// Runnable once spawned, and gets a stack only when it first runs (prepare_run, switch.hpp).
// Only a P's own M touches its caches; a full or empty cache trades half a batch with the
// shared pool under g_lock_.
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
    budget_.set_limit(opts_.max_memory);
    stacks_.set_budget(&budget_);
}

template <policies::Bundle Policy>
Runtime<Policy>::~Runtime() {
    if (sysmon_.joinable()) {
        {
            std::lock_guard<std::mutex> lock(sysmon_mu_);
            sysmon_stop_ = true;
        }
        sysmon_cv_.notify_all();
        sysmon_.join();
    }
    detail::unregister_stack_pool(&stacks_);
    for (auto& slab : gslabs_)
        for (std::size_t i = 0; i < kGsPerSlab; ++i) slab[i].destroy_closure();
}

// ---- Run lifecycle -----------------------------------------------------------------------

template <policies::Bundle Policy>
void Runtime<Policy>::start_run() {
    if (detail::current_m())
        detail::fatal("Runtime::run called from inside a running schedlab runtime");
    // sysmon watches every run of a bundle that preempts (else it starts with the first
    // blocking call).
    if (Sysmon::preempt_ns > 0 || opts_.schedtrace_ms > 0) ensure_sysmon();
    procs_ = opts_.procs;
    stats_ = Stats{};
    budget_.reset();
    stacks_.reset_high_water();
    terminating_.store(false);
    npidle_.store(0);
    nmspinning_.store(0);
    global_q_ = GList{};
    global_size_.store(0);
    pidle_.clear();
    pidle_.reserve(static_cast<std::size_t>(procs_));
    midle_.clear();
    nsyscall_.store(0);
    ntimers_.store(0);
    timer_waiter_.store(nullptr);
    poll_until_.store(0);
    std::lock_guard<std::mutex> sysmon_lock(sysmon_mu_);  // sysmon reads allp_
    run_active_ = true;
    trace_start_ns_ = detail::now_ns();
    trace_next_ns_ = trace_start_ns_ + opts_.schedtrace_ms * 1'000'000;
    if (opts_.schedtrace_ms) sysmon_cv_.notify_all();  // it may be in a 10 ms sleep
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
    // The Ms of the Ps, taken before any starts: once Gs run, startm may grow allm_.
    std::vector<M*> first;
    for (auto& m : allm_) first.push_back(m.get());
    for (int i = 1; i < procs_; ++i) {
        M* m = first[static_cast<std::size_t>(i)];
        m->thread = std::thread([this, m] { mstart(*m); });
    }
    mstart(*first[0]);
    // Every other M, including those startm made during the run (it makes none once the run
    // is terminating, which it is by the time M0 is back here).
    for (std::size_t i = 1;; ++i) {
        m_lock_.lock();
        M* m = i < allm_.size() ? allm_[i].get() : nullptr;
        m_lock_.unlock();
        if (!m) break;
        m->thread.join();
    }
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
    // sysmon stops looking at the Ps first: what it last counted on them is then visible.
    std::lock_guard<std::mutex> sysmon_lock(sysmon_mu_);
    run_active_ = false;
    // Every M has stopped. Abandoned Gs (queued or parked when main returned) give back their
    // stacks and functions; all Gs return to the runtime-wide free list for the next run.
    drop_timers();
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
    m_lock_.lock();
    for (M* m : midle_) m->note.wakeup();  // their p stays null: stopm returns false
    midle_.clear();
    m_lock_.unlock();
}

// ---- Gs ------------------------------------------------------------------------------------

template <policies::Bundle Policy>
void Runtime<Policy>::stop_over_budget() {
    M& m = this_m("spawn");
    if (!m.rt->terminating_.load(std::memory_order_relaxed)) m.rt->terminate();
    park(WaitReason::MemoryLimit, [](void*) {}, nullptr);
    detail::fatal("internal error: a G stopped over the memory bound was resumed");
}

template <policies::Bundle Policy>
G* Runtime<Policy>::new_g(P& p) {
    if (p.gfree.empty()) {
        g_lock_.lock();
        if (gfree_.empty()) {
            budget_.admit(kGsPerSlab * sizeof(G), stacks_.stacks_created());
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

}  // namespace schedlab::rt
