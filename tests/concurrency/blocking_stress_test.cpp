// Blocking calls under contention: Gs that enter and leave calls (short ones that keep their
// P, long ones that sysmon retakes, hand-offs at entry) while others send on channels, on 1-4
// Ps; every value arrives once and every G finishes, with the Ms that hand-offs start and
// park racing with the ones that spin and park on their Ps.
#include <gtest/gtest.h>

#include <time.h>

#include <atomic>
#include <cstdint>

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

}  // namespace
