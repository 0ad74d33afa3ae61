// Fork-join joins under every join strategy, on 1, 2 and 4 Ps: every child runs exactly once
// (inline on its parent's stack, or from the scheduler), a join returns only after all of its
// children have, nested groups and children that block inside an inlined call still finish,
// and the counters add up. Under ThreadSanitizer this checks the inline join's hand-offs
// (plain counters for inlined children, one atomic for the rest) and the Chase-Lev deque.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "schedlab/runtime/runtime_impl.hpp"
#include "schedlab/runtime/schedlab.hpp"
#include "support/stats_checks.hpp"

namespace schedlab::policies {
// Go's mechanism with Cilk's join only: FIFO ring, runnext on, joins inline their children
// (the join then takes its children from runnext as well as from the ring's tail).
struct GoInlineJoin : Compose<StealHalf, GlobalCheckEvery<61>, SpinHalfBusy, RunnextOn,
                              RandomCoprimeOrder, FifoOrder, InlineJoin> {
    static constexpr const char* name = "go+join=inline";
};
// Cilk's order with Go's steal-half: thieves claim half of the deque one G per CAS.
struct LifoStealHalf : Compose<StealHalf, GlobalCheckEvery<61>, SpinHalfBusy, RunnextOff,
                               RandomCoprimeOrder, LifoOrder, InlineJoin> {
    static constexpr const char* name = "lifo+steal=half";
};
}  // namespace schedlab::policies

template class schedlab::rt::Runtime<schedlab::policies::GoInlineJoin>;
template class schedlab::rt::Runtime<schedlab::policies::LifoStealHalf>;

namespace {

using namespace schedlab;
using schedlab::testing::expect_stats_add_up;
using schedlab::testing::kCounting;

#if defined(__SANITIZE_THREAD__)
constexpr int kDepth = 14;
constexpr int kChain = 5'000;
#else
constexpr int kDepth = 18;
constexpr int kChain = 20'000;
#endif

template <class B>
class JoinOnBundle : public ::testing::Test {};
using Bundles = ::testing::Types<policies::Go, policies::CilkLike, policies::GoInlineJoin,
                                 policies::LifoStealHalf>;
TYPED_TEST_SUITE(JoinOnBundle, Bundles);

// A binary tree of groups: node i spawns 2i+1 and 2i+2 in one group (spawn=both), marks
// itself, and checks after its wait that both subtrees are complete.
template <class R>
struct Tree {
    explicit Tree(int depth) : nodes((1u << depth) - 1), ran(nodes) {}
    std::uint32_t nodes;
    std::vector<std::atomic<std::uint32_t>> ran;
    std::atomic<std::uint32_t> early_returns{0};

    std::uint32_t visit(std::uint32_t i) {
        ran[i].fetch_add(1, std::memory_order_relaxed);
        const std::uint32_t l = 2 * i + 1, r = 2 * i + 2;
        if (l >= nodes) return 1;
        std::uint32_t a = 0, b = 0;
        typename R::Group g;
        g.spawn([&] { a = visit(l); });
        g.spawn([&] { b = visit(r); });
        g.wait();
        if (ran[l].load(std::memory_order_relaxed) != 1 || ran[r].load(std::memory_order_relaxed) != 1)
            early_returns.fetch_add(1, std::memory_order_relaxed);
        return 1 + a + b;
    }
};

TYPED_TEST(JoinOnBundle, EveryChildRunsExactlyOnceAndJoinsWaitForAll) {
    using R = rt::Runtime<TypeParam>;
    for (int procs : {1, 2, 4}) {
        Options o;
        o.procs = procs;
        R rt(o);
        Tree<R> t(kDepth);
        const std::uint32_t counted = rt.run([&] { return t.visit(0); });
        EXPECT_EQ(counted, t.nodes) << procs;
        EXPECT_EQ(t.early_returns.load(), 0u) << procs;
        std::uint32_t wrong = 0;
        for (auto& r : t.ran) wrong += r.load() != 1;
        EXPECT_EQ(wrong, 0u) << procs;
        const Stats& s = rt.stats();
        expect_stats_add_up(s);
        EXPECT_EQ(s.spawns, t.nodes);  // main plus one G per child
        if (!kCounting) continue;
        if constexpr (TypeParam::join::run_children_inline) {
            // On one P nothing is stolen: every child runs inline, and main is the only G that
            // ever gets a stack.
            // (Unless sysmon preempted main at a spawn: the P then ran the queued children.)
            if (procs == 1 && s.preemptions == 0) {
                EXPECT_EQ(s.inlined, s.spawns - 1);
            }
            EXPECT_LE(s.inlined, s.spawns - 1);
        } else {
            EXPECT_EQ(s.inlined, 0u);
        }
    }
}

// An inlined child that blocks parks its parent's whole G (the child is on top of its stack);
// a G on the other side of the channel wakes it, possibly on another P, and the join finishes.
TYPED_TEST(JoinOnBundle, AChildThatBlocksInsideAJoinStillFinishes) {
    using R = rt::Runtime<TypeParam>;
    for (int procs : {1, 2}) {
        Options o;
        o.procs = procs;
        R rt(o);
        const int sum = rt.run([] {
            constexpr int kPairs = 200;
            std::vector<std::unique_ptr<typename R::template Chan<int>>> chans;
            for (int i = 0; i < kPairs; ++i) chans.push_back(std::make_unique<typename R::template Chan<int>>(0));
            std::vector<int> got(kPairs, 0);
            typename R::Group g;
            for (int i = 0; i < kPairs; ++i) {
                g.spawn([&, i] { got[static_cast<std::size_t>(i)] = chans[static_cast<std::size_t>(i)]->recv(); });
                R::go([&, i] { chans[static_cast<std::size_t>(i)]->send(i + 1); });
            }
            g.wait();
            int total = 0;
            for (int v : got) total += v;
            return total;
        });
        EXPECT_EQ(sum, 200 * 201 / 2) << procs;
        expect_stats_add_up(rt.stats());
    }
}

// A chain of nested groups far deeper than a stack holds inlined frames: the inline join
// stops nesting at half the stack and parks instead, so nothing overflows.
TYPED_TEST(JoinOnBundle, DeepNestingDoesNotOverflowTheStack) {
    using R = rt::Runtime<TypeParam>;
    Options o;
    o.procs = 1;
    R rt(o);
    struct Chain {
        static int down(int n) {
            if (n == 0) return 0;
            int below = 0;
            typename R::Group g;
            g.spawn([&] { below = down(n - 1); });
            g.wait();
            return below + 1;
        }
    };
    EXPECT_EQ(rt.run([] { return Chain::down(kChain); }), kChain);
    if constexpr (TypeParam::join::run_children_inline) {
        if (kCounting) {
            EXPECT_GT(rt.stats().inlined, 0u);
            // Some levels had to get stacks of their own.
            EXPECT_LT(rt.stats().inlined, static_cast<std::uint64_t>(kChain));
        }
    }
}

// Plain go() Gs in a joining G's queue are not its children: a join never runs them. Here the
// stranger is on top of the child in the queue, so an inline join takes it, sees a G of no
// group of its, puts it back and parks; the scheduler runs both, and the child's return wakes
// the join. A G run inline would report its parent's id.
TYPED_TEST(JoinOnBundle, AJoinNeverRunsAGThatIsNotItsOwn) {
    using R = rt::Runtime<TypeParam>;
    Options o;
    o.procs = 1;
    R rt(o);
    const bool ok = rt.run([] {
        const std::uint64_t main_id = R::current_id();
        std::uint64_t stranger_id = 0, child_id = 0;
        typename R::WaitGroup strangers;
        strangers.add(1);
        typename R::Group g;
        g.spawn([&] { child_id = R::current_id(); });
        R::go([&] {
            stranger_id = R::current_id();
            strangers.done();
        });
        g.wait();
        strangers.wait();
        return stranger_id != 0 && stranger_id != main_id && child_id != 0 && child_id != main_id;
    });
    EXPECT_TRUE(ok);
    if (kCounting) {
        EXPECT_EQ(rt.stats().inlined, 0u);
    }
    expect_stats_add_up(rt.stats());
}

// A spawn into a group from a G that is not the group's owner (a DAG's task that readies its
// successor): the successor is counted at once, so the join waits for it too, and no join runs
// it inline (it reports an id of its own). Here a stranger G, run while the owner is blocked,
// spawns into the owner's group, and the owner's wait must cover both children.
TYPED_TEST(JoinOnBundle, ASpawnFromAnotherGIsJoinedButNeverInlined) {
    using R = rt::Runtime<TypeParam>;
    for (int procs : {1, 2}) {
        Options o;
        o.procs = procs;
        R rt(o);
        const bool ok = rt.run([] {
            const std::uint64_t main_id = R::current_id();
            std::atomic<std::uint64_t> own_id{0}, foreign_id{0};
            typename R::Group g;
            g.spawn([&] { own_id.store(R::current_id(), std::memory_order_relaxed); });
            typename R::WaitGroup spawned;
            spawned.add(1);
            R::go([&] {
                g.spawn([&] { foreign_id.store(R::current_id(), std::memory_order_relaxed); });
                spawned.done();
            });
            spawned.wait();
            g.wait();
            const std::uint64_t f = foreign_id.load(std::memory_order_relaxed);
            return own_id.load(std::memory_order_relaxed) != 0 && f != 0 && f != main_id;
        });
        EXPECT_TRUE(ok) << "P = " << procs;
        expect_stats_add_up(rt.stats());
    }
}

// The DAG pattern proper: a child that runs from the scheduler (a stranger on top of it keeps
// the join from inlining it, so the owner parks first) spawns a successor into the same
// group; the successor's end, not the child's, is what wakes the join.
TYPED_TEST(JoinOnBundle, AChildsSuccessorSpawnedIntoTheGroupIsWaitedFor) {
    using R = rt::Runtime<TypeParam>;
    Options o;
    o.procs = 1;
    R rt(o);
    const bool ok = rt.run([] {
        std::atomic<int> chain{0};
        typename R::Group g;
        g.spawn([&] {
            chain.fetch_add(1, std::memory_order_relaxed);
            g.spawn([&] {
                R::yield();  // let the spawner return first: its end must not end the join
                chain.fetch_add(1, std::memory_order_relaxed);
            });
        });
        R::go([] {});
        g.wait();
        return chain.load(std::memory_order_relaxed) == 2;
    });
    EXPECT_TRUE(ok);
    expect_stats_add_up(rt.stats());
}

}  // namespace
