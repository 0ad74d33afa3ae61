// Blocking calls under contention: Gs that enter and leave calls (short ones that keep their
// P, long ones that sysmon retakes, hand-offs at entry) while others send on channels, on 1-4
// Ps; every value arrives once and every G finishes, with the Ms that hand-offs start and
// park racing with the ones that spin and park on their Ps.
#include <gtest/gtest.h>

#include <time.h>

#include <atomic>
#include <cstdint>
#include <regex>
#include <sstream>
#include <string>

#include "schedlab/runtime/schedlab.hpp"

namespace {

using R = schedlab::GoRuntime;

#if defined(__SANITIZE_THREAD__)
constexpr int kRounds = 2;
#else
constexpr int kRounds = 8;
#endif

void sleep_us(long us) {
    timespec ts{0, us * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

class BlockingStress : public ::testing::TestWithParam<int> {};

TEST_P(BlockingStress, CallsBesideChannelsLoseNothing) {
    const int procs = GetParam();
    constexpr int kProducers = 16, kValues = 200;
    schedlab::Options o;
    o.procs = procs;
    R rt(o);
    for (int round = 0; round < kRounds; ++round) {
        std::int64_t sum = 0;
        int received = 0;
        rt.run([&] {
            R::Chan<int> c(8);
            R::WaitGroup wg;
            wg.add(kProducers);
            for (int p = 0; p < kProducers; ++p) {
                R::go([&, p] {
                    for (int v = 0; v < kValues; ++v) {
                        if (v % 50 == 0) {
                            if (p % 3 == 0)
                                R::blocking_handoff([] { sleep_us(200); });
                            else
                                R::blocking([p] { sleep_us(p % 2 ? 30 : 1); });
                        }
                        c.send(p * kValues + v);
                    }
                    wg.done();
                });
            }
            R::go([&] {
                wg.wait();
                c.close();
            });
            int v = 0;
            while (c.recv(v)) {
                sum += v;
                ++received;
            }
        });
        const std::int64_t n = std::int64_t(kProducers) * kValues;
        ASSERT_EQ(received, n) << "procs " << procs << " round " << round;
        ASSERT_EQ(sum, n * (n - 1) / 2) << "procs " << procs << " round " << round;
        ASSERT_EQ(rt.stats().syscalls, std::uint64_t(kProducers) * (kValues / 50));
    }
}

INSTANTIATE_TEST_SUITE_P(Procs, BlockingStress, ::testing::Values(1, 2, 3, 4));

// --schedtrace: sysmon reads the Ps, the Ms and the queues while they change (blocking calls,
// hand-offs, spawns, parks); every line has the documented form, one per P with scheddetail.
TEST(Schedtrace, LinesWhileCallsAndSpawnsRun) {
    schedlab::Options o;
    o.procs = 2;
    o.schedtrace_ms = 1;
    o.scheddetail = true;
    R rt(o);
    testing::internal::CaptureStderr();
    rt.run([] {
        R::WaitGroup wg;
        for (int i = 0; i < 8; ++i) {
            wg.add(1);
            R::go([&wg, i] {
                for (int k = 0; k < 10; ++k) {
                    if (i % 2)
                        R::blocking([] { sleep_us(2000); });
                    else
                        R::blocking_handoff([] { sleep_us(1000); });
                    R::Group g;
                    for (int j = 0; j < 50; ++j) g.spawn([] {});
                    g.wait();
                }
                wg.done();
            });
        }
        wg.wait();
    });
    const std::string err = testing::internal::GetCapturedStderr();
    const std::regex sched(
        R"(SCHED [0-9]+ms: procs=2 idleprocs=[0-2] threads=[0-9]+ spinningthreads=[0-9]+ idlethreads=[0-9]+ )"
        R"(syscallprocs=[0-2] runqueue=[0-9]+ \[[0-9]+ [0-9]+\])");
    const std::regex detail(R"(  P[01]: status=(running|syscall|idle) schedtick=[0-9]+ syscalltick=[0-9]+ )"
                            R"(runqsize=[0-9]+ preempt=[01])");
    std::istringstream in(err);
    std::string line;
    int lines = 0, details = 0;
    while (std::getline(in, line)) {
        if (line.rfind("SCHED ", 0) == 0) {
            EXPECT_TRUE(std::regex_match(line, sched)) << line;
            ++lines;
        } else {
            EXPECT_TRUE(std::regex_match(line, detail)) << line;
            ++details;
        }
    }
    // The run lasts >= 20 ms (ten calls of 1-2 ms in a row per G).
    EXPECT_GE(lines, 5) << err;
    EXPECT_EQ(details, 2 * lines);
}

}  // namespace
