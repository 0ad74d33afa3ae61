// What the parts of `schedlab calibrate` share (private to harness/src/commands/calibrate*.cpp):
// the timing helper every probe uses, the raw figures the probes fill in (Measured), the probes
// themselves, the CPU choice and pinning, and the solver that turns the figures into the cost
// file. A probe only measures and writes its fields of Measured; only the solver
// (calibrate_solve.cpp) turns figures into costs; only the command (calibrate.cpp) reads options,
// touches the output file and decides what runs where.
#pragma once

#include <sched.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "schedlab/harness/stats.hpp"
#include "schedlab/sim/cost_model.hpp"

namespace schedlab::harness::calibration {

using Clock = std::chrono::steady_clock;

inline double ns_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
}

// The median over `reps` timed calls of f() (after one untimed call), divided by `units`.
inline double per_unit(int reps, double units, const std::function<void()>& f) {
    f();
    std::vector<double> xs;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        f();
        xs.push_back(ns_since(t0) / units);
    }
    return median(xs);
}

struct Measured {
    double spawn_storm = 0, spawn_join = 0, yield = 0, local_op = 0, global_op = 0;
    double steal_attempt = 0, steal_per_g = 0, wake = 0, unpark = 0, spin_pause = 0;
    double fib_call_ps = 0, spin_ps = 0, uts_node = 0, gemm_flop_ps = 0;
    double migrate = -1, remote_done = -1, shared_put = 0;  // -1: not measured (one CPU)
    double runnext_cas = 0;   // LocalRunQueue::swap_runnext shared less unshared
    double shared_mode = -1;  // spawn+join on 2 Ps (the other busy) less on 1 P; -1: not measured
    double pause_jitter = 0;  // 4 x MAD of the spawnwait loop's time over a runnext-steal pause
    double spawn_wait = 0;    // a round of the spawnwait loop (go f(); <-done) on 1 P
    double ping_pong = 0, clock_read = 0, nqueens_call_ps = 0, nqueens_task_ps = 0, leaf_flop_ps = 0;
    std::size_t stack_lines = 0;  // cache lines of stack a parked fork-join G has in use
    std::vector<std::pair<double, double>> ws_curve;  // (Gs in turn, ns per yield)
};

// ---- The runtime as a whole (calibrate_runtime.cpp) ----------------------------------------
void measure_runtime(Measured& m, int reps, std::int64_t n);
void measure_working_set(Measured& m, int reps, std::int64_t total_yields);
void measure_shared_mode(Measured& m, int reps, std::int64_t n);
std::size_t parked_stack_bytes();

// ---- The runtime's parts, and across cores (calibrate_parts.cpp) ---------------------------
void measure_queues(Measured& m, int reps);
void measure_steal(Measured& m, int reps);
void measure_wake(Measured& m, int reps);
void measure_cross_core(Measured& m, int reps);
void measure_shared_put(Measured& m, int reps);

// ---- Kernels (calibrate_kernels.cpp) --------------------------------------------------------
void measure_kernels(Measured& m, int reps);

// ---- CPUs: which ones, how fast, pinning (calibrate_cpus.cpp) ------------------------------

// Pin the calling thread to the i-th CPU it may run on; false if there is no such CPU.
bool pin_to_nth_cpu(unsigned i);

// The CPUs this process may run on.
std::vector<int> allowed_cpus();

// Pins the calling thread to one CPU for its lifetime (threads it creates meanwhile inherit
// the pin), then restores the thread's previous CPU set.
class PinScope {
public:
    explicit PinScope(int cpu);
    ~PinScope();
    PinScope(const PinScope&) = delete;
    PinScope& operator=(const PinScope&) = delete;

private:
    bool active_;
    cpu_set_t saved_{};
};

// 0 .. n-1 in a random order fixed by seed (Fisher-Yates with a 64-bit LCG): chains of loads
// that visit objects in it cannot be prefetched, and every calibration visits the same order.
std::vector<std::uint32_t> random_order(std::size_t n, std::uint64_t seed);

// How fast each CPU runs one thread now (the figures: calibrate_cpus.cpp).
struct CpuSpeed {
    int cpu;
    double loop_step_ns, mem_load_ns, pair_rtt_ns;
};
std::vector<CpuSpeed> cpu_speeds();

// The CPU that `--cpu fastest` picks (-1: none could be measured).
int fastest_cpu(const std::vector<CpuSpeed>& speeds);

// ---- From the figures to the cost file (calibrate_solve.cpp) -------------------------------

// The single costs solved from the composite figures, with the runtime's constants.
sim::CostModel solve_costs(const Measured& m);

// The cost file: a header saying where, when and how it was measured, then each cost as
// `key = value` after a comment saying how it was found.
std::string cost_file_text(const sim::CostModel& c, const Measured& m, int reps, std::int64_t gs, int cpu,
                           const std::vector<CpuSpeed>& speeds);

}  // namespace schedlab::harness::calibration
