// Blocking calls (Runtime::blocking, blocking_handoff): the P of a G in a long call goes to
// another M so the other Gs run; a short call keeps its P; the G comes back with its result or
// its exception; nothing is taken for a deadlock while a G is in a call.
#include <gtest/gtest.h>

#include <time.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

#include "runtime_test_util.hpp"

namespace {

using schedlab::testing::one_p;
using schedlab::testing::R;

void sleep_ms(int ms) {
    timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

// On one P: one G makes `call` while another counts and yields until the call is back.
// Returns how far the counter got while the call ran (0: the other G was stalled).
template <class Call>
long progress_during(R& rt, Call call) {
    std::atomic<bool> done{false};
    std::atomic<long> progress{0};
    long at_return = -1;
    rt.run([&] {
        R::WaitGroup wg;
        wg.add(2);
        R::go([&] {
            call(progress);
            at_return = progress.load();
            done = true;
            wg.done();
        });
        R::go([&] {
            while (!done) {
                progress.fetch_add(1);
                R::yield();
            }
            wg.done();
        });
        wg.wait();
    });
    return at_return;
}

TEST(Blocking, LongCallOnOnePDoesNotStopTheOtherGs) {
    R rt(one_p());
    const long at_return = progress_during(rt, [](auto&) { R::blocking([] { sleep_ms(200); }); });
    EXPECT_GT(at_return, 0) << "the other G made no progress during the 200 ms call";
    EXPECT_EQ(rt.stats().syscalls, 1u);
    EXPECT_GE(rt.stats().retakes, 1u);
    EXPECT_GE(rt.stats().handoffs, 1u);
}

TEST(Blocking, BackToBackShortCallsOnOnePAreRetakenByTheirSlice) {
    // Once sysmon has backed off to 10 ms rounds, a G making back-to-back 1 ms calls shows a
    // new syscalltick every round; only its unchanged schedtick (no G switch on the P for
    // 10 ms: Go's sysretake) gets the P back for the other G.
    R rt(one_p());
    long before = -1;
    const long at_return = progress_during(rt, [&](const std::atomic<long>& progress) {
        R::blocking([] {});  // starts sysmon
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
        while (std::chrono::steady_clock::now() < until) {
        }  // no scheduling point: sysmon retakes nothing and backs off
        before = progress.load();
        for (int i = 0; i < 100; ++i) R::blocking([] { sleep_ms(1); });
    });
    EXPECT_GT(at_return, before) << "the other G made no progress during 100 back-to-back calls";
    EXPECT_EQ(rt.stats().syscalls, 101u);
    EXPECT_GE(rt.stats().retakes, 1u);
}

TEST(Blocking, HandoffAtEntryRunsTheOthersAtOnce) {
    R rt(one_p());
    const long at_return = progress_during(rt, [](auto&) { R::blocking_handoff([] { sleep_ms(50); }); });
    EXPECT_GT(at_return, 0);
    EXPECT_GE(rt.stats().handoffs, 1u);
}

TEST(Blocking, ReturnsTheResultAndRethrowsTheException) {
    const int got = R::run(1, [] {
        const int x = R::blocking([] { return 41; });
        bool caught = false;
        try {
            R::blocking([] { throw std::runtime_error("inside"); });
        } catch (const std::runtime_error& e) {
            caught = std::string(e.what()) == "inside";
        }
        // The G still has a P: it can spawn and wait.
        R::Chan<int> c(1);
        R::go([&] { c.send(1); });
        return x + (caught ? c.recv() : 100);
    });
    EXPECT_EQ(got, 42);
}

TEST(Blocking, ACallIsNotADeadlock) {
    // main waits on a channel while the only other G sits in a call on the only P: every P is
    // idle or in a call, and the run must wait for the call, not report a deadlock.
    const int got = R::run(1, [] {
        R::Chan<int> c;
        R::go([&] {
            R::blocking([] { sleep_ms(30); });
            c.send(7);
        });
        return c.recv();
    });
    EXPECT_EQ(got, 7);
}

TEST(Blocking, ShortCallsKeepTheirPAndCount) {
    schedlab::Options o;
    o.procs = 2;
    R rt(o);
    long sum = 0;
    rt.run([&] {
        for (int i = 0; i < 1000; ++i) sum += R::blocking([i] { return i; });
    });
    EXPECT_EQ(sum, 999L * 1000 / 2);
    EXPECT_EQ(rt.stats().syscalls, 1000u);
    // A second run on the same Runtime (sysmon kept) counts afresh.
    rt.run([&] { R::blocking([] {}); });
    EXPECT_EQ(rt.stats().syscalls, 1u);
}

TEST(Blocking, ManyCallsAtOnceOnTwoPs) {
    constexpr int kCallers = 40;
    std::atomic<int> returned{0}, computed{0};
    R::run(2, [&] {
        R::WaitGroup wg;
        wg.add(2 * kCallers);
        for (int i = 0; i < kCallers; ++i) {
            R::go([&, i] {
                R::blocking([i] { sleep_ms(1 + i % 5); });
                returned.fetch_add(1);
                wg.done();
            });
            R::go([&] {
                volatile long x = 0;
                for (int k = 0; k < 20000; ++k) x = x + k;
                computed.fetch_add(1);
                wg.done();
            });
        }
        wg.wait();
    });
    EXPECT_EQ(returned.load(), kCallers);
    EXPECT_EQ(computed.load(), kCallers);
}

}  // namespace
