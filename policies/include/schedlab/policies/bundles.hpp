// The named policy bundles: one choice per dimension each, documented in one line.
// `Compose` builds any other combination (sweeps instantiate it over CMake lists).
#pragma once

#include "schedlab/policies/go.hpp"
#include "schedlab/policies/sysmon.hpp"

namespace schedlab::policies {

template <StealAmount Steal, GlobalCheck Check, SpinCap Spin, Runnext Next, VictimOrder Victim,
          LocalOrder Order = FifoOrder, JoinStrategy Join = ParkJoin>
struct Compose {
    static constexpr const char* name = "custom";
    using steal = Steal;
    using global_check = Check;
    using spin_cap = Spin;
    using runnext = Next;
    using victim = Victim;
    using local_order = Order;
    using join = Join;
};

// Tokio's multi-thread scheduler: steal half, global queue every 31st tick, searching workers
// capped at half of all workers, a LIFO slot (runnext), random start then sequential victims.
struct TokioLike : Compose<StealHalf, GlobalCheckEvery<31>, SpinHalfProcs, RunnextOn,
                           RandomStartSequential> {
    static constexpr const char* name = "tokio-like";
};

// Cilk-5's scheduler on Go's mechanism: the owner runs its newest G (LIFO), a thief takes one
// G, the oldest, from a random victim, and a join runs its own unstarted children in place, so
// a child that is not stolen costs a function call. No runnext (the newest G is the ring's
// tail already). It is "like" Cilk because a spawn queues the child and the parent goes on
// (help-first, as oneTBB), where Cilk-5 runs the child and queues the parent's continuation.
struct CilkLike : Compose<StealOne, GlobalCheckEvery<61>, SpinHalfBusy, RunnextOff,
                          RandomCoprimeOrder, LifoOrder, InlineJoin> {
    static constexpr const char* name = "cilk-like";
    using sysmon = SysmonNoPreempt;  // Cilk never preempts a worker's task
};

// Go without the runnext slot: a readied G queues at the tail like any other.
struct NoRunnext : Compose<StealHalf, GlobalCheckEvery<61>, SpinHalfBusy, RunnextOff,
                           RandomCoprimeOrder> {
    static constexpr const char* name = "no-runnext";
};

// Go with a thief that empties its victim's queue.
struct StealAllBundle : Compose<StealAll, GlobalCheckEvery<61>, SpinHalfBusy, RunnextOn,
                                RandomCoprimeOrder> {
    static constexpr const char* name = "steal-all";
};

// Go without the every-61st-tick fairness check: the global queue only when local is empty.
struct GciNever : Compose<StealHalf, GlobalCheckNever, SpinHalfBusy, RunnextOn,
                          RandomCoprimeOrder> {
    static constexpr const char* name = "gci-never";
};

// Go with a NUMA-aware thief: its own node first, other nodes only from the third round on.
struct Numa : Compose<StealHalf, GlobalCheckEvery<61>, SpinHalfBusy, RunnextOn,
                      NumaLocalFirst<2>> {
    static constexpr const char* name = "numa";
};

// Go with a thief biased to its own node: remote Ps probed with probability 1/4 per round.
struct NumaBiasedBundle : Compose<StealHalf, GlobalCheckEvery<61>, SpinHalfBusy, RunnextOn,
                                  NumaBiased<25>> {
    static constexpr const char* name = "numa-biased";
};

// Go with a hierarchical thief: cache group, then node, then the other nodes.
struct Hierarchical : Compose<StealHalf, GlobalCheckEvery<61>, SpinHalfBusy, RunnextOn,
                              HierarchicalOrder> {
    static constexpr const char* name = "hierarchical";
};

static_assert(Bundle<Numa> && Bundle<NumaBiasedBundle> && Bundle<Hierarchical>);
static_assert(Bundle<TokioLike> && Bundle<CilkLike> && Bundle<NoRunnext> &&
              Bundle<StealAllBundle> && Bundle<GciNever>);

}  // namespace schedlab::policies
