// A deterministic discrete-event simulator of schedlab's G/M/P scheduler.
//
// What is simulated (mirroring runtime/include/schedlab/runtime/runtime_impl.hpp step by step):
//  - P simulated Ps, one M each, on a policies::Topology (flat or nodes x groups x cores).
//  - Per P: a 256-slot ring and a runnext slot. runqput(next) puts a readied G in runnext and
//    kicks the old one to the tail; a full ring sends its older half (128) plus the new G to
//    the global queue in one locked batch (an overflow). The owner takes the ring's oldest G
//    (its head: Policy::local_order FIFO, Go) or its newest (its tail: LIFO, Cilk); thieves
//    always take from the head.
//  - findRunnable in the runtime's order: the global queue first when
//    Policy::global_check::check_global_first(schedtick) and it is non-empty (take one); then
//    runnext (inheriting the slice: schedtick not advanced; after time_slice_ns of inherited
//    slice, checked every slice_check_every inherited switches, runnext goes to the tail);
//    then the ring (head or tail, as above); then the global queue (globrunqget: size/procs
//    + 1, at most 128, one runs and the rest go to the ring); then, if the M spins
//    (Policy::spin_cap::may_spin with the runtime's inputs: spinning Ms, busy Ps, procs),
//    steal passes of Policy::victim::rounds rounds in Policy::victim's order, taking
//    Policy::steal::take(n) of a victim's n ring Gs (the thief runs the last of the batch),
//    and the victim's runnext only in the last round after runnext_steal_pause_ns, and only if
//    the same G is still there (else, like the runtime's failed CAS, it pauses again); passes
//    repeat for spin_ns; then the park path: global queue under the lock, P to the idle
//    list, spinning dropped, every P re-checked (work seen: take the P back and look again,
//    spinning again only if the cap allows), else park.
//  - Joins under Policy::join::run_children_inline (Cilk, oneTBB): a G reaching a join first
//    takes, while the newest G queued on its own P (runnext, else the ring's tail) is an
//    unstarted child of that join, that child and runs it as a call on its own stack: no
//    stack, no switch, no park or ready, the take charged local_op_ns (a pop of its own
//    queue), the child's G descriptor freed when it returns; it counts in gs_run and inlined.
//    The child's own joins do the same. The G parks only for children that are not on top of
//    its queue: taken by other Ps, started while it waited, or under a newer G.
//  - wakep: when a G is made runnable and an idle P exists and no M spins, one idle P (the most
//    recently idled) is handed the spinning token and woken after unpark_latency_ns; a
//    spinning M that finds work stops spinning and, if it was the last, calls wakep.
//  - Costs from CostModel (cost_model.hpp); the global queue's lock is a FIFO resource.
//  - Caches, coarsely: each G has a stack from its first start to its end, taken from its P's
//    cache of freed stacks (most recent first) and given back to the P it ends on, as in the
//    runtime. A G resumed on the P it blocked on pays reuse_K_ns for the K distinct stacks
//    touched there meanwhile (an LRU stack distance, per P); a G started on a P other than
//    the one that created it or last ran it pays migrate_ns; a child ending on a P other than
//    its parent's last pays remote_done_ns (the join counter's line); with more than one P
//    every spawn and ready pays shared_put_ns (the queues' CASes, wakep's fence).
//  - Channels, as the task graph's signals: the sender pays chan_op_ns per message and readies
//    a receiver blocked waiting for it (remote_done_ns extra if the receiver last ran on
//    another P); the receiver pays chan_op_ns per message at the strand that receives it and
//    blocks there while any has not been sent.
//
// What is not simulated: preemption of a running G (no sysmon: a strand runs to its end, as
// in the runtime, which has no sysmon either), system calls, a send blocked on a full channel
// (signals never block their sender; select is not modelled), cache effects beyond those
// above (false sharing, the workloads' own data), memory, and the runtime's races (a probe
// sees a victim exactly as it is at that virtual instant; an operation takes effect at the
// instant its step starts and its cost is charged after, except that with 2+ Ps a G made
// runnable enters its P's queue only when the step's charges are paid, at the P's next step:
// otherwise a G would sit visibly in runnext, to thieves and to a parking M's re-check, for
// the whole of its spawn's cost and more). Several readies in one step are charged one after
// another and published together.
//
// Determinism: a run is a pure function of (graph, options, bundle). Events are ordered by
// (virtual time, P), victim orders are seeded from SimOptions::seed as in the runtime, and
// nothing reads a clock or an address.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "schedlab/policies/bundles.hpp"
#include "schedlab/policies/topology.hpp"
#include "schedlab/sim/cost_model.hpp"
#include "schedlab/sim/task_graph.hpp"

namespace schedlab::sim {

// The runtime's counters (runtime/include/schedlab/runtime/counters.hpp), same names, same
// order, same meaning, for simulated Ps. spin_ns and park_ns are virtual ns summed over the
// Ps: a spin from the start of its steal passes to the steal that ends it (its probes' costs
// included) or the pass that gives up; a park from the M's sleep to its wakeup (the unpark
// latency included). Ps still spinning or parked when the last task completes count up to
// that instant (the runtime's count up to its shutdown, a little later).
#define SCHEDLAB_SIM_COUNTERS(X) \
    X(gs_run)                    \
    X(spawns)                    \
    X(runnext_hits)              \
    X(local_pops)                \
    X(global_pulls)              \
    X(steal_attempts)            \
    X(steals)                    \
    X(remote_steal_attempts)     \
    X(remote_steals)             \
    X(gs_stolen)                 \
    X(overflows)                 \
    X(spins)                     \
    X(parks)                     \
    X(wakeups)                   \
    X(migrations)                \
    X(inlined)                   \
    X(spin_ns)                   \
    X(park_ns)

struct Counters {
#define SCHEDLAB_SIM_COUNTER_FIELD(name) std::uint64_t name = 0;
    SCHEDLAB_SIM_COUNTERS(SCHEDLAB_SIM_COUNTER_FIELD)
#undef SCHEDLAB_SIM_COUNTER_FIELD
    // As in the runtime: the most spinning Ms seen by an M that had just started spinning
    // (a woken M counts 1).
    std::uint64_t spinning_high_water = 0;
    bool operator==(const Counters&) const = default;
};

template <class F>
void for_each_counter(const Counters& c, F&& f) {
#define SCHEDLAB_SIM_COUNTER_VISIT(name) f(#name, c.name);
    SCHEDLAB_SIM_COUNTERS(SCHEDLAB_SIM_COUNTER_VISIT)
#undef SCHEDLAB_SIM_COUNTER_VISIT
}

struct SimOptions {
    std::uint32_t procs = 1;
    // Empty (procs == 0): flat. Otherwise must have exactly `procs` Ps.
    policies::Topology topology{0, 1, {}, {}};
    CostModel cost;
    std::uint64_t seed = 1;
    // Record every strand's start and end (SimResult::trace) and check the whole trace against
    // the graph (validate: order within tasks, spawns, joins, dependencies). Without it, a run
    // checks that every task completed and every strand started exactly once, and skips the
    // memory and time of the trace.
    bool keep_trace = false;
    std::uint64_t max_events = 0;  // stop (result not ok) after this many events; 0 = no limit
};

struct SimResult {
    std::uint64_t makespan_ns = 0;  // virtual time at which the last task completed
    std::uint64_t tasks = 0;        // tasks completed (= the graph's size when ok)
    bool result_ok = false;         // every task ran once (and, with keep_trace, the trace validates)
    std::string error;              // why not, when not
    Counters counters;
    std::uint64_t work_ns = 0;         // sum of strand costs
    std::uint64_t overhead_ns = 0;     // sum over Ps of charged scheduler costs while not idle
    std::uint64_t events = 0;          // simulated scheduling events (one P step each)
    std::uint64_t max_spinning = 0;    // the most Ms spinning at any instant (exact)
    std::uint64_t stacks_created = 0;  // stacks made when no P cache nor the pool had one
    std::uint64_t stack_moves = 0;     // first runs on a stack another P last touched
    std::uint64_t stack_pool_ops = 0;  // refills and spills of P caches (each under the pool's lock)
    std::uint64_t g_moves = 0;         // spawns whose G descriptor another P last wrote
    std::uint64_t g_pool_ops = 0;      // refills and spills of P caches of G descriptors
    // Gs that blocked (at a join with children not done, or a receive without its message);
    // each is resumed once, and every task is either started as a G or inlined (and counted
    // in gs_run either way, as in the runtime), so spawns + g_blocks = gs_run.
    std::uint64_t g_blocks = 0;
    Trace trace;                       // filled when SimOptions::keep_trace
    bool operator==(const SimResult&) const = default;
};

// The simulator for one policy bundle. Instantiated for the named bundles in sim/src; any other
// bundle can include simulator_impl.hpp and instantiate it.
template <policies::Bundle Policy>
class Simulator {
public:
    explicit Simulator(SimOptions opts);
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    SimResult run(const TaskGraph& g);
    const SimOptions& options() const { return opts_; }

private:
    struct Impl;
    SimOptions opts_;
};

// The named bundles (policies/bundles.hpp) by their names: "go", "tokio-like", "cilk-like",
// "no-runnext", "steal-all", "gci-never", "numa", "numa-biased", "hierarchical".
std::vector<std::string> bundle_names();
// The spin-cap sweep's bundles ("go+spin=none", ..., "go" for Go's own rule), in the order of
// the CMake list SCHEDLAB_SPIN_CAPS.
std::vector<std::string> spin_sweep_names();
// Run `g` on a named or spin-sweep bundle; throws std::invalid_argument for an unknown name.
SimResult simulate(std::string_view bundle, const TaskGraph& g, const SimOptions& opts);

}  // namespace schedlab::sim
