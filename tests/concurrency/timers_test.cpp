// Timers (impl/timers.hpp): sleep_for, sleep_until and after() on 1-4 Ps. A sleep lasts at
// least its duration and, at best of three, not much longer; every P idle with a sleeper
// parks with a timeout instead of reporting a deadlock; a timer on a P whose M is away in a
// blocking call still fires; many sleepers beside channel traffic all wake, and the counters
// add up (set = fired).
#include <gtest/gtest.h>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "schedlab/runtime/schedlab.hpp"

namespace {

using R = schedlab::GoRuntime;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::int64_t ms_since(Clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count() / 1000;
}

R make(int procs) {
    schedlab::Options o;
    o.procs = procs;
    return R(o);
}

class Timers : public ::testing::TestWithParam<int> {};

// Also the case of a parked M with a pending timer: nothing else runs, so every P is idle
// while main sleeps (without a timed park this is "all Gs are asleep").
TEST_P(Timers, SleepLastsItsDurationAndNotMuchLonger) {
    R rt = make(GetParam());
    std::vector<std::int64_t> us;
    rt.run([&] {
        for (int i = 0; i < 3; ++i) {
            const auto t0 = Clock::now();
            R::sleep_for(50ms);
            us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
        }
    });
    for (std::int64_t u : us) EXPECT_GE(u, 50'000);
    EXPECT_LT(*std::min_element(us.begin(), us.end()), 70'000) << "best of three sleeps of 50 ms";
    EXPECT_EQ(rt.stats().timers_set, 3u);
    EXPECT_EQ(rt.stats().timers_fired, 3u);
}

TEST_P(Timers, SleepUntilAndZeroOrPastDeadlinesReturn) {
    R rt = make(GetParam());
    rt.run([&] {
        const auto t0 = Clock::now();
        R::sleep_for(0ms);
        R::sleep_for(-5ms);
        R::sleep_until(t0 - 1s);
        EXPECT_LT(ms_since(t0), 20);
        R::sleep_until(t0 + 20ms);
        EXPECT_GE(Clock::now(), t0 + 20ms);
    });
    EXPECT_EQ(rt.stats().timers_set, 1u);
}

TEST_P(Timers, AfterIsATimeoutInASelect) {
    R rt = make(GetParam());
    rt.run([&] {
        R::Chan<int> never;
        const auto t0 = Clock::now();
        auto timeout = R::after(15ms);
        int got = -1;
        R::TimePoint fired{};
        const int which = R::select(schedlab::rt::recv_case(never, got), schedlab::rt::recv_case(*timeout, fired));
        EXPECT_EQ(which, 1);
        EXPECT_GE(fired, t0 + 15ms);
        EXPECT_GE(Clock::now(), t0 + 15ms);
        // Nobody receiving: the value waits in the channel's buffer.
        auto early = R::after(1ms);
        R::sleep_for(10ms);
        const auto before = Clock::now();
        const R::TimePoint t = early->recv();
        EXPECT_LT(t, before);
        EXPECT_GE(t, before - 10ms);
    });
    EXPECT_EQ(rt.stats().timers_fired, 3u);
}

// The sleeper's timer is in the heap of the P that main then leaves in a 150 ms blocking
// call (no hand-off): sysmon hands that P off, and its timer must still fire on time.
TEST_P(Timers, ATimerFiresWhileItsPIsInABlockingCall) {
    R rt = make(GetParam());
    std::int64_t woke_ms = -1, call_end_ms = -1;
    rt.run([&] {
        const auto t0 = Clock::now();
        R::WaitGroup wg;
        wg.add(1);
        R::go([&] {
            R::sleep_for(5ms);
            woke_ms = ms_since(t0);
            wg.done();
        });
        R::yield();  // the sleeper runs first (runnext), sets its timer and parks
        R::blocking([] {
            timespec ts{0, 150'000'000};
            while (nanosleep(&ts, &ts) != 0) {
            }
        });
        call_end_ms = ms_since(t0);
        wg.wait();
    });
    EXPECT_GE(woke_ms, 5);
    EXPECT_LT(woke_ms, call_end_ms) << "the timer waited for the blocking call";
}

// Sleepers of random durations beside producers on a channel: every sleep ends, every value
// arrives, and every timer set fires.
TEST_P(Timers, ManySleepersBesideChannelTrafficAllWake) {
    R rt = make(GetParam());
#if defined(__SANITIZE_THREAD__)
    constexpr int kSleepers = 200, kLoops = 5;
#else
    constexpr int kSleepers = 2000, kLoops = 10;
#endif
    std::atomic<int> woken{0};
    std::atomic<bool> early{false};
    std::int64_t sum = 0;
    rt.run([&] {
        R::WaitGroup wg;
        wg.add(kSleepers + 1);
        for (int s = 0; s < kSleepers; ++s)
            R::go([&, s] {
                std::minstd_rand rng(static_cast<unsigned>(s + 1));
                for (int i = 0; i < kLoops; ++i) {
                    const auto d = std::chrono::microseconds(rng() % 3000);
                    const auto t0 = Clock::now();
                    if (i % 2)
                        R::sleep_for(d);
                    else
                        R::after(d)->recv();
                    if (Clock::now() < t0 + d) early = true;
                    woken.fetch_add(1, std::memory_order_relaxed);
                }
                wg.done();
            });
        R::Chan<int> c(4);
        R::go([&] {
            for (int v = 1; v <= 5000; ++v) c.send(v);
            c.close();
        });
        R::go([&] {
            int v = 0;
            while (c.recv(v)) sum += v;
            wg.done();
        });
        wg.wait();
    });
    EXPECT_EQ(woken.load(), kSleepers * kLoops);
    EXPECT_FALSE(early.load()) << "a sleep ended before its duration";
    EXPECT_EQ(sum, 5000 * 5001 / 2);
    // Durations of 0 us are set too (sleep_for(0) returns without one; after(0) sets one).
    EXPECT_EQ(rt.stats().timers_set, rt.stats().timers_fired);
    EXPECT_GE(rt.stats().timers_fired, static_cast<std::uint64_t>(kSleepers * kLoops * 9 / 10));
}

// Main returns while Gs still sleep: their timers (and an after() channel's) are dropped,
// and the next run starts clean.
TEST_P(Timers, PendingTimersAreDroppedWhenMainReturns) {
    R rt = make(GetParam());
    for (int round = 0; round < 3; ++round) {
        rt.run([&] {
            R::WaitGroup started;
            started.add(50);
            for (int i = 0; i < 50; ++i)
                R::go([&] {
                    started.done();  // then parks at once: its timer is set microseconds later
                    R::sleep_for(10s);
                });
            auto ch = R::after(10s);
            started.wait();
            R::sleep_for(5ms);
        });
        EXPECT_EQ(rt.stats().timers_set, 52u);
        EXPECT_EQ(rt.stats().timers_fired, 1u);
    }
}

INSTANTIATE_TEST_SUITE_P(Procs, Timers, ::testing::Values(1, 2, 4));

}  // namespace
