// The policy types alone: pure functions, checked without a runtime.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "schedlab/policies/bundles.hpp"

namespace {

using namespace schedlab::policies;

TEST(StealOne, TakesExactlyOneOfAnyQueue) {
    for (std::uint32_t n = 1; n <= 256; ++n) EXPECT_EQ(StealOne::take(n), 1u) << n;
}

TEST(StealAll, TakesTheWholeQueue) {
    for (std::uint32_t n = 1; n <= 256; ++n) EXPECT_EQ(StealAll::take(n), n) << n;
}

TEST(StealFraction, OneHalfEqualsGosStealHalf) {
    for (std::uint32_t n = 1; n <= 256; ++n) EXPECT_EQ((StealFraction<1, 2>::take(n)), StealHalf::take(n)) << n;
}

TEST(StealFraction, RoundsUpAndStaysWithinOneToN) {
    EXPECT_EQ((StealFraction<1, 4>::take(1)), 1u);
    EXPECT_EQ((StealFraction<1, 4>::take(4)), 1u);
    EXPECT_EQ((StealFraction<1, 4>::take(5)), 2u);
    EXPECT_EQ((StealFraction<3, 4>::take(4)), 3u);
    EXPECT_EQ((StealFraction<3, 4>::take(5)), 4u);
    EXPECT_EQ((StealFraction<1, 1>::take(7)), 7u);
    for (std::uint32_t n = 1; n <= 256; ++n) {
        const auto k = StealFraction<3, 4>::take(n);
        EXPECT_GE(k, 1u);
        EXPECT_LE(k, n);
    }
}

TEST(GlobalCheckNever, NeverLooksAtTheGlobalQueueFirst) {
    for (std::uint64_t t = 0; t < 1000; ++t) EXPECT_FALSE(GlobalCheckNever::check_global_first(t));
}

TEST(GlobalCheckEvery, SevenFiresOnMultiplesOfSeven) {
    int fired = 0;
    for (std::uint64_t t = 1; t <= 70; ++t) fired += GlobalCheckEvery<7>::check_global_first(t);
    EXPECT_EQ(fired, 10);
}

TEST(SpinCaps, SayWhatTheirNamesSay) {
    EXPECT_FALSE(SpinNone::may_spin(0, 8, 8));
    EXPECT_TRUE(SpinAll::may_spin(100, 0, 8));
    EXPECT_TRUE(SpinFixed<2>::may_spin(1, 0, 8));
    EXPECT_FALSE(SpinFixed<2>::may_spin(2, 8, 8));
    // Tokio caps at half of all workers, Go at half of the busy ones.
    EXPECT_TRUE(SpinHalfProcs::may_spin(1, 0, 4));
    EXPECT_FALSE(SpinHalfBusy::may_spin(1, 2, 4));
    EXPECT_FALSE(SpinHalfProcs::may_spin(2, 4, 4));
}

TEST(Runnext, OffIsOffAndOnIsOn) {
    EXPECT_TRUE(RunnextOn::enabled);
    EXPECT_FALSE(RunnextOff::enabled);
}

template <class Order>
void expect_every_p_once_per_round(std::uint32_t procs) {
    typename Order::State s{};
    for (std::uint32_t self = 0; self < procs; ++self) {
        Order::init(s, self, Topology::flat(procs), 7);
        for (int round = 0; round < 20; ++round) {
            std::multiset<std::uint32_t> seen;
            Order::for_each_victim(s, round % Order::rounds, [&](std::uint32_t p) {
                seen.insert(p);
                return false;
            });
            ASSERT_EQ(seen.size(), procs);
            for (std::uint32_t p = 0; p < procs; ++p) EXPECT_EQ(seen.count(p), 1u) << p;
        }
    }
}

TEST(VictimOrders, EachVisitsEveryPExactlyOncePerRound) {
    for (std::uint32_t procs : {1u, 2u, 3u, 7u, 16u}) {
        expect_every_p_once_per_round<RandomCoprimeOrder>(procs);
        expect_every_p_once_per_round<RandomStartSequential>(procs);
        expect_every_p_once_per_round<RoundRobinOrder>(procs);
    }
}

TEST(RoundRobinOrder, StartsWithTheNextPUp) {
    RoundRobinOrder::State s;
    RoundRobinOrder::init(s, 2, Topology::flat(4), 1);
    std::vector<std::uint32_t> order;
    RoundRobinOrder::for_each_victim(s, 0, [&](std::uint32_t p) {
        order.push_back(p);
        return false;
    });
    EXPECT_EQ(order, (std::vector<std::uint32_t>{3, 0, 1, 2}));
}

TEST(VictimOrders, StopAtTheFirstVictimThatYieldsWork) {
    RandomStartSequential::State s;
    RandomStartSequential::init(s, 0, Topology::flat(8), 1);
    int visited = 0;
    const bool found = RandomStartSequential::for_each_victim(s, 0, [&](std::uint32_t) {
        return ++visited == 3;
    });
    EXPECT_TRUE(found);
    EXPECT_EQ(visited, 3);
}

TEST(Bundles, NameTheirDimensions) {
    EXPECT_EQ(std::string(TokioLike::name), "tokio-like");
    EXPECT_EQ(std::string(TokioLike::global_check::name), "every-31");
    EXPECT_EQ(std::string(Go::global_check::name), "every-61");
    EXPECT_EQ(std::string(StealFraction<3, 4>::name), "3/4");
    EXPECT_EQ(std::string(StealFraction<12, 100>::name), "12/100");
    EXPECT_EQ(std::string(SpinFixed<2>::name), "fixed-2");
    EXPECT_EQ(std::string(GlobalCheckEvery<1>::name), "every-1");
    EXPECT_EQ(TokioLike::global_check::period, 31u);
    EXPECT_EQ(std::string(CilkLike::steal::name), "one");
    EXPECT_FALSE(NoRunnext::runnext::enabled);
    EXPECT_EQ(std::string(StealAllBundle::steal::name), "all");
    EXPECT_EQ(std::string(GciNever::global_check::name), "never");
}

}  // namespace
