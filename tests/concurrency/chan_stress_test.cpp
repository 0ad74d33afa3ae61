// Channels, select, WaitGroup and Mutex under contention across Ps. Each test checks an exact
// answer (every value delivered once, sums, counts); none depends on which P ran what.
#include <gtest/gtest.h>

#include <dirent.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "schedlab/runtime/schedlab.hpp"

namespace {

using R = schedlab::GoRuntime;
using schedlab::rt::ChanClosedError;
using schedlab::rt::default_case;
using schedlab::rt::recv_case;
using schedlab::rt::send_case;

// ThreadSanitizer makes every operation one to two orders of magnitude slower: its runs use
// these smaller sizes (named where used) so that each test stays well under a minute on two
// cores. Release runs use the full sizes.
#if defined(__SANITIZE_THREAD__)
constexpr bool kTsan = true;
#else
constexpr bool kTsan = false;
#endif
constexpr int scaled(int full, int tsan) { return kTsan ? tsan : full; }

schedlab::Options procs(int n, std::uint64_t seed = 1) {
    schedlab::Options o;
    o.procs = n;
    o.seed = seed;
    return o;
}

// ---- Ping-pong ---------------------------------------------------------------------------------

TEST(ChanStress, PingPongAcrossTwoPsDeliversEveryMessage) {
    const int kMessages = scaled(100'000, 30'000);
    int ping_errors = 0, pong_errors = 0;
    R::run(2, [&] {
        R::Chan<int> ping, pong;
        R::WaitGroup wg;
        wg.add(2);
        R::go([&] {
            for (int i = 0; i < kMessages; ++i) {
                ping.send(i);
                if (pong.recv() != i + 1) ++ping_errors;
            }
            wg.done();
        });
        R::go([&] {
            for (int i = 0; i < kMessages; ++i) {
                const int v = ping.recv();
                if (v != i) ++pong_errors;
                pong.send(v + 1);
            }
            wg.done();
        });
        wg.wait();
    });
    EXPECT_EQ(ping_errors, 0);
    EXPECT_EQ(pong_errors, 0);
}

// ---- Many producers, many consumers --------------------------------------------------------------

class ChanStressCapacity : public ::testing::TestWithParam<int> {};

TEST_P(ChanStressCapacity, ManyProducersAndConsumersDeliverEveryValueOnce) {
    const int cap = GetParam();
    constexpr int kProducers = 8, kConsumers = 8;
    const int kPerProducer = scaled(20'000, 3'000);
    const int kValues = kProducers * kPerProducer;
    std::vector<std::atomic<std::uint8_t>> seen(static_cast<std::size_t>(kValues));
    std::atomic<std::int64_t> sum{0}, count{0};
    R::run(2, [&] {
        R::Chan<int> c(static_cast<std::size_t>(cap));
        R::WaitGroup producers, consumers;
        producers.add(kProducers);
        consumers.add(kConsumers);
        for (int p = 0; p < kProducers; ++p)
            R::go([&, p] {
                for (int i = 0; i < kPerProducer; ++i) c.send(p * kPerProducer + i);
                producers.done();
            });
        for (int k = 0; k < kConsumers; ++k)
            R::go([&] {
                std::int64_t my_sum = 0, my_count = 0;
                int v = 0;
                while (c.recv(v)) {
                    seen[static_cast<std::size_t>(v)].fetch_add(1, std::memory_order_relaxed);
                    my_sum += v;
                    ++my_count;
                }
                sum.fetch_add(my_sum);
                count.fetch_add(my_count);
                consumers.done();
            });
        producers.wait();
        c.close();
        consumers.wait();
    });
    EXPECT_EQ(count.load(), kValues);
    EXPECT_EQ(sum.load(), std::int64_t{kValues} * (kValues - 1) / 2);
    int wrong = 0;
    for (auto& s : seen) wrong += s.load() != 1;
    EXPECT_EQ(wrong, 0);
}

INSTANTIATE_TEST_SUITE_P(Capacities, ChanStressCapacity, ::testing::Values(0, 1, 64),
                         [](const ::testing::TestParamInfo<int>& info) {
                             return std::string("cap").append(std::to_string(info.param));
                         });

// ---- close against blocked Gs ---------------------------------------------------------------

TEST(ChanStress, CloseRacingWithManyReceiversWakesThemAllWithOkFalse) {
    const int kRounds = scaled(50, 30);
    constexpr int kReceivers = 64;
    R rt(procs(2));
    for (int round = 0; round < kRounds; ++round) {
        std::atomic<int> not_ok{0}, zeroed{0};
        rt.run([&] {
            R::Chan<int> c;
            R::WaitGroup wg;
            wg.add(kReceivers);
            for (int i = 0; i < kReceivers; ++i)
                R::go([&] {
                    int v = -1;
                    if (!c.recv(v)) not_ok.fetch_add(1);
                    if (v == 0) zeroed.fetch_add(1);
                    wg.done();
                });
            // Close while some receivers are parked and others have not started yet.
            for (int y = 0; y < round % 4; ++y) R::yield();
            c.close();
            wg.wait();
        });
        ASSERT_EQ(not_ok.load(), kReceivers) << "round " << round;
        ASSERT_EQ(zeroed.load(), kReceivers) << "round " << round;
    }
}

TEST(ChanStress, CloseRacingWithManySendersFailsEverySend) {
    const int kRounds = scaled(50, 30);
    constexpr int kSenders = 64;
    R rt(procs(2));
    for (int round = 0; round < kRounds; ++round) {
        std::atomic<int> failed{0};
        rt.run([&] {
            R::Chan<int> c;  // unbuffered and nobody receives: every send fails
            R::WaitGroup wg;
            wg.add(kSenders);
            for (int i = 0; i < kSenders; ++i)
                R::go([&] {
                    try {
                        c.send(1);
                    } catch (const ChanClosedError&) {
                        failed.fetch_add(1);
                    }
                    wg.done();
                });
            for (int y = 0; y < round % 4; ++y) R::yield();
            c.close();
            wg.wait();
        });
        ASSERT_EQ(failed.load(), kSenders) << "round " << round;
    }
}

// ---- select ----------------------------------------------------------------------------------

// Pearson's chi-square statistic of observed counts against a uniform expectation.
double chi_square(const std::vector<long>& observed) {
    long total = 0;
    for (long o : observed) total += o;
    const double expected = static_cast<double>(total) / static_cast<double>(observed.size());
    double chi2 = 0;
    for (long o : observed) chi2 += (static_cast<double>(o) - expected) * (static_cast<double>(o) - expected) / expected;
    return chi2;
}

// Select among `n` always-ready buffered channels `selects` times; return how often each won.
std::vector<long> select_among_ready(int n, int selects, std::uint64_t seed) {
    return R(procs(2, seed)).run([n, selects] {
        std::vector<std::unique_ptr<R::Chan<int>>> chans;
        for (int i = 0; i < n; ++i) {
            chans.push_back(std::make_unique<R::Chan<int>>(1));
            chans.back()->send(i);
        }
        std::vector<long> wins(static_cast<std::size_t>(n), 0);
        for (int k = 0; k < selects; ++k) {
            int x = -1;
            int i = -1;
            if (n == 2)
                i = R::select(recv_case(*chans[0], x), recv_case(*chans[1], x));
            else
                i = R::select(recv_case(*chans[0], x), recv_case(*chans[1], x),
                              recv_case(*chans[2], x));
            EXPECT_EQ(x, i) << "the value came from a different case";
            ++wins[static_cast<std::size_t>(i)];
            chans[static_cast<std::size_t>(i)]->send(i);  // ready again
        }
        return wins;
    });
}

TEST(SelectStress, PicksAmongTwoReadyCasesUniformly) {
    const int kSelects = scaled(100'000, 10'000);
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        const std::vector<long> wins = select_among_ready(2, kSelects, seed);
        // 0.999 quantile of chi-square with 1 degree of freedom.
        EXPECT_LT(chi_square(wins), 10.83)
            << "seed " << seed << ": " << wins[0] << " vs " << wins[1];
    }
}

TEST(SelectStress, PicksAmongThreeReadyCasesUniformly) {
    const int kSelects = scaled(100'000, 10'000);
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        const std::vector<long> wins = select_among_ready(3, kSelects, seed);
        // 0.999 quantile of chi-square with 2 degrees of freedom.
        EXPECT_LT(chi_square(wins), 13.82)
            << "seed " << seed << ": " << wins[0] << " / " << wins[1] << " / " << wins[2];
    }
}

TEST(SelectStress, PicksUniformlyBetweenAReadyRecvAndAReadySend) {
    const int kSelects = scaled(100'000, 10'000);
    const std::vector<long> wins = R(procs(2)).run([kSelects] {
        R::Chan<int> in(1), out(1);
        in.send(0);  // in: ready to receive from; out: room to send into
        std::vector<long> w(2, 0);
        for (int k = 0; k < kSelects; ++k) {
            int x = 0, y = 7;
            const int i = R::select(recv_case(in, x), send_case(out, y));
            ++w[static_cast<std::size_t>(i)];
            if (i == 0)
                in.send(0);
            else
                out.recv();
        }
        return w;
    });
    EXPECT_LT(chi_square(wins), 10.83) << wins[0] << " vs " << wins[1];
}

TEST(SelectStress, CompetingSelectsOnSharedChannelsDeliverEveryValueOnce) {
    // Senders and receivers all select over the same two channels, so a G parked in a select
    // on both is raced for by wakers on both channels: exactly one may win it.
    constexpr int kSenders = 4, kReceivers = 4;
    const int kPerSender = scaled(20'000, 3'000);
    const int kValues = kSenders * kPerSender;
    for (int cap : {0, 2}) {
        SCOPED_TRACE(std::string("capacity ").append(std::to_string(cap)));
        std::vector<std::atomic<std::uint8_t>> seen(static_cast<std::size_t>(kValues));
        std::atomic<std::int64_t> received{0};
        R::run(2, [&] {
            R::Chan<int> a(static_cast<std::size_t>(cap)), b(static_cast<std::size_t>(cap));
            R::Chan<int> quit;
            R::WaitGroup senders, receivers;
            senders.add(kSenders);
            receivers.add(kReceivers);
            for (int s = 0; s < kSenders; ++s)
                R::go([&, s] {
                    for (int i = 0; i < kPerSender; ++i) {
                        int v = s * kPerSender + i;
                        R::select(send_case(a, v), send_case(b, v));
                    }
                    senders.done();
                });
            for (int r = 0; r < kReceivers; ++r)
                R::go([&] {
                    std::int64_t mine = 0;
                    for (;;) {
                        int v = -1, q = 0;
                        bool ok = false;
                        const int i = R::select(recv_case(a, v), recv_case(b, v), recv_case(quit, q, &ok));
                        if (i == 2) break;  // quit closed: every value has been received
                        seen[static_cast<std::size_t>(v)].fetch_add(1, std::memory_order_relaxed);
                        ++mine;
                    }
                    received.fetch_add(mine);
                    receivers.done();
                });
            senders.wait();
            // With buffers, values may still sit in a or b: drain them here before quitting.
            int v = 0;
            while (R::select(recv_case(a, v), recv_case(b, v), default_case()) != 2) {
                seen[static_cast<std::size_t>(v)].fetch_add(1, std::memory_order_relaxed);
                received.fetch_add(1);
            }
            quit.close();
            receivers.wait();
        });
        EXPECT_EQ(received.load(), kValues);
        int wrong = 0;
        for (auto& s : seen) wrong += s.load() != 1;
        EXPECT_EQ(wrong, 0);
    }
}

// ---- WaitGroup and Mutex -----------------------------------------------------------------------

TEST(SyncStress, WaitGroupWakesManyWaitersAcrossPs) {
    const int kRounds = scaled(200, 50);
    constexpr int kWaiters = 32, kWorkers = 32;
    int failures = 0;
    R::run(2, [&] {
        R::WaitGroup gate, finished;
        for (int round = 0; round < kRounds; ++round) {
            std::atomic<int> woken{0};
            gate.add(kWorkers);
            finished.add(kWaiters + kWorkers);
            for (int w = 0; w < kWaiters; ++w)
                R::go([&] {
                    gate.wait();
                    // Every worker finished before the gate opened.
                    if (gate.count() != 0) woken.fetch_sub(1000);
                    woken.fetch_add(1);
                    finished.done();
                });
            for (int k = 0; k < kWorkers; ++k)
                R::go([&] {
                    R::yield();
                    gate.done();
                    finished.done();
                });
            finished.wait();
            if (woken.load() != kWaiters) ++failures;
        }
    });
    EXPECT_EQ(failures, 0);
}

TEST(SyncStress, MutexProtectsACounterAcrossTwoPs) {
    constexpr int kGs = 8;
    const int kIters = scaled(20'000, 5'000);
    std::int64_t counter = 0;  // plain: the mutex is the only thing ordering the increments
    R::run(2, [&] {
        R::Mutex mu;
        R::WaitGroup wg;
        wg.add(kGs);
        for (int g = 0; g < kGs; ++g)
            R::go([&] {
                for (int i = 0; i < kIters; ++i) {
                    mu.lock();
                    ++counter;
                    if (i % 64 == 0) R::yield();  // hold the lock across a reschedule now and then
                    mu.unlock();
                }
                wg.done();
            });
        wg.wait();
    });
    EXPECT_EQ(counter, std::int64_t{kGs} * kIters);
}

// ---- Repeated runs -------------------------------------------------------------------------------

int thread_count_now() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/task")) {
        while (dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') ++n;
        ::closedir(d);
    }
    return n;
}

// The threads of this process, once the count has settled: a joined thread may stay listed in
// /proc for a moment after pthread_join returns (the kernel clears the joiner's futex before it
// finishes tearing the task down), so wait up to a second for the count to reach `expected`.
int thread_count(int expected = -1) {
    int n = thread_count_now();
    for (int i = 0; i < 1000 && n != expected && expected >= 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        n = thread_count_now();
    }
    return n;
}

TEST(RunStress, ARuntimeRunsFiftyTimesInARowWithoutLeakingThreads) {
    constexpr int kRuns = 50;
    const int kGs = scaled(2'000, 500);
    R rt(procs(2));
    // Count threads after a first run: a sanitizer's runtime may start a helper thread of its
    // own when the process creates its first threads.
    rt.run([] { R::go([] {}); });
    const int threads_before = thread_count();
    for (int run = 0; run < kRuns; ++run) {
        const std::int64_t sum = rt.run([kGs, run] {
            R::Chan<std::int64_t> c(16);
            R::WaitGroup wg;
            wg.add(kGs);
            for (int i = 0; i < kGs; ++i)
                R::go([&c, &wg, i, run] {
                    c.send(i + run);
                    wg.done();
                });
            std::int64_t s = 0;
            for (int i = 0; i < kGs; ++i) s += c.recv();
            wg.wait();
            return s;
        });
        ASSERT_EQ(sum, std::int64_t{kGs} * (kGs - 1) / 2 + std::int64_t{kGs} * run) << "run " << run;
        ASSERT_EQ(rt.stats().spawns, kGs + 1u) << "run " << run;
        ASSERT_EQ(thread_count(threads_before), threads_before) << "an M outlived run " << run;
    }
}

TEST(RunStress, FreshRuntimesRunFiftyTimesInARow) {
    R::run(2, [] {});  // as above: let a sanitizer start its helper threads first
    const int threads_before = thread_count();
    for (int run = 0; run < 50; ++run) {
        const int v = R::run(2, [run] {
            R::Chan<int> c;
            R::go([&] { c.send(run); });
            return c.recv();
        });
        ASSERT_EQ(v, run);
    }
    EXPECT_EQ(thread_count(threads_before), threads_before);
}

}  // namespace
