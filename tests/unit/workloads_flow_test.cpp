// The dependency-DAG, fan-out and ping-pong workloads: their answers at small sizes under
// three bundles on 1 and 2 Ps, their parameter errors, work and span on DAGs of known shape,
// and their checks failing when a runtime loses tasks or a channel corrupts a message.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "schedlab/runtime/schedlab.hpp"
#include "schedlab/workloads/all.hpp"
#include "schedlab/workloads/dag.hpp"
#include "schedlab/workloads/dag_span.hpp"
#include "support/stats_checks.hpp"

namespace {

using namespace schedlab::workloads;
using schedlab::rt::Runtime;
namespace pol = schedlab::policies;

static_assert(Workload<Cholesky> && Workload<RandDag> && Workload<SpawnStorm> && Workload<FanOut> &&
              Workload<Pipeline> && Workload<PingPong>);
static_assert(!Cholesky::needs_channels && !RandDag::needs_channels && !SpawnStorm::needs_channels &&
              !FanOut::needs_channels && Pipeline::needs_channels && PingPong::needs_channels);

template <class R, class W>
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

// ---- starve: the global-queue check against a local producer ----------------------------

// On one P, with the check every 61st tick, the victims that overflowed to the global queue are
// served one per check while the producer's rounds go on; with the check never made, only the
// victims left in the local ring run before the rounds end (the P never runs out of local work:
// the last child of a round readies the producer into runnext). Deterministic: one P, one M.
TEST(Starve, TheGlobalCheckServesVictimsDuringTheRoundsAndNeverDoesNot) {
    const auto params = Params::parse("victims=600;rounds=12000;children=4;grain=10");
    Starve every61(params);
    const Result a = run_on<Runtime<pol::Go>>(every61, 1);
    ASSERT_TRUE(a.ok) << a.detail;
    EXPECT_EQ(a.tasks, 600u + 12000u * 4u);
    EXPECT_EQ(extra_u64(a, "served_during"), 600u) << "every 61st tick should reach all victims";
    EXPECT_GT(extra_u64(a, "max_wait_ns"), 0u);
    Starve never(params);
    const Result b = run_on<Runtime<pol::GciNever>>(never, 1);
    ASSERT_TRUE(b.ok) << b.detail;
    EXPECT_LT(extra_u64(b, "served_during"), 300u) << "only the victims in the local ring run during the rounds";
    EXPECT_GE(extra_u64(b, "max_wait_ns"), extra_u64(b, "producer_ns"));
}

TEST(Starve, RejectsImpossibleSizes) {
    EXPECT_THROW(Starve(Params::parse("victims=0")), ParamError);
    EXPECT_THROW(Starve(Params::parse("rounds=100000000;children=100000")), ParamError);
    EXPECT_THROW(Starve(Params::parse("children=0")), ParamError);
}

// ---- every workload under three bundles, 1 and 2 Ps ---------------------------------------

template <class Bundle>
class FlowWorkloads : public ::testing::Test {};
using Bundles = ::testing::Types<pol::Go, pol::CilkLike, pol::NoRunnext>;
TYPED_TEST_SUITE(FlowWorkloads, Bundles);

TYPED_TEST(FlowWorkloads, CholeskyFactorsTheMatrix) {
    using R = Runtime<TypeParam>;
    for (const int procs : {1, 2}) {
        Cholesky w(Params::parse("n=96;tile=16"));
        // T = 6 tiles per side: 6 POTRF + 15 TRSM + 15 SYRK + 20 GEMM.
        for (int rep = 0; rep < 2; ++rep) {  // a second run starts again from the input
            const Result r = run_on<R>(w, procs);
            EXPECT_TRUE(r.ok) << procs << " Ps, run " << rep << ": " << r.detail;
            EXPECT_EQ(r.tasks, 56u);
            EXPECT_LT(std::stod(extra(r, "residual")), 1e-12);
        }
    }
}

TYPED_TEST(FlowWorkloads, RandDagMatchesTheSerialEvaluation) {
    using R = Runtime<TypeParam>;
    for (const int procs : {1, 2}) {
        RandDag w(Params::parse("width=8;depth=12;fanin=3;grain=200"));
        for (int rep = 0; rep < 2; ++rep) {
            const Result r = run_on<R>(w, procs);
            EXPECT_TRUE(r.ok) << procs << " Ps, run " << rep << ": " << r.detail;
            EXPECT_EQ(r.tasks, 96u);
            EXPECT_EQ(extra(r, "work_ns"), "");  // not measured
        }
    }
}

TYPED_TEST(FlowWorkloads, SpawnStormRunsEveryG) {
    using R = Runtime<TypeParam>;
    for (const int procs : {1, 2}) {
        SpawnStorm w(Params::parse("n=3000"));
        const Result r = run_on<R>(w, procs);
        EXPECT_TRUE(r.ok) << procs << " Ps: " << r.detail;
        EXPECT_EQ(r.tasks, 3000u);
    }
}

TYPED_TEST(FlowWorkloads, SpawnWaitGetsEveryRoundBackInOrder) {
    using R = Runtime<TypeParam>;
    for (const int procs : {1, 2}) {
        SpawnWait w(Params::parse("n=2000"));
        const Result r = run_on<R>(w, procs);
        EXPECT_TRUE(r.ok) << procs << " Ps: " << r.detail;
        EXPECT_EQ(r.tasks, 2000u);
    }
}

TYPED_TEST(FlowWorkloads, ParkedWakesEveryBlockedGAndMeasuresTheirMemory) {
    using R = Runtime<TypeParam>;
    for (const int procs : {1, 2}) {
        Parked w(Params::parse("n=3000"));
        const Result r = run_on<R>(w, procs);
        EXPECT_TRUE(r.ok) << procs << " Ps: " << r.detail;
        EXPECT_EQ(r.tasks, 3000u);
        // The growth itself depends on what earlier runs left in the stack pools; its presence
        // and form do not.
        ASSERT_EQ(r.extra.size(), 1u);
        EXPECT_EQ(r.extra[0].first, "rss_per_task_bytes");
        EXPECT_NO_THROW((void)std::stoll(r.extra[0].second));
    }
}

TYPED_TEST(FlowWorkloads, FanOutSumsEveryWave) {
    using R = Runtime<TypeParam>;
    for (const int procs : {1, 2}) {
        FanOut w(Params::parse("waves=3;n=400;grain=50"));
        const Result r = run_on<R>(w, procs);
        EXPECT_TRUE(r.ok) << procs << " Ps: " << r.detail;
        EXPECT_EQ(r.tasks, 1200u);
    }
}

TYPED_TEST(FlowWorkloads, PipelineDeliversEveryMessage) {
    using R = Runtime<TypeParam>;
    for (const int procs : {1, 2})
        for (const char* cap : {"0", "1", "2", "64"}) {
            Pipeline w(Params::parse(std::string("messages=3000;workers=3;grain=20;cap=") + cap));
            const Result r = run_on<R>(w, procs);
            EXPECT_TRUE(r.ok) << procs << " Ps, cap " << cap << ": " << r.detail;
            EXPECT_EQ(r.tasks, 5u);  // producer, 3 workers, closer
            EXPECT_EQ(extra(r, "messages"), "3000");
        }
}

TYPED_TEST(FlowWorkloads, PingPongKeepsOrderAndSamplesRoundTrips) {
    using R = Runtime<TypeParam>;
    for (const int procs : {1, 2})
        for (const char* cap : {"0", "1", "8"}) {
            PingPong w(Params::parse(std::string("pairs=3;messages=1000;sample_every=10;cap=") + cap));
            const Result r = run_on<R>(w, procs);
            EXPECT_TRUE(r.ok) << procs << " Ps, cap " << cap << ": " << r.detail;
            EXPECT_EQ(r.tasks, 6u);
            EXPECT_EQ(extra(r, "round_trips"), "3000");
            EXPECT_EQ(extra(r, "rtt_samples"), "300");
            EXPECT_GT(extra_u64(r, "p50_ns"), 0u);
            EXPECT_LE(extra_u64(r, "p50_ns"), extra_u64(r, "p99_ns"));
            EXPECT_LE(extra_u64(r, "p99_ns"), extra_u64(r, "max_ns"));
        }
}

// ---- larger tiles, other grains, workload details ------------------------------------------

TEST(Cholesky, DefaultTileOrderRunsOnGStacks) {
    // 128 x 128 tiles: Eigen's product buffers exceed a G's stack unless they go to the heap.
    Cholesky w(Params::parse("n=384"));
    const Result r = run_on<schedlab::GoRuntime>(w, 2);
    EXPECT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(r.tasks, 10u);  // T = 3: 3 POTRF + 3 TRSM + 3 SYRK + 1 GEMM
    EXPECT_EQ(extra(r, "tiles"), "3");
}

TEST(Cholesky, TaskGraphFollowsTheTileDependencies) {
    Cholesky w(Params::parse("n=64;tile=16"));  // T = 4
    const auto& tasks = w.tasks();
    const Dag& dag = w.dag();
    ASSERT_EQ(tasks.size(), dag.size());
    ASSERT_EQ(dag.roots().size(), 1u);  // only POTRF(0) needs nothing
    EXPECT_EQ(tasks[dag.roots()[0]].kind, Cholesky::Kind::Potrf);
    for (std::uint32_t v = 0; v < dag.size(); ++v) {
        const auto& t = tasks[v];
        std::size_t expect = t.k > 0 ? 1 : 0;  // the previous update of the tile it writes
        if (t.kind == Cholesky::Kind::Trsm || t.kind == Cholesky::Kind::Syrk) expect += 1;
        if (t.kind == Cholesky::Kind::Gemm) expect += 2;
        EXPECT_EQ(dag.npreds(v), expect) << "task " << v;
        EXPECT_EQ(t.first, t.k == 0) << "task " << v;
    }
}

TEST(RandDag, EveryNodeHasFaninDistinctPredecessorsInTheLayerAbove) {
    RandDag w(Params::parse("width=10;depth=6;fanin=4;seed=7"));
    const Dag& dag = w.dag();
    ASSERT_EQ(dag.size(), 60u);
    EXPECT_EQ(dag.roots().size(), 10u);
    for (std::uint32_t v = 10; v < 60; ++v) {
        const auto preds = dag.preds(v);
        ASSERT_EQ(preds.size(), 4u);
        for (std::size_t i = 0; i < preds.size(); ++i) {
            EXPECT_EQ(preds[i] / 10, v / 10 - 1);
            if (i) {
                EXPECT_LT(preds[i - 1], preds[i]);
            }
        }
    }
}

TEST(RandDag, GrainDistributionsAndUnitsAllCheckOut) {
    for (const char* p : {"grain_dist=fixed", "grain_dist=uniform", "grain_dist=exponential",
                          "grain_unit=ns;grain=2000", "grain=0"}) {
        RandDag w(Params::parse(std::string("width=6;depth=5;fanin=2;") + p));
        const Result r = run_on<schedlab::GoRuntime>(w, 2);
        EXPECT_TRUE(r.ok) << p << ": " << r.detail;
    }
}

TEST(SpawnStorm, OverflowsTheSpawningPsRingToTheGlobalQueue) {
    if (!schedlab::testing::kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    schedlab::Options o;
    o.procs = 1;
    schedlab::GoRuntime rt(o);
    SpawnStorm w(Params::parse("n=2000"));
    rt.run([&] { w.run<schedlab::GoRuntime>(); });
    EXPECT_TRUE(w.check().ok);
    EXPECT_EQ(rt.stats().spawns, 2001u);
    EXPECT_GT(rt.stats().overflows, 0u);
}

TEST(FlowWorkloads, CheckBeforeRunIsNotOk) {
    EXPECT_FALSE(Cholesky(Params::parse("n=32;tile=16")).check().ok);
    EXPECT_FALSE(RandDag(Params::parse("width=2;depth=2;fanin=1")).check().ok);
    EXPECT_FALSE(SpawnStorm(Params::parse("n=5")).check().ok);
    EXPECT_FALSE(FanOut(Params::parse("n=5;waves=1")).check().ok);
    EXPECT_FALSE(Pipeline(Params::parse("messages=5")).check().ok);
    EXPECT_FALSE(PingPong(Params::parse("messages=5")).check().ok);
}

// ---- parameter errors ----------------------------------------------------------------------

template <class W>
void expect_param_error(const char* params) {
    EXPECT_THROW(W{Params::parse(params)}, ParamError) << W::name << " with " << params;
}

TEST(FlowWorkloads, RejectBadParameters) {
    expect_param_error<Cholesky>("n=100;tile=16");  // not a multiple
    expect_param_error<Cholesky>("tile=0");
    expect_param_error<Cholesky>("n=9000");
    expect_param_error<Cholesky>("n=4096;tile=8");  // 512 tiles per side
    expect_param_error<Cholesky>("tiel=16");
    expect_param_error<Cholesky>("measure=maybe");
    expect_param_error<RandDag>("width=8;fanin=9");
    expect_param_error<RandDag>("width=0");
    expect_param_error<RandDag>("width=65536;depth=65536");
    expect_param_error<RandDag>("grain_dist=normal");
    expect_param_error<RandDag>("grain_unit=s");
    expect_param_error<RandDag>("grain=-1");
    expect_param_error<SpawnStorm>("n=0");
    expect_param_error<FanOut>("waves=0");
    expect_param_error<FanOut>("n=ten");
    expect_param_error<FanOut>("grain_dist=fixed");  // fanout's grain is fixed: no such key
    expect_param_error<Pipeline>("workers=0");
    expect_param_error<Pipeline>("cap=-1");
    expect_param_error<PingPong>("sample_every=0");
    expect_param_error<PingPong>("pairs=0");
    expect_param_error<PingPong>("messages=1000000000;sample_every=1");  // too many samples
}

// ---- work and span -------------------------------------------------------------------------

TEST(DagSpan, DiamondHasSumAsWorkAndLongestPathAsSpan) {
    //   0 -> 1 -> 3,  0 -> 2 -> 3,  3 -> 4; node 5 alone.
    const Dag dag(6, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}});
    const std::vector<std::uint64_t> d{10, 100, 30, 5, 7, 90};
    const WorkSpan ws = work_and_span(dag, d);
    EXPECT_EQ(ws.work_ns, 242u);
    EXPECT_EQ(ws.span_ns, 10u + 100 + 5 + 7);
    EXPECT_DOUBLE_EQ(ws.parallelism(), 242.0 / 122.0);
    // The isolated node dominates when it is the longest.
    const std::vector<std::uint64_t> d2{1, 1, 1, 1, 1, 50};
    EXPECT_EQ(work_and_span(dag, d2).span_ns, 50u);
}

TEST(DagSpan, RejectsBackwardAndDuplicateEdges) {
    EXPECT_THROW(Dag(3, {{2, 1}}), std::invalid_argument);
    EXPECT_THROW(Dag(3, {{0, 3}}), std::invalid_argument);
    EXPECT_THROW(Dag(3, {{0, 1}, {0, 1}}), std::invalid_argument);
}

// Spin on the clock: the body takes at least `ns`, however busy the machine.
void busy_for(std::uint64_t ns) {
    const std::uint64_t end = dag_clock_ns() + ns;
    while (dag_clock_ns() < end) {
    }
}

TEST(DagSpan, MeasuredDiamondRunsInOrderAndBoundsWorkAndSpan) {
    using R = schedlab::GoRuntime;
    // 0 -> {1, 2, 3} -> 4: each node busy for 2 ms, so work >= 10 ms and span >= 6 ms.
    const Dag dag(5, {{0, 1}, {0, 2}, {0, 3}, {1, 4}, {2, 4}, {3, 4}});
    DagRunState state(dag);
    DagTimes times;
    std::vector<std::atomic<int>> done(5);
    std::atomic<int> early{0};
    auto body = [&](std::uint32_t v) {
        for (const std::uint32_t p : dag.preds(v)) early += done[p].load() == 0;
        busy_for(2'000'000);
        done[v] = 1;
    };
    R::run(2, [&] { state.run<R>(dag, body, &times); });
    EXPECT_EQ(early.load(), 0) << "a node started before a predecessor finished";
    for (auto& d : done) EXPECT_EQ(d.load(), 1);
    const WorkSpan ws = work_and_span(dag, times.durations());
    EXPECT_GE(ws.work_ns, 10'000'000u);
    EXPECT_GE(ws.span_ns, 6'000'000u);
    EXPECT_LE(ws.span_ns, ws.work_ns);
    EXPECT_GE(ws.parallelism(), 1.0);
}

TEST(DagSpan, RandomDagNodesStartAfterAllTheirPredecessors) {
    using R = schedlab::GoRuntime;
    RandDag shape(Params::parse("width=16;depth=20;fanin=4;seed=3"));
    const Dag& dag = shape.dag();
    DagRunState state(dag);
    std::vector<std::atomic<int>> done(dag.size());
    std::atomic<int> early{0};
    auto body = [&](std::uint32_t v) {
        for (const std::uint32_t p : dag.preds(v)) early += done[p].load() == 0;
        done[v] = 1;
    };
    for (int rep = 0; rep < 3; ++rep) {
        for (auto& d : done) d = 0;
        R::run(2, [&] { state.run<R>(dag, body, nullptr); });
        EXPECT_EQ(early.load(), 0);
        int ran = 0;
        for (auto& d : done) ran += d.load();
        EXPECT_EQ(ran, static_cast<int>(dag.size()));
    }
}

TEST(DagSpan, AChainHasSpanEqualToWork) {
    // width 1: every node's only predecessor is the one before, so the longest path is all.
    RandDag w(Params::parse("width=1;depth=40;fanin=1;grain=2000;measure=1"));
    const Result r = run_on<schedlab::GoRuntime>(w, 2);
    ASSERT_TRUE(r.ok) << r.detail;
    EXPECT_GT(extra_u64(r, "work_ns"), 0u);
    EXPECT_EQ(extra(r, "work_ns"), extra(r, "span_ns"));
    EXPECT_EQ(extra(r, "parallelism"), "1.000");
}

TEST(DagSpan, WideDagsReportParallelismAboveOne) {
    // 64 independent nodes of equal grain: span is one node, parallelism near 64. Only the
    // structure is asserted (span < work), not the measured ratio.
    RandDag w(Params::parse("width=64;depth=1;grain=20000;grain_dist=fixed;measure=1"));
    const Result r = run_on<schedlab::GoRuntime>(w, 2);
    ASSERT_TRUE(r.ok) << r.detail;
    EXPECT_LT(extra_u64(r, "span_ns"), extra_u64(r, "work_ns"));
    EXPECT_GT(std::stod(extra(r, "parallelism")), 1.0);

    Cholesky c(Params::parse("n=128;tile=32;measure=1"));
    const Result rc = run_on<schedlab::GoRuntime>(c, 2);
    ASSERT_TRUE(rc.ok) << rc.detail;
    EXPECT_LE(extra_u64(rc, "span_ns"), extra_u64(rc, "work_ns"));
    EXPECT_GT(extra_u64(rc, "span_ns"), 0u);
}

// ---- the checks fail when the runtime misbehaves -------------------------------------------

// A fork-join "runtime" that runs each spawned function at once on the caller's stack and,
// with DropEvery > 0, silently loses every DropEvery-th one.
template <int DropEvery>
struct InlineRuntime {
    static inline int spawned = 0;
    template <class F>
    static auto run(int, F&& main) {
        spawned = 0;
        return main();
    }
    template <class F>
    static void go(F&& f) {
        if (DropEvery > 0 && ++spawned % DropEvery == 0) return;
        f();
    }
    static void yield() {}
    struct Group {
        template <class F>
        void spawn(F&& f) {
            go(std::forward<F>(f));
        }
        void wait() {}
    };
    struct WaitGroup {
        void add(std::int64_t) {}
        void done() {}
        void wait() {}
    };
};
static_assert(schedlab::rt::ForkJoinRuntime<InlineRuntime<0>>);

template <class W>
void expect_ok_inline_and_not_ok_when_tasks_are_lost(const char* params) {
    W good(Params::parse(params));
    EXPECT_TRUE(run_on<InlineRuntime<0>>(good, 1).ok) << W::name;
    W lossy(Params::parse(params));
    const Result r = run_on<InlineRuntime<7>>(lossy, 1);
    EXPECT_FALSE(r.ok) << W::name << " did not notice lost tasks: " << r.detail;
}

TEST(FlowWorkloads, ChecksFailWhenTasksAreLost) {
    expect_ok_inline_and_not_ok_when_tasks_are_lost<Cholesky>("n=64;tile=16");
    expect_ok_inline_and_not_ok_when_tasks_are_lost<RandDag>("width=4;depth=6;fanin=2");
    expect_ok_inline_and_not_ok_when_tasks_are_lost<SpawnStorm>("n=100");
    expect_ok_inline_and_not_ok_when_tasks_are_lost<FanOut>("waves=2;n=20;grain=5");
}

// schedlab's runtime with channels that add one to every 50th value sent.
struct CorruptingRuntime : schedlab::GoRuntime {
    template <class T>
    class Chan : public schedlab::GoRuntime::Chan<T> {
    public:
        using schedlab::GoRuntime::Chan<T>::Chan;
        void send(T v) {
            if (++sends_ % 50 == 0) v += 1;
            schedlab::GoRuntime::Chan<T>::send(v);
        }

    private:
        std::atomic<std::uint64_t> sends_{0};
    };
};

TEST(FlowWorkloads, ChecksFailWhenAChannelCorruptsMessages) {
    Pipeline p(Params::parse("messages=500;workers=2"));
    EXPECT_FALSE(run_on<CorruptingRuntime>(p, 2).ok);
    PingPong pp(Params::parse("messages=500"));
    const Result r = run_on<CorruptingRuntime>(pp, 2);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.detail.find("out of order"), std::string::npos) << r.detail;
}

}  // namespace
