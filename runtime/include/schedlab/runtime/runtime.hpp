// Runtime<Policy>: the G/M/P scheduler, templated on one policy bundle.
//
// Gs are goroutines (runtime/g.hpp), Ps are scheduling contexts with a local run queue
// (local_queue.hpp), Ms are OS threads. Each P starts the run with its own M; a G that makes a
// blocking call through blocking() leaves its P in the Syscall state, and sysmon (a monitor
// thread, impl/syscall.hpp) hands a P whose call lasts to another M (an idle one or a new
// thread), as Go's entersyscall / retake / handoffp / exitsyscall do. An idle P either has its
// M parked on the P's note or, after such a hand-off found no work, no M at all.
//
// Every G switch goes through the M's own stack (g0, as in Go): a G that parks, yields or
// exits jumps to g0 with an action, and g0 finishes the action after the G's context is saved.
// That ordering is what lets a parking G hold a channel's lock until it is safely switched
// out: the unlock is the action.
//
// The member functions that are not templates are defined in runtime_impl.hpp and compiled
// once per bundle (runtime/src/runtime_<bundle>.cpp), so user code includes only this header.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "schedlab/policies/concepts.hpp"
#include "schedlab/policies/sysmon.hpp"
#include "schedlab/runtime/constants.hpp"
#include "schedlab/runtime/context.hpp"
#include "schedlab/runtime/counters.hpp"
#include "schedlab/runtime/detail.hpp"
#include "schedlab/runtime/free_cache.hpp"
#include "schedlab/runtime/g.hpp"
#include "schedlab/runtime/group.hpp"
#include "schedlab/runtime/local_queue.hpp"
#include "schedlab/runtime/memory.hpp"
#include "schedlab/runtime/note.hpp"
#include "schedlab/runtime/options.hpp"
#include "schedlab/runtime/spinlock.hpp"
#include "schedlab/runtime/stack_pool.hpp"
#include "schedlab/runtime/timer.hpp"
#include "schedlab/runtime/topology.hpp"

namespace schedlab::rt {

template <class T, class R>
class Chan;
template <class R>
class WaitGroup;
template <class R>
class Mutex;
template <class R, class... Cases>
int select(Cases... cases);

template <policies::Bundle Policy>
class Runtime {
public:
    using policy_type = Policy;
    // sysmon's rhythm and preemption threshold (policies/sysmon.hpp; Go's unless the bundle
    // names its own).
    using Sysmon = policies::sysmon_t<Policy>;
    template <class T>
    using Chan = rt::Chan<T, Runtime>;
    using WaitGroup = rt::WaitGroup<Runtime>;
    using Mutex = rt::Mutex<Runtime>;
    using Group = rt::JoinGroup<Runtime>;

    explicit Runtime(Options opts = {});
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    // Run main as the first G on options().procs Ps and return its result when it returns.
    // Gs still blocked or queued at that moment are abandoned, as Go abandons goroutines when
    // main returns (their stacks go back to the pool; their frames are not unwound). An
    // exception thrown by main is rethrown here; one escaping any other G ends the process
    // with its message (exit status 2). A run that takes the process past its memory bound
    // (Options::max_memory, memory.hpp) is ended the same way before main returns, and throws
    // MemoryLimitError; the Runtime can run again.
    template <class F>
    auto run(F&& main);

    // The same on a fresh Runtime with `procs` Ps (the task-runtime concept's R::run).
    template <class F>
    static auto run(int procs, F&& main) {
        Options o;
        o.procs = procs;
        Runtime r(o);
        return r.run(std::forward<F>(main));
    }

    // The counters of the last run, summed over Ps.
    const Stats& stats() const { return stats_; }
    const Options& options() const { return opts_; }
    // Where the Ps run: topology seen by the victim order, pinning, remote-steal cost.
    const Placement& placement() const { return placement_; }
    const StackPool& stack_pool() const { return stacks_; }

    // ---- For code running inside a G ----------------------------------------------------
    // Start f in a new G (Go's `go f()`); it goes to runnext when the policy has runnext on.
    template <class F>
    static void go(F&& f) {
        go_in(nullptr, std::forward<F>(f));
    }
    // The same for a child of a fork-join Group (group.hpp): the G remembers its group, so
    // that an InlineJoin wait can recognise its own queued children.
    template <class F>
    static void go_in(const void* group, F&& f) {
        M& m = this_m("go");
        G* g = m.rt->new_g(*m.p);
        g->group = group;
        g->set_closure(std::forward<F>(f));
        m.rt->spawn(m, g);
        if (m.rt->budget_.tripped()) stop_over_budget();
        if (m.p->preempt.load(std::memory_order_relaxed)) [[unlikely]]
            preempted(m);
    }
    // InlineJoin (group.hpp): run the group's children still queued on this P, newest first,
    // on the calling G's stack, until all have run or none is left to take.
    static void run_queued_children(Group* group);
    // The run has passed its memory bound (memory.hpp): end it, and park the calling G for
    // good (a spawning G that never blocks would otherwise keep growing).
    static void stop_over_budget();
    // Put the running G on the global queue and run something else (Go's Gosched).
    static void yield();
    // Run f, a call that may block the OS thread (a read, a sleep), as Go runs a system call:
    // on entry the G's P is left in the Syscall state with nobody running it; if the call
    // lasts past one sysmon tick while the P has work (or nobody else is idle), sysmon hands
    // the P to another M, which runs the other Gs. On return the G takes its P back when it
    // is still there, else an idle P without an M, else it goes to the global queue and its
    // M parks. Inside f the G must not use the runtime (go, channels, yield): it has no P.
    // blocking_handoff hands the P off at once (Go's entersyscallblock), for calls known to
    // block for long.
    template <class F>
    static auto blocking(F&& f) {
        return blocking_call(false, std::forward<F>(f));
    }
    template <class F>
    static auto blocking_handoff(F&& f) {
        return blocking_call(true, std::forward<F>(f));
    }
    // A preemption point: if sysmon asked the running G to yield (it has run longer than
    // Sysmon::preempt_ns, Go's 10 ms, while other Gs waited), yield to the global queue; else
    // return at once (a thread-local load and a flag). go(), channel operations and yield()
    // are preemption points too; a loop that makes none of them never yields (cooperative
    // preemption: Go 1.14+ would also interrupt it with a signal).
    static void preempt_point() {
        auto* m = static_cast<M*>(detail::current_m());
        if (m && m->curg && m->p && m->p->preempt.load(std::memory_order_relaxed)) [[unlikely]]
            preempted(*m);
    }
    // Timers (impl/timers.hpp). Park the running G until d has passed (Go's time.Sleep; a d
    // of zero or less returns at once): its timer goes in its P's heap, and whichever M
    // schedules next once it is due readies the G (into runnext where the policy has it). An
    // M with nothing to run parks only until the earliest timer.
    static void sleep_for(std::chrono::nanoseconds d);
    static void sleep_until(std::chrono::steady_clock::time_point t);
    // A channel (capacity 1) that receives the time once d has passed (Go's time.After), for
    // a timeout in a select. Nothing is sent if the run ends first.
    using TimePoint = std::chrono::steady_clock::time_point;
    static std::shared_ptr<Chan<TimePoint>> after(std::chrono::nanoseconds d);

    // Go's select over channel cases (select.hpp): returns the index of the case that ran.
    template <class... Cases>
    static int select(Cases... cases) {
        return rt::select<Runtime>(cases...);
    }
    // Number of Ps of the runtime running the calling G.
    static int procs() { return this_m("procs").rt->procs_; }
    // Id of the running G (ids are unique within a run).
    static std::uint64_t current_id() { return this_m("current_id").curg->id; }

    // ---- For the synchronisation primitives (chan.hpp, sync.hpp) ------------------------
    static G* current_g() { return this_m("a blocking operation").curg; }
    // Park the running G; unlock(arg) runs on g0 once the G's context is saved, so whoever
    // will ready the G may hold the lock that unlock releases until the G is switched out.
    static void park(WaitReason why, void (*unlock)(void*), void* arg);
    // Make a parked G runnable on the current P (runnext when the policy allows) and wake an
    // idle P if nobody is spinning.
    static void ready(G* g);
    // A per-P pseudo-random number (select's choice among ready cases).
    static std::uint32_t fastrand();

    // ---- Inside the runtime ---------------------------------------------------------------
    struct M;

    struct alignas(64) P {
        LocalRunQueue runq;
        std::uint32_t id = 0;
        // Gs started on this P that did not inherit a slice; written by its owner only (a load
        // and a store, no read-modify-write), read by sysmon.
        std::atomic<std::uint64_t> schedtick{0};
        // Set by sysmon when the current slice has lasted Sysmon::preempt_ns while other Gs
        // waited; cleared when the G yields at a preemption point or a new slice starts.
        std::atomic<bool> preempt{false};
        std::uint64_t sysmon_schedtick = 0, sysmon_schedwhen = 0;  // sysmon's own record
        std::uint32_t inherited = 0;   // switches in the current slice that inherited it
        std::uint64_t slice_start = 0; // when the slice was first looked at (0: not yet)
        typename Policy::victim::State victim{};
        // Blocking calls (impl/syscall.hpp): Running, or Syscall while the G that ran here is
        // in a blocking call and nobody has retaken the P; a count of calls entered (Go's
        // syscalltick), and sysmon's own record of the count it last saw and when.
        std::atomic<std::uint8_t> status{kPRunning};
        std::atomic<std::uint32_t> syscalltick{0};
        std::uint32_t sysmon_tick = 0;
        std::uint64_t sysmon_when = 0;
        // Under sched_lock_: whether an M owns this P (false only for an idle P handed off
        // without work: whoever takes it from the idle list must bring an M).
        bool has_m = true;
        std::uint64_t rng = 0;
        StackCache stack_cache;
        FreeCache<G, kPerPCacheMax> gfree;
        std::uint64_t gid_seq = 0;
        // Idle bookkeeping, under sched_lock_: whether this P is on the idle list, and
        // whether the M that woke it handed it the spinning token.
        bool idle = false;
        bool wake_spinning = false;
        Note note;
        // Timers set by Gs running here (impl/timers.hpp); any M may run the due ones.
        TimerHeap timers;
        Counters counters;
    };

    static constexpr std::uint8_t kPRunning = 0, kPSyscall = 1;

    // SyscallExit: a G back from a blocking call found no P: it goes to the global queue.
    enum class Action : std::uint8_t { None, Park, Yield, Exit, SyscallExit };

    // Aligned: an M's fields are written on every switch, and two Ms allocated side by side
    // shared a cache line (the 2-P runs of fib paid for it).
    struct alignas(64) M {
        Runtime* rt = nullptr;
        P* p = nullptr;
        G* curg = nullptr;
        fcontext_t g0ctx = nullptr;
        [[no_unique_address]] FiberSan g0san;
        bool spinning = false;
        // What the G that is switching out asks for, done by land() after the jump.
        G* prev = nullptr;
        Action action = Action::None;
        void (*unlockf)(void*) = nullptr;
        void* unlock_arg = nullptr;
        // The P left in the Syscall state while this M's G is in a blocking call.
        P* oldp = nullptr;
        // An M without a P (its G's P was retaken) parks here until startm gives it one.
        Note note;
        bool start_spinning = false;  // handed the spinning token with its P
        std::thread thread;
    };

private:
    static M& this_m(const char* what) {
        auto* m = static_cast<M*>(detail::current_m());
        if (!m || !m->curg || !m->p) [[unlikely]]
            detail::fatal(m && m->curg ? "%s called inside a blocking call (the G has no P)"
                                       : "%s called outside a schedlab G",
                          what);
        return *m;
    }

    // Run lifecycle (impl/lifecycle.hpp): set up Ps and Ms, then launch runs main_g on them
    // (this thread is M0) and returns when every M has stopped.
    void start_run();
    void launch(G* main_g);
    void finish_run();
    void mstart(M& m);
    void terminate();

    // The owner takes Gs from its ring's tail (LIFO order, or a join that runs its own
    // children), so thieves must claim one G per CAS (local_queue.hpp).
    static constexpr bool kOwnerPopsTail =
        Policy::local_order::lifo || Policy::join::run_children_inline;

    // The scheduler (impl/idle.hpp).
    void schedule_loop(M& m);
    G* find_runnable(M& m, bool& inherit);
    G* steal_work(M& m);
    bool become_spinning(M& m);
    void execute(M& m, G* g, bool inherit);
    void reset_spinning(M& m);
    // without_p: called by an M that holds no P (one back from a blocking call), so even on
    // one P the P may be idle.
    void wakep(bool fenced = false, bool without_p = false);
    [[noreturn]] void check_dead_locked_and_report();
    void prepare_run(M& m, G* g, bool inherit);
    G* next_local(M& m);
    void land(M& m, fcontext_t from);
    static void g_entry(transfer_t t);
    static void switch_out(G* g, Action a);

    // Blocking calls, idle Ms and sysmon (impl/syscall.hpp).
    // An exception from f is caught and rethrown after the exit: the G may resume on another
    // thread there, and an exception must not be in flight across that switch.
    template <class F>
    static auto blocking_call(bool handoff, F&& f) {
        using Result = std::decay_t<std::invoke_result_t<F&>>;
        std::exception_ptr error;
        enter_blocking(handoff);
        if constexpr (std::is_void_v<Result>) {
            try {
                f();
            } catch (...) {
                error = std::current_exception();
            }
            exit_blocking();
            if (error) std::rethrow_exception(error);
        } else {
            std::optional<Result> result;
            try {
                result.emplace(f());
            } catch (...) {
                error = std::current_exception();
            }
            exit_blocking();
            if (error) std::rethrow_exception(error);
            return std::move(*result);
        }
    }
    static void enter_blocking(bool handoff);
    static void exit_blocking();
    bool try_retake(P& p, bool by_sysmon);
    void handoffp(P& p);
    void startm(P* p, bool spinning);
    bool stopm(M& m);
    void ensure_sysmon();
    static void preempted(M& m);
    void sysmon_loop();
    std::size_t retake(std::uint64_t now);
    std::uint64_t slice_age(P& p, std::uint64_t now);
    void mark_long_slice(P& p, std::uint64_t now);
    void schedtrace(std::uint64_t now);
    P* pidleget_mless_locked();

    // Timers (impl/timers.hpp).
    static void sleep_until_ns(std::uint64_t when);
    static void add_timer_fn(void* timer);
    void add_timer(P& p, Timer* t);
    std::size_t run_timers(P& mine, P& of, std::uint64_t now);
    std::size_t run_due_timers_anywhere(P& mine, std::uint64_t now);
    bool own_timers_due(P& p);
    std::uint64_t earliest_timer();
    void wake_for_overdue_timers(std::uint64_t now);
    void drop_timers();

    // Queues (impl/queues.hpp).
    void runqput(P& p, G* g, bool next);
    void runqput_tail(P& p, G* g);
    G* runqget(P& p, bool& inherit);
    bool slice_expired(P& p);
    void globrunqput_locked(G* g);
    void globrunqputbatch_locked(GList& batch);
    G* globrunqget_locked(P& p, std::uint32_t max);
    void pidleput_locked(P& p);
    P* pidleget_locked();

    // Gs (impl/lifecycle.hpp).
    G* new_g(P& p);
    G* take_own_child(P& p, const void* group);
    template <class Grp>
    static void run_queued_children_inline(Grp* group);
    void spawn(M& m, G* g);
    void gfput(P& p, G* g);

    Options opts_;
    Placement placement_;
    StackPool stacks_;
    MemoryBudget budget_;  // stacks_ and new_g ask it before growing (memory.hpp)
    Stats stats_{};

    // Per-run state.
    int procs_ = 0;
    std::vector<std::unique_ptr<P>> allp_;
    std::vector<std::unique_ptr<M>> allm_;

    // Hot shared words live on cache lines of their own: every P reads terminating_ and
    // global_size_ on each schedule, so a write to a neighbour (a lock word) must not
    // invalidate them.
    // sched_lock_ guards the global queue, the idle-P list and termination.
    alignas(64) SpinLock sched_lock_;
    GList global_q_;
    std::vector<P*> pidle_;
    alignas(64) std::atomic<std::uint32_t> global_size_{0};  // peeked without the lock
    alignas(64) std::atomic<bool> terminating_{false};
    alignas(64) std::atomic<std::uint32_t> npidle_{0};
    std::atomic<std::uint32_t> nmspinning_{0};
    // Timers pending in every P's heap (a run with some is not deadlocked), and the one P
    // whose M parks with a timeout (until poll_until_, the earliest timer it saw; 0 while it
    // is still looking): a new earlier timer wakes it (Go's wakeNetPoller).
    alignas(64) std::atomic<std::uint64_t> ntimers_{0};
    std::atomic<P*> timer_waiter_{nullptr};
    std::atomic<std::uint64_t> poll_until_{0};

    // Ms beyond the first procs_ (made by startm) and the idle ones; under m_lock_.
    alignas(64) SpinLock m_lock_;
    std::vector<M*> midle_;
    // Gs in blocking calls whose P was retaken and that have no P yet back (a P still in the
    // Syscall state is not idle, so the deadlock check needs only these).
    std::atomic<std::uint32_t> nsyscall_{0};
    std::atomic<bool> sysmon_started_{false};
    // sysmon: one thread per Runtime, started by the first blocking call and stopped by the
    // destructor; sysmon_mu_ also guards allp_ against start_run and finish_run.
    std::mutex sysmon_mu_;
    std::condition_variable sysmon_cv_;
    std::thread sysmon_;
    bool sysmon_stop_ = false;
    bool run_active_ = false;  // under sysmon_mu_
    std::uint64_t trace_start_ns_ = 0, trace_next_ns_ = 0;  // --schedtrace, under sysmon_mu_

    // Every G ever allocated (slabs), and the runtime-wide free list; under g_lock_.
    alignas(64) SpinLock g_lock_;
    std::vector<std::unique_ptr<G[]>> gslabs_;
    std::vector<G*> gfree_;
};

template <policies::Bundle Policy>
template <class F>
auto Runtime<Policy>::run(F&& main) {
    using Result = std::invoke_result_t<F&>;
    using Slot = std::conditional_t<std::is_void_v<Result>, char, Result>;
    std::exception_ptr error;
    std::optional<Slot> result;
    bool returned = false;
    auto body = [&main, &error, &result, &returned] {
        try {
            if constexpr (std::is_void_v<Result>)
                main();
            else
                result.emplace(main());
        } catch (...) {
            error = std::current_exception();
        }
        returned = true;
    };
    start_run();
    G* g = new_g(*allp_[0]);
    g->is_main = true;
    g->set_closure(body);
    launch(g);
    if (!returned && budget_.tripped()) throw MemoryLimitError(budget_.reason());
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<Result>) return std::move(*result);
}

}  // namespace schedlab::rt
