// The workloads of blocking calls and preemption (issue 30): blocking's answer in each mode and
// call kind on 1 and 2 Ps, what hand-off buys the compute Gs on one P, its seeded delays, and
// its parameter errors; fairness's answer with and without preemption points, what the points
// buy the probes on one P, and its parameter errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>

#include "schedlab/runtime/schedlab.hpp"
#include "schedlab/workloads/all.hpp"

namespace {

using namespace schedlab::workloads;
using R = schedlab::rt::Runtime<schedlab::policies::Go>;

static_assert(Workload<Blocking> && Blocking::needs_blocking && Workload<Fairness> && Fairness::needs_blocking);

// Whether the runtime has R::preempt_point (fairness's points=1 calls it only then).
template <class T>
constexpr bool kHasPreemptPoint = requires { T::preempt_point(); };

template <class W>
Result run_on(W& w, int procs) {
    R::run(procs, [&] { w.template run<R>(); });
    return w.check();
}

std::string extra(const Result& r, const std::string& key) {
    for (const auto& [k, v] : r.extra)
        if (k == key) return v;
    return "<missing " + key + ">";
}

std::uint64_t extra_u64(const Result& r, const std::string& key) { return std::stoull(extra(r, key)); }

// ---- blocking -------------------------------------------------------------------------------

TEST(BlockingWorkload, EveryModeAndCallChecksOnOneAndTwoPs) {
    for (const char* call : {"sleep", "pipe"})
        for (const char* mode : {"blocking", "handoff", "plain"})
            for (int procs : {1, 2}) {
                const std::string p = std::string("blockers=3;calls=10;block_us=100;dist=exp;computers=2;grain=2000;call=") +
                                      call + ";mode=" + mode;
                Blocking w(Params::parse(p));
                const Result r = run_on(w, procs);
                ASSERT_TRUE(r.ok) << p << " procs=" << procs << ": " << r.detail;
                EXPECT_EQ(r.tasks, 5u);
                EXPECT_EQ(extra_u64(r, "calls"), 30u);
                EXPECT_GT(extra_u64(r, "phase_ns"), 0u);
                EXPECT_NE(extra(r, "call_p99_ns"), "");
            }
}

// On one P, a plain call keeps the P, so the computer never runs while the blocker makes its
// calls back to back (it is queued behind it); with the P handed off it computes through them.
TEST(BlockingWorkload, HandOffLetsTheComputersRunOnOneP) {
    const std::string base = "blockers=1;calls=20;block_us=2000;computers=1;grain=2000;mode=";
    Blocking plain(Params::parse(base + "plain"));
    const Result a = run_on(plain, 1);
    ASSERT_TRUE(a.ok) << a.detail;
    Blocking handoff(Params::parse(base + "handoff"));
    const Result b = run_on(handoff, 1);
    ASSERT_TRUE(b.ok) << b.detail;
    Blocking blocking(Params::parse(base + "blocking"));
    const Result c = run_on(blocking, 1);
    ASSERT_TRUE(c.ok) << c.detail;
    EXPECT_LE(extra_u64(a, "chunks"), 2u) << "the computer ran during plain calls on the only P";
    EXPECT_GE(extra_u64(b, "chunks"), 100u) << "40 ms of handed-off calls, yet few chunks";
    EXPECT_GE(extra_u64(c, "chunks"), 100u) << "40 ms of calls retaken by sysmon, yet few chunks";
    // Each call lasted at least its 2 ms.
    EXPECT_GE(extra_u64(a, "call_p50_ns"), 2'000'000u);
    EXPECT_GE(extra_u64(b, "call_p50_ns"), 2'000'000u);
}

TEST(BlockingWorkload, DelaysAreSeededAndFollowTheDistribution) {
    const auto delays = [](const std::string& p) { return Blocking(Params::parse("blockers=10;calls=1000;" + p)).delays_ns(); };
    EXPECT_EQ(delays("dist=exp;seed=3"), delays("dist=exp;seed=3"));
    EXPECT_NE(delays("dist=exp;seed=3"), delays("dist=exp;seed=4"));
    const auto fixed = delays("block_us=50");
    EXPECT_TRUE(std::all_of(fixed.begin(), fixed.end(), [](std::uint64_t d) { return d == 50'000; }));
    const auto uni = delays("block_us=50;dist=uniform");
    EXPECT_LE(*std::max_element(uni.begin(), uni.end()), 100'000u);
    for (const char* dist : {"uniform", "exp"}) {
        const auto d = delays(std::string("block_us=50;dist=") + dist);
        const double mean = std::accumulate(d.begin(), d.end(), 0.0) / static_cast<double>(d.size());
        EXPECT_NEAR(mean, 50'000.0, 2'500.0) << dist;  // 10^4 draws: within 5%
    }
    const auto zero = delays("block_us=0;dist=exp");
    EXPECT_TRUE(std::all_of(zero.begin(), zero.end(), [](std::uint64_t d) { return d == 0; }));
}

TEST(BlockingWorkload, NotRunIsNotOk) {
    const Blocking w(Params::parse("blockers=1;calls=1"));
    EXPECT_FALSE(w.check().ok);
}

TEST(BlockingWorkload, RejectsBadParameters) {
    for (const char* bad : {"block_us=-1", "block_us=2e6", "dist=normal", "mode=async", "call=socket", "blockers=0",
                            "calls=0", "blockers=10000;calls=10000", "call=pipe;blockers=201", "computers=-1",
                            "grain=-5", "seed=-1", "blocker=3"})
        EXPECT_THROW(Blocking(Params::parse(bad)), ParamError) << bad;
    try {
        Blocking(Params::parse("dist=gauss"));
        FAIL();
    } catch (const ParamError& e) {
        EXPECT_STREQ(e.what(), "parameter dist=gauss is not one of: fixed, uniform, exp");
    }
}

// ---- fairness -------------------------------------------------------------------------------

TEST(FairnessWorkload, ChecksWithAndWithoutPointsOnOneAndTwoPs) {
    for (const char* points : {"0", "1"})
        for (int procs : {1, 2}) {
            const std::string p = std::string("hogs=2;hog_ms=15;chunk_us=100;probes=2;interval_us=500;points=") + points;
            Fairness w(Params::parse(p));
            const Result r = run_on(w, procs);
            ASSERT_TRUE(r.ok) << p << " procs=" << procs << ": " << r.detail;
            EXPECT_EQ(r.tasks, 5u);
            EXPECT_GT(extra_u64(r, "messages"), 0u) << p << " procs=" << procs;
            EXPECT_GE(extra_u64(r, "max_ns"), extra_u64(r, "p999_ns"));
            EXPECT_GE(extra_u64(r, "p99_ns"), extra_u64(r, "p50_ns"));
            EXPECT_GT(extra_u64(r, "hogs_ns"), 0u);
        }
}

TEST(FairnessWorkload, HogMsIsSplitIntoChunks) {
    const Fairness w(Params::parse("hog_ms=10;chunk_us=300"));
    EXPECT_EQ(w.chunks_per_hog(), 34u);  // ceil(10000 / 300)
    EXPECT_GT(w.chunk_iters(), 0u);
    EXPECT_EQ(Fairness(Params::parse("hog_ms=0")).chunks_per_hog(), 0u);
}

// On one P, one hog of 200 ms without points keeps the only P: a probe readied by the driver
// waits until the hog is done. With points, sysmon marks the hog after 10 ms and it yields at
// its next point, so the worst latency is far below the hog's length.
TEST(FairnessWorkload, PreemptionPointsBoundTheProbesLatencyOnOneP) {
    if constexpr (!kHasPreemptPoint<R>) {
        GTEST_SKIP() << "the runtime has no R::preempt_point yet";
    } else {
        const std::string base = "hogs=1;hog_ms=200;chunk_us=50;probes=1;interval_us=1000;points=";
        Fairness without(Params::parse(base + "0"));
        const Result a = run_on(without, 1);
        ASSERT_TRUE(a.ok) << a.detail;
        Fairness with(Params::parse(base + "1"));
        const Result b = run_on(with, 1);
        ASSERT_TRUE(b.ok) << b.detail;
        EXPECT_GE(extra_u64(a, "max_ns"), 100'000'000u) << "without points the probe should wait for the hog";
        EXPECT_LT(extra_u64(b, "max_ns"), 60'000'000u) << "with points the hog should yield after ~10 ms";
    }
}

TEST(FairnessWorkload, NotRunIsNotOk) {
    const Fairness w(Params::parse("hog_ms=1"));
    EXPECT_FALSE(w.check().ok);
}

TEST(FairnessWorkload, RejectsBadParameters) {
    for (const char* bad : {"hog_ms=-1", "chunk_us=0", "points=2", "probes=0", "interval_us=0", "interval_us=-5",
                            "hogs=-1", "hog_ms=700000", "hog=1"})
        EXPECT_THROW(Fairness(Params::parse(bad)), ParamError) << bad;
}

// ---- timers ---------------------------------------------------------------------------------

TEST(TimersWorkload, ChecksBothWaysOfSleepingOnOneAndTwoPs) {
    for (const char* via : {"sleep", "after"})
        for (int procs : {1, 2}) {
            const std::string p = std::string("gs=50;sleeps=5;min_us=100;max_us=2000;work_us=1;via=") + via;
            Timers w(Params::parse(p));
            const Result r = run_on(w, procs);
            ASSERT_TRUE(r.ok) << p << " procs=" << procs << ": " << r.detail;
            EXPECT_EQ(r.tasks, 50u);
            EXPECT_EQ(extra_u64(r, "sleeps"), 250u);
            EXPECT_EQ(extra_u64(r, "early"), 0u);
            EXPECT_GE(extra_u64(r, "max_ns"), extra_u64(r, "p999_ns"));
            EXPECT_GE(extra_u64(r, "p99_ns"), extra_u64(r, "p50_ns"));
        }
}

TEST(TimersWorkload, DurationsAreSeededAndInRange) {
    const Timers w(Params::parse("gs=3;min_us=10;max_us=20"));
    for (std::uint64_t g = 0; g < 3; ++g) {
        auto a = w.durations(g), b = w.durations(g);
        for (int i = 0; i < 100; ++i) {
            const std::uint64_t d = w.draw_ns(a);
            EXPECT_EQ(d, w.draw_ns(b));
            EXPECT_GE(d, 10'000u);
            EXPECT_LE(d, 20'000u);
        }
    }
    auto zero = Timers(Params::parse("min_us=0;max_us=0")).durations(0);
    EXPECT_EQ(Timers(Params::parse("min_us=0;max_us=0")).draw_ns(zero), 0u);
}

TEST(TimersWorkload, NotRunIsNotOk) { EXPECT_FALSE(Timers(Params::parse("gs=1")).check().ok); }

TEST(TimersWorkload, RejectsBadParameters) {
    for (const char* bad : {"gs=0", "gs=-3", "sleeps=0", "min_us=-1", "min_us=10;max_us=5", "via=poll",
                            "work_us=-1", "gs=1000000;sleeps=1000", "sleep=3"})
        EXPECT_THROW(Timers(Params::parse(bad)), ParamError) << bad;
}

}  // namespace
