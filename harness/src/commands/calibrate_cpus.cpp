// calibrate's CPUs: which ones this process may run on, pinning a thread to one (for the
// lifetime of a PinScope, or for good), and how fast each runs one thread now (`--cpu-speeds`,
// the cost file's header, and the choice of `--cpu fastest`). On a VM the vCPUs need not be
// equal, nor stay as they were: the figures are taken now, each pinned where it says.
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "calibrate_internal.hpp"
#include "schedlab/harness/results_file.hpp"
#include "schedlab/harness/stats.hpp"

namespace schedlab::harness::calibration {

// Pin the calling thread to the i-th CPU it may run on; false if there is no such CPU.
bool pin_to_nth_cpu(unsigned i) {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return false;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &allowed) && i-- == 0) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            return pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
        }
    return false;
}

// The CPUs this process may run on.
std::vector<int> allowed_cpus() {
    std::vector<int> cpus;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return cpus;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
    return cpus;
}

PinScope::PinScope(int cpu) : active_(cpu >= 0) {
    if (!active_) return;
    pthread_getaffinity_np(pthread_self(), sizeof saved_, &saved_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) != 0)
        throw UsageError("calibrate: cannot pin to CPU " + std::to_string(cpu));
}

PinScope::~PinScope() {
    if (active_) pthread_setaffinity_np(pthread_self(), sizeof saved_, &saved_);
}

// 0 .. n-1 in a random order fixed by seed (Fisher-Yates with a 64-bit LCG): chains of loads
// that visit objects in it cannot be prefetched, and every calibration visits the same order.
std::vector<std::uint32_t> random_order(std::size_t n, std::uint64_t seed) {
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
    for (std::size_t i = n; i-- > 1;) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        std::swap(order[i], order[(seed >> 33) % (i + 1)]);
    }
    return order;
}

namespace {

// The round trip of a line between the i-th and the j-th allowed CPU (ns), -1 if either
// thread cannot be pinned.
double pair_round_trip(unsigned i, unsigned j) {
    constexpr int kTrips = 2000, kBatches = 7;
    alignas(64) std::atomic<std::uint32_t> line{0};
    std::atomic<bool> ok{true};
    std::thread echo([&] {
        if (!pin_to_nth_cpu(j)) ok = false;
        for (std::uint32_t v = 1; v <= std::uint32_t(kTrips * (kBatches + 1)); ++v) {
            while (line.load(std::memory_order_acquire) != 2 * v - 1)
                if (!ok.load(std::memory_order_relaxed)) return;
            line.store(2 * v, std::memory_order_release);
        }
    });
    std::vector<double> xs;
    double out = -1;
    if (pin_to_nth_cpu(i) && ok.load()) {
        std::uint32_t v = 0;
        for (int b = 0; b < kBatches + 1; ++b) {  // the first batch warms up
            const auto t0 = Clock::now();
            for (int k = 0; k < kTrips; ++k) {
                ++v;
                line.store(2 * v - 1, std::memory_order_release);
                while (line.load(std::memory_order_acquire) != 2 * v)
                    if (!ok.load(std::memory_order_relaxed)) break;
            }
            if (b > 0) xs.push_back(ns_since(t0) / kTrips);
        }
        if (ok.load()) out = median(xs);
    }
    ok = false;
    echo.join();
    return out;
}

}  // namespace

// How fast each CPU runs one thread now, two ways, pinned there:
//  - loop_step_ns: ns per step of a loop that adds into a volatile (a load, an add and a store
//    per step: bound by the core's throughput, which a sibling hyperthread shares, not by one
//    long latency chain, which it hardly slows), the mean over ~30 ms. On a VM the vCPUs need
//    not be equal: on the 2-vCPU machine this was written on, one ran this loop 1.7-2.6x slower
//    than the other for minutes at a time (its host core shared or time-sliced).
//  - mem_load_ns: ns per load of a chain of dependent loads, one cache line in each 4 KiB page
//    of 64 MiB, in a random order (past the caches and, with 4 KiB pages, the TLB's reach, as
//    a cold G's stack and descriptor are), the mean over 4 passes after one to touch them. On
//    the same VM this went from 70 to 340 ns and back within minutes, on one vCPU and not the
//    other, while the loop above saw them equal; fine-grained fork-join on 1 P ran up to 2x
//    slower with it (fib spawn=both 22-32 ms at 68-126 ns, 38-47 ms at 200-345 ns, the probe
//    just before each run), so a CPU's memory is part of its speed.
//  - pair_rtt_ns: the round trip of one cache line between this CPU and the next one it may
//    run on (the last: the first), both threads pinned, the median of 7 batches; -1 with one
//    CPU. On the same VM it was 126 ns at times and 440-500 ns for long spells (the host
//    placed the two vCPUs near or far apart); fib(25) spawn=one on 2 Ps took 6.5 ms after a
//    126 ns probe and 10-18 ms after 440-500 ns ones, while neither figure above moved.
// The first two are means, not medians of short runs: a vCPU that is descheduled in bursts
// runs some short runs at full speed, and a median would pick those. The round trip is a
// median: a batch that a descheduling stretches measures the host, not the distance.
std::vector<CpuSpeed> cpu_speeds() {
    std::vector<CpuSpeed> out;
    const auto cpus = allowed_cpus();
    for (unsigned i = 0; i < cpus.size(); ++i) {
        CpuSpeed s{cpus[i], -1, -1, -1};  // stays so if the thread cannot be pinned there
        std::thread t([&] {
            if (!pin_to_nth_cpu(i)) return;
            constexpr std::uint64_t kSteps = 100'000'000;
            auto loop = [](std::uint64_t steps) {
                volatile std::uint64_t x = 0;
                for (std::uint64_t k = 0; k < steps; ++k) x = x + k;
            };
            loop(kSteps / 10);  // warm-up
            auto t0 = Clock::now();
            loop(kSteps);
            s.loop_step_ns = ns_since(t0) / double(kSteps);

            // The chain: pages in a fixed random order, the line within a page varied so that
            // the loads do not all fall in the same cache set.
            constexpr std::size_t kPages = 16384, kPage = 4096, kPasses = 4;
            const std::vector<std::uint32_t> order = random_order(kPages, 0x2545f4914f6cdd1dull);
            std::vector<std::byte> buf(kPages * kPage);  // zeroed: every page touched here
            auto at = [&](std::uint64_t page) { return &buf[page * kPage + (page % 64) * 64]; };
            for (std::size_t k = 0; k < kPages; ++k) {
                void* next = at(order[(k + 1) % kPages]);
                std::memcpy(at(order[k]), &next, sizeof next);
            }
            void* p = at(order[0]);
            auto chase = [&p](std::size_t n) {
                for (std::size_t k = 0; k < n; ++k) p = *static_cast<void* volatile*>(p);
            };
            chase(kPages);
            t0 = Clock::now();
            chase(kPasses * kPages);
            s.mem_load_ns = ns_since(t0) / double(kPasses * kPages);
        });
        t.join();
        if (cpus.size() > 1) {
            std::thread pair([&] { s.pair_rtt_ns = pair_round_trip(i, (i + 1) % cpus.size()); });
            pair.join();
        }
        out.push_back(s);
    }
    return out;
}

// The CPU that `--cpu fastest` picks: the lowest sum of the two speeds, each relative to the
// best CPU's, so that a CPU slow at either loses (-1 figures: the CPU could not be measured).
int fastest_cpu(const std::vector<CpuSpeed>& speeds) {
    double best_loop = 0, best_mem = 0;
    for (const auto& s : speeds)
        if (s.loop_step_ns > 0 && s.mem_load_ns > 0) {
            if (best_loop == 0 || s.loop_step_ns < best_loop) best_loop = s.loop_step_ns;
            if (best_mem == 0 || s.mem_load_ns < best_mem) best_mem = s.mem_load_ns;
        }
    int cpu = -1;
    double best = 0;
    for (const auto& s : speeds) {
        if (s.loop_step_ns <= 0 || s.mem_load_ns <= 0) continue;
        const double score = s.loop_step_ns / best_loop + s.mem_load_ns / best_mem;
        if (cpu < 0 || score < best) cpu = s.cpu, best = score;
    }
    return cpu;
}

}  // namespace schedlab::harness::calibration
