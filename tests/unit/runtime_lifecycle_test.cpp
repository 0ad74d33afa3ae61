// The lifecycle of a run and of its Gs: run's result and exceptions, G ids, Gs abandoned when
// main returns, one runtime serving several runs, closures destroyed exactly once (suite Run),
// and the stack pool's colouring, bounds and guard pages (suite StackPool).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime_test_util.hpp"
#include "schedlab/runtime/stack_pool.hpp"

namespace {

using schedlab::testing::expect_stats_add_up;
using schedlab::testing::one_p;
using schedlab::testing::R;
using schedlab::rt::ChanClosedError;

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

// peak_stacks (Cilk's S_P): the most stacks in use at once, to within a cache per P, per run.
TEST(StackPool, HighWaterCountsTheStacksLiveAtOnceInEachRun) {
    R rt(one_p());
    const auto run_with_parked = [&](int n) {
        rt.run([n] {
            R::WaitGroup started, release;
            release.add(1);
            for (int i = 0; i < n; ++i) {
                started.add(1);
                R::go([&] {
                    started.done();
                    release.wait();  // parked with its stack
                });
            }
            started.wait();
            release.done();
        });
        return rt.stack_pool().high_water();
    };
    const std::size_t slack = schedlab::rt::kPerPCacheMax;
    const std::size_t big = run_with_parked(3000);
    EXPECT_GE(big, 3001u);  // 3000 parked Gs and main
    EXPECT_LE(big, 3001u + slack);
    const std::size_t small = run_with_parked(10);  // the same Runtime: reset per run
    EXPECT_GE(small, 11u);
    EXPECT_LE(small, 11u + slack);
}

}  // namespace
