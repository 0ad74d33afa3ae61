// Task-graph shapes for the simulator. Each is deterministic (seeded where random) and
// documents its per-task costs; costs are fixed per shape (parameters below), in virtual ns.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "schedlab/sim/task_graph.hpp"

namespace schedlab::sim::shapes {

// fib(n), a task per call, as the fib workload decomposes it (workloads/fib.hpp): spawn=both
// spawns fib(n-1) and fib(n-2) and joins both; spawn=one (Cilk's form) spawns fib(n-1), runs
// fib(n-2) inline in the same G (whose frames spawn in turn), and each frame joins its own
// child. Calls with n < 2 or n < cutoff are leaves that run serially, costing call_ps
// picoseconds per call of the naive recursion (a call is ~2 ns: ns would round it away). A
// spawning call costs one call before its join and join_ns after.
struct FibParams {
    int n = 20;
    int cutoff = 0;
    bool spawn_both = true;
    std::uint64_t call_ps = 10'000;
    std::uint64_t join_ns = 5;
};
TaskGraph fib(const FibParams& p);

// A random layered DAG (dataflow): `layers` layers of width/2..width tasks; each task after
// the first layer depends on 1..max_preds distinct tasks of the layer above; costs uniform in
// [min_ns, max_ns]. A zero-cost source task releases the first layer.
struct RandDagParams {
    std::uint32_t layers = 20;
    std::uint32_t width = 50;
    std::uint32_t max_preds = 3;
    std::uint64_t min_ns = 1'000;
    std::uint64_t max_ns = 10'000;
    std::uint64_t seed = 1;
};
TaskGraph random_dag(const RandDagParams& p);

// Tiled Cholesky (right-looking, lower): for each k, POTRF(k); TRSM(i,k) for i > k; SYRK(i,k)
// and GEMM(i,j,k) (i > j > k) updating the trailing matrix, with the dataflow dependencies
// of the tiles they read and write. Costs in proportion to the flops of a b x b tile:
// GEMM 2b^3 (gemm_ns), TRSM b^3, SYRK b^3, POTRF b^3/3. A zero-cost source releases POTRF(0).
struct CholeskyParams {
    std::uint32_t tiles = 8;
    std::uint64_t gemm_ns = 20'000;
};
TaskGraph cholesky(const CholeskyParams& p);

// A spawn storm: the root spawns n children back to back (each costs task_ns), then joins all.
struct SpawnStormParams {
    std::uint32_t n = 100'000;
    std::uint64_t task_ns = 50;
};
TaskGraph spawn_storm(const SpawnStormParams& p);

// A UTS-like unbalanced tree. NOT the UTS reference trees (those hash each node's id with
// SHA-1; workloads/uts.hpp has them): a stand-in with the same shape class, the binomial
// tree: the root has root_children children, every other node has m children with
// probability q (else none), drawn from a seeded generator; q*m close to 1 makes subtree
// sizes wildly unequal. Each node works node_ns, then spawns its children, then joins them.
// Generation stops creating children at max_nodes (the last nodes become leaves).
struct UtsParams {
    std::uint32_t root_children = 200;
    std::uint32_t m = 5;
    double q = 0.19;
    std::uint64_t node_ns = 200;
    std::uint64_t seed = 1;
    std::uint32_t max_nodes = 10'000'000;
};
TaskGraph uts_like(const UtsParams& p);

// Ping-pong (workloads/pingpong.hpp): the root spawns `pairs` pairs of Gs, pinger then ponger,
// and joins them all. Each message is a signal: the pinger's strand k ends with ping k's send
// and its strand k+1 starts with pong k's receive; the ponger's strand k+1 starts with ping
// k's receive and ends with pong k's send (`messages` round trips, messages + 1 strands each).
// Every strand works work_ns; a timed round trip (k % sample_every == 0, none if 0) adds
// clock_ns to the pinger's strands on either side of it. A channel's capacity does not
// matter: the Gs alternate strictly, so no send finds its channel full.
struct PingPongParams {
    std::uint32_t pairs = 1;
    std::uint32_t messages = 1000;
    std::uint64_t work_ns = 0;
    std::uint64_t sample_every = 0;
    std::uint64_t clock_ns = 25;
};
TaskGraph ping_pong(const PingPongParams& p);

// spawnwait (`go f(); <-done`, n times): main's strand i spawns G i and ends; strand i + 1
// receives G i's message, sent as G i's only strand ends (then G i exits). Nothing joins the
// Gs, as in the workload. Every strand costs 0: the rounds are scheduler costs only.
TaskGraph spawn_wait(std::uint32_t rounds);

// By name with "key" -> "value" parameters (the keys are the fields above; spawn=one|both
// for fib): fib, randdag, cholesky, spawn-storm, uts, pingpong. Throws std::invalid_argument on an
// unknown shape, key or value.
TaskGraph make(const std::string& shape, const std::map<std::string, std::string>& params);

}  // namespace schedlab::sim::shapes
