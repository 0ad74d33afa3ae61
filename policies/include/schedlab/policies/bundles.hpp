// The named policy bundles: one choice per dimension each, documented in one line.
// `Compose` builds any other combination (sweeps instantiate it over CMake lists).
#pragma once

#include "schedlab/policies/go.hpp"

namespace schedlab::policies {

template <StealAmount Steal, GlobalCheck Check, SpinCap Spin, Runnext Next, VictimOrder Victim>
struct Compose {
    static constexpr const char* name = "custom";
    using steal = Steal;
    using global_check = Check;
    using spin_cap = Spin;
    using runnext = Next;
    using victim = Victim;
};

// Tokio's multi-thread scheduler: steal half, global queue every 31st tick, searching workers
// capped at half of all workers, a LIFO slot (runnext), random start then sequential victims.
struct TokioLike : Compose<StealHalf, GlobalCheckEvery<31>, SpinHalfProcs, RunnextOn,
                           RandomStartSequential> {
    static constexpr const char* name = "tokio-like";
};

// Go with Cilk's thief: one G per steal.
struct CilkLike : Compose<StealOne, GlobalCheckEvery<61>, SpinHalfBusy, RunnextOn,
                          RandomCoprimeOrder> {
    static constexpr const char* name = "cilk-like";
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
