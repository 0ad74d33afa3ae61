// What this machine can give two threads at all, measured next to the runtime benchmarks so a
// 2-P figure can be read against the hardware's own ceiling (on a VM the "cores" may be SMT
// siblings or shared). No schedlab code runs here: plain std::threads.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

namespace {

// A dependent floating-point chain: pure core time, no memory traffic.
double compute_ns_per_step(std::uint64_t steps) {
    const auto t0 = std::chrono::steady_clock::now();
    double x = 1.0;
    for (std::uint64_t i = 0; i < steps; ++i) {
        x = x * 1.0000001 + 1e-9;
        benchmark::DoNotOptimize(x);
    }
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(steps);
}

// A random pointer chase over 64 MiB: one cache miss per step, like resuming a cold G.
double chase_ns_per_step(const std::vector<std::uint32_t>& next, std::uint64_t steps) {
    const auto t0 = std::chrono::steady_clock::now();
    std::uint32_t p = 0;
    for (std::uint64_t i = 0; i < steps; ++i) p = next[p];
    benchmark::DoNotOptimize(p);
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(steps);
}

std::vector<std::uint32_t> random_cycle(std::size_t n, std::uint64_t seed) {
    std::vector<std::uint32_t> perm(n), next(n);
    std::iota(perm.begin(), perm.end(), 0u);
    std::shuffle(perm.begin() + 1, perm.end(), std::mt19937_64(seed));
    for (std::size_t i = 0; i < n; ++i) next[perm[i]] = perm[(i + 1) % n];
    return next;
}

// Aggregate throughput of `threads` threads relative to one: 2.0 means two real cores.
template <class Work>
void run_scaling(benchmark::State& state, Work work) {
    const int threads = static_cast<int>(state.range(0));
    double one = 0, all = 0;
    for (auto _ : state) {
        one = work(0);
        std::vector<double> per(static_cast<std::size_t>(threads));
        std::vector<std::thread> ts;
        for (int t = 1; t < threads; ++t) ts.emplace_back([&, t] { per[static_cast<std::size_t>(t)] = work(t); });
        per[0] = work(0);
        for (auto& t : ts) t.join();
        all = 0;
        for (double ns : per) all += one / ns;  // each thread's rate relative to the lone one
    }
    state.counters["ns_per_step_1_thread"] = one;
    state.counters["aggregate_speedup"] = all;
}

void BM_MachineComputeScaling(benchmark::State& state) {
    run_scaling(state, [](int) { return compute_ns_per_step(50'000'000); });
}

void BM_MachineMemoryScaling(benchmark::State& state) {
    const std::size_t n = std::size_t{16} << 20;  // 16 Mi entries x 4 B = 64 MiB per thread
    std::vector<std::vector<std::uint32_t>> cycles;
    for (int t = 0; t < state.range(0); ++t) cycles.push_back(random_cycle(n, 42 + static_cast<std::uint64_t>(t)));
    run_scaling(state, [&](int t) { return chase_ns_per_step(cycles[static_cast<std::size_t>(t)], 4'000'000); });
}

}  // namespace

BENCHMARK(BM_MachineComputeScaling)->Arg(2)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MachineMemoryScaling)->Arg(2)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
