// Cooperative preemption: sysmon marks a P whose G has run past the bundle's preempt_ns
// (Go's 10 ms) while another G waits, and the G yields at its next preemption point
// (preempt_point, go, a channel operation); without points it keeps the P; a bundle without
// preemption (cilk-like) never asks.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "runtime_test_util.hpp"

namespace {

using schedlab::testing::one_p;
using schedlab::testing::R;
using Clock = std::chrono::steady_clock;
using Cilk = schedlab::rt::Runtime<schedlab::policies::CilkLike>;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

TEST(Preempt, ASpinnerWithPointsLetsTheWaitingGRun) {
    std::atomic<bool> flag{false};
    double waited_ms = -1;
    R rt(one_p());
    rt.run([&] {
        R::WaitGroup wg;
        wg.add(2);
        R::go([&] {
            R::go([&] {
                flag = true;
                wg.done();
            });  // queued on this P: it runs only if the spinner yields
            const auto t0 = Clock::now();
            while (!flag && ms_since(t0) < 5000) R::preempt_point();
            waited_ms = ms_since(t0);
            wg.done();
        });
        wg.wait();
    });
    EXPECT_TRUE(flag.load());
    EXPECT_LT(waited_ms, 1000) << "the queued G waited " << waited_ms << " ms";
    EXPECT_GE(rt.stats().preempt_requests, 1u);
    EXPECT_GE(rt.stats().preemptions, 1u);
}

TEST(Preempt, ASpinnerWithoutPointsIsMarkedAndYieldsAtItsFirstPoint) {
    std::atomic<bool> flag{false};
    bool before = true, after = false;
    R rt(one_p());
    rt.run([&] {
        R::WaitGroup wg;
        wg.add(2);
        R::go([&] {
            R::go([&] {
                flag = true;
                wg.done();
            });
            const auto t0 = Clock::now();
            while (ms_since(t0) < 100) {
            }  // no preemption point: nothing else can run on this P
            before = flag.load();
            R::preempt_point();  // marked long ago: yields, and the queued G runs first
            after = flag.load();
            wg.done();
        });
        wg.wait();
    });
    EXPECT_FALSE(before);
    EXPECT_TRUE(after);
    EXPECT_GE(rt.stats().preempt_requests, 1u);
    EXPECT_EQ(rt.stats().preemptions, 1u);
}

TEST(Preempt, ChannelOperationsArePreemptionPoints) {
    std::atomic<bool> flag{false};
    R rt(one_p());
    rt.run([&] {
        R::Chan<int> c(1);
        R::WaitGroup wg;
        wg.add(2);
        R::go([&] {
            R::go([&] {
                flag = true;
                wg.done();
            });
            const auto t0 = Clock::now();
            while (!flag && ms_since(t0) < 5000) {
                c.send(1);  // never blocks: buffered, emptied at once
                (void)c.recv();
            }
            wg.done();
        });
        wg.wait();
    });
    EXPECT_TRUE(flag.load());
    EXPECT_GE(rt.stats().preemptions, 1u);
}

TEST(Preempt, ABundleWithoutPreemptionNeverAsks) {
    std::atomic<bool> flag{false};
    bool before = true;
    Cilk rt(one_p());
    rt.run([&] {
        Cilk::WaitGroup wg;
        wg.add(2);
        Cilk::go([&] {
            Cilk::go([&] {
                flag = true;
                wg.done();
            });
            const auto t0 = Clock::now();
            while (ms_since(t0) < 60) Cilk::preempt_point();
            before = flag.load();
            wg.done();
        });
        wg.wait();
    });
    EXPECT_FALSE(before);
    EXPECT_TRUE(flag.load());
    EXPECT_EQ(rt.stats().preempt_requests, 0u);
    EXPECT_EQ(rt.stats().preemptions, 0u);
}

}  // namespace
