// Spawning many Gs across Ps: every G runs exactly once, and the counters agree with what the
// program did. Whether a steal happens on a given run depends on timing, so no test asserts
// that one did; the counters are checked for what must hold on every run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "schedlab/runtime/schedlab.hpp"
#include "support/stats_checks.hpp"

namespace {

using schedlab::testing::expect_stats_add_up;
using schedlab::testing::kCounting;

using R = schedlab::GoRuntime;

// ThreadSanitizer slows every atomic and every G switch by one to two orders of magnitude;
// its runs spawn 10^5 Gs instead of 10^6 so they finish in seconds on two cores.
#if defined(__SANITIZE_THREAD__)
constexpr int kSpawners = 100;
constexpr int kPerSpawner = 1'000;  // 10^5 Gs under TSan
constexpr int kTreeDepth = 15;      // 65535 nodes
#else
constexpr int kSpawners = 100;
constexpr int kPerSpawner = 10'000;  // 10^6 Gs
constexpr int kTreeDepth = 17;       // 262143 nodes
#endif

schedlab::Options procs(int n) {
    schedlab::Options o;
    o.procs = n;
    return o;
}



TEST(SpawnStress, GsSpawnedByManySpawnersAcrossTwoPsEachRunExactlyOnce) {
    constexpr int kLeaves = kSpawners * kPerSpawner;
    std::vector<std::atomic<std::uint8_t>> ran(kLeaves);
    R rt(procs(2));
    rt.run([&] {
        R::WaitGroup wg;
        wg.add(kLeaves);
        for (int s = 0; s < kSpawners; ++s)
            R::go([&ran, &wg, s] {
                for (int i = 0; i < kPerSpawner; ++i) {
                    const int idx = s * kPerSpawner + i;
                    R::go([&ran, &wg, idx] {
                        ran[static_cast<std::size_t>(idx)].fetch_add(1, std::memory_order_relaxed);
                        wg.done();
                    });
                }
            });
        wg.wait();
    });
    int wrong = 0;
    for (int i = 0; i < kLeaves; ++i)
        if (ran[static_cast<std::size_t>(i)].load(std::memory_order_relaxed) != 1) {
            if (++wrong <= 5) ADD_FAILURE() << "G " << i << " ran " << int(ran[i].load()) << " times";
        }
    EXPECT_EQ(wrong, 0);

    const schedlab::Stats& s = rt.stats();
    const std::uint64_t spawned = 1 + kSpawners + static_cast<std::uint64_t>(kLeaves);
    EXPECT_EQ(s.spawns, spawned);
    if (kCounting) {
        // No G but main ever blocks, so each runs once; main runs once more if its wait parked,
        // and a G preempted at a go() (a slow machine: it ran 10 ms) once more per preemption.
        EXPECT_GE(s.gs_run, spawned);
        EXPECT_LE(s.gs_run, spawned + 1 + s.preemptions);
        // Overflows are near-certain here but, with a thief draining the ring meanwhile, not
        // guaranteed; the one-P unit test (Stats.*Overflows*) checks their exact count.
    }
    expect_stats_add_up(s);
}

// A binary tree of Gs: each node spawns its two children, so the work starts on one P and
// must spread by overflow and stealing.
void tree_node(int depth, std::atomic<std::int64_t>& nodes, R::WaitGroup& wg) {
    nodes.fetch_add(1, std::memory_order_relaxed);
    if (depth < kTreeDepth) {
        R::go([depth, &nodes, &wg] { tree_node(depth + 1, nodes, wg); });
        R::go([depth, &nodes, &wg] { tree_node(depth + 1, nodes, wg); });
    }
    wg.done();
}

TEST(SpawnStress, NestedSpawnTreeRunsEveryNodeOnce) {
    constexpr std::int64_t kNodes = (std::int64_t{1} << (kTreeDepth + 1)) - 1;
    std::atomic<std::int64_t> nodes{0};
    R rt(procs(2));
    rt.run([&] {
        R::WaitGroup wg;
        wg.add(kNodes);
        tree_node(0, nodes, wg);  // main is the root
        wg.wait();
    });
    EXPECT_EQ(nodes.load(), kNodes);
    const schedlab::Stats& s = rt.stats();
    EXPECT_EQ(s.spawns, static_cast<std::uint64_t>(kNodes));  // main (the root) + 2 per inner node
    if (kCounting) {
        EXPECT_GE(s.gs_run, s.spawns);
        EXPECT_LE(s.gs_run, s.spawns + 1 + s.preemptions);  // a preempted G runs again
    }
    expect_stats_add_up(s);
}

TEST(SpawnStress, SpawnAndWaitLoopsOnTwoPsCompleteEveryRound) {
    // `go f(); wait` in a loop, from several Gs at once: the runnext fast path under contention.
#if defined(__SANITIZE_THREAD__)
    constexpr int kRounds = 10'000;
#else
    constexpr int kRounds = 50'000;
#endif
    constexpr int kLoopers = 4;
    std::atomic<std::int64_t> total{0};
    R rt(procs(2));
    rt.run([&] {
        R::WaitGroup all;
        all.add(kLoopers);
        for (int l = 0; l < kLoopers; ++l)
            R::go([&] {
                R::WaitGroup wg;
                std::int64_t mine = 0;
                for (int r = 0; r < kRounds; ++r) {
                    wg.add(1);
                    R::go([&] {
                        ++mine;  // ordered with the spawner by go() and wg
                        wg.done();
                    });
                    wg.wait();
                }
                total.fetch_add(mine);
                all.done();
            });
        all.wait();
    });
    EXPECT_EQ(total.load(), std::int64_t{kLoopers} * kRounds);
    EXPECT_EQ(rt.stats().spawns, 1u + kLoopers + std::uint64_t{kLoopers} * kRounds);
    expect_stats_add_up(rt.stats());
}

TEST(SpawnStress, FortyThousandGsRunOneAfterAnotherOnOneStack) {
    // `go f(); wait` in a loop on one P: every G runs on the same (LIFO-reused) stack. Sized
    // past 32768 on purpose, the same under ThreadSanitizer: a stack that serves more Gs than
    // that must keep working (each exiting G must not leave state behind on its stack's
    // sanitizer fiber, whose shadow call stack holds 64Ki frames).
    constexpr int kGs = 40'000;
    int ran = 0;
    R::run(1, [&] {
        R::WaitGroup wg;
        for (int i = 0; i < kGs; ++i) {
            wg.add(1);
            R::go([&] {
                ++ran;
                wg.done();
            });
            wg.wait();
        }
    });
    EXPECT_EQ(ran, kGs);
}

TEST(SpawnStress, ManyPsSharingTwoCoresStillRunEveryG) {
    // More Ps than cores: Ms are descheduled by the OS mid-operation, which shakes out races
    // that a P-per-core run hides.
#if defined(__SANITIZE_THREAD__)
    constexpr int kGs = 50'000;
#else
    constexpr int kGs = 200'000;
#endif
    std::vector<std::atomic<std::uint8_t>> ran(kGs);
    R rt(procs(8));
    rt.run([&] {
        R::WaitGroup wg;
        wg.add(kGs);
        for (int i = 0; i < kGs; ++i)
            R::go([&ran, &wg, i] {
                ran[static_cast<std::size_t>(i)].fetch_add(1, std::memory_order_relaxed);
                wg.done();
            });
        wg.wait();
    });
    int wrong = 0;
    for (auto& r : ran) wrong += r.load() != 1;
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(rt.stats().spawns, kGs + 1u);
    expect_stats_add_up(rt.stats());
}

}  // namespace
