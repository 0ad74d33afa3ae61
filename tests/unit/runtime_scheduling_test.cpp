// The order in which Gs run on one P: runnext, the FIFO ring, yield to the global queue, the
// 61-tick look at the global queue, no starvation by yielding or runnext ping-pong (suite OneP),
// and the per-P counters that record where each G came from (suite Stats).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "runtime_test_util.hpp"

namespace {

using schedlab::testing::expect_stats_add_up;
using schedlab::testing::one_p;
using schedlab::testing::R;

// ---- Order of execution on one P -------------------------------------------------------------

TEST(OneP, SpawnedGsWaitUntilTheSpawnerBlocks) {
    std::vector<int> order;
    R::run(1, [&] {
        R::WaitGroup wg;
        wg.add(3);
        for (int i = 0; i < 3; ++i)
            R::go([&, i] {
                order.push_back(i);
                wg.done();
            });
        EXPECT_TRUE(order.empty()) << "no preemption: nothing runs until main blocks";
        wg.wait();
    });
    EXPECT_EQ(order.size(), 3u);
}

TEST(OneP, RunnextRunsTheNewestGFirstThenTheRestInFifoOrder) {
    std::vector<int> order;
    R::run(1, [&] {
        R::WaitGroup wg;
        wg.add(5);
        for (int i = 0; i < 5; ++i)
            R::go([&, i] {
                order.push_back(i);
                wg.done();
            });
        wg.wait();
    });
    EXPECT_EQ(order, (std::vector<int>{4, 0, 1, 2, 3}));
}

TEST(OneP, AGReadiedByTheRunningGRunsBeforeOlderQueuedGs) {
    // main spawns A then B (B in runnext, A in the ring). B spawns C, which takes runnext
    // and runs right after B, before A.
    std::vector<char> order;
    R::run(1, [&] {
        R::WaitGroup wg;
        wg.add(3);
        R::go([&] {
            order.push_back('A');
            wg.done();
        });
        R::go([&] {
            order.push_back('B');
            R::go([&] {
                order.push_back('C');
                wg.done();
            });
            wg.done();
        });
        wg.wait();
    });
    EXPECT_EQ(order, (std::vector<char>{'B', 'C', 'A'}));
}

TEST(OneP, YieldLetsAnotherGRun) {
    std::vector<char> order;
    R::run(1, [&] {
        R::go([&] { order.push_back('g'); });
        R::yield();
        order.push_back('m');
    });
    EXPECT_EQ(order, (std::vector<char>{'g', 'm'}));
}

TEST(OneP, TwoYieldingGsAlternate) {
    // Each yield goes to the global queue and the other G comes off the local ring or the
    // global queue. 40 runs keep the P's schedtick below 61, the tick on which the global
    // queue would go first and let one G run twice in a row.
    std::vector<int> order;
    R::run(1, [&] {
        R::WaitGroup wg;
        wg.add(2);
        for (int id = 1; id <= 2; ++id)
            R::go([&, id] {
                for (int k = 0; k < 20; ++k) {
                    order.push_back(id);
                    R::yield();
                }
                wg.done();
            });
        wg.wait();
    });
    ASSERT_EQ(order.size(), 40u);
    for (std::size_t i = 1; i < order.size(); ++i)
        EXPECT_NE(order[i], order[i - 1]) << "at " << i;
}

TEST(OneP, YieldingGDoesNotStarveQueuedGs) {
    // A G that yields in a loop cannot keep the P from the other queued Gs.
    int others = 0;
    R::run(1, [&] {
        for (int i = 0; i < 100; ++i) R::go([&] { ++others; });
        while (others < 100) R::yield();
    });
    EXPECT_EQ(others, 100);
}

TEST(OneP, GlobalQueueIsLookedAtWithinSixtyOneTicks) {
    // main yields to the global queue while 200 Gs wait in the local ring (and runnext). A P
    // looks at the global queue first on every 61st schedule tick, so main must not wait for
    // the whole ring: it comes back after at most 61 of them (Go's schedtick % 61 rule).
    constexpr int kLocal = 200;
    int ran_before_main = -1;
    int ran = 0;
    R::run(1, [&] {
        for (int i = 0; i < kLocal; ++i) R::go([&] { ++ran; });
        R::yield();
        ran_before_main = ran;
        while (ran < kLocal) R::yield();
    });
    EXPECT_GE(ran_before_main, 1);
    EXPECT_LE(ran_before_main, 61);
}

TEST(OneP, RunnextPingPongDoesNotStarveQueuedGsForever) {
    // Two Gs that hand a value back and forth ready each other into runnext, and a G readied
    // through runnext inherits the time slice (schedtick does not advance). Go ends an
    // inherited slice after 10 ms (sysmon preempts the chain), so a pair ping-ponging forever
    // cannot keep a queued G from running (shared/REFERENCE.md section 2). Here the pair gives
    // up after 2 s of wall time; the queued G must have run long before that.
    bool queued_ran = false;
    long exchanges_before = -1;
    R::run(1, [&] {
        R::Chan<int> ping, pong;
        R::WaitGroup wg;
        wg.add(3);
        // ping is spawned first, so pong (in runnext) runs first and parks in recv.
        R::go([&] {  // ping
            const std::uint64_t deadline = schedlab::rt::detail::now_ns() + 2'000'000'000ull;
            for (long i = 0; schedlab::rt::detail::now_ns() < deadline; ++i) {
                // pong is parked in recv here: the send below readies it into runnext and
                // kicks the new G to the ring's tail, behind the pair.
                if (i == 10)
                    R::go([&] {
                        queued_ran = true;
                        wg.done();
                    });
                if (queued_ran) {
                    exchanges_before = i;
                    break;
                }
                ping.send(1);
                pong.recv();
            }
            ping.send(-1);
            wg.done();
        });
        R::go([&] {  // pong
            while (ping.recv() >= 0) pong.send(1);
            wg.done();
        });
        wg.wait();
    });
    EXPECT_TRUE(queued_ran);
    EXPECT_GE(exchanges_before, 10)
        << "the queued G ran only after a runnext ping-pong pair had starved it for 2 s";
}

// ---- Stats -----------------------------------------------------------------------------------

TEST(Stats, CountSpawnsRunsAndQueueSources) {
    SKIP_UNLESS_COUNTING();
    R rt(one_p());
    rt.run([] {
        R::WaitGroup wg;
        wg.add(10);
        for (int i = 0; i < 10; ++i) R::go([&] { wg.done(); });
        wg.wait();
    });
    const schedlab::Stats& s = rt.stats();
    EXPECT_EQ(s.spawns, 11u);  // 10 go calls + main
    EXPECT_EQ(s.gs_run, 12u);  // each G once, main twice (started, resumed after wait)
    // main started from the ring; G9 from runnext; G0..G8 from the ring; main resumed from
    // runnext (the last done() readied it).
    EXPECT_EQ(s.runnext_hits, 2u);
    EXPECT_EQ(s.local_pops, 10u);
    EXPECT_EQ(s.global_pulls, 0u);
    EXPECT_EQ(s.overflows, 0u);
    // One P: nobody to steal from, nothing to spin or park for.
    EXPECT_EQ(s.steal_attempts, 0u);
    EXPECT_EQ(s.steals, 0u);
    EXPECT_EQ(s.gs_stolen, 0u);
    EXPECT_EQ(s.migrations, 0u);
    EXPECT_EQ(s.spins, 0u);
    EXPECT_EQ(s.parks, 0u);
    expect_stats_add_up(s);
}

TEST(Stats, SpawningAThousandGsWithoutBlockingOverflowsToTheGlobalQueue) {
    SKIP_UNLESS_COUNTING();
    constexpr int kGs = 1000;
    std::vector<int> ran(kGs, 0);
    R rt(one_p());
    rt.run([&] {
        R::WaitGroup wg;
        wg.add(kGs);
        for (int i = 0; i < kGs; ++i)
            R::go([&, i] {
                ++ran[i];
                wg.done();
            });
        wg.wait();
    });
    for (int i = 0; i < kGs; ++i) ASSERT_EQ(ran[i], 1) << "G " << i;
    const schedlab::Stats& s = rt.stats();
    EXPECT_EQ(s.spawns, kGs + 1u);
    EXPECT_EQ(s.gs_run, kGs + 2u);
    // Spawn k puts G k in runnext and kicks G k-1 to the ring. The ring is full after spawn
    // 257; spawn 258 spills 128 + 1 Gs, leaving 128, so every 129th spawn after that
    // overflows again: spawns 258, 387, 516, 645, 774 and 903.
    EXPECT_EQ(s.overflows, 6u);
    EXPECT_GT(s.global_pulls, 0u);
    expect_stats_add_up(s);
}

TEST(Stats, YieldedGsComeBackThroughTheGlobalQueue) {
    SKIP_UNLESS_COUNTING();
    R rt(one_p());
    rt.run([] {
        for (int i = 0; i < 5; ++i) R::yield();
    });
    EXPECT_EQ(rt.stats().spawns, 1u);
    EXPECT_EQ(rt.stats().gs_run, 6u);
    EXPECT_EQ(rt.stats().global_pulls, 5u);
    expect_stats_add_up(rt.stats());
}

}  // namespace
