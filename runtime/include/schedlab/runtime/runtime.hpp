// Runtime<Policy>: the G/M/P scheduler, templated on one policy bundle.
//
// Gs are goroutines (runtime/g.hpp), Ps are scheduling contexts with a local run queue
// (local_queue.hpp), Ms are OS threads. schedlab binds each M to one P for the whole run: a G
// never makes a blocking system call through the runtime, so Go's hand-off of a P from a
// blocked M to a fresh one has nothing to do here, and "P idle" is the same as "its M parked".
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
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "schedlab/policies/concepts.hpp"
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
    }
    // InlineJoin (group.hpp): run the group's children still queued on this P, newest first,
    // on the calling G's stack, until all have run or none is left to take.
    static void run_queued_children(Group* group);
    // The run has passed its memory bound (memory.hpp): end it, and park the calling G for
    // good (a spawning G that never blocks would otherwise keep growing).
    static void stop_over_budget();
    // Put the running G on the global queue and run something else (Go's Gosched).
    static void yield();
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
        std::uint64_t schedtick = 0;  // Gs started on this P that did not inherit a slice
        std::uint32_t inherited = 0;   // switches in the current slice that inherited it
        std::uint64_t slice_start = 0; // when the slice was first looked at (0: not yet)
        typename Policy::victim::State victim{};
        std::uint64_t rng = 0;
        StackCache stack_cache;
        FreeCache<G, kPerPCacheMax> gfree;
        std::uint64_t gid_seq = 0;
        // Idle bookkeeping, under sched_lock_: whether this P is on the idle list, and
        // whether the M that woke it handed it the spinning token.
        bool idle = false;
        bool wake_spinning = false;
        Note note;
        Counters counters;
    };

    enum class Action : std::uint8_t { None, Park, Yield, Exit };

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
        std::thread thread;
    };

private:
    static M& this_m(const char* what) {
        auto* m = static_cast<M*>(detail::current_m());
        if (!m || !m->curg) [[unlikely]]
            detail::fatal("%s called outside a schedlab G", what);
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
    void wakep(bool fenced = false);
    [[noreturn]] void check_dead_locked_and_report();
    void prepare_run(M& m, G* g, bool inherit);
    G* next_local(M& m);
    void land(M& m, fcontext_t from);
    static void g_entry(transfer_t t);
    static void switch_out(G* g, Action a);

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
