// The simulator's task graphs (sim/): the builder and its checks, the shapes, validate (the
// trace checker), signals between strands, and the cost model file (suites SimGraph and
// SimCostModel).
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "schedlab/sim/generators.hpp"
#include "schedlab/sim/instantiated.hpp"
#include "sim_test_util.hpp"

namespace {

using namespace schedlab;
using sim::SimOptions;
using sim::SimResult;
using sim::TaskGraph;
using sim::testing::run;
using sim::testing::small_shapes;
namespace shapes = sim::shapes;

// ---- Task graphs ---------------------------------------------------------------------------

std::uint64_t fib_spawns(int n, int cutoff, bool both) {  // workloads/fib.hpp's expected_tasks
    if (n < 2 || n < cutoff) return 0;
    return (both ? 2 : 1) + fib_spawns(n - 1, cutoff, both) + fib_spawns(n - 2, cutoff, both);
}

TEST(SimGraph, FibHasATaskPerSpawnPlusTheRoot) {
    for (bool both : {true, false})
        for (int cutoff : {0, 8}) {
            const auto g = shapes::fib({.n = 18, .cutoff = cutoff, .spawn_both = both});
            EXPECT_EQ(g.size(), fib_spawns(18, cutoff, both) + 1) << g.shape;
        }
    // The work does not depend on the decomposition: call_ps per call of the recursion.
    const auto a = shapes::fib({.n = 12, .call_ps = 10'000, .join_ns = 0});
    const auto b = shapes::fib({.n = 12, .cutoff = 5, .spawn_both = false, .call_ps = 10'000, .join_ns = 0});
    EXPECT_EQ(a.work_ns(), b.work_ns());
    EXPECT_EQ(a.work_ns(), 465u * 10);  // fib(12) makes 465 calls
}

TEST(SimGraph, CholeskyTaskCountAndSpan) {
    const std::uint64_t T = 5;
    const auto g = shapes::cholesky({.tiles = 5, .gemm_ns = 600});
    EXPECT_EQ(g.size(), 1 + T + T * (T - 1) + T * (T - 1) * (T - 2) / 6);
    // The critical path is at least POTRF, TRSM, SYRK for every k but the last, then POTRF.
    EXPECT_GE(g.span_ns(), (T - 1) * (100 + 300 + 300) + 100);
    EXPECT_LT(g.span_ns(), g.work_ns());
    EXPECT_EQ(shapes::spawn_storm({.n = 10, .task_ns = 7}).span_ns(), 7u);
}

TEST(SimGraph, ShapesAreDeterministicInTheirSeed) {
    EXPECT_EQ(shapes::random_dag({.seed = 5}).succs, shapes::random_dag({.seed = 5}).succs);
    EXPECT_NE(shapes::random_dag({.seed = 5}).succs, shapes::random_dag({.seed = 6}).succs);
    EXPECT_EQ(shapes::uts_like({.seed = 9}).size(), shapes::uts_like({.seed = 9}).size());
    const auto u = shapes::uts_like({.root_children = 30, .m = 3, .q = 0.3, .seed = 1, .max_nodes = 25});
    EXPECT_EQ(u.size(), 25u);
}

TEST(SimGraph, BuilderRejectsBadGraphs) {
    {
        sim::GraphBuilder b;
        const auto a = b.begin_task();
        b.strand(10);
        b.begin_task();  // neither spawned nor released
        b.strand(10);
        EXPECT_THROW(b.finish(a, "x"), std::invalid_argument);
    }
    {
        sim::GraphBuilder b;
        const auto a = b.begin_task();
        b.strand(10);
        const auto c = b.begin_task();
        b.strand(10);
        b.edge(a, c);
        b.edge(c, a);  // a cycle (and a root with a predecessor)
        EXPECT_THROW(b.finish(a, "x"), std::invalid_argument);
    }
    EXPECT_THROW(shapes::make("fib", {{"n", "x"}}), std::invalid_argument);
    EXPECT_THROW(shapes::make("fib", {{"bogus", "1"}}), std::invalid_argument);
    EXPECT_THROW(shapes::make("nope", {}), std::invalid_argument);
    EXPECT_EQ(shapes::make("fib", {{"n", "10"}, {"spawn", "one"}}).size(), fib_spawns(10, 0, false) + 1);
}

TEST(SimGraph, ValidateCatchesViolations) {
    const auto g = shapes::fib({.n = 8});
    const auto r = run<policies::Go>(g, 3, 1, true);
    ASSERT_TRUE(r.result_ok) << r.error;
    EXPECT_EQ(sim::validate(g, r.trace), "");
    auto twice = r.trace;
    twice.strands[5].runs = 2;
    EXPECT_NE(sim::validate(g, twice), "");
    // A child that starts before its parent spawned it.
    auto early = r.trace;
    const auto child = g.spawns[0].child;
    early.strands[g.tasks[child].strand_begin].start = 0;
    early.strands[g.tasks[child].strand_begin].end = g.strands[g.tasks[child].strand_begin].cost;
    EXPECT_NE(sim::validate(g, early), "");
    // A join passed before the joined child ended.
    auto joined = r.trace;
    const auto& root = g.tasks[g.root];
    joined.strands[root.strand_begin + 1].start = joined.strands[root.strand_begin].end;
    joined.strands[g.tasks[g.joins[g.strands[root.strand_begin + 1].join_begin]].strand_end - 1].end =
        joined.strands[root.strand_begin + 1].start + 1;
    EXPECT_NE(sim::validate(g, joined), "");
}

// ---- Cost model ----------------------------------------------------------------------------

TEST(SimCostModel, ParsesKeyValueFilesAndRoundTrips) {
    const auto c = sim::parse_cost_model("# calibrated\nspawn_ns = 70\n\n  switch_ns=12  # comment\n");
    EXPECT_EQ(c.spawn_ns, 70u);
    EXPECT_EQ(c.switch_ns, 12u);
    EXPECT_EQ(c.ready_ns, sim::CostModel{}.ready_ns);
    EXPECT_EQ(sim::parse_cost_model(sim::to_text(c)), c);
    EXPECT_THROW(sim::parse_cost_model("spwan_ns = 1"), std::invalid_argument);
    EXPECT_THROW(sim::parse_cost_model("spawn_ns = -1"), std::invalid_argument);
    EXPECT_THROW(sim::parse_cost_model("spawn_ns = 1\nspawn_ns = 2"), std::invalid_argument);
    EXPECT_THROW(sim::parse_cost_model("spawn_ns"), std::invalid_argument);
    EXPECT_THROW(sim::load_cost_model("/nonexistent/costs.txt"), std::invalid_argument);
}

// ---- Signals (channel messages) --------------------------------------------------------------

TEST(SimGraph, SignalsAreCheckedAndOrderStrands) {
    auto two_tasks = [](sim::GraphBuilder& b) {
        const auto root = b.begin_task();
        b.strand(0);
        b.spawn(1, 0);
        b.spawn(2, 0);
        b.strand(0, {1, 2});
        b.begin_task();
        b.strand(100);
        b.strand(10);
        b.begin_task();
        b.strand(5);
        b.strand(7);
        return root;
    };
    {
        sim::GraphBuilder b;
        const auto root = two_tasks(b);
        b.signal(1, 0, 2, 1);  // task 2's second strand waits for task 1's first
        const auto g = b.finish(root, "x");
        ASSERT_EQ(g.signals.size(), 1u);
        // Span: 100 (task 1's first strand) then 7, against 5 + 7 without the signal.
        EXPECT_EQ(g.span_ns(), 110u);
        const auto r = run<policies::Go>(g, 2, 1, true, {0, 1, {}, {}}, sim::CostModel::zero());
        ASSERT_TRUE(r.result_ok) << r.error;
        const auto s1 = g.tasks[1].strand_begin, s2 = g.tasks[2].strand_begin + 1;
        EXPECT_GE(r.trace.strands[s2].start, r.trace.strands[s1].end);
        auto bad = r.trace;
        bad.strands[s2].start = bad.strands[s1].end - 1;
        EXPECT_NE(sim::validate(g, bad), "");
    }
    auto rejects = [&](sim::TaskId from, std::uint32_t fs, sim::TaskId to, std::uint32_t ts, bool twice = false) {
        sim::GraphBuilder b;
        const auto root = two_tasks(b);
        b.signal(from, fs, to, ts);
        if (twice) b.signal(from, fs, to, ts);
        EXPECT_THROW(b.finish(root, "x"), std::invalid_argument) << from << ":" << fs << " -> " << to << ":" << ts;
    };
    rejects(1, 0, 2, 0);        // a first strand
    rejects(1, 0, 1, 1);        // itself
    rejects(1, 2, 2, 1);        // no such strand
    rejects(1, 0, 9, 1);        // no such task
    rejects(1, 0, 2, 1, true);  // twice
    {
        sim::GraphBuilder b;  // each waits for the other: a cycle
        const auto root = two_tasks(b);
        b.signal(1, 1, 2, 1);
        b.signal(2, 1, 1, 1);
        EXPECT_THROW(b.finish(root, "x"), std::invalid_argument);
    }
}

}  // namespace
