// The spinning cap holds at every instant: the most Ms ever seen spinning at once
// (Stats::spinning_high_water) never exceeds what the policy allows, on workloads that make
// Ms go idle and wake over and over (bursts of short Gs, ping-pong pairs across Ps).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "schedlab/runtime/runtime_impl.hpp"
#include "schedlab/runtime/schedlab.hpp"
#include "support/stats_checks.hpp"

namespace schedlab::policies {
// Two caps not among the named bundles, compiled here.
struct SpinFixedTwo : Compose<StealHalf, GlobalCheckEvery<61>, SpinFixed<2>, RunnextOn,
                              RandomCoprimeOrder> {
    static constexpr const char* name = "spin-fixed-2";
};
struct SpinEveryone : Compose<StealHalf, GlobalCheckEvery<61>, SpinAll, RunnextOn,
                              RandomCoprimeOrder> {
    static constexpr const char* name = "spin-all";
};
}  // namespace schedlab::policies

template class schedlab::rt::Runtime<schedlab::policies::SpinFixedTwo>;
template class schedlab::rt::Runtime<schedlab::policies::SpinEveryone>;

namespace {

using namespace schedlab::policies;
using schedlab::testing::kCounting;

// The most Ms the cap lets spin at once with `procs` Ps: how many may start one after another
// when every P is busy (the most permissive case for every shipped cap), and at least the one
// M that wakep hands the spinning token to.
template <class Cap>
std::uint64_t cap_bound(std::uint32_t procs) {
    std::uint32_t allowed = 0;
    while (allowed < procs && Cap::may_spin(allowed, procs, procs)) ++allowed;
    return std::max<std::uint64_t>(1, allowed);
}

template <class B>
schedlab::Stats bursty_run(int procs) {
    using R = schedlab::rt::Runtime<B>;
    schedlab::Options o;
    o.procs = procs;
    o.spin_ns = 20'000;
    R rt(o);
    rt.run([] {
        // First make sure other Ms take part (on a loaded machine their threads may not get a
        // CPU before a short run ends): Gs that wait until one of them ran on another thread.
        const auto home = std::this_thread::get_id();
        std::atomic<bool> ran_elsewhere{false};
        typename R::Group first;
        for (int i = 0; i < 16; ++i)
            first.spawn([&] {
                if (std::this_thread::get_id() != home) ran_elsewhere = true;
                const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
                while (!ran_elsewhere && std::chrono::steady_clock::now() < give_up) {
                }
            });
        first.wait();
        for (int burst = 0; burst < 200; ++burst) {
            typename R::Group g;
            for (int i = 0; i < 64; ++i)
                g.spawn([i] {
                    volatile int x = 0;
                    for (int k = 0; k < 200 * (i % 4); ++k) x = x + k;
                });
            g.wait();
        }
        // Ping-pong pairs: every hand-off readies a G, wakep runs over and over.
        typename R::Group pairs;
        for (int pair = 0; pair < 4; ++pair)
            pairs.spawn([] {
                typename R::template Chan<int> a, b;
                R::go([&] {
                    for (int i = 0; i < 500; ++i) b.send(a.recv());
                });
                for (int i = 0; i < 500; ++i) {
                    a.send(i);
                    b.recv();
                }
            });
        pairs.wait();
    });
    return rt.stats();
}

template <class B>
void expect_cap_holds() {
    for (int procs : {2, 4, 8}) {
        const auto s = bursty_run<B>(procs);
        const auto bound = cap_bound<typename B::spin_cap>(static_cast<std::uint32_t>(procs));
        EXPECT_LE(s.spinning_high_water, bound) << B::name << " on " << procs << " Ps";
        EXPECT_GE(s.spinning_high_water, 1u) << B::name << ": no M ever spun on " << procs << " Ps";
    }
}

TEST(SpinningCap, GoHalfOfTheBusyPs) {
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    expect_cap_holds<Go>();
}

TEST(SpinningCap, TokioHalfOfAllPs) {
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    expect_cap_holds<TokioLike>();
}

TEST(SpinningCap, FixedTwo) {
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    expect_cap_holds<SpinFixedTwo>();
}

TEST(SpinningCap, AllMayReachEveryP) {
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    expect_cap_holds<SpinEveryone>();
}

TEST(SpinningCap, BoundsFollowThePolicies) {
    EXPECT_EQ(cap_bound<SpinHalfBusy>(8), 4u);
    EXPECT_EQ(cap_bound<SpinHalfProcs>(7), 4u);
    EXPECT_EQ(cap_bound<SpinFixed<2>>(8), 2u);
    EXPECT_EQ(cap_bound<SpinNone>(8), 1u);  // the wakep token holder
    EXPECT_EQ(cap_bound<SpinAll>(8), 8u);
}

}  // namespace
