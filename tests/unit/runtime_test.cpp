// The runtime's semantics, mostly on one P, where the order in which Gs run is fully
// determined: there are no thieves, no preemption, and a G keeps the P until it blocks, yields
// or exits. The expected orders follow Go's rules (shared/REFERENCE.md section 2): a G readied
// by the running G goes to runnext and runs next; the G it displaces goes to the ring's tail;
// the ring is FIFO; yield puts the running G on the global queue.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedlab/runtime/schedlab.hpp"
#include "schedlab/runtime/stack_pool.hpp"
#include "support/stats_checks.hpp"

namespace {

using schedlab::testing::expect_stats_add_up;
using schedlab::testing::kCounting;

using R = schedlab::GoRuntime;
using schedlab::rt::ChanClosedError;
using schedlab::rt::default_case;
using schedlab::rt::recv_case;
using schedlab::rt::SelectCase;
using schedlab::rt::send_case;

schedlab::Options one_p() {
    schedlab::Options o;
    o.procs = 1;
    return o;
}

#define SKIP_UNLESS_COUNTING() \
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF"


// ---- run -----------------------------------------------------------------------------------

TEST(Run, ReturnsMainsIntResult) {
    EXPECT_EQ(R::run(1, [] { return 42; }), 42);
    EXPECT_EQ(R::run(2, [] { return -7; }), -7);
}

TEST(Run, ReturnsMainsStringResult) {
    const std::string s = R::run(1, [] { return std::string(1000, 'x') + "!"; });
    EXPECT_EQ(s.size(), 1001u);
    EXPECT_EQ(s.back(), '!');
}

TEST(Run, ReturnsMoveOnlyResult) {
    std::unique_ptr<int> p = R::run(1, [] { return std::make_unique<int>(5); });
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p, 5);
}

TEST(Run, RunsVoidMain) {
    int touched = 0;
    R::run(1, [&] { touched = 1; });
    EXPECT_EQ(touched, 1);
}

TEST(Run, ResultMayComeFromOtherGs) {
    const int v = R::run(1, [] {
        R::Chan<int> c;
        R::go([&] { c.send(42); });
        return c.recv();
    });
    EXPECT_EQ(v, 42);
}

TEST(Run, RethrowsMainsException) {
    try {
        R::run(1, []() -> int { throw std::runtime_error("boom from main"); });
        FAIL() << "run did not rethrow";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "boom from main");
    }
}

TEST(Run, RethrowsMainsChanClosedError) {
    EXPECT_THROW(R::run(1,
                        [] {
                            R::Chan<int> c(1);
                            c.close();
                            c.send(1);
                        }),
                 ChanClosedError);
}

TEST(Run, ReportsProcsAndDistinctGIds) {
    std::vector<std::uint64_t> ids;
    R::run(3, [&] {
        EXPECT_EQ(R::procs(), 3);
        R::Mutex mu;
        R::WaitGroup wg;
        wg.add(10);
        for (int i = 0; i < 10; ++i)
            R::go([&] {
                mu.lock();
                ids.push_back(R::current_id());
                mu.unlock();
                wg.done();
            });
        wg.wait();
        ids.push_back(R::current_id());
    });
    ASSERT_EQ(ids.size(), 11u);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
}

TEST(Run, MainReturningAbandonsBlockedGs) {
    R rt(one_p());
    const int v = rt.run([&] {
        auto c = std::make_shared<R::Chan<int>>();
        for (int i = 0; i < 10; ++i)
            R::go([c] { c->recv(); });  // blocks forever
        R::yield();                      // let them block
        return 7;
    });
    EXPECT_EQ(v, 7);
    EXPECT_EQ(rt.stats().spawns, 11u);
    // The runtime is still good for another run.
    EXPECT_EQ(rt.run([] { return 8; }), 8);
}

TEST(Run, NoQueuedGRunsAfterMainReturnsOnOneP) {
    // Go's program ends when main returns: a G still queued never runs. On one P nothing else
    // can be running at that moment, so none of these may run (they could otherwise touch
    // main's locals after main destroyed them).
    R rt(one_p());
    int ran = 0;
    const int v = rt.run([&] {
        for (int i = 0; i < 5; ++i) R::go([&] { ++ran; });  // queued, never run
        return 7;
    });
    EXPECT_EQ(v, 7);
    EXPECT_EQ(ran, 0) << "a queued G ran after main returned";
    EXPECT_EQ(rt.stats().spawns, 6u);
}

TEST(Run, OneRuntimeServesSeveralRuns) {
    schedlab::Options o;
    o.procs = 2;
    R rt(o);
    for (int run = 0; run < 6; ++run) {
        const int n = 50 + run;
        const int sum = rt.run([n] {
            R::Chan<int> c(4);
            for (int i = 1; i <= n; ++i) R::go([&c, i] { c.send(i); });
            int s = 0;
            for (int i = 0; i < n; ++i) s += c.recv();
            return s;
        });
        EXPECT_EQ(sum, n * (n + 1) / 2) << "run " << run;
        // Stats are those of the last run only.
        EXPECT_EQ(rt.stats().spawns, static_cast<std::uint64_t>(n + 1)) << "run " << run;
        expect_stats_add_up(rt.stats());
    }
}

TEST(Run, RuntimeIsReusableAfterMainThrew) {
    R rt(one_p());
    EXPECT_THROW(rt.run([] {
        R::go([] {});
        throw std::logic_error("first run fails");
    }),
                 std::logic_error);
    EXPECT_EQ(rt.run([] { return 3; }), 3);
    EXPECT_EQ(rt.stats().spawns, 1u);
}

// Counts live instances, to check that every closure is destroyed exactly once.
struct Tracked {
    static inline int live = 0;
    Tracked() { ++live; }
    Tracked(const Tracked&) { ++live; }
    Tracked(Tracked&&) noexcept(false) { ++live; }  // not nothrow: the closure goes to the heap
    ~Tracked() { --live; }
};

TEST(Run, SmallLargeAndThrowingMoveClosuresRunAndAreDestroyedOnce) {
    Tracked::live = 0;
    int sum = 0;
    R::run(1, [&] {
        R::WaitGroup wg;
        wg.add(3);
        Tracked t;
        std::array<int, 64> big{};  // 256 bytes: larger than the inline closure buffer
        big[63] = 5;
        R::go([&sum, &wg, t] {  // inline buffer size, but a move that may throw: on the heap
            sum += 1;
            wg.done();
        });
        R::go([&sum, &wg, big] {
            sum += big[63];
            wg.done();
        });
        R::go([&sum, &wg, s = std::string(100, 'y')] {
            sum += static_cast<int>(s.size());
            wg.done();
        });
        wg.wait();
    });
    EXPECT_EQ(sum, 106);
    EXPECT_EQ(Tracked::live, 0);
}

TEST(Run, ClosuresOfAbandonedGsAreDestroyedAtTheEndOfTheRun) {
    auto token = std::make_shared<int>(0);
    R rt(one_p());
    rt.run([token] {
        auto c = std::make_shared<R::Chan<int>>();
        for (int i = 0; i < 4; ++i) R::go([token, c] { c->recv(); });  // parked forever
        R::yield();
    });
    // The parked Gs' closures (and the Gs' copies of token) are gone.
    EXPECT_EQ(token.use_count(), 1);
    Tracked::live = 0;
    rt.run([] {
        Tracked t;
        for (int i = 0; i < 4; ++i) R::go([t] {});  // queued, abandoned when main returns
        return 0;
    });
    EXPECT_EQ(Tracked::live, 0);
}

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

// ---- Stacks ----------------------------------------------------------------------------------

// Consecutive stacks keep their headers at different offsets within the top page (colours),
// so their top lines spread over the caches' sets; each stack still spans limit..header, and
// a fault just below any stack's limit is found as that stack's guard page.
TEST(StackPool, ConsecutiveStacksAreColouredAndKeepTheirBoundsAndGuards) {
    using schedlab::rt::Stack;
    using schedlab::rt::StackCache;
    using schedlab::rt::StackPool;
    constexpr std::size_t kSize = 64 * 1024, kPage = schedlab::rt::kPageSize;
    StackPool pool(kSize);
    StackCache cache;
    std::vector<Stack*> got;
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < 2 * schedlab::rt::kStackColours; ++i) {
        Stack* s = pool.get(cache);
        got.push_back(s);
        const auto top = reinterpret_cast<std::uintptr_t>(s->top());
        offsets.push_back(top % kPage);
        EXPECT_EQ(top % alignof(Stack), 0u);
        // The usable part runs from limit up to the header's end, within the stack's region.
        EXPECT_EQ(s->limit + s->size, s->top() + sizeof(Stack));
        EXPECT_LE(s->size, kSize);
        EXPECT_GE(s->size, kSize - kPage);
        if (s->guarded) {
            const Stack* hit = nullptr;
            EXPECT_TRUE(pool.in_guard_page(s->limit - 1, &hit));
            EXPECT_EQ(hit, s);
            EXPECT_FALSE(pool.in_guard_page(s->limit, &hit));
        }
    }
    // The first kStackColours stacks all sit at different offsets in their top page.
    std::vector<std::size_t> first(offsets.begin(), offsets.begin() + schedlab::rt::kStackColours);
    std::sort(first.begin(), first.end());
    EXPECT_EQ(std::adjacent_find(first.begin(), first.end()), first.end());
    pool.give_back(got);
    pool.drain(cache);
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

// ---- Channels on one P -------------------------------------------------------------------------

TEST(Chan, UnbufferedSendWaitsForAReceiver) {
    R::run(1, [] {
        R::Chan<int> c;
        bool sent = false;
        R::go([&] {
            c.send(42);
            sent = true;
        });
        R::yield();  // the sender runs and blocks: nobody receives yet
        EXPECT_FALSE(sent);
        EXPECT_EQ(c.recv(), 42);
        EXPECT_FALSE(sent);  // readied, but it has not run yet
        R::yield();
        EXPECT_TRUE(sent);
    });
}

TEST(Chan, UnbufferedRecvWaitsForASender) {
    std::vector<std::string> log;
    R::run(1, [&] {
        R::Chan<std::string> c;
        R::go([&] {
            log.push_back("sender runs");
            c.send("hello");
            log.push_back("sender done");
        });
        log.push_back("main receives");
        std::string v = c.recv();  // blocks: the sender has not run yet
        log.push_back("main got " + v);
    });
    // The sender hands the value straight to the parked receiver and keeps running; main,
    // readied into runnext, runs when the sender exits.
    EXPECT_EQ(log, (std::vector<std::string>{"main receives", "sender runs", "sender done",
                                             "main got hello"}));
}

TEST(Chan, UnbufferedHandOffDeliversEveryValueInOrder) {
    R::run(1, [] {
        R::Chan<int> c;
        R::go([&] {
            for (int i = 0; i < 1000; ++i) c.send(i);
        });
        for (int i = 0; i < 1000; ++i) ASSERT_EQ(c.recv(), i);
    });
}

TEST(Chan, BufferedChannelIsFifoAndBlocksTheSenderBeyondCapacity) {
    R::run(1, [] {
        R::Chan<int> c(3);
        EXPECT_EQ(c.capacity(), 3u);
        int sent = 0;
        R::go([&] {
            for (int i = 0; i < 4; ++i) {
                c.send(i);
                ++sent;
            }
        });
        R::yield();
        EXPECT_EQ(sent, 3) << "three fit in the buffer, the fourth send blocks";
        EXPECT_EQ(c.recv(), 0);
        EXPECT_EQ(sent, 3) << "the sender was readied, but has not run";
        R::yield();
        EXPECT_EQ(sent, 4);
        EXPECT_EQ(c.recv(), 1);
        EXPECT_EQ(c.recv(), 2);
        EXPECT_EQ(c.recv(), 3);  // the blocked sender's value went to the buffer's tail
    });
}

TEST(Chan, BufferedSendsUpToCapacityDoNotBlock) {
    const int sum = R::run(1, [] {
        R::Chan<int> c(8);
        for (int i = 0; i < 8; ++i) c.send(i);  // no receiver exists: would deadlock if blocking
        int s = 0;
        for (int i = 0; i < 8; ++i) s += c.recv();
        return s;
    });
    EXPECT_EQ(sum, 28);
}

TEST(Chan, BufferedChannelKeepsFifoOrderAcrossManyWraps) {
    R::run(1, [] {
        R::Chan<int> c(5);
        R::go([&] {
            for (int i = 0; i < 1000; ++i) c.send(i);
            c.close();
        });
        int want = 0;
        int v = 0;
        while (c.recv(v)) ASSERT_EQ(v, want++);
        EXPECT_EQ(want, 1000);
    });
}

TEST(Chan, CloseWakesEveryBlockedReceiverWithOkFalse) {
    constexpr int kReceivers = 5;
    int not_ok = 0, zeroed = 0;
    R::run(1, [&] {
        R::Chan<int> c;
        R::WaitGroup wg;
        wg.add(kReceivers);
        for (int i = 0; i < kReceivers; ++i)
            R::go([&] {
                int v = -1;
                if (!c.recv(v)) ++not_ok;
                if (v == 0) ++zeroed;
                wg.done();
            });
        R::yield();  // all receivers block
        c.close();
        wg.wait();
    });
    EXPECT_EQ(not_ok, kReceivers);
    EXPECT_EQ(zeroed, kReceivers);
}

TEST(Chan, RecvOnClosedDrainedChannelReturnsDefaultAndFalse) {
    R::run(1, [] {
        R::Chan<int> c(2);
        c.close();
        int v = 99;
        EXPECT_FALSE(c.recv(v));
        EXPECT_EQ(v, 0);
        EXPECT_EQ(c.recv(), 0);

        R::Chan<std::string> s;
        s.close();
        std::string str = "stale";
        EXPECT_FALSE(s.recv(str));
        EXPECT_EQ(str, "");
        EXPECT_EQ(s.recv(), "");
    });
}

TEST(Chan, BufferedValuesAreStillDeliveredAfterClose) {
    R::run(1, [] {
        R::Chan<int> c(3);
        c.send(1);
        c.send(2);
        c.close();
        int v = 0;
        EXPECT_TRUE(c.recv(v));
        EXPECT_EQ(v, 1);
        EXPECT_TRUE(c.recv(v));
        EXPECT_EQ(v, 2);
        EXPECT_FALSE(c.recv(v));
        EXPECT_EQ(v, 0);
    });
}

TEST(Chan, SendOnClosedChannelThrowsInsideTheG) {
    bool caught = false;
    R::run(1, [&] {
        R::Chan<int> c(1);
        c.close();
        R::WaitGroup wg;
        wg.add(1);
        R::go([&] {
            try {
                c.send(1);
            } catch (const ChanClosedError& e) {
                caught = true;
                EXPECT_STREQ(e.what(), "send on closed channel");
            }
            wg.done();
        });
        wg.wait();
    });
    EXPECT_TRUE(caught);
}

TEST(Chan, BlockedSenderWokenByCloseThrows) {
    int caught = 0;
    R::run(1, [&] {
        R::Chan<int> unbuffered;
        R::Chan<int> full(1);
        full.send(0);
        R::WaitGroup wg;
        wg.add(2);
        for (R::Chan<int>* c : {&unbuffered, &full})
            R::go([&, c] {
                try {
                    c->send(1);
                } catch (const ChanClosedError&) {
                    ++caught;
                }
                wg.done();
            });
        R::yield();  // both senders block
        unbuffered.close();
        full.close();
        wg.wait();
        // The buffered value sent before close is still there.
        int v = -1;
        EXPECT_TRUE(full.recv(v));
        EXPECT_EQ(v, 0);
        EXPECT_FALSE(full.recv(v));
    });
    EXPECT_EQ(caught, 2);
}

TEST(Chan, CloseOfClosedChannelThrows) {
    R::run(1, [] {
        R::Chan<int> c;
        c.close();
        try {
            c.close();
            ADD_FAILURE() << "second close did not throw";
        } catch (const ChanClosedError& e) {
            EXPECT_STREQ(e.what(), "close of closed channel");
        }
    });
}

TEST(Chan, CarriesMoveOnlyValues) {
    R::run(1, [] {
        R::Chan<std::unique_ptr<int>> c(2);
        R::go([&] {
            for (int i = 0; i < 10; ++i) c.send(std::make_unique<int>(i));
            c.close();
        });
        int want = 0;
        std::unique_ptr<int> p;
        while (c.recv(p)) {
            ASSERT_NE(p, nullptr);
            EXPECT_EQ(*p, want++);
        }
        EXPECT_EQ(p, nullptr);
        EXPECT_EQ(want, 10);
    });
}

// ---- WaitGroup -------------------------------------------------------------------------------

TEST(WaitGroup, WaitOnZeroReturnsAtOnce) {
    R::run(1, [] {
        R::WaitGroup wg;
        EXPECT_EQ(wg.count(), 0);
        wg.wait();
        wg.add(2);
        EXPECT_EQ(wg.count(), 2);
        wg.done();
        wg.done();
        EXPECT_EQ(wg.count(), 0);
        wg.wait();
    });
}

TEST(WaitGroup, CanBeReusedForSeveralRounds) {
    R::run(1, [] {
        R::WaitGroup wg;
        for (int round = 1; round <= 6; ++round) {
            int done = 0;
            wg.add(round);
            for (int i = 0; i < round; ++i)
                R::go([&] {
                    R::yield();
                    ++done;
                    wg.done();
                });
            wg.wait();
            ASSERT_EQ(done, round) << "round " << round;
            ASSERT_EQ(wg.count(), 0);
        }
    });
}

TEST(WaitGroup, WakesEveryWaiter) {
    int woken = 0;
    R::run(1, [&] {
        R::WaitGroup gate, finished;
        gate.add(1);
        finished.add(4);
        for (int i = 0; i < 4; ++i)
            R::go([&] {
                gate.wait();
                ++woken;
                finished.done();
            });
        R::yield();  // all four wait on the gate
        EXPECT_EQ(woken, 0);
        gate.done();
        finished.wait();
    });
    EXPECT_EQ(woken, 4);
}

// ---- Mutex -----------------------------------------------------------------------------------

TEST(Mutex, ProtectsACounterAcrossGsThatYieldWhileHoldingIt) {
    constexpr int kGs = 10, kIters = 50;
    int counter = 0, inside = 0, max_inside = 0;
    R::run(1, [&] {
        R::Mutex mu;
        R::WaitGroup wg;
        wg.add(kGs);
        for (int g = 0; g < kGs; ++g)
            R::go([&] {
                for (int i = 0; i < kIters; ++i) {
                    mu.lock();
                    max_inside = std::max(max_inside, ++inside);
                    const int v = counter;
                    R::yield();  // let others run (and block on the lock) mid-update
                    counter = v + 1;
                    --inside;
                    mu.unlock();
                }
                wg.done();
            });
        wg.wait();
    });
    EXPECT_EQ(counter, kGs * kIters);
    EXPECT_EQ(max_inside, 1);
}

TEST(Mutex, TryLockFailsWhileHeld) {
    R::run(1, [] {
        R::Mutex mu;
        EXPECT_TRUE(mu.try_lock());
        EXPECT_FALSE(mu.try_lock());
        mu.unlock();
        EXPECT_TRUE(mu.try_lock());
        mu.unlock();
    });
}

TEST(Mutex, UnlockHandsTheLockToTheLongestWaiter) {
    std::vector<int> order;
    R::run(1, [&] {
        R::Mutex mu;
        R::WaitGroup wg;
        wg.add(5);
        mu.lock();
        for (int i = 0; i < 5; ++i)
            R::go([&, i] {
                mu.lock();
                order.push_back(i);
                mu.unlock();
                wg.done();
            });
        R::yield();  // they block on the lock in run order: 4 (runnext), 0, 1, 2, 3
        // A late-comer that tries while the lock is being handed over must not barge in.
        mu.unlock();
        EXPECT_FALSE(mu.try_lock());
        wg.wait();
    });
    EXPECT_EQ(order, (std::vector<int>{4, 0, 1, 2, 3}));
}

// ---- select ----------------------------------------------------------------------------------

TEST(Select, TakesDefaultWhenNothingIsReady) {
    R::run(1, [] {
        R::Chan<int> a, b(1);
        int x = -1;
        bool ok = true;
        b.send(0);  // b is full: a send case on it is not ready
        int y = 5;
        EXPECT_EQ(R::select(recv_case(a, x, &ok), send_case(b, y), default_case()), 2);
        EXPECT_EQ(x, -1);
        EXPECT_EQ(y, 5) << "a case that did not run leaves its value alone";
    });
}

TEST(Select, ChoosesTheReadyRecvCase) {
    R::run(1, [] {
        R::Chan<int> a, b(1);
        for (int i = 0; i < 20; ++i) {
            b.send(i);
            int x = -1, y = -1;
            bool ok = false;
            ASSERT_EQ(R::select(recv_case(a, x), recv_case(b, y, &ok), default_case()), 1);
            EXPECT_EQ(y, i);
            EXPECT_TRUE(ok);
            EXPECT_EQ(x, -1);
        }
    });
}

TEST(Select, RecvCaseTakesFromAParkedSender) {
    R::run(1, [] {
        R::Chan<int> c;
        R::go([&] { c.send(77); });
        R::yield();  // the sender parks
        int x = 0;
        bool ok = false;
        EXPECT_EQ(R::select(recv_case(c, x, &ok), default_case()), 0);
        EXPECT_EQ(x, 77);
        EXPECT_TRUE(ok);
    });
}

TEST(Select, SendCaseFillsABuffer) {
    R::run(1, [] {
        R::Chan<int> c(1);
        int v = 11;
        EXPECT_EQ(R::select(send_case(c, v), default_case()), 0);
        EXPECT_EQ(c.recv(), 11);
    });
}

TEST(Select, SendCaseHandsToAParkedReceiver) {
    int got = 0;
    R::run(1, [&] {
        R::Chan<int> c;
        R::go([&] { got = c.recv(); });
        R::yield();  // the receiver parks
        int v = 23;
        EXPECT_EQ(R::select(send_case(c, v), default_case()), 0);
        R::yield();
    });
    EXPECT_EQ(got, 23);
}

TEST(Select, RecvCaseOnClosedChannelGivesOkFalse) {
    R::run(1, [] {
        R::Chan<int> a, closed;
        closed.close();
        int x = 5, y = 5;
        bool ok = true;
        EXPECT_EQ(R::select(recv_case(a, x), recv_case(closed, y, &ok)), 1);
        EXPECT_FALSE(ok);
        EXPECT_EQ(y, 0);
    });
}

TEST(Select, SendCaseOnClosedChannelThrows) {
    R::run(1, [] {
        R::Chan<int> c(1);
        c.close();
        int v = 1;
        EXPECT_THROW(R::select(send_case(c, v), default_case()), ChanClosedError);
    });
}

TEST(Select, BlocksUntilAnotherGSends) {
    R::run(1, [] {
        R::Chan<int> a, b;
        R::go([&] {
            for (int i = 0; i < 3; ++i) R::yield();
            b.send(99);
        });
        int x = -1, y = -1;
        bool ok = false;
        EXPECT_EQ(R::select(recv_case(a, x), recv_case(b, y, &ok)), 1);
        EXPECT_EQ(y, 99);
        EXPECT_TRUE(ok);
        EXPECT_EQ(x, -1);
    });
}

TEST(Select, BlockedSendCaseProceedsWhenAReceiverArrives) {
    int got = -1;
    R::run(1, [&] {
        R::Chan<int> a, c;
        R::go([&] {
            R::yield();
            got = c.recv();
        });
        int x = 0, v = 31;
        EXPECT_EQ(R::select(recv_case(a, x), send_case(c, v)), 1);
        R::yield();
    });
    EXPECT_EQ(got, 31);
}

TEST(Select, BlockedSelectIsWokenByClose) {
    R::run(1, [] {
        R::Chan<int> a, b;
        R::go([&] {
            R::yield();
            b.close();
        });
        int x = -1, y = -1;
        bool ok = true;
        EXPECT_EQ(R::select(recv_case(a, x), recv_case(b, y, &ok)), 1);
        EXPECT_FALSE(ok);
        EXPECT_EQ(y, 0);
    });
}

TEST(Select, BlockedSendCaseThrowsWhenItsChannelIsClosed) {
    R::run(1, [] {
        R::Chan<int> a, c;
        R::go([&] {
            R::yield();
            c.close();
        });
        int x = 0, v = 1;
        EXPECT_THROW(R::select(recv_case(a, x), send_case(c, v)), ChanClosedError);
    });
}

TEST(Select, LosingCasesAreWithdrawnAfterABlockingSelect) {
    // After a blocking select over a and b won on a, b must hold no waiter of ours: a later
    // sender on b must find nobody to hand its value to, even while we block in another
    // select (which re-arms our one-winner flag).
    R::run(1, [] {
        R::Chan<int> a, b, c;
        R::go([&] { a.send(1); });
        int x = 0, y = 0;
        ASSERT_EQ(R::select(recv_case(a, x), recv_case(b, y)), 0);
        EXPECT_EQ(x, 1);
        int probe_result = -1;
        R::go([&] {
            int v = 5;
            probe_result = R::select(send_case(b, v), default_case());
            c.send(2);
        });
        int z = 0;
        ASSERT_EQ(R::select(recv_case(c, z)), 0);
        EXPECT_EQ(z, 2);
        EXPECT_EQ(probe_result, 1) << "a stale select waiter was left on b";
        EXPECT_EQ(y, 0);
    });
}

TEST(Select, NilChannelCaseIsNeverChosen) {
    R::run(1, [] {
        R::Chan<int> ready(1);
        int x = 0, y = 0;
        bool nil_ok = false;
        const SelectCase nil_recv{.chan = nullptr, .elem = &x, .ok = &nil_ok,
                                  .kind = SelectCase::Kind::Recv};
        const SelectCase nil_send{.chan = nullptr, .elem = &x, .ok = nullptr,
                                  .kind = SelectCase::Kind::Send};
        for (int i = 0; i < 100; ++i) {
            ready.send(i);
            ASSERT_EQ(R::select(nil_recv, recv_case(ready, y), nil_send), 1);
            ASSERT_EQ(y, i);
        }
        EXPECT_EQ(R::select(nil_recv, nil_send, default_case()), 2);
        EXPECT_EQ(x, 0);
        EXPECT_FALSE(nil_ok);
    });
}

TEST(Select, SameChannelInTwoCases) {
    R::run(1, [] {
        R::Chan<int> c;
        R::go([&] { c.send(4); });
        int x = -1, y = -1;
        const int i = R::select(recv_case(c, x), recv_case(c, y));
        ASSERT_TRUE(i == 0 || i == 1);
        EXPECT_EQ(i == 0 ? x : y, 4);
        EXPECT_EQ(i == 0 ? y : x, -1);
        // Nothing of ours is left queued on c.
        int v = 1;
        EXPECT_EQ(R::select(send_case(c, v), default_case()), 1);
    });
}

}  // namespace
