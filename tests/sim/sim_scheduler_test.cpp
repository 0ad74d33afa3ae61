// The simulated scheduler's behaviour under the named bundles and a few composed ones: every
// task once, determinism, steals, local order and inline joins, the global queue's check,
// NUMA victims, the spin cap, bad options, and channels (signals) between Gs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedlab/runtime/counters.hpp"  // header only: the names the simulator must match
#include "schedlab/sim/generators.hpp"
#include "schedlab/sim/instantiated.hpp"
#include "schedlab/sim/simulator_impl.hpp"  // to instantiate bundles not compiled in the library
#include "sim_test_util.hpp"

namespace {

using namespace schedlab;
using sim::SimOptions;
using sim::SimResult;
using sim::TaskGraph;
using sim::testing::run;
using sim::testing::small_shapes;
namespace shapes = sim::shapes;

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

// ---- Signals (channel messages) --------------------------------------------------------------

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
