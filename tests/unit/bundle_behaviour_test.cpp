// Each bundle does what it says, observed through the runtime's order of execution and its
// counters (the pure policy functions are tested in policies_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "schedlab/runtime/schedlab.hpp"
#include "support/stats_checks.hpp"

namespace {

using namespace schedlab::policies;
using schedlab::rt::Runtime;
using schedlab::testing::kCounting;

template <class B>
std::vector<int> order_of_five_spawns() {
    using R = Runtime<B>;
    std::vector<int> seen;
    R::run(1, [&] {
        typename R::WaitGroup wg;
        wg.add(5);
        for (int i = 0; i < 5; ++i)
            R::go([&, i] {
                seen.push_back(i);
                wg.done();
            });
        wg.wait();
    });
    return seen;
}

TEST(NoRunnext, ASinglePRunsSpawnedGsInFifoOrder) {
    EXPECT_EQ(order_of_five_spawns<NoRunnext>(), (std::vector<int>{0, 1, 2, 3, 4}));
    // With runnext, the newest G jumps the queue.
    EXPECT_EQ(order_of_five_spawns<Go>(), (std::vector<int>{4, 0, 1, 2, 3}));
}

TEST(NoRunnext, NeverTakesAGFromRunnext) {
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    Runtime<NoRunnext> rt;
    rt.run([] {
        using R = Runtime<NoRunnext>;
        R::Chan<int> a, b;
        R::go([&] {
            for (int i = 0; i < 1000; ++i) b.send(a.recv());
        });
        for (int i = 0; i < 1000; ++i) {
            a.send(i);
            b.recv();
        }
    });
    EXPECT_EQ(rt.stats().runnext_hits, 0u);
    EXPECT_GT(rt.stats().local_pops, 1000u);
}

// main queues Gs on its P and parks; each G spins until some G has run on another thread, so
// the first P stays busy and the other P's M must steal for the run to end (no timing luck
// needed, however loaded the machine). `stolen_ran` is false if nothing was stolen in 10 s.
template <class B>
schedlab::Stats stats_of_a_forced_steal(bool& stolen_ran) {
    using R = Runtime<B>;
    schedlab::Options o;
    o.procs = 2;
    R rt(o);
    std::atomic<bool> ran_elsewhere{false};
    rt.run([&] {
        const auto home = std::this_thread::get_id();
        typename R::WaitGroup wg;
        constexpr int kGs = 200;
        wg.add(kGs);
        for (int i = 0; i < kGs; ++i)
            R::go([&] {
                if (std::this_thread::get_id() != home) ran_elsewhere = true;
                const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
                while (!ran_elsewhere && std::chrono::steady_clock::now() < give_up) {
                }
                wg.done();
            });
        wg.wait();
    });
    stolen_ran = ran_elsewhere;
    return rt.stats();
}

TEST(CilkLike, EverySuccessfulStealMovesExactlyOneG) {
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    bool stolen_ran = false;
    const auto s = stats_of_a_forced_steal<CilkLike>(stolen_ran);
    ASSERT_TRUE(stolen_ran) << "no G ran on the second P within 10 s";
    ASSERT_GT(s.steals, 0u);
    EXPECT_EQ(s.gs_stolen, s.steals);
    // main made every G on the first P, and one of them ran on the second.
    EXPECT_GE(s.migrations, 1u);
    EXPECT_LE(s.migrations, s.gs_run);
}

// A child that started, blocked and was readied back into its parent's queue is no longer a
// call the join may make: inlining it would run its function a second time from the start
// (UTS T3 under cilk-like lost nodes this way). On one P: the inlined newest child B yields, so
// the scheduler starts A, which blocks on a receive; B's send readies A into the local queue
// while the parent is still inside its join.
TEST(CilkLike, AJoinNeverInlinesAChildThatHasAlreadyStarted) {
    using R = Runtime<CilkLike>;
    int a_started = 0, a_finished = 0, b_runs = 0, got = 0;
    R::run(1, [&] {
        R::Chan<int> c(1);
        typename R::Group g;
        g.spawn([&] {
            ++a_started;
            got += c.recv();
            ++a_finished;
        });
        g.spawn([&] {
            ++b_runs;
            R::yield();
            c.send(1);  // hands off to the waiting A and readies it
            c.send(2);  // fills the buffer: a second start of A would receive it
        });
        g.wait();
        EXPECT_EQ(a_finished, 1) << "the join returned before A finished";
    });
    EXPECT_EQ(a_started, 1);
    EXPECT_EQ(a_finished, 1);
    EXPECT_EQ(b_runs, 1);
    EXPECT_EQ(got, 1);
}

TEST(Go, AStealMovesHalfTheVictimsQueueRoundedUp) {
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    bool stolen_ran = false;
    const auto s = stats_of_a_forced_steal<Go>(stolen_ran);
    ASSERT_TRUE(stolen_ran) << "no G ran on the second P within 10 s";
    ASSERT_GT(s.steals, 0u);
    EXPECT_GE(s.gs_stolen, s.steals);
    // main made every G on the first P, and one of them ran on the second.
    EXPECT_GE(s.migrations, 1u);
    EXPECT_LE(s.migrations, s.gs_run);
}

// On one P, a victim G sits in the global queue (it yielded) while a local producer keeps the
// local queue busy: every round it spawns two Gs and waits for them. Returns the round during
// which the victim ran again (kRounds if only after the producer finished).
template <class B>
int round_when_global_victim_runs(int rounds) {
    using R = Runtime<B>;
    int round = 0, victim_ran_at = -1;
    R::run(1, [&] {
        typename R::WaitGroup done;
        done.add(2);
        R::go([&] {  // the victim: lands in the global queue by yielding once
            R::yield();
            victim_ran_at = round;
            done.done();
        });
        R::go([&] {  // the local producer
            for (round = 0; round < rounds; ++round) {
                typename R::WaitGroup wg;
                wg.add(2);
                R::go([&] { wg.done(); });
                R::go([&] { wg.done(); });
                wg.wait();
            }
            done.done();
        });
        done.wait();
    });
    return victim_ran_at;
}

TEST(GlobalCheck, GosEvery61stTickLetsAGlobalGRunWhileALocalProducerIsBusy) {
    const int at = round_when_global_victim_runs<Go>(1000);
    EXPECT_GE(at, 0);
    EXPECT_LT(at, 2 * 61) << "the global queue was not looked at within ~61 ticks";
}

TEST(GlobalCheck, NeverLetsALocalProducerStarveTheGlobalQueue) {
    EXPECT_EQ(round_when_global_victim_runs<GciNever>(1000), 1000);
}

TEST(TokioLike, RunsAndChecksTheGlobalQueueEvery31Ticks) {
    const int at = round_when_global_victim_runs<TokioLike>(1000);
    EXPECT_GE(at, 0);
    EXPECT_LT(at, 2 * 31);
}

// Every point of the global-check sweep (CMake list SCHEDLAB_GLOBAL_CHECK_VALUES), through the
// runtime: a global G runs within about N rounds of a busy local producer, or, for never,
// only after the producer ends.
template <class B>
void expect_global_check_as_configured(std::string_view value) {
    constexpr int kRounds = 1000;
    const int at = round_when_global_victim_runs<B>(kRounds);
    if (value == "never") {
        EXPECT_EQ(at, kRounds) << B::name;
        return;
    }
    const int period = std::stoi(std::string(value));
    EXPECT_GE(at, 0) << B::name;
    EXPECT_LT(at, std::min(kRounds, 2 * period + 2)) << B::name << " (every " << period << ")";
}

TEST(GlobalCheckSweep, EachPointChecksTheGlobalQueueAsOftenAsItsValueSays) {
    using Sweep = sweep::GlobalCheckSweep;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (expect_global_check_as_configured<std::tuple_element_t<I, Sweep>>(
             sweep::global_check_values[I]),
         ...);
    }(std::make_index_sequence<std::tuple_size_v<Sweep>>{});
}

TEST(StealAllBundle, RunsFibCorrectlyOnTwoPs) {
    using R = Runtime<StealAllBundle>;
    struct Fib {
        static long go(int n) {
            if (n < 2) return n;
            long a = 0, b = 0;
            R::WaitGroup wg;
            wg.add(2);
            R::go([&] {
                a = go(n - 1);
                wg.done();
            });
            R::go([&] {
                b = go(n - 2);
                wg.done();
            });
            wg.wait();
            return a + b;
        }
    };
    EXPECT_EQ(R::run(2, [] { return Fib::go(18); }), 2584);
}

}  // namespace
