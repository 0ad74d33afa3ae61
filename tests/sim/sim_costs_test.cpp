// What the simulator charges, and the structures that decide it: the one-P cost identity,
// resuming after other stacks ran (the touch log), the event tree and its time limit,
// cross-core costs, and stacks and G descriptors reused as in the runtime.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "schedlab/sim/generators.hpp"
#include "schedlab/sim/impl/structures.hpp"  // the event tree and the touch log, tested alone
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
