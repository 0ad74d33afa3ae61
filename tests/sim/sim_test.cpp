// The simulator (sim/): task graphs and their checker, the shapes, the cost model file, and
// the simulated scheduler's behaviour under the named bundles.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedlab/runtime/counters.hpp"  // header only: the names the simulator must match
#include "schedlab/sim/generators.hpp"
#include "schedlab/sim/instantiated.hpp"
#include "schedlab/sim/simulator_impl.hpp"  // to instantiate bundles not compiled in the library

namespace {

using namespace schedlab;
using sim::SimOptions;
using sim::SimResult;
using sim::TaskGraph;
namespace shapes = sim::shapes;

template <class B>
SimResult run(const TaskGraph& g, std::uint32_t procs, std::uint64_t seed = 1, bool trace = false,
              policies::Topology topo = {0, 1, {}, {}}, sim::CostModel cost = {}) {
    SimOptions o;
    o.procs = procs;
    o.seed = seed;
    o.keep_trace = trace;
    o.topology = std::move(topo);
    o.cost = cost;
    return sim::Simulator<B>(o).run(g);
}

std::vector<TaskGraph> small_shapes() {
    std::vector<TaskGraph> v;
    v.push_back(shapes::fib({.n = 15}));
    v.push_back(shapes::fib({.n = 16, .cutoff = 6, .spawn_both = false}));
    v.push_back(shapes::random_dag({.layers = 12, .width = 30, .max_preds = 3, .seed = 7}));
    v.push_back(shapes::cholesky({.tiles = 6}));
    v.push_back(shapes::spawn_storm({.n = 3000, .task_ns = 200}));
    v.push_back(shapes::uts_like({.root_children = 50, .m = 4, .q = 0.24, .node_ns = 300, .seed = 3}));
    return v;
}

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

// ---- The simulated scheduler -----------------------------------------------------------------

TEST(Sim, CounterNamesMatchTheRuntime) {
    std::vector<std::string> rt_names, sim_names;
    rt::for_each_counter(rt::Stats{}, [&](const char* n, std::uint64_t) { rt_names.emplace_back(n); });
    sim::for_each_counter(sim::Counters{}, [&](const char* n, std::uint64_t) { sim_names.emplace_back(n); });
    EXPECT_EQ(sim_names, rt_names);
}

TEST(Sim, SameSeedBitIdenticalResults) {
    for (const auto& g : small_shapes())
        for (const auto& bundle : sim::bundle_names()) {
            SimOptions o;
            o.procs = 6;
            o.seed = 42;
            o.keep_trace = true;
            if (bundle.rfind("numa", 0) == 0 || bundle == "hierarchical")
                o.topology = policies::Topology::grid(6, 2, 1, 3);
            const auto a = sim::simulate(bundle, g, o);
            const auto b = sim::simulate(bundle, g, o);
            EXPECT_TRUE(a.result_ok) << bundle << " " << g.shape << ": " << a.error;
            EXPECT_TRUE(a == b) << bundle << " " << g.shape;
        }
    // A different seed changes the victim order, hence (here) the steals.
    const auto g = shapes::fib({.n = 16});
    EXPECT_NE(run<policies::Go>(g, 8, 1).counters, run<policies::Go>(g, 8, 2).counters);
}

TEST(Sim, EveryTaskRunsOnceAndDependenciesHold) {
    for (const auto& g : small_shapes())
        for (std::uint32_t procs : {1u, 2u, 5u, 16u}) {
            const auto r = run<policies::Go>(g, procs, 3, true);
            ASSERT_TRUE(r.result_ok) << g.shape << " on " << procs << ": " << r.error;
            EXPECT_EQ(r.tasks, g.size());
            EXPECT_EQ(r.counters.spawns, g.size());  // every task is created exactly once
            EXPECT_EQ(sim::validate(g, r.trace), "");
            EXPECT_GE(r.makespan_ns, g.span_ns());
            EXPECT_GE(r.makespan_ns * procs, g.work_ns());
        }
}

TEST(Sim, MorePsNeverLoseTasks) {
    const auto g = shapes::uts_like({.root_children = 100, .m = 5, .q = 0.19, .seed = 11});
    for (std::uint32_t procs : {1u, 2u, 3u, 4u, 7u, 8u, 32u, 64u, 256u}) {
        const auto r = run<policies::Go>(g, procs);
        EXPECT_TRUE(r.result_ok) << procs << ": " << r.error;
        EXPECT_EQ(r.tasks, g.size()) << procs;
    }
}

TEST(Sim, OnePMakespanIsWorkPlusChargedOverheads) {
    for (const auto& g : small_shapes()) {
        // With every cost zero, one P's makespan is exactly the work.
        const auto z = run<policies::Go>(g, 1, 1, false, {0, 1, {}, {}}, sim::CostModel::zero());
        ASSERT_TRUE(z.result_ok) << z.error;
        EXPECT_EQ(z.makespan_ns, g.work_ns()) << g.shape;
        // With the default costs (less the resume-after-reuse ones, which depend on the order,
        // not on a counter), the work plus each counted operation times its cost.
        sim::CostModel c;
        c.reuse_64_ns = c.reuse_256_ns = c.reuse_1024_ns = c.reuse_4096_ns = c.reuse_16384_ns = c.reuse_65536_ns = 0;
        const auto r = run<policies::Go>(g, 1, 1, false, {0, 1, {}, {}}, c);
        ASSERT_TRUE(r.result_ok) << r.error;
        const auto& k = r.counters;
        EXPECT_EQ(k.steal_attempts + k.spins + k.parks + k.wakeups + k.migrations, 0u);
        const std::uint64_t overhead = k.spawns * c.spawn_ns + (k.gs_run - k.spawns) * c.ready_ns +
                                       k.gs_run * c.switch_ns + (k.runnext_hits + k.local_pops) * c.local_op_ns +
                                       (k.global_pulls + k.overflows + r.stack_pool_ops + r.g_pool_ops) * c.global_op_ns +
                                       r.stacks_created * c.fresh_g_ns;
        EXPECT_EQ(r.overhead_ns, overhead) << g.shape;
        // Half of each switch is paid on the way out of the G that stops (before its P takes
        // the next one); the last G's comes after the run's end, as main's does in the runtime.
        EXPECT_EQ(r.makespan_ns, g.work_ns() + overhead - c.switch_ns / 2) << g.shape;
    }
}

TEST(Sim, StealOneMovesExactlyOneGPerSteal) {
    for (const auto& g : small_shapes()) {
        const auto r = run<policies::CilkLike>(g, 8);
        ASSERT_TRUE(r.result_ok) << r.error;
        EXPECT_GT(r.counters.steals, 0u) << g.shape;
        EXPECT_EQ(r.counters.gs_stolen, r.counters.steals) << g.shape;
        // The root runs on P 0, and with a steal some other P ran a G: the first one it ran
        // was made elsewhere (it had run none, so it had made none), a migration.
        EXPECT_GT(r.counters.migrations, 0u) << g.shape;
        EXPECT_LE(r.counters.migrations, r.counters.gs_run) << g.shape;
    }
    // Steal-half and steal-all move more than one G per steal on a wide spawn.
    const auto storm = shapes::spawn_storm({.n = 2000, .task_ns = 500});
    const auto half = run<policies::Go>(storm, 8);
    const auto all = run<policies::StealAllBundle>(storm, 8);
    EXPECT_GT(half.counters.gs_stolen, half.counters.steals);
    EXPECT_GT(all.counters.gs_stolen * half.counters.steals, half.counters.gs_stolen * all.counters.steals);
}

// ---- Local order and inline joins (cilk-like: LIFO, InlineJoin, no runnext) -------------------

// nqueens as a tree of tasks: a task per placement of a queen in rows 0..row-1 spawns a child
// per safe column of the next row (the fan-out varies, 0 at a dead end) and joins them all. A
// full board is a solution; `solutions` counts them (the shape's own result).
sim::TaskId nqueens_node(sim::GraphBuilder& b, int n, std::vector<int>& cols, std::uint64_t& solutions) {
    const int row = static_cast<int>(cols.size());
    std::vector<sim::TaskId> kids;
    if (row == n) ++solutions;
    for (int c = 0; c < n && row < n; ++c) {
        bool safe = true;
        for (int r = 0; r < row; ++r)
            if (cols[r] == c || cols[r] - c == r - row || cols[r] - c == row - r) safe = false;
        if (!safe) continue;
        cols.push_back(c);
        kids.push_back(nqueens_node(b, n, cols, solutions));
        cols.pop_back();
    }
    const auto id = b.begin_task();
    b.strand(300);
    for (std::size_t i = 0; i < kids.size(); ++i) b.spawn(kids[i], 10 * i);
    if (!kids.empty()) b.strand_joining(20, kids);
    return id;
}

TaskGraph nqueens_like(int n, std::uint64_t& solutions) {
    sim::GraphBuilder b;
    std::vector<int> cols;
    solutions = 0;
    const auto root = nqueens_node(b, n, cols, solutions);
    return b.finish(root, "nqueens-like(n=" + std::to_string(n) + ")");
}

std::vector<TaskGraph> fork_join_shapes() {
    std::vector<TaskGraph> v;
    v.push_back(shapes::fib({.n = 17}));
    v.push_back(shapes::fib({.n = 18, .spawn_both = false}));
    v.push_back(shapes::fib({.n = 19, .cutoff = 7, .spawn_both = false}));
    std::uint64_t solutions = 0;
    v.push_back(nqueens_like(7, solutions));
    v.push_back(shapes::uts_like({.root_children = 50, .m = 4, .q = 0.24, .node_ns = 300, .seed = 3}));
    return v;
}

TEST(Sim, CilkLikeRunsEveryTaskOnceOnForkJoinShapes) {
    std::uint64_t solutions = 0;
    EXPECT_EQ(nqueens_like(7, solutions).size(), 552u);  // 551 partial placements and the empty board
    EXPECT_EQ(solutions, 40u);                            // nqueens(7)
    for (const auto& g : fork_join_shapes())
        for (std::uint32_t procs : {1u, 2u, 8u, 64u}) {
            const auto r = run<policies::CilkLike>(g, procs, 3, true);
            ASSERT_TRUE(r.result_ok) << g.shape << " on " << procs << ": " << r.error;
            EXPECT_EQ(sim::validate(g, r.trace), "") << g.shape << " on " << procs;
            EXPECT_EQ(r.tasks, g.size());
            EXPECT_EQ(r.counters.spawns, g.size());
            for (const auto& st : r.trace.strands) ASSERT_EQ(st.runs, 1u) << g.shape << " on " << procs;
            // A task runs either as a G (started once, resumed once per block) or inline, and
            // gs_run counts both (as the runtime's: Gs executed).
            EXPECT_EQ(r.counters.spawns + r.g_blocks, r.counters.gs_run) << g.shape << " on " << procs;
            EXPECT_GT(r.counters.inlined, 0u) << g.shape << " on " << procs;
            EXPECT_EQ(r.work_ns, g.work_ns());
        }
    // Go never inlines, and its tasks all run as Gs.
    const auto go = run<policies::Go>(shapes::fib({.n = 17}), 8, 3);
    ASSERT_TRUE(go.result_ok);
    EXPECT_EQ(go.counters.inlined, 0u);
    EXPECT_EQ(go.counters.spawns + go.g_blocks, go.counters.gs_run);
}

// One P: every child of a fork-join tree is still queued at the ring's tail when its parent
// reaches the join that waits for it (what its own children put above it, their joins took
// already), so every spawn but main's is inlined and main is the only G that starts, and it
// never blocks. fib's queue stays far below the ring's 256 here (at most about n^2/4 frames'
// children for spawn=one): a child the ring had spilled to the global queue would not be on
// the P's own queue and would run as a G.
TEST(Sim, CilkLikeOnOnePInlinesEverySpawnedChild) {
    sim::CostModel c;  // the defaults, less the reuse costs (they depend on the order)
    c.reuse_64_ns = c.reuse_256_ns = c.reuse_1024_ns = c.reuse_4096_ns = c.reuse_16384_ns = c.reuse_65536_ns = 0;
    std::uint64_t solutions = 0;
    for (const auto& g : {shapes::fib({.n = 18, .spawn_both = false}), shapes::fib({.n = 16}),
                          shapes::fib({.n = 19, .cutoff = 7, .spawn_both = false}), nqueens_like(6, solutions)}) {
        const auto r = run<policies::CilkLike>(g, 1, 1, true, {0, 1, {}, {}}, c);
        ASSERT_TRUE(r.result_ok) << g.shape << ": " << r.error;
        const auto& k = r.counters;
        EXPECT_EQ(k.inlined, k.spawns - 1) << g.shape;  // spawns counts main's launch
        EXPECT_EQ(k.gs_run, k.spawns) << g.shape;        // main and every child, inline
        EXPECT_EQ(k.local_pops, 1u) << g.shape;  // main, from P 0's ring
        EXPECT_EQ(r.g_blocks, 0u) << g.shape;
        EXPECT_EQ(k.parks + k.spins + k.steal_attempts + k.migrations + k.spin_ns + k.park_ns, 0u) << g.shape;
        EXPECT_EQ(r.stacks_created, 1u) << g.shape;  // main's: an inlined child runs on it
        // What an inlined child costs: its work, plus the take from its parent's queue at
        // local_op_ns; no switch (only main's), no stack.
        const std::uint64_t overhead = k.spawns * c.spawn_ns + (k.gs_run - k.inlined) * c.switch_ns +
                                       (k.runnext_hits + k.local_pops + k.inlined) * c.local_op_ns +
                                       (k.global_pulls + k.overflows + r.stack_pool_ops + r.g_pool_ops) * c.global_op_ns +
                                       r.stacks_created * c.fresh_g_ns;
        EXPECT_EQ(r.overhead_ns, overhead) << g.shape;
        EXPECT_EQ(r.makespan_ns, g.work_ns() + overhead - c.switch_ns / 2) << g.shape;
    }
}

// More Ps: thieves take some children (the oldest of a P's queue: the biggest subtrees), the
// rest are inlined where they were spawned. A child that ran as a G of its own was taken from
// a queue by a P's scheduler: stolen, or popped by its own P after its parent had blocked for
// a stolen sibling, so every spawn is an inlined child or a started G (main included).
TEST(Sim, CilkLikeOnManyPsInlinesWhatIsNotStolen) {
    for (const auto& g : fork_join_shapes())
        for (std::uint32_t procs : {2u, 8u, 64u}) {
            const auto r = run<policies::CilkLike>(g, procs);
            ASSERT_TRUE(r.result_ok) << g.shape << " on " << procs << ": " << r.error;
            const auto& k = r.counters;
            EXPECT_EQ(k.spawns + r.g_blocks, k.gs_run) << g.shape << " on " << procs;
            const std::uint64_t as_gs = k.spawns - k.inlined;  // started as Gs, main included
            EXPECT_GT(k.gs_stolen, 0u) << g.shape << " on " << procs;
            EXPECT_GT(k.inlined, 0u) << g.shape << " on " << procs;
            EXPECT_GT(as_gs, 1u) << g.shape << " on " << procs;
            // Every G a thief moved then started there or resumed there after a block (never an
            // inlined child); StealOne moves one G per steal.
            EXPECT_LE(k.gs_stolen, as_gs + r.g_blocks) << g.shape << " on " << procs;
            EXPECT_EQ(k.gs_stolen, k.steals) << g.shape << " on " << procs;
        }
    // On 2 Ps, fib runs almost all of its calls inline: a thief takes a big subtree at a time.
    const auto two = run<policies::CilkLike>(shapes::fib({.n = 18}), 2);
    ASSERT_TRUE(two.result_ok);
    EXPECT_GT(two.counters.inlined * 10, two.counters.spawns * 9);
}

// The root spawns leaves A, B, C (in that order) and joins them; with ParkJoin it parks at
// once and the leaves run from the queue on its one P.
TaskGraph three_leaves(std::uint64_t root_ns, std::uint64_t a_ns, std::uint64_t b_ns, std::uint64_t c_ns) {
    sim::GraphBuilder b;
    const auto root = b.begin_task();
    b.strand(root_ns);
    b.spawn(1, 0);
    b.spawn(2, 1);
    b.spawn(3, 2);
    b.strand(0, {1, 2, 3});
    b.begin_task();
    b.strand(a_ns);
    b.begin_task();
    b.strand(b_ns);
    b.begin_task();
    b.strand(c_ns);
    return b.finish(root, "three-leaves");
}

using FifoPark = policies::Compose<policies::StealOne, policies::GlobalCheckEvery<61>, policies::SpinHalfBusy,
                                   policies::RunnextOff, policies::RandomCoprimeOrder>;
using LifoPark = policies::Compose<policies::StealOne, policies::GlobalCheckEvery<61>, policies::SpinHalfBusy,
                                   policies::RunnextOff, policies::RandomCoprimeOrder, policies::LifoOrder,
                                   policies::ParkJoin>;
using LifoNextPark = policies::Compose<policies::StealOne, policies::GlobalCheckEvery<61>, policies::SpinHalfBusy,
                                       policies::RunnextOn, policies::RandomCoprimeOrder, policies::LifoOrder,
                                       policies::ParkJoin>;
using FifoInline = policies::Compose<policies::StealHalf, policies::GlobalCheckEvery<61>, policies::SpinHalfBusy,
                                     policies::RunnextOn, policies::RandomCoprimeOrder, policies::FifoOrder,
                                     policies::InlineJoin>;

TEST(Sim, LifoOwnerPopsTheNewestAndThievesTheOldest) {
    const auto g = three_leaves(10, 100, 100, 100);
    auto starts = [&](const SimResult& r) {
        std::vector<std::uint64_t> v;
        for (sim::TaskId t : {1u, 2u, 3u}) v.push_back(r.trace.strands[g.tasks[t].strand_begin].start);
        return v;
    };
    const auto z = sim::CostModel::zero();
    const auto fifo = run<FifoPark>(g, 1, 1, true, {0, 1, {}, {}}, z);
    const auto lifo = run<LifoPark>(g, 1, 1, true, {0, 1, {}, {}}, z);
    const auto next = run<LifoNextPark>(g, 1, 1, true, {0, 1, {}, {}}, z);
    ASSERT_TRUE(fifo.result_ok && lifo.result_ok && next.result_ok);
    // Zero costs: the leaves run back to back from t = 10 once the root parks.
    EXPECT_EQ(starts(fifo), (std::vector<std::uint64_t>{10, 110, 210}));  // A B C: oldest first
    EXPECT_EQ(starts(lifo), (std::vector<std::uint64_t>{210, 110, 10}));  // C B A: newest first
    EXPECT_EQ(starts(next), (std::vector<std::uint64_t>{210, 110, 10}));  // C from runnext, then B, A from the tail
    EXPECT_EQ(lifo.counters.local_pops, 5u);  // main, C, B, A, main resumed (readied to the tail)
    EXPECT_EQ(next.counters.runnext_hits, 2u);  // C, and main readied into runnext
    EXPECT_EQ(next.counters.local_pops, 3u);    // main, B, A
    EXPECT_EQ(lifo.counters.inlined + next.counters.inlined, 0u);  // ParkJoin
    // cilk-like on 2 Ps: the root works 100 us after spawning; the idle P steals the oldest
    // leaf (A), and when it is done the next oldest (B), which is still running when the root
    // reaches its join, so the root runs only C, the newest, inline and then waits for B.
    const auto g2 = three_leaves(100'000, 50'000, 60'000, 50'000);
    const auto c = run<policies::CilkLike>(g2, 2, 1, true, {0, 1, {}, {}}, z);
    ASSERT_TRUE(c.result_ok) << c.error;
    const auto s = [&](sim::TaskId t) { return c.trace.strands[g2.tasks[t].strand_begin].start; };
    EXPECT_LT(s(1), s(2));
    EXPECT_LT(s(2), 100'000u);
    EXPECT_EQ(s(3), 100'000u);  // at the end of the root's strand, on its stack
    EXPECT_EQ(c.counters.steals, 2u);
    EXPECT_EQ(c.counters.inlined, 1u);
    EXPECT_EQ(c.g_blocks, 0u);  // B ended (110 us) while C ran inline (to 150 us)
    EXPECT_EQ(c.makespan_ns, 150'000u);
    // FIFO with inline joins and runnext: the newest child is in runnext, inlined first.
    const auto fi = run<FifoInline>(g, 1, 1, true, {0, 1, {}, {}}, z);
    ASSERT_TRUE(fi.result_ok) << fi.error;
    EXPECT_EQ(starts(fi), (std::vector<std::uint64_t>{210, 110, 10}));
    EXPECT_EQ(fi.counters.inlined, 3u);
    EXPECT_EQ(fi.counters.gs_run, 4u);  // main and the three children inline
    EXPECT_EQ(fi.counters.runnext_hits + fi.counters.local_pops, 1u);  // main only
}

TEST(Sim, SpinAndParkTimesAreVirtualNsPerP) {
    for (const auto& g : small_shapes()) {
        const auto one = run<policies::Go>(g, 1);
        EXPECT_EQ(one.counters.spin_ns + one.counters.park_ns, 0u) << g.shape;
        for (std::uint32_t procs : {2u, 8u, 64u}) {
            const auto r = run<policies::Go>(g, procs);
            ASSERT_TRUE(r.result_ok);
            const auto& k = r.counters;
            EXPECT_GT(k.spin_ns, 0u) << g.shape << " on " << procs;
            if (k.parks > 0) {
                EXPECT_GT(k.park_ns, 0u) << g.shape << " on " << procs;
            }
            // A P spins, parks or works, one at a time: at most the run's virtual time each.
            EXPECT_LE(k.spin_ns + k.park_ns, procs * r.makespan_ns) << g.shape << " on " << procs;
        }
    }
}

// One P: the root spawns 258 leaves (the ring overflows once: the first 128 leaves and the
// 257th go to the global queue), then 10 chains that keep the local ring busy: each chain
// task spawns its successor and a small leaf, so the leaf runs through runnext and the
// successor waits in the ring, and every ring pop is a scheduler tick. Under go the 61st-tick
// check runs the global leaves early; under gci-never they wait until the chains are done.
TEST(Sim, GlobalCheckNeverStarvesTheGlobalQueue) {
    sim::GraphBuilder b;
    std::vector<sim::TaskId> leaves, heads;
    for (int i = 0; i < 258; ++i) {
        leaves.push_back(b.begin_task());
        b.strand(100);
    }
    for (int c = 0; c < 10; ++c) {
        sim::TaskId next = sim::kNoTask;
        for (int k = 1999; k >= 0; --k) {
            const auto leaf = b.begin_task();
            b.strand(100);
            const auto w = b.begin_task();
            b.strand(100);
            if (next != sim::kNoTask) b.spawn(next, 100);
            b.spawn(leaf, 100);
            next = w;
        }
        heads.push_back(next);
    }
    const auto root = b.begin_task();
    b.strand(0);
    for (auto l : leaves) b.spawn(l, 0);
    for (auto h : heads) b.spawn(h, 0);
    std::vector<sim::TaskId> all = leaves;
    all.insert(all.end(), heads.begin(), heads.end());
    b.strand_joining(0, all);
    const auto g = b.finish(root, "starve");

    auto last_global_leaf_start = [&](const SimResult& r) {
        std::uint64_t last = 0;
        for (int i = 0; i < 128; ++i) last = std::max(last, r.trace.strands[g.tasks[leaves[i]].strand_begin].start);
        return last;
    };
    const auto go = run<policies::Go>(g, 1, 1, true);
    const auto never = run<policies::GciNever>(g, 1, 1, true);
    ASSERT_TRUE(go.result_ok && never.result_ok) << go.error << never.error;
    EXPECT_EQ(go.counters.overflows, 1u);
    EXPECT_EQ(never.counters.overflows, 1u);
    const double go_frac = double(last_global_leaf_start(go)) / double(go.makespan_ns);
    const double never_frac = double(last_global_leaf_start(never)) / double(never.makespan_ns);
    EXPECT_LT(go_frac, 0.5) << "go ran the global leaves by " << go_frac << " of the run";
    EXPECT_GT(never_frac, 0.95) << "gci-never ran the global leaves by " << never_frac << " of the run";
    EXPECT_GT(go.counters.global_pulls, 100u);
    EXPECT_LE(never.counters.global_pulls, 2u);
}

TEST(Sim, NumaStealsLessAcrossNodesThanGo) {
    const auto topo = policies::Topology::grid(8, 2, 1, 4);
    for (const auto& g : {shapes::fib({.n = 18}), shapes::random_dag({.layers = 30, .width = 40, .seed = 2}),
                          shapes::uts_like({.root_children = 100, .seed = 5})}) {
        std::uint64_t go_remote = 0, numa_remote = 0, go_all = 0, numa_all = 0;
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
            const auto a = run<policies::Go>(g, 8, seed, false, topo);
            const auto b = run<policies::Numa>(g, 8, seed, false, topo);
            ASSERT_TRUE(a.result_ok && b.result_ok);
            go_remote += a.counters.remote_steal_attempts;
            numa_remote += b.counters.remote_steal_attempts;
            go_all += a.counters.steal_attempts;
            numa_all += b.counters.steal_attempts;
        }
        EXPECT_LT(numa_remote, go_remote) << g.shape;
        // ... also as a share of all probes.
        EXPECT_LT(double(numa_remote) / double(numa_all), double(go_remote) / double(go_all)) << g.shape;
    }
    // On a flat topology nothing is remote.
    EXPECT_EQ(run<policies::Go>(shapes::fib({.n = 15}), 8).counters.remote_steal_attempts, 0u);
}

using SpinTwo = policies::Compose<policies::StealHalf, policies::GlobalCheckEvery<61>, policies::SpinFixed<2>,
                                  policies::RunnextOn, policies::RandomCoprimeOrder>;
using SpinZero = policies::Compose<policies::StealHalf, policies::GlobalCheckEvery<61>, policies::SpinNone,
                                   policies::RunnextOn, policies::RandomCoprimeOrder>;

TEST(Sim, SpinningNeverExceedsTheCap) {
    for (const auto& g : small_shapes())
        for (std::uint32_t procs : {2u, 7u, 16u}) {
            const auto go = run<policies::Go>(g, procs);
            ASSERT_TRUE(go.result_ok);
            // Go: 2 * spinning < busy Ps, so at most ceil(procs / 2); the woken M counts 1.
            EXPECT_LE(go.max_spinning, std::max<std::uint64_t>(1, (procs + 1) / 2)) << g.shape << " " << procs;
            EXPECT_LE(go.counters.spinning_high_water, go.max_spinning);
            const auto two = run<SpinTwo>(g, procs);
            ASSERT_TRUE(two.result_ok);
            EXPECT_LE(two.max_spinning, 2u);
            const auto zero = run<SpinZero>(g, procs);
            ASSERT_TRUE(zero.result_ok) << zero.error;
            EXPECT_LE(zero.max_spinning, 1u);  // only the M woken by wakep spins
        }
    const auto many = run<policies::Go>(shapes::fib({.n = 18}), 64);
    EXPECT_GT(many.max_spinning, 2u);
    EXPECT_LE(many.max_spinning, 32u);
}

TEST(Sim, MorePsShortenTheMakespanOfAParallelShape) {
    const auto g = shapes::cholesky({.tiles = 10});
    const auto one = run<policies::Go>(g, 1), four = run<policies::Go>(g, 4);
    EXPECT_LT(four.makespan_ns * 2, one.makespan_ns);
    EXPECT_GE(four.makespan_ns, g.span_ns());
}

TEST(Sim, RejectsBadOptions) {
    SimOptions o;
    o.procs = 0;
    EXPECT_THROW(sim::Simulator<policies::Go>{o}, std::invalid_argument);
    o.procs = sim::detail::EventTree::kMaxPs + 1;
    EXPECT_THROW(sim::Simulator<policies::Go>{o}, std::invalid_argument);
    o.procs = 4;
    o.topology = policies::Topology::grid(8, 2, 1, 4);
    EXPECT_THROW(sim::Simulator<policies::Go>{o}, std::invalid_argument);
    EXPECT_THROW(sim::simulate("nope", shapes::fib({.n = 3}), SimOptions{}), std::invalid_argument);
}

}  // namespace

TEST(Sim, StartsPayForTheStacksTouchedMeanwhile) {
    sim::CostModel none;
    none.reuse_64_ns = none.reuse_256_ns = none.reuse_1024_ns = none.reuse_4096_ns = none.reuse_16384_ns =
        none.reuse_65536_ns = 0;
    const sim::CostModel some;  // the defaults: rising with the Gs run since the G blocked
    for (const auto& g : small_shapes()) {
        const auto a = run<policies::Go>(g, 1, 1, false, {0, 1, {}, {}}, none);
        const auto b = run<policies::Go>(g, 1, 1, false, {0, 1, {}, {}}, some);
        ASSERT_TRUE(a.result_ok && b.result_ok) << g.shape;
        EXPECT_EQ(a.counters, b.counters) << g.shape;  // costs change when, not what
        // Every start may pay (a resume, or a first run on a stack freed a while ago), at most
        // the top of the curve; a graph whose Gs never block pays little.
        EXPECT_GE(b.makespan_ns, a.makespan_ns) << g.shape;
        EXPECT_LE(b.makespan_ns - a.makespan_ns, b.counters.gs_run * some.reuse_65536_ns) << g.shape;
    }
}

TEST(Sim, EventTreeGivesTheEarliestPAndTiesToTheLowerP) {
    sim::detail::EventTree t(5);  // 8 leaves, 3 of them never used
    EXPECT_EQ(t.top_time(), sim::detail::kNever);
    EXPECT_EQ(t.top(), 0u);
    t.set(3, 70);
    t.set(1, 90);
    t.set(4, 70);
    EXPECT_EQ(t.top(), 3u);
    EXPECT_EQ(t.top_time(), 70u);
    t.set(3, sim::detail::kNever);
    EXPECT_EQ(t.top(), 4u);
    EXPECT_EQ(t.time(3), sim::detail::kNever);
    t.set(2, 70);
    EXPECT_EQ(t.top(), 2u);  // a tie goes to the lower P
    t.set(0, 0);
    EXPECT_EQ(t.top(), 0u);
    EXPECT_EQ(t.top_time(), 0u);
    const std::uint64_t last = sim::detail::EventTree::kTimeLimit - 1;
    t.set(0, sim::detail::kNever);
    t.set(2, last);
    t.set(4, last);
    t.set(1, last);
    EXPECT_EQ(t.top(), 1u);
    EXPECT_EQ(t.top_time(), last);
    EXPECT_FALSE(t.overflowed());
    t.set(1, last + 1);  // cannot be kept: P 1 waits for nothing, and the tree says so
    EXPECT_TRUE(t.overflowed());
    EXPECT_EQ(t.time(1), sim::detail::kNever);
    EXPECT_EQ(t.top(), 2u);
}

TEST(Sim, AVirtualTimePastTheEventTreesLimitIsAnError) {
    sim::GraphBuilder b;
    const auto root = b.begin_task();
    b.strand(sim::detail::EventTree::kTimeLimit + 5);
    const auto g = b.finish(root, "long");
    const auto r = run<policies::Go>(g, 2);
    EXPECT_FALSE(r.result_ok);
    EXPECT_NE(r.error.find("virtual time passed"), std::string::npos) << r.error;
}

TEST(Sim, TouchLogCountsTheDistinctStacksTouchedSince) {
    // Touches of stacks a b c a b d: the last a is at 4; after it, b and d (2 distinct).
    sim::detail::TouchLog log;
    std::map<char, std::uint32_t> at;
    for (char s : std::string("abcabd")) {
        if (at.count(s)) log.clear(at[s]);
        at[s] = log.append();
    }
    EXPECT_EQ(log.now(), 6u);
    EXPECT_EQ(log.since(0), 4u);          // a b c d
    EXPECT_EQ(log.since(at['a']), 2u);    // b d
    EXPECT_EQ(log.since(at['c']), 3u);    // a b d
    EXPECT_EQ(log.since(at['d']), 0u);
    // A long run: k stacks in turn, each resumed after the k - 1 others.
    sim::detail::TouchLog big;
    std::vector<std::uint32_t> last(100, 0);
    for (int round = 0; round < 50; ++round)
        for (std::uint32_t s = 0; s < 100; ++s) {
            if (last[s]) {
                EXPECT_EQ(big.since(last[s]), 99u);
                big.clear(last[s]);
            }
            last[s] = big.append();
        }
}

TEST(Sim, TouchLogAgreesWithCountingByHandAcrossItsWords) {
    // Random touches of 300 stacks, 20 000 of them (over 300 words of 64 touches): after each,
    // the distinct stacks touched since a random earlier latest touch, counted from the history.
    sim::detail::TouchLog log;
    std::vector<std::uint32_t> latest(300, 0);
    std::vector<int> history;  // the stack of each touch, from touch 1
    std::uint64_t x = 12345;
    auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    for (int n = 0; n < 20000; ++n) {
        // Mostly a few hot stacks (short distances), sometimes any (long ones).
        const int s = static_cast<int>(next() % (next() % 4 == 0 ? 300 : 20));
        if (latest[s]) log.clear(latest[s]);
        latest[s] = log.append();
        history.push_back(s);
        ASSERT_EQ(log.now(), history.size());
        const int probe = static_cast<int>(next() % 300);
        const std::uint32_t t = next() % 8 == 0 ? 0 : latest[probe];
        std::vector<bool> seen(300, false);
        std::uint32_t distinct = 0;
        for (std::size_t i = t; i < history.size(); ++i)
            if (!seen[history[i]]) {
                seen[history[i]] = true;
                ++distinct;
            }
        ASSERT_EQ(log.since(t), distinct) << "after touch " << n + 1 << ", since " << t;
    }
}

TEST(Sim, CrossCoreCostsApplyOnlyWithMoreThanOneP) {
    sim::CostModel base;
    sim::CostModel cross = base;
    base.migrate_ns = base.remote_done_ns = base.shared_put_ns = 0;
    cross.migrate_ns = 5000;
    cross.remote_done_ns = 3000;
    cross.shared_put_ns = 100;
    for (const auto& g : small_shapes()) {
        // One P: nothing crosses cores, and the run queue is not shared.
        EXPECT_EQ(run<policies::Go>(g, 1, 1, false, {0, 1, {}, {}}, base),
                  run<policies::Go>(g, 1, 1, false, {0, 1, {}, {}}, cross))
            << g.shape;
    }
    // Two Ps on a graph wide enough to be shared: every spawn pays the CAS, and the stolen Gs
    // pay for their move, so the charged overhead grows by more than the CASes alone.
    const TaskGraph g = shapes::fib({.n = 16});
    const auto a = run<policies::Go>(g, 2, 1, false, {0, 1, {}, {}}, base);
    const auto b = run<policies::Go>(g, 2, 1, false, {0, 1, {}, {}}, cross);
    ASSERT_TRUE(a.result_ok && b.result_ok);
    ASSERT_GT(b.counters.steals, 0u);
    EXPECT_GT(b.overhead_ns, a.overhead_ns + (b.counters.spawns - 1) * cross.shared_put_ns);
}

TEST(Sim, StacksAndGsAreReusedThroughPCachesAndSharedListsAsInTheRuntime) {
    // A spawn storm on one P: each G runs to its end before the next starts, so main's stack
    // and one more are all it ever needs.
    const auto storm = run<policies::Go>(shapes::spawn_storm({.n = 3000, .task_ns = 200}), 1);
    ASSERT_TRUE(storm.result_ok);
    EXPECT_EQ(storm.stacks_created, 2u);
    EXPECT_EQ(storm.stack_moves, 0u);
    // fib with a G per call on one P: the runtime made 9023 stacks for fib(25) (main's
    // included; perf probe on StackPool::carve_locked) with the same order of Gs; with no P
    // to move to, no stack moves.
    const TaskGraph fib = shapes::fib({.n = 18});
    const auto one = run<policies::Go>(fib, 1);
    ASSERT_TRUE(one.result_ok);
    EXPECT_GT(one.stacks_created, 1u);
    EXPECT_LT(one.stacks_created, one.counters.gs_run);
    EXPECT_EQ(one.stack_moves, 0u);
    EXPECT_EQ(one.g_moves, 0u);
    // On two Ps a full cache gives its older half to the pool and an empty one refills from
    // it, so some Gs start on a stack the other P freed; each such start pays migrate_ns.
    // The two runs' costs differ, so their schedules (and move counts) may too: half the
    // moves' price is the margin asked for, with every other cross-core cost at zero.
    sim::CostModel none;
    none.migrate_ns = none.remote_done_ns = none.shared_put_ns = 0;
    sim::CostModel moves = none;
    moves.migrate_ns = 1000;
    const auto a = run<policies::Go>(fib, 2, 1, false, {0, 1, {}, {}}, none);
    const auto b = run<policies::Go>(fib, 2, 1, false, {0, 1, {}, {}}, moves);
    ASSERT_TRUE(a.result_ok && b.result_ok);
    EXPECT_GT(b.stack_moves, 0u);
    EXPECT_GT(b.g_moves, 0u);  // G descriptors travel through their list the same way
    EXPECT_GE(b.overhead_ns, a.overhead_ns + b.stack_moves * moves.migrate_ns / 2);
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

TEST(Sim, PingPongAlternatesOnOnePAndEachMessageCostsTwoSwitches) {
    constexpr std::uint32_t kMessages = 500;
    const auto g = shapes::ping_pong({.pairs = 1, .messages = kMessages});
    ASSERT_EQ(g.size(), 3u);
    ASSERT_EQ(g.signals.size(), 2u * kMessages);
    sim::CostModel c = sim::CostModel::zero();
    c.switch_ns = 100;
    c.chan_op_ns = 10;
    const auto r = run<policies::Go>(g, 1, 1, true, {0, 1, {}, {}}, c);
    ASSERT_TRUE(r.result_ok) << r.error;
    // Each round trip parks and readies both Gs once: a switch to each, 4 channel operations.
    // Plus the first starts of the root and the pair, and the root's resume.
    EXPECT_EQ(r.counters.gs_run, 2u * kMessages + 4);
    EXPECT_EQ(r.counters.runnext_hits + r.counters.local_pops, r.counters.gs_run);
    EXPECT_EQ(r.makespan_ns, r.counters.gs_run * 100 + 4u * kMessages * 10 - 50);  // the root's way out: after the end
    // Deterministic, and the same on 2 Ps whatever the seed: the messages keep their order.
    EXPECT_EQ(r, run<policies::Go>(g, 1, 1, true, {0, 1, {}, {}}, c));
    for (std::uint64_t seed : {1, 2, 3}) {
        const auto r2 = run<policies::Go>(shapes::ping_pong({.pairs = 3, .messages = 200}), 2, seed, true);
        EXPECT_TRUE(r2.result_ok) << r2.error;
    }
}

// Root spawns task 1 (one strand of a_ns) and task 2 (strands of b0_ns and b1_ns), then joins
// both; task 1's strand sends a message that task 2's second strand receives.
namespace {
TaskGraph sender_and_receiver(std::uint64_t a_ns, std::uint64_t b0_ns, std::uint64_t b1_ns) {
    sim::GraphBuilder b;
    const auto root = b.begin_task();
    b.strand(0);
    b.spawn(1, 0);
    b.spawn(2, 0);
    b.strand(0, {1, 2});
    b.begin_task();
    b.strand(a_ns);
    b.begin_task();
    b.strand(b0_ns);
    b.strand(b1_ns);
    b.signal(1, 0, 2, 1);
    return b.finish(root, "x");
}
}  // namespace

TEST(Sim, ASignalThatArrivesFirstDoesNotBlock) {
    // Task 1 signals task 2's second strand early (at the end of a short strand); task 2's first
    // strand is long, so the message waits in the channel and task 2 never parks.
    const auto g = sender_and_receiver(1, 1'000'000, 1);
    sim::CostModel c = sim::CostModel::zero();
    c.switch_ns = 100;
    const auto r = run<policies::Go>(g, 2, 1, true, {0, 1, {}, {}}, c);
    ASSERT_TRUE(r.result_ok) << r.error;
    EXPECT_EQ(r.counters.gs_run, 4u);  // root, 1, 2, root again: task 2 ran through
}

TEST(Sim, AGIsVisibleToThievesOnlyOnceItsReadyIsPaidFor) {
    // B blocks for A's message; A's P readies B at a cost of 1 ms while the other P spins and
    // would steal B from runnext after the pause. B must not be seen, or run, before the
    // ready is paid for.
    const auto g = sender_and_receiver(10, 0, 10);  // A = task 1, B = task 2
    sim::CostModel c = sim::CostModel::zero();
    c.ready_ns = 1'000'000;
    c.runnext_steal_pause_ns = 3000;
    for (std::uint64_t seed : {1, 2, 3}) {
        const auto r = run<policies::Go>(g, 2, seed, true, {0, 1, {}, {}}, c);
        ASSERT_TRUE(r.result_ok) << r.error;
        const auto sent = r.trace.strands[g.tasks[1].strand_begin].end;
        EXPECT_GE(r.trace.strands[g.tasks[2].strand_begin + 1].start, sent + c.ready_ns) << seed;
    }
}

TEST(Sim, ARunnextStealSucceedsWhenTheSameDescriptorIsBack) {
    // Each round's G exits before the next is spawned, so every round reuses one descriptor.
    // A thief that saw round i's G in the victim's runnext and finds round j's there after its
    // pause passes the runtime's CAS, which compares descriptors: it takes round j's G. Were
    // Gs compared by task, a pause (3 us, ~30 rounds) would practically never find its G again.
    const auto g = shapes::spawn_wait(50'000);
    for (std::uint64_t seed : {1, 2}) {
        const auto r = run<policies::Go>(g, 2, seed, true);
        ASSERT_TRUE(r.result_ok) << r.error;
        EXPECT_GE(r.counters.steals, 10u) << seed;  // 18-19 at the default costs; 1 by task
        EXPECT_EQ(r.counters.gs_stolen, r.counters.steals) << seed;  // one runnext G each
        EXPECT_LE(r.stacks_created, 3u) << seed;  // main, and a G or two in flight
    }
}

// An inlined child that blocks parks its parent's G with it: the G resumes inside the child
// (on whatever P readies it) and returns into the parent's join from there.
TEST(Sim, AnInlinedChildThatBlocksParksItsGAndResumesInIt) {
    const auto g = sender_and_receiver(50'000, 10, 10);
    for (std::uint32_t procs : {1u, 2u, 4u})
        for (std::uint64_t seed : {1, 2}) {
            const auto r = run<policies::CilkLike>(g, procs, seed, true);
            ASSERT_TRUE(r.result_ok) << procs << " " << seed << ": " << r.error;
            EXPECT_EQ(r.counters.spawns + r.g_blocks, r.counters.gs_run);
        }
    // One P: the root's join takes task 2 (the newest) inline; its second strand waits for
    // task 1's message, so the root's G parks in task 2's frame, task 1 runs as a G, sends,
    // and the G resumes in task 2, which returns to the root: two Gs, one block, one inline.
    const auto r = run<policies::CilkLike>(g, 1, 1, true);
    ASSERT_TRUE(r.result_ok) << r.error;
    EXPECT_EQ(r.counters.inlined, 1u);
    EXPECT_EQ(r.g_blocks, 1u);
    EXPECT_EQ(r.counters.gs_run, 4u);  // the root, task 2 inline, task 1, the root again
    EXPECT_EQ(r.stacks_created, 2u);   // the root's and task 1's
}
