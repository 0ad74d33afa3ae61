// What each scheduler operation costs in virtual time. The defaults come from the runtime's
// own measurements where one exists (results/2026-11-22-runtime/runtime_bench.md, a 2-CPU VM:
// medians of 5 repetitions) and are marked "estimate" where the runtime has no benchmark for
// the operation; `schedlab calibrate` is meant to replace them with figures for the machine at
// hand, written as a key = value file (load_cost_model).
//
// How the costs are charged (so a run's overhead can be recomputed from its counters):
//   spawn_ns        per G created (spawn, or a dependency-released task), runqput included,
//                   its descriptor and stack taken warm from the P's caches
//   fresh_g_ns      extra, per G whose first run needs a stack the runtime has to make (none
//                   free): the new stack's and descriptor's memory is cold
//   ready_ns        per parked G made runnable again (a join's last child readies its parent)
//   switch_ns       per G started or resumed on a P (gs_run): half (rounded down) when the G
//                   before it parks or exits, before its P takes the next G, the rest when the
//                   next one starts. A G put in runnext just before its P's G parks sits there
//                   for that half, as in the runtime (park, then pick), where a thief can see it
//   local_op_ns     per G taken from the P's own runnext or ring (runnext_hits + local_pops)
//   global_op_ns    lock hold time of one global-queue operation (pull, overflow); the lock is
//                   a FIFO resource, so contended operations wait for each other
//   steal_*         per victim probed; per G moved by a successful steal
//   pause_jitter_ns not charged: each wait of a spinning M (a runnext-steal pause, the pause
//                   between steal passes) is lengthened by a seeded draw below this, standing
//                   for the drift of the victim's timing over it (a simulated victim's period
//                   is exact, so fixed waits would always return at the same phase of its loop)
//   wake_ns         charged to the M that wakes a parked one (the futex wake system call)
//   unpark_latency  from the wake to the woken M looking for work
//   reuse_K_ns      extra, per resume of a G on the P it blocked on after K other stacks were
//                   touched there (K distinct Gs ran): its stack and descriptor have left the
//                   caches meanwhile. Measured as the cost of a yield among K Gs in turn over
//                   that among 1; between the listed K interpolated in log2 K, constant beyond
//                   65536. A G's first run takes the stack its P freed last (warm): none of this.
//   migrate_ns      extra, per G started or resumed on a P other than the one that created it
//                   or last ran it: its descriptor, closure and stack top come from another
//                   core's cache
//   remote_done_ns  extra, per child that completes on a P other than its parent's last one:
//                   the done() on the parent's join counter is a cross-core read-modify-write
//   shared_put_ns   extra, per spawn or ready with more than one P: what sharing the queues
//                   costs a P's own fork-join loop (runnext's and the ring's CASes, wakep's
//                   fence and reads; with one P the runtime uses plain stores). Calibrate
//                   measures it as half the spawn+join loop's extra time on 2 Ps with the
//                   other P busy (the runnext CAS alone where the machine has one CPU)
//   chan_op_ns      per channel operation of a signal (simulator.hpp): one to the sender per
//                   signal sent, one to the receiver per signal it receives, whether or not
//                   either blocks (blocking adds a switch, and the send a ready, as usual); a
//                   send that readies a receiver last run on another P adds remote_done_ns
//
// The "kernel" keys are not scheduler costs: they are what the workloads' own code costs on the
// machine (a call of fib's recursion, a step of the spin loop, a UTS node, a GEMM flop). The
// simulator never reads them; the harness uses them to turn a workload's parameters into
// per-task costs when it builds the workload's task graph (`schedlab sim`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace schedlab::sim {

// X(name, default, where the default comes from)
#define SCHEDLAB_SIM_COSTS(X)                                                                    \
    X(spawn_ns, 35,                                                                              \
      "2026-11-23 VM, calibrate in three runs: 35, 34, 43 (from spawn+join, 71-79 ns: calibrate.cpp)")  \
    X(fresh_g_ns, 5,                                                                             \
      "2026-11-23 VM, calibrate in three runs: 5, 5, 2 (a spawn storm, 58-63 ns per G, over spawn)") \
    X(ready_ns, 0, "2026-11-23 VM, calibrate in three runs: 0 (ping-pong leaves none beside switch)") \
    X(switch_ns, 15, "2026-11-23 VM, calibrate in three runs: 15, 17, 15")                        \
    X(local_op_ns, 5, "estimate: owner's pop from its own ring or runnext (one uncontended CAS)") \
    X(global_op_ns, 10,                                                                          \
      "BM_Yield/procs:1 = 33.5 ns per yield: one switch (30) plus a locked push and pull")        \
    X(steal_attempt_ns, 20, "estimate: reading a victim's head and tail across cores")            \
    X(remote_steal_extra_ns, 100,                                                                \
      "estimate: one cross-socket cache-line transfer (the runtime emulates it with "            \
      "--remote-steal-ns, default 0)")                                                           \
    X(steal_per_g_ns, 5, "estimate: copying one G pointer between rings")                        \
    X(runnext_steal_pause_ns, 3000, "runtime kRunnextStealPauseNs (Go: usleep(3) in runqgrab)")  \
    X(pause_jitter_ns, 100,                                                                      \
      "2026-11-23 VM, calibrate's figure in three runs: 40, 320, 360 (host noise moves it)") \
    X(wake_ns, 1000, "estimate: FUTEX_WAKE system call with a sleeping waiter")                  \
    X(unpark_latency_ns, 5000,                                                                   \
      "REFERENCE.md: waking a parked thread costs 5-15 us (claim C6: 1-3 us); low end taken")    \
    X(recheck_per_p_ns, 2, "estimate: the parking M's look at each P's queue (must be >= 1)")    \
    X(spin_ns, 50000, "runtime kDefaultSpinNs: how long a spinning M looks before parking")      \
    X(spin_pause_ns, 500, "estimate: the runtime's 32 cpu_relax between steal passes")           \
    X(time_slice_ns, 10000000, "runtime kTimeSliceNs (Go: forcePreemptNS, 10 ms)")               \
    X(slice_check_every, 64, "runtime kSliceCheckEvery: inherited switches between clock reads") \
    X(reuse_64_ns, 2, "2026-11-22 VM: yield among 64 Gs in turn, 46 ns, less 44 ns among 1")   \
    X(reuse_256_ns, 5, "2026-11-22 VM: yield among 256 Gs in turn, 48.6 ns, less 44 ns")       \
    X(reuse_1024_ns, 18, "2026-11-22 VM: yield among 1024 Gs in turn, 62 ns, less 44 ns")       \
    X(reuse_4096_ns, 55, "2026-11-22 VM: yield among 4096 Gs in turn, 99.5 ns, less 44 ns")     \
    X(reuse_16384_ns, 180, "2026-11-22 VM: yield among 16384 Gs in turn, 224.5 ns, less 44 ns") \
    X(reuse_65536_ns, 509, "2026-11-22 VM: yield among 65536 Gs in turn, 553 ns, less 44 ns")   \
    X(migrate_ns, 400,                                                                            \
      "estimate: ~5 cache lines from another core (2026-11-23 VM: ~200 ns one-way line transfer, "  \
      "partly overlapped)")                                                                      \
    X(remote_done_ns, 200, "estimate: one cross-core read-modify-write (2026-11-23 VM: ~200 ns)") \
    X(shared_put_ns, 5, "estimate: one uncontended CAS on a line the P owns")                      \
    X(chan_op_ns, 7,                                                                             \
      "2026-11-23 VM, calibrate in three runs: 7, 6, 8 (spawnwait round less spawn+join, over 2)")  \
    X(fib_call_ps, 2000, "kernel, estimate: one call of fib's serial recursion, in ps")        \
    X(spin_ps_per_iter, 1500, "kernel, estimate: one step of workloads' spin loop, in ps")       \
    X(uts_node_ns, 500, "kernel, estimate: one UTS node at granularity 1 (a SHA-1 of 24 bytes)") \
    X(gemm_flop_ps, 100, "kernel, estimate: one flop of a tile GEMM (Eigen), in ps")                \
    X(nqueens_call_ps, 3000, "kernel, estimate: one call of nqueens' serial search, in ps")         \
    X(nqueens_task_ps, 25000,                                                                      \
      "kernel, 2026-11-23 VM: one task of nqueens with spawn = call (serial elision), its array, "  \
      "group and closures included, in ps")                                                        \
    X(leaf_flop_ps, 300, "kernel, estimate: one flop of matmul's leaf product (Eigen lazyProduct), in ps") \
    X(clock_read_ns, 25, "kernel, estimate: one steady_clock::now() (pingpong times a round trip with two)")

struct CostModel {
#define SCHEDLAB_SIM_COST_FIELD(name, value, source) std::uint64_t name = value;
    SCHEDLAB_SIM_COSTS(SCHEDLAB_SIM_COST_FIELD)
#undef SCHEDLAB_SIM_COST_FIELD

    bool operator==(const CostModel&) const = default;

    // Every cost zero (recheck_per_p_ns 1, slice_check_every 64, spin_ns kept): virtual time
    // is then pure work, for checks such as "makespan at P = 1 equals the work".
    static CostModel zero();
};

// Parse "key = value" lines ('#' starts a comment; blank lines ignored). Keys not given keep
// their defaults. Throws std::invalid_argument naming the line on an unknown key, a repeated
// key, or a value that is not a non-negative integer.
CostModel parse_cost_model(std::string_view text);
CostModel load_cost_model(const std::string& path);  // also throws if the file cannot be read
// Every key with its value and, as a comment, where the default comes from.
std::string to_text(const CostModel& c);

template <class F>
void for_each_cost(const CostModel& c, F&& f) {
#define SCHEDLAB_SIM_COST_VISIT(name, value, source) f(#name, c.name, source);
    SCHEDLAB_SIM_COSTS(SCHEDLAB_SIM_COST_VISIT)
#undef SCHEDLAB_SIM_COST_VISIT
}

}  // namespace schedlab::sim
