// Part of simulator_impl.hpp (include that, not this): Simulator<Policy>::Impl, the whole state
// of one run, and the list of its steps (each group is defined in the part named above it).
//
// One Impl per run, on one thread. Virtual time moves only through P steps taken from events
// in (time, P) order (event_loop.hpp). A P's fields are written by its own steps, except that
// a thief takes from another P's ring head and runnext (find_runnable.hpp), wakep hands an
// idle P the spinning token and its Wake step (idle.hpp), and park reads every P's queues. A
// G's state is written whole by init_g before anything reads it, and stays 48 bytes. r is
// declared before rec, which refers into it.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "schedlab/sim/impl/structures.hpp"
#include "schedlab/sim/simulator.hpp"

namespace schedlab::sim {

template <policies::Bundle Policy>
struct Simulator<Policy>::Impl {
    using Victim = typename Policy::victim;
    using Steal = typename Policy::steal;
    static constexpr bool kRunnext = Policy::runnext::enabled;
    static constexpr bool kLifo = Policy::local_order::lifo;               // the owner pops the tail
    static constexpr bool kInline = Policy::join::run_children_inline;  // joins run queued children

    enum class Phase : std::uint8_t { Schedule, Run, Boundary, Steal, StealPause, Park, Wake, Parked };

    // A G: where its task is in its body. Written whole when its task is created (init_g), not
    // before: the array is allocated without being touched, so a graph of millions of tasks
    // costs no pass over it, and each G's line is first written when it is about to run.
    struct GState {
        std::uint64_t done;         // work done in the current strand
        std::uint32_t strand;       // current strand (index into graph.strands)
        std::uint32_t next_spawn;   // next spawn of the current strand
        std::uint32_t spawn_end;    // the current strand's end of spawns and its cost, copied
        std::uint32_t waiting;      // joined children not yet complete
        std::uint64_t cost;         // here so that running it reads one cache line, not two
        std::uint16_t last_p;       // the P that created it or last ran it (procs <= kMaxPs)
        // Its stack, from its first start to its end, is known by where it was last touched:
        // the P and that P's TouchLog time (0: not yet, or a new stack). Kept here rather than
        // in a table by stack, as the G is read anyway when it starts.
        std::uint16_t stack_p;
        std::uint32_t stack_at;
        // Its G descriptor (FreeDesc::id): descriptors are recycled, so a thief's CAS on a
        // victim's runnext, which compares descriptors, succeeds when the one it saw is back.
        std::uint32_t desc;
        bool awaited;               // the parent's current join waits for this task
        bool complete;
        // Run by its parent's join as a call on the parent's stack (kInline), not as a G of
        // its own: its stack fields are then its G's (the innermost frame's copy, given back
        // to the parent when it returns) and last_p is where that G runs; desc stays its own
        // (freed when it returns), the G's is its outermost frame's (g_desc).
        bool inlined;
    };
    static_assert(detail::EventTree::kMaxPs - 1 <= 0xffff, "a P id must fit last_p and stack_p");
    static_assert(sizeof(GState) == 48, "a G's state is read on every start: keep it to 48 bytes");

    // A free stack, known by its last touch: the P and that P's TouchLog time (a P's cached
    // stacks were last touched there if a G of that P freed them, elsewhere if they came
    // through the pool).
    struct FreeStack {
        std::uint32_t p;
        std::uint32_t at;
    };

    // A free G descriptor: which one (ids handed out as the runtime makes new ones) and the P
    // that last wrote it.
    struct FreeDesc {
        std::uint32_t id;
        std::uint32_t p;
    };

    struct P {
        std::uint32_t id = 0;
        std::uint32_t head = 0, tail = 0;
        TaskId runnext = kNoTask;
        Phase phase = Phase::Schedule;
        TaskId cur = kNoTask;
        std::uint64_t schedtick = 0;
        detail::TouchLog touches;          // stacks touched here (the reuse distance)
        std::uint64_t inherited = 0;
        std::uint64_t slice_start = 0;
        bool slice_started = false;
        bool spinning = false;
        bool idle = false;
        bool wake_spinning = false;
        bool pause_remote = false;
        std::uint64_t ended_at = 0;  // Boundary: when the strand ended
        std::uint64_t rng = 0;       // the drift of its spinning waits (draw), seeded per P
        std::uint32_t pause_victim = 0;
        std::uint32_t pause_desc = 0;  // the descriptor of the victim's runnext when the pause began
        std::uint64_t spin_deadline = 0;
        std::uint64_t spin_start = 0;  // when the current spin's steal passes began (spin_ns)
        std::uint64_t parked_at = 0;   // when its M parked (park_ns)
        int round = 0;
        std::uint32_t vidx = 0;
        std::vector<std::uint32_t> victims;
        typename Victim::State victim{};
        TaskId ring[detail::kRingSize];
        // Gs made runnable by this P's step, charged there and put into its queue when the
        // step's costs are paid (at its next step): other Ps see them from then on.
        std::vector<TaskId> pending;

        std::uint32_t queued() const { return tail - head; }
    };

    const SimOptions& opts;
    const CostModel& cost;
    const TaskGraph& g;
    policies::Topology topo;
    const std::uint32_t procs;

    std::vector<P> ps;
    detail::HugeArray<GState> gs;
    std::vector<std::uint32_t> preds_left;  // per task: dependency edges not yet satisfied
    std::deque<TaskId> global;
    std::uint64_t lock_free_at = 0;
    // The runtime's free stacks (StackPool) and free G descriptors (gfree, gfree_), each
    // known by the P that last wrote it.
    detail::FreeLists<FreeStack> stacks;
    detail::FreeLists<FreeDesc> descriptors;
    std::uint32_t descriptors_made = 0;
    std::vector<std::uint32_t> pidle;  // idle Ps, most recent last (the runtime's pidle_)
    std::uint32_t npidle = 0;
    std::uint32_t nmspinning = 0;
    SimResult r;  // before rec, which refers into it
    detail::EventTree events;
    std::vector<Trace::Strand>& rec;  // r.trace.strands
    std::uint64_t completed = 0;
    std::uint64_t strand_runs = 0;  // strands started (each must start exactly once)
    const bool tracing;              // record every strand (SimOptions::keep_trace) and validate
    bool finished = false;
    // reuse[b]: the extra cost of resuming a G after d other stacks were touched on its P,
    // floor(log2 d) = b.
    std::uint64_t reuse[64] = {};
    const bool shared;  // more than one P: the runtime's runnext and ring ops are CASes
    // Signals (channel messages), only when the graph has any: per strand, its first outgoing
    // signal (g.signals is sorted by from), its incoming signals, and those not yet arrived
    // (kParkedHere set while its G is blocked there).
    const bool signalling;
    std::vector<std::uint32_t> sig_first, sig_in, sig_left;

    Impl(const SimOptions& o, const TaskGraph& graph)
        : opts(o), cost(o.cost), g(graph), topo(o.topology.procs ? o.topology : policies::Topology::flat(o.procs)),
          procs(o.procs), ps(o.procs), gs(graph.tasks.size()), stacks(o.procs), descriptors(o.procs), events(o.procs),
          rec(r.trace.strands), tracing(o.keep_trace), shared(o.procs > 1), signalling(!graph.signals.empty()) {
        // The measured points (log2 K, ns), from (0, 0): linear in log2 K between them.
        const std::pair<int, std::uint64_t> pts[] = {{0, 0},
                                                     {6, cost.reuse_64_ns},
                                                     {8, cost.reuse_256_ns},
                                                     {10, cost.reuse_1024_ns},
                                                     {12, cost.reuse_4096_ns},
                                                     {14, cost.reuse_16384_ns},
                                                     {16, cost.reuse_65536_ns}};
        for (int b = 0; b < 64; ++b) {
            std::size_t i = 1;
            while (i + 1 < std::size(pts) && pts[i].first < b) ++i;
            const auto [b0, v0] = pts[i - 1];
            const auto [b1, v1] = pts[i];
            if (b >= b1) {
                reuse[b] = v1;
            } else {
                const double f = double(b - b0) / double(b1 - b0);
                reuse[b] = static_cast<std::uint64_t>(double(v0) + f * (double(v1) - double(v0)) + 0.5);
            }
        }
    }

    // ---- The steps, each defined in the part named above its run ---------------------------------
    // Declared in the order of the one header they were split from: GCC instantiates a class's
    // members in their order of declaration and its inlining depends on it, so this order keeps
    // the compiled simulator identical, whatever the order of the definitions in the parts.
    // costs.hpp
    void charge(std::uint64_t& t, std::uint64_t ns);
    std::uint64_t lock(std::uint64_t t);
    std::uint64_t lock(std::uint64_t t, std::uint64_t& free_at);
    template <class T> bool take(detail::FreeLists<T>& l, const P& p, std::uint64_t& t, T& out);
    template <class T> void give(detail::FreeLists<T>& l, const P& p, T x, std::uint64_t& t);
    FreeStack get_stack(P& p, std::uint64_t& t);
    std::uint32_t get_descriptor(P& p, std::uint64_t& t);

    // event_loop.hpp
    void push_event(std::uint32_t p, std::uint64_t t);

    // idle.hpp
    void note_spinning();

    // run_queues.hpp
    void put_tail(P& p, TaskId t_id, std::uint64_t& t);
    void runqput(P& p, TaskId id, bool next, std::uint64_t& t);
    bool slice_expired(P& p, std::uint64_t t);
    TaskId runqget(P& p, bool& inherit, std::uint64_t& t);
    TaskId globrunqget(P& p, std::uint32_t max);

    // idle.hpp
    void wakep(std::uint64_t& t);
    void reset_spinning(P& p, std::uint64_t& t);
    bool become_spinning(P& p);

    // running.hpp
    std::uint64_t start(P& p, TaskId id, bool inherit, std::uint64_t t);
    void touch(P& p, GState& gst);
    void init_g(TaskId id, std::uint32_t strand, std::uint32_t creator);
    void prefetch_spawn(const GState& s) const;
    void prefetch_end(TaskId id, const GState& s) const;
    void create(P& p, TaskId id, std::uint32_t strand, std::uint64_t& t);
    void ready(P& p, TaskId id, std::uint64_t& t);

    // run_queues.hpp
    void publish(P& p, TaskId id, std::uint64_t& t);
    std::uint64_t flush(P& p, std::uint64_t t);

    // running.hpp
    std::uint64_t run(P& p, std::uint64_t now);
    void send_signals(P& p, std::uint32_t strand, std::uint64_t& t);
    std::uint64_t end_strand(P& p, std::uint64_t now);
    std::uint64_t cross_boundary(P& p, std::uint64_t ended, std::uint64_t t);
    void release_successors(P& p, const TaskGraph::Task& task, std::uint64_t ended, std::uint64_t& t);
    std::uint64_t pass_join(P& p, TaskId id, std::uint32_t waiting, std::uint64_t t);

    // inline_joins.hpp
    bool inlinable(TaskId id, TaskId frame) const;
    TaskId take_own_child(P& p, TaskId frame);
    std::uint32_t g_desc(TaskId id) const;
    bool inline_child(P& p, TaskId frame, std::uint64_t& t);
    std::uint64_t return_inline(P& p, TaskId id, std::uint64_t ended, std::uint64_t t);

    // find_runnable.hpp
    std::uint64_t schedule(P& p, std::uint64_t t);
    void fill_round(P& p);
    void begin_pass(P& p);
    std::uint64_t take_batch(P& p, P& q, bool remote, std::uint64_t t);
    std::uint64_t draw(P& p, std::uint64_t below);
    std::uint64_t steal_pause(P& p);
    std::uint64_t steal(P& p, std::uint64_t now);
    std::uint64_t steal_after_pause(P& p, std::uint64_t now);
    void end_spin(const P& p, std::uint64_t t);

    // idle.hpp
    std::uint64_t park(P& p, std::uint64_t now);
    std::uint64_t woken(P& p, std::uint64_t now);

    // event_loop.hpp
    std::uint64_t step(P& p, std::uint64_t now);
    SimResult go();
};

}  // namespace schedlab::sim
