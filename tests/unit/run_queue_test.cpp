// The per-P run queue (a 256-slot ring plus the runnext slot) tested on its own, with fake Gs
// that never run, and the Go policy's decisions (policies/go.hpp) tested as plain functions.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <tuple>
#include <string_view>
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "schedlab/policies/go.hpp"
#include "schedlab/policies/sweep_bundles.hpp"
#include "schedlab/runtime/local_queue.hpp"

namespace {

using schedlab::policies::GlobalCheckEvery;
using schedlab::policies::RandomCoprimeOrder;
using schedlab::policies::SpinHalfBusy;
using schedlab::policies::StealHalf;
using schedlab::policies::Topology;
using schedlab::rt::G;
using schedlab::rt::GList;
using schedlab::rt::LocalRunQueue;

constexpr std::uint32_t kRing = LocalRunQueue::kSize;

// A pool of fake Gs, told apart by address (and id, for readable failures).
struct FakeGs {
    explicit FakeGs(std::size_t n) : gs(std::make_unique<G[]>(n)) {
        for (std::size_t i = 0; i < n; ++i) gs[i].id = i;
    }
    G* operator[](std::size_t i) { return &gs[i]; }
    std::unique_ptr<G[]> gs;
};

// Put gs[first, first + n) at the tail of q, asserting that none of them overflows.
void fill(LocalRunQueue& q, FakeGs& gs, std::size_t first, std::size_t n) {
    GList spill;
    for (std::size_t i = first; i < first + n; ++i) ASSERT_FALSE(q.put_tail(gs[i], spill)) << i;
    ASSERT_EQ(spill.size, 0u);
}

// Drain the ring of q (not runnext) and return the ids in pop order.
std::vector<std::uint64_t> drain_ids(LocalRunQueue& q) {
    std::vector<std::uint64_t> ids;
    while (G* g = q.pop_head()) ids.push_back(g->id);
    return ids;
}

std::vector<std::uint64_t> iota_ids(std::uint64_t first, std::uint64_t n) {
    std::vector<std::uint64_t> v;
    for (std::uint64_t i = 0; i < n; ++i) v.push_back(first + i);
    return v;
}

// ---- The ring ------------------------------------------------------------------------------

TEST(RunQueue, StartsEmpty) {
    LocalRunQueue q;
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.size(), 0u);
    EXPECT_EQ(q.pop_head(), nullptr);
    EXPECT_EQ(q.take_runnext(), nullptr);
}

TEST(RunQueue, RingIsFifo) {
    FakeGs gs(10);
    LocalRunQueue q;
    fill(q, gs, 0, 10);
    EXPECT_EQ(q.size(), 10u);
    EXPECT_FALSE(q.empty());
    EXPECT_EQ(drain_ids(q), iota_ids(0, 10));
    EXPECT_TRUE(q.empty());
}

TEST(RunQueue, RingStaysFifoAcrossWrapAround) {
    // Interleave puts and pops so head and tail pass the end of the ring several times.
    FakeGs gs(5 * kRing);
    LocalRunQueue q;
    GList spill;
    std::vector<std::uint64_t> popped;
    for (std::size_t i = 0; i < 5 * kRing; ++i) {
        ASSERT_FALSE(q.put_tail(gs[i], spill));
        if (i % 8 != 0) popped.push_back(q.pop_head()->id);  // net growth: 1 in 8
        ASSERT_LE(q.size(), kRing);
    }
    for (G* g; (g = q.pop_head());) popped.push_back(g->id);
    EXPECT_EQ(popped, iota_ids(0, 5 * kRing));
    EXPECT_EQ(spill.size, 0u);
}

TEST(RunQueue, TwoHundredFiftySixGsFitWithoutOverflow) {
    FakeGs gs(kRing);
    LocalRunQueue q;
    fill(q, gs, 0, kRing);
    EXPECT_EQ(q.size(), kRing);
    EXPECT_EQ(drain_ids(q), iota_ids(0, kRing));
}

TEST(RunQueue, OverflowMovesHalfPlusOneToSpill) {
    FakeGs gs(kRing + 1);
    LocalRunQueue q;
    fill(q, gs, 0, kRing);
    GList spill;
    EXPECT_TRUE(q.put_tail(gs[kRing], spill));
    // The 128 oldest Gs in order, then the new one.
    ASSERT_EQ(spill.size, kRing / 2 + 1);
    std::vector<std::uint64_t> spilled;
    for (G* g = spill.head; g; g = g->schedlink) spilled.push_back(g->id);
    std::vector<std::uint64_t> want = iota_ids(0, kRing / 2);
    want.push_back(kRing);
    EXPECT_EQ(spilled, want);
    EXPECT_EQ(spill.tail, gs[kRing]);
    // The newer half stays in the ring, in order.
    EXPECT_EQ(q.size(), kRing / 2);
    EXPECT_EQ(drain_ids(q), iota_ids(kRing / 2, kRing / 2));
}

TEST(RunQueue, OverflowLeavesRoomForAnotherHalfRing) {
    FakeGs gs(2 * kRing);
    LocalRunQueue q;
    fill(q, gs, 0, kRing);
    GList spill;
    ASSERT_TRUE(q.put_tail(gs[kRing], spill));
    // 128 left in the ring: the next 128 puts fit, the one after overflows again.
    fill(q, gs, kRing + 1, kRing / 2);
    GList spill2;
    EXPECT_TRUE(q.put_tail(gs[kRing + 1 + kRing / 2], spill2));
    EXPECT_EQ(spill2.size, kRing / 2 + 1);
    EXPECT_EQ(spill2.head, gs[kRing / 2]);  // the oldest G still in the ring
}

// ---- runnext -------------------------------------------------------------------------------

TEST(RunQueue, SwapRunnextReturnsThePreviousRunnext) {
    for (bool shared : {true, false}) {
        SCOPED_TRACE(shared ? "shared" : "single P");
        FakeGs gs(3);
        LocalRunQueue q;
        q.set_shared(shared);
        EXPECT_EQ(q.swap_runnext(gs[0]), nullptr);
        EXPECT_EQ(q.swap_runnext(gs[1]), gs[0]);
        EXPECT_EQ(q.swap_runnext(gs[2]), gs[1]);
        EXPECT_EQ(q.size(), 1u);
        EXPECT_EQ(q.take_runnext(), gs[2]);
        EXPECT_EQ(q.take_runnext(), nullptr);
        EXPECT_TRUE(q.empty());
    }
}

TEST(RunQueue, DisplacedRunnextGoesToTheRingTailAsTheRuntimeDoes) {
    // The runtime's runqput(next=true): swap into runnext, put the displaced G at the tail.
    FakeGs gs(4);
    LocalRunQueue q;
    GList spill;
    fill(q, gs, 0, 1);  // ring: 0
    for (std::size_t i = 1; i < 4; ++i) {
        if (G* old = q.swap_runnext(gs[i])) {
            ASSERT_FALSE(q.put_tail(old, spill));
        }
    }
    EXPECT_EQ(q.size(), 4u);
    EXPECT_EQ(q.take_runnext(), gs[3]);      // the most recent G runs first
    EXPECT_EQ(drain_ids(q), iota_ids(0, 3));  // then the ring in FIFO order: 0, 1, 2
}

TEST(RunQueue, TakeRunnextComesBeforeTheRingAndLeavesItAlone) {
    FakeGs gs(3);
    LocalRunQueue q;
    fill(q, gs, 0, 2);
    EXPECT_EQ(q.swap_runnext(gs[2]), nullptr);
    EXPECT_EQ(q.size(), 3u);
    EXPECT_EQ(q.take_runnext(), gs[2]);
    EXPECT_EQ(q.size(), 2u);
    EXPECT_EQ(q.take_runnext(), nullptr);
    EXPECT_EQ(drain_ids(q), iota_ids(0, 2));
}

TEST(RunQueue, PopHeadNeverReturnsRunnext) {
    FakeGs gs(1);
    LocalRunQueue q;
    q.swap_runnext(gs[0]);
    EXPECT_EQ(q.pop_head(), nullptr);
    EXPECT_FALSE(q.empty());
    EXPECT_EQ(q.take_runnext(), gs[0]);
}

// ---- Stealing ------------------------------------------------------------------------------

class RunQueueSteal : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(RunQueueSteal, TakesNMinusHalfNAndLeavesTheRestInOrder) {
    const std::uint32_t n = GetParam();
    const std::uint32_t want = n - n / 2;
    FakeGs gs(n);
    LocalRunQueue victim, thief;
    fill(victim, gs, 0, n);
    std::uint32_t stolen = 0;
    G* g = thief.steal_from<StealHalf>(victim, false, stolen);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(stolen, want);
    // The thief runs the last G of the batch and queues the others, oldest first.
    EXPECT_EQ(g, gs[want - 1]);
    EXPECT_EQ(thief.size(), want - 1);
    EXPECT_EQ(drain_ids(thief), iota_ids(0, want - 1));
    // The victim keeps its newer Gs, in order.
    EXPECT_EQ(victim.size(), n - want);
    EXPECT_EQ(drain_ids(victim), iota_ids(want, n - want));
}

INSTANTIATE_TEST_SUITE_P(SeveralQueueLengths, RunQueueSteal,
                         ::testing::Values(1u, 2u, 3u, 7u, 128u, 255u, 256u),
                         [](const ::testing::TestParamInfo<std::uint32_t>& info) {
                             return std::string("n").append(std::to_string(info.param));
                         });

// Every point of the steal-fraction sweep (CMake list SCHEDLAB_STEAL_FRACTIONS): one steal
// from a victim with n queued Gs moves exactly the policy's take(n), which is what the value
// in the list says.
template <class Tuple>
struct StealSweepTypes;
template <class... B>
struct StealSweepTypes<std::tuple<B...>> {
    using type = ::testing::Types<B...>;
};
template <class B>
class StealSweep : public ::testing::Test {};
TYPED_TEST_SUITE(StealSweep, StealSweepTypes<schedlab::policies::sweep::StealSweep>::type);

std::uint32_t expected_take(std::string_view value, std::uint32_t n) {
    if (value == "one") return 1;
    if (value == "all") return n;
    if (value == "half") return n - n / 2;
    const auto slash = value.find('/');
    const std::uint32_t num = std::stoul(std::string(value.substr(0, slash)));
    const std::uint32_t den = std::stoul(std::string(value.substr(slash + 1)));
    return std::max<std::uint32_t>(1, (n * num + den - 1) / den);
}

template <class B>
std::string_view steal_value_of() {
    using Sweep = schedlab::policies::sweep::StealSweep;
    std::string_view v;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((std::is_same_v<std::tuple_element_t<I, Sweep>, B>
              ? (v = schedlab::policies::sweep::steal_values[I], 0)
              : 0),
         ...);
    }(std::make_index_sequence<std::tuple_size_v<Sweep>>{});
    return v;
}

TYPED_TEST(StealSweep, OneStealMovesWhatTheSweepValueSays) {
    using Steal = typename TypeParam::steal;
    const std::string_view value = steal_value_of<TypeParam>();
    ASSERT_FALSE(value.empty());
    for (std::uint32_t n : {1u, 2u, 3u, 7u, 100u, 256u}) {
        FakeGs gs(n);
        LocalRunQueue victim, thief;
        fill(victim, gs, 0, n);
        std::uint32_t stolen = 0;
        ASSERT_NE(thief.steal_from<Steal>(victim, false, stolen), nullptr);
        EXPECT_EQ(stolen, expected_take(value, n)) << "value " << value << ", n " << n;
        EXPECT_EQ(victim.size(), n - stolen);
    }
}

TEST(RunQueue, StealFromAnEmptyVictimTakesNothing) {
    LocalRunQueue victim, thief;
    std::uint32_t stolen = 99;
    EXPECT_EQ(thief.steal_from<StealHalf>(victim, true, stolen), nullptr);
    EXPECT_EQ(stolen, 0u);
    EXPECT_TRUE(thief.empty());
}

TEST(RunQueue, StealAfterWrapAroundKeepsOrder) {
    // Move the victim's head near the end of the ring first, so the batch wraps.
    FakeGs gs(kRing + 20);
    LocalRunQueue victim, thief;
    fill(victim, gs, 0, kRing - 5);
    for (std::uint32_t i = 0; i < kRing - 5; ++i) ASSERT_NE(victim.pop_head(), nullptr);
    fill(victim, gs, kRing, 20);  // slots kRing-5 .. kRing+14 (mod kRing): wraps
    std::uint32_t stolen = 0;
    G* g = thief.steal_from<StealHalf>(victim, false, stolen);
    EXPECT_EQ(stolen, 10u);
    EXPECT_EQ(g, gs[kRing + 9]);
    EXPECT_EQ(drain_ids(thief), iota_ids(kRing, 9));
    EXPECT_EQ(drain_ids(victim), iota_ids(kRing + 10, 10));
}

TEST(RunQueue, StealWithoutRunnextPermissionNeverTakesRunnext) {
    FakeGs gs(4);
    LocalRunQueue victim, thief;
    victim.swap_runnext(gs[0]);
    std::uint32_t stolen = 99;
    EXPECT_EQ(thief.steal_from<StealHalf>(victim, false, stolen), nullptr);
    EXPECT_EQ(stolen, 0u);
    // With a ring too: only ring Gs move.
    fill(victim, gs, 1, 3);
    G* g = thief.steal_from<StealHalf>(victim, false, stolen);
    EXPECT_EQ(stolen, 2u);
    EXPECT_EQ(g, gs[2]);
    EXPECT_EQ(victim.take_runnext(), gs[0]);
}

TEST(RunQueue, StealWithRunnextPermissionTakesItOnlyWhenTheRingIsEmpty) {
    FakeGs gs(3);
    LocalRunQueue victim, thief;
    victim.swap_runnext(gs[0]);
    fill(victim, gs, 1, 2);
    std::uint32_t stolen = 0;
    // The ring is not empty: the thief takes ring Gs, not runnext.
    G* g = thief.steal_from<StealHalf>(victim, true, stolen);
    EXPECT_EQ(stolen, 1u);
    EXPECT_EQ(g, gs[1]);
    g = thief.steal_from<StealHalf>(victim, true, stolen);
    EXPECT_EQ(stolen, 1u);
    EXPECT_EQ(g, gs[2]);
    // Now the ring is empty: runnext goes.
    g = thief.steal_from<StealHalf>(victim, true, stolen);
    EXPECT_EQ(stolen, 1u);
    EXPECT_EQ(g, gs[0]);
    EXPECT_TRUE(victim.empty());
    EXPECT_TRUE(thief.empty());  // all three were handed out to run, none queued
}

// ---- Go's policy decisions -----------------------------------------------------------------

TEST(GoPolicy, StealHalfTakesHalfRoundedUp) {
    EXPECT_EQ(StealHalf::take(1), 1u);
    EXPECT_EQ(StealHalf::take(2), 1u);
    EXPECT_EQ(StealHalf::take(3), 2u);
    EXPECT_EQ(StealHalf::take(7), 4u);
    EXPECT_EQ(StealHalf::take(128), 64u);
    EXPECT_EQ(StealHalf::take(256), 128u);
    for (std::uint32_t n = 1; n <= 1024; ++n) {
        const std::uint32_t k = StealHalf::take(n);
        ASSERT_GE(k, 1u) << n;
        ASSERT_LE(k, n) << n;
        ASSERT_EQ(k, (n + 1) / 2) << n;
    }
    static_assert(StealHalf::take(5) == 3, "usable at compile time");
}

TEST(GoPolicy, GlobalCheckEverySixtyFirstTick) {
    using C = GlobalCheckEvery<61>;
    static_assert(C::period == 61);
    EXPECT_TRUE(C::check_global_first(0));
    EXPECT_TRUE(C::check_global_first(61));
    EXPECT_TRUE(C::check_global_first(122));
    EXPECT_TRUE(C::check_global_first(61ull * 1'000'000'007ull));
    for (std::uint64_t t = 1; t < 61; ++t) EXPECT_FALSE(C::check_global_first(t)) << t;
    // Exactly one tick in any 61 consecutive ones.
    for (std::uint64_t start : {0ull, 1ull, 60ull, 1000ull, ~0ull - 200}) {
        int hits = 0;
        for (std::uint64_t t = start; t < start + 61; ++t) hits += C::check_global_first(t);
        EXPECT_EQ(hits, 1) << start;
    }
    EXPECT_TRUE(GlobalCheckEvery<1>::check_global_first(12345));
}

TEST(GoPolicy, SpinHalfBusyCapsSpinnersAtHalfTheBusyPs) {
    // 2 * spinning < busy.
    EXPECT_FALSE(SpinHalfBusy::may_spin(0, 0, 4));
    EXPECT_TRUE(SpinHalfBusy::may_spin(0, 1, 4));
    EXPECT_FALSE(SpinHalfBusy::may_spin(1, 1, 4));
    EXPECT_FALSE(SpinHalfBusy::may_spin(1, 2, 4));
    EXPECT_TRUE(SpinHalfBusy::may_spin(1, 3, 4));
    EXPECT_TRUE(SpinHalfBusy::may_spin(3, 7, 8));
    EXPECT_FALSE(SpinHalfBusy::may_spin(4, 8, 8));
    for (std::uint32_t busy = 0; busy <= 64; ++busy) {
        std::uint32_t allowed = 0;  // how many Ms may become spinners one after another
        while (SpinHalfBusy::may_spin(allowed, busy, 64)) ++allowed;
        EXPECT_EQ(allowed, (busy + 1) / 2) << busy;
    }
}

TEST(GoPolicy, RandomCoprimeOrderVisitsEveryPExactlyOncePerRound) {
    for (std::uint32_t procs = 1; procs <= 16; ++procs) {
        for (std::uint32_t self = 0; self < procs; ++self) {
            for (std::uint64_t seed : {1ull, 2ull, 0xdeadbeefull}) {
                RandomCoprimeOrder::State state;
                RandomCoprimeOrder::init(state, self, Topology::flat(procs), seed);
                std::set<std::uint32_t> starts;
                for (int round = 0; round < 50; ++round) {
                    std::vector<std::uint32_t> seen;
                    const bool stopped = RandomCoprimeOrder::for_each_victim(
                        state, round % 4, [&](std::uint32_t p) {
                            seen.push_back(p);
                            return false;
                        });
                    ASSERT_FALSE(stopped);
                    ASSERT_EQ(seen.size(), procs) << "procs " << procs;
                    std::vector<int> count(procs, 0);
                    for (std::uint32_t p : seen) {
                        ASSERT_LT(p, procs);
                        ++count[p];
                    }
                    for (std::uint32_t p = 0; p < procs; ++p)
                        ASSERT_EQ(count[p], 1) << "procs " << procs << " P " << p;
                    starts.insert(seen[0]);
                }
                // The start is random: over 50 rounds more than one P starts a round.
                if (procs > 1) {
                    EXPECT_GT(starts.size(), 1u) << "procs " << procs;
                }
            }
        }
    }
}

TEST(GoPolicy, RandomCoprimeOrderVisitsEveryPForLargeProcCounts) {
    // More Ps than the table of coprime strides holds: still a permutation.
    for (std::uint32_t procs : {97u, 128u, 210u, 1024u}) {
        RandomCoprimeOrder::State state;
        RandomCoprimeOrder::init(state, 0, Topology::flat(procs), 7);
        for (int round = 0; round < 8; ++round) {
            std::vector<int> count(procs, 0);
            RandomCoprimeOrder::for_each_victim(state, round % 4, [&](std::uint32_t p) {
                ++count.at(p);
                return false;
            });
            for (std::uint32_t p = 0; p < procs; ++p) ASSERT_EQ(count[p], 1) << procs << " " << p;
        }
    }
}

TEST(GoPolicy, RandomCoprimeOrderStopsAtTheFirstVictimThatYieldsWork) {
    RandomCoprimeOrder::State state;
    RandomCoprimeOrder::init(state, 0, Topology::flat(8), 1);
    int visits = 0;
    const bool found = RandomCoprimeOrder::for_each_victim(state, 0, [&](std::uint32_t p) {
        ++visits;
        return p == 5;
    });
    EXPECT_TRUE(found);
    EXPECT_GE(visits, 1);
    EXPECT_LE(visits, 8);
}

TEST(GoPolicy, GoBundleNamesGoChoices) {
    using B = schedlab::policies::Go;
    static_assert(schedlab::policies::Bundle<B>);
    static_assert(std::is_same_v<B::steal, StealHalf>);
    static_assert(std::is_same_v<B::global_check, GlobalCheckEvery<61>>);
    static_assert(std::is_same_v<B::spin_cap, SpinHalfBusy>);
    static_assert(std::is_same_v<B::victim, RandomCoprimeOrder>);
    EXPECT_TRUE(B::runnext::enabled);
    EXPECT_EQ(B::victim::rounds, 4);
}

}  // namespace
