// Topologies, placement specs, pinning, and the topology-aware victim orders: the pure orders
// on synthetic topologies, then the runtime using them.
#include <gtest/gtest.h>
#include <sched.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedlab/runtime/schedlab.hpp"
#include "support/stats_checks.hpp"

namespace {

using namespace schedlab::policies;
using schedlab::rt::MachineTopology;
using schedlab::rt::make_placement;
using schedlab::rt::parse_cpu_list;
using schedlab::rt::Placement;
using schedlab::testing::kCounting;

// ---- The orders as pure functions ----------------------------------------------------------

template <class Order>
std::vector<std::uint32_t> one_round(typename Order::State& s, int round) {
    std::vector<std::uint32_t> seen;
    Order::for_each_victim(s, round, [&](std::uint32_t p) {
        seen.push_back(p);
        return false;
    });
    return seen;
}

std::set<std::uint32_t> as_set(const std::vector<std::uint32_t>& v) { return {v.begin(), v.end()}; }

TEST(Topology, GridPlacesPsNodeByNode) {
    const Topology t = Topology::grid(6, 2, 2, 2);  // 2 nodes x 2 groups x 2 Ps, 6 used
    EXPECT_EQ(t.node_of, (std::vector<std::uint32_t>{0, 0, 0, 0, 1, 1}));
    EXPECT_EQ(t.group_of, (std::vector<std::uint32_t>{0, 0, 1, 1, 2, 2}));
    EXPECT_TRUE(t.same_node(1, 3));
    EXPECT_FALSE(t.same_group(1, 3));
}

TEST(NumaLocalFirst, OnA2x2TopologyVisitsOnlyItsOwnNodeForKRoundsThenLocalBeforeRemote) {
    const Topology t = Topology::grid(4, 2, 1, 2);
    for (std::uint32_t self = 0; self < 4; ++self) {
        NumaLocalFirst<2>::State s;
        NumaLocalFirst<2>::init(s, self, t, 11);
        const std::uint32_t mate = self ^ 1u;
        for (int round = 0; round < NumaLocalFirst<2>::rounds; ++round) {
            const auto seen = one_round<NumaLocalFirst<2>>(s, round);
            ASSERT_FALSE(seen.empty());
            EXPECT_EQ(seen.front(), mate) << "same-node victim first, round " << round;
            if (round < 2) {
                EXPECT_EQ(seen.size(), 1u) << "remote visited in local-only round " << round;
            } else {
                ASSERT_EQ(seen.size(), 3u);
                for (std::size_t i = 1; i < 3; ++i) EXPECT_FALSE(t.same_node(seen[i], self));
            }
        }
    }
}

TEST(NumaLocalFirst, OnAFlatTopologyIsAPermutationOfTheOthersEveryRound) {
    for (std::uint32_t procs : {1u, 2u, 5u, 16u}) {
        NumaLocalFirst<2>::State s;
        NumaLocalFirst<2>::init(s, 0, Topology::flat(procs), 3);
        for (int round = 0; round < 8; ++round) {
            const auto seen = one_round<NumaLocalFirst<2>>(s, round % 4);
            EXPECT_EQ(seen.size(), procs - 1);
            EXPECT_EQ(as_set(seen).size(), procs - 1);
            EXPECT_EQ(as_set(seen).count(0), 0u);
        }
    }
}

TEST(NumaBiased, ProbesRemotePsWithItsBiasAndAllOfThemInTheLastRound) {
    const Topology t = Topology::grid(8, 2, 1, 4);
    NumaBiased<0>::State never;
    NumaBiased<0>::init(never, 0, t, 5);
    NumaBiased<100>::State always;
    NumaBiased<100>::init(always, 0, t, 5);
    NumaBiased<25>::State quarter;
    NumaBiased<25>::init(quarter, 0, t, 5);
    std::size_t remote_quarter = 0;
    constexpr int kTrials = 4000;
    for (int i = 0; i < kTrials; ++i) {
        EXPECT_EQ(one_round<NumaBiased<0>>(never, 0).size(), 3u);
        EXPECT_EQ(one_round<NumaBiased<0>>(never, 3).size(), 7u);
        EXPECT_EQ(one_round<NumaBiased<100>>(always, 1).size(), 7u);
        const auto seen = one_round<NumaBiased<25>>(quarter, 1);
        for (std::size_t k = 0; k < 3; ++k) EXPECT_TRUE(t.same_node(seen[k], 0));
        remote_quarter += seen.size() - 3;
    }
    // 4 remote Ps each probed with probability 1/4: 1 per round on average (binomial, sd ~0.87
    // per round; over 4000 rounds the mean is within +-0.1 with overwhelming probability).
    const double mean = double(remote_quarter) / kTrials;
    EXPECT_NEAR(mean, 1.0, 0.1);
}

TEST(HierarchicalOrder, GoesOutwardGroupThenNodeThenOneRemoteNodeAtATime) {
    const Topology t = Topology::grid(12, 3, 2, 2);  // 3 nodes x 2 groups x 2 Ps
    HierarchicalOrder::State s;
    HierarchicalOrder::init(s, 5, t, 9);  // P5: node 1, group 2 = {4, 5}
    std::set<std::uint32_t> second_node_firsts;
    for (int round = 0; round < 40; ++round) {
        const auto seen = one_round<HierarchicalOrder>(s, round % 4);
        ASSERT_EQ(seen.size(), 11u);
        EXPECT_EQ(seen[0], 4u);
        EXPECT_EQ(as_set({seen.begin() + 1, seen.begin() + 3}), (std::set<std::uint32_t>{6, 7}));
        // Then one whole remote node, then the other.
        const std::uint32_t first_remote = t.node_of[seen[3]];
        for (std::size_t i = 3; i < 7; ++i) EXPECT_EQ(t.node_of[seen[i]], first_remote);
        for (std::size_t i = 7; i < 11; ++i) EXPECT_NE(t.node_of[seen[i]], first_remote);
        second_node_firsts.insert(first_remote);
    }
    EXPECT_EQ(second_node_firsts, (std::set<std::uint32_t>{0, 2})) << "remote nodes in random order";
}

// ---- Placement specs -----------------------------------------------------------------------

MachineTopology two_nodes_of_two() {
    MachineTopology m;
    m.node_cpus = {{0, 1}, {2, 3}};
    m.node_ids = {0, 1};
    m.llc_of_cpu = {0, 0, 2, 2};
    return m;
}

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

TEST(Placement, PinningModesAssignCpus) {
    const auto m = two_nodes_of_two();
    EXPECT_TRUE(make_placement(4, "flat", "none", 0, m).cpu_of.empty());
    EXPECT_EQ(make_placement(4, "flat", "compact", 0, m).cpu_of, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(make_placement(4, "flat", "scatter", 0, m).cpu_of, (std::vector<int>{0, 2, 1, 3}));
    EXPECT_EQ(make_placement(3, "flat", "3,1", 0, m).cpu_of, (std::vector<int>{3, 1, 3}));
    EXPECT_TRUE(make_placement(3, "flat", "3,1", 0, m).oversubscribed);
    EXPECT_EQ(parse_cpu_list("0,2-4"), (std::vector<int>{0, 2, 3, 4}));
}

TEST(Placement, MachineTopologyFollowsThePinnedCpus) {
    const auto m = two_nodes_of_two();
    const Placement scatter = make_placement(4, "machine", "scatter", 0, m);
    EXPECT_EQ(scatter.topology.node_of, (std::vector<std::uint32_t>{0, 1, 0, 1}));
    EXPECT_EQ(scatter.topology.nodes, 2u);
    EXPECT_TRUE(scatter.topology.same_group(0, 2));
    EXPECT_FALSE(scatter.synthetic);
    const Placement synthetic = make_placement(4, "2x2", "none", 250, m);
    EXPECT_TRUE(synthetic.synthetic);
    EXPECT_EQ(synthetic.topology.node_of, (std::vector<std::uint32_t>{0, 0, 1, 1}));
    const std::string json = synthetic.to_json();
    EXPECT_NE(json.find("\"topology_source\":\"synthetic\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"remote_steal_ns\":250"), std::string::npos) << json;
    EXPECT_NE(json.find("\"machine_nodes\":2"), std::string::npos) << json;
}

TEST(Placement, BadSpecsGiveOneLine) {
    const auto m = two_nodes_of_two();
    EXPECT_EQ(error_of([&] { make_placement(2, "2x", "none", 0, m); }),
              "topology '2x' is not flat, machine, NxC or NxGxC (like 2x4)");
    EXPECT_EQ(error_of([&] { make_placement(2, "0x4", "none", 0, m); }),
              "topology '0x4' is not flat, machine, NxC or NxGxC (like 2x4)");
    EXPECT_EQ(error_of([&] { make_placement(5, "2x2", "none", 0, m); }),
              "topology 2x2 has 4 Ps, fewer than procs=5");
    EXPECT_EQ(error_of([&] { make_placement(2, "flat", "sideways", 0, m); }),
              "pinning 'sideways' is not none, compact, scatter or a CPU list like 0,2-3");
    EXPECT_EQ(error_of([&] { make_placement(2, "flat", "7", 0, m); }),
              "CPU 7 is not available to this process (it may use 4 CPUs)");
}

// ---- Through the runtime -------------------------------------------------------------------

long fib(int n) {
    using R = schedlab::rt::Runtime<Numa>;
    if (n < 2) return n;
    long a = 0, b = 0;
    R::Group g;
    g.spawn([&] { a = fib(n - 1); });
    b = fib(n - 2);
    g.wait();
    return a + b;
}

TEST(NumaBundle, OnASynthetic2x2TopologyProbesRemotePsAtMostAsOftenAsLocalOnes) {
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    schedlab::Options o;
    o.procs = 4;
    o.topology = "2x2";
    o.remote_steal_ns = 200;
    schedlab::rt::Runtime<Numa> rt(o);
    EXPECT_EQ(rt.placement().topology.node_of, (std::vector<std::uint32_t>{0, 0, 1, 1}));
    for (int rep = 0; rep < 5; ++rep) {
        EXPECT_EQ(rt.run([] { return fib(20); }), 6765);
        const auto& s = rt.stats();
        // Each search probes its node-mate in every round and remote Ps (two) only in rounds
        // 2 and 3, after the mate: remote probes can never outnumber local ones.
        EXPECT_LE(2 * s.remote_steal_attempts, s.steal_attempts);
        EXPECT_LE(s.remote_steals, s.steals);
    }
}

TEST(NumaBundle, AFlatTopologyHasNoRemoteSteals) {
    if (!kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF";
    schedlab::Options o;
    o.procs = 2;
    schedlab::rt::Runtime<Numa> rt(o);
    EXPECT_EQ(rt.run([] { return fib(18); }), 2584);
    EXPECT_EQ(rt.stats().remote_steal_attempts, 0u);
}

TEST(Pinning, PinsTheMRunningMainAndRestoresTheCallersMask) {
    cpu_set_t before;
    ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
    int last_allowed = -1;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &before)) last_allowed = c;
    schedlab::Options o;
    o.procs = 1;
    o.pin = std::to_string(last_allowed);
    schedlab::GoRuntime rt(o);
    const int count_inside = rt.run([] {
        cpu_set_t inside;
        sched_getaffinity(0, sizeof inside, &inside);
        return CPU_COUNT(&inside);
    });
    EXPECT_EQ(count_inside, 1);
    cpu_set_t after;
    ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
    EXPECT_TRUE(CPU_EQUAL(&before, &after));
}

TEST(Pinning, ABadSpecMakesTheRuntimeConstructorThrow) {
    schedlab::Options o;
    o.topology = "3x";
    EXPECT_THROW(schedlab::GoRuntime{o}, std::invalid_argument);
}

TEST(MachineTopology, ReadsAtLeastOneNodeWithTheAllowedCpus) {
    const auto m = MachineTopology::read();
    ASSERT_GE(m.node_cpus.size(), 1u);
    cpu_set_t mask;
    ASSERT_EQ(sched_getaffinity(0, sizeof mask, &mask), 0);
    EXPECT_EQ(m.allowed_cpus(), CPU_COUNT(&mask));
}

TEST(MemoryBinding, BindsToAnExistingNodeRejectsOthersAndResets) {
    const auto& m = schedlab::rt::detail::machine_topology();
    ASSERT_FALSE(m.node_ids.empty());
    EXPECT_NO_THROW(schedlab::rt::bind_memory_to_node(m.node_ids.front()));
    std::vector<char> touched(1 << 20, 1);  // allocated and faulted in under the binding
    EXPECT_EQ(touched[12345], 1);
    EXPECT_NO_THROW(schedlab::rt::bind_memory_to_node(-1));
    EXPECT_EQ(error_of([] { schedlab::rt::bind_memory_to_node(999); }).rfind(
                  "cannot bind memory to node 999: this machine has", 0),
              0u);
}

}  // namespace
