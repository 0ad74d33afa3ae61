// The policy dimensions of schedlab as C++20 concepts: the five of Go's scheduler, and the
// two a Cilk-style fork-join needs (local order, join).
//
// A policy is a decision, not a mechanism: it never locks, never touches an atomic, never
// prints. The runtime (runtime/) and the simulator (sim/) ask these questions at the same
// points, so one policy object drives both. Each concept names the exact question asked.
#pragma once

#include <concepts>
#include <cstdint>

#include "schedlab/policies/topology.hpp"

namespace schedlab::policies {

// How many of a victim's n queued Gs a thief takes (n >= 1). Must return 1..n.
template <class S>
concept StealAmount = requires(std::uint32_t n) {
    { S::name } -> std::convertible_to<const char*>;
    { S::take(n) } -> std::same_as<std::uint32_t>;
};

// On which scheduler ticks a P looks at the global queue before its own run queue.
template <class C>
concept GlobalCheck = requires(std::uint64_t schedtick) {
    { C::name } -> std::convertible_to<const char*>;
    { C::check_global_first(schedtick) } -> std::same_as<bool>;
};

// Whether an M that found no local or global work may become a spinning M (look for work to
// steal, and keep looking) instead of parking. `spinning` is the number of Ms spinning now,
// `busy` the number of Ps not idle, `procs` the number of Ps.
template <class C>
concept SpinCap = requires(std::uint32_t spinning, std::uint32_t busy, std::uint32_t procs) {
    { C::name } -> std::convertible_to<const char*>;
    { C::may_spin(spinning, busy, procs) } -> std::same_as<bool>;
};

// Whether a G made ready by the running G goes to the one-slot runnext fast path.
template <class R>
concept Runnext = requires {
    { R::name } -> std::convertible_to<const char*>;
    { R::enabled } -> std::convertible_to<bool>;
};

// In which order a thief visits the other Ps. The order may keep per-P state (a random
// generator, its neighbours), owned by the P and set up by init from the topology.
// `for_each_victim` calls visit(p) for each candidate P of one round (round = 0, 1, ...,
// rounds - 1 within one search), stopping early when visit returns true; it returns whether
// visit ever did. Only in the last of `rounds` rounds may a thief take a victim's runnext.
struct VisitProbe {
    bool operator()(std::uint32_t) const { return false; }
};

template <class V>
concept VictimOrder = requires(typename V::State& state, std::uint32_t self, const Topology& topo,
                               std::uint64_t seed, int round, VisitProbe visit) {
    { V::name } -> std::convertible_to<const char*>;
    { V::rounds } -> std::convertible_to<int>;
    { V::init(state, self, topo, seed) };
    { V::for_each_victim(state, round, visit) } -> std::same_as<bool>;
};

// Which end of its own run queue a P takes its next G from (the oldest, or the newest).
template <class O>
concept LocalOrder = requires {
    { O::name } -> std::convertible_to<const char*>;
    { O::lifo } -> std::convertible_to<bool>;
};

// Whether a G waiting for its fork-join children first runs, on its own stack, those of them
// still queued on its P.
template <class J>
concept JoinStrategy = requires {
    { J::name } -> std::convertible_to<const char*>;
    { J::run_children_inline } -> std::convertible_to<bool>;
};

// A bundle names one choice per dimension.
template <class B>
concept Bundle = requires {
    { B::name } -> std::convertible_to<const char*>;
} && StealAmount<typename B::steal> && GlobalCheck<typename B::global_check> &&
                 SpinCap<typename B::spin_cap> && Runnext<typename B::runnext> &&
                 VictimOrder<typename B::victim> && LocalOrder<typename B::local_order> &&
                 JoinStrategy<typename B::join>;

}  // namespace schedlab::policies
