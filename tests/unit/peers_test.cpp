// The peer adapters (peers/): every workload each peer supports, at small sizes, on 1 and 2
// threads, twice per adapter instance (a second run must start cleanly), checked by the
// workload itself and with the task count of a run on schedlab's Go bundle; run returns main's
// value and waits for go'd tasks; channel semantics on the peers that have channels.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "schedlab/peers/all.hpp"
#include "schedlab/runtime/schedlab.hpp"
#include "schedlab/workloads/all.hpp"

namespace {

using namespace schedlab::workloads;
namespace peers = schedlab::peers;
namespace rt = schedlab::rt;
using GoRuntime = rt::Runtime<schedlab::policies::Go>;

template <class Tuple>
struct ToTypes;
template <class... Ts>
struct ToTypes<std::tuple<Ts...>> {
    using type = ::testing::Types<Ts...>;
};

// Under ASan, an exception thrown on a fiber's stack makes ASan report a false
// stack-buffer-underflow: the throw calls __asan_handle_no_return, which cannot tell the fiber's
// stack from the thread's, because Debian's Boost.Context is built without ASan's fiber-switch
// annotations (BOOST_USE_ASAN). Fibers that do not throw run fine under ASan, so only the tests
// that throw on a fiber are skipped there (they run in the release build).
template <class P>
constexpr bool fiber_under_asan() {
#if defined(SCHEDLAB_ASAN) && SCHEDLAB_HAVE_FIBER
    return std::is_same_v<P, peers::FiberWorkStealing> || std::is_same_v<P, peers::FiberShared>;
#else
    return false;
#endif
}
#define SKIP_IF_THROWING_ON_A_FIBER_UNDER_ASAN(P)                                                  \
    if constexpr (fiber_under_asan<P>())                                                            \
    GTEST_SKIP() << P::name                                                                         \
                 << ": skipped under ASan: this test throws on a fiber, and ASan misreads the "     \
                    "fiber stack on a throw (Debian's Boost.Context lacks ASan's fiber-switch "     \
                    "annotations); the release build runs it"

// ---- static facts -------------------------------------------------------------------------

static_assert(std::tuple_size_v<peers::AllPeers> >= 1);
static_assert(rt::TaskRuntime<peers::Threads>);
static_assert(peers::needs_waitgroup<FanOut> && peers::needs_waitgroup<Pipeline> &&
              peers::needs_waitgroup<PingPong>);
static_assert(!peers::needs_waitgroup<Fib> && !peers::needs_waitgroup<SpawnStorm>);
static_assert(peers::supports<peers::Threads, Pipeline> && peers::supports<peers::Threads, FanOut>);
// Workloads that make blocking calls or preemption points run on schedlab's runtime only.
static_assert(peers::needs_blocking<Blocking> && peers::needs_blocking<Fairness> && !peers::needs_blocking<Starve> && !peers::needs_blocking<Fib>);
static_assert(peers::needs_timers<Timers> && !peers::needs_timers<Fairness>);
static_assert(!peers::supports<peers::Threads, Blocking> && !peers::supports<peers::Serial, Blocking>);
#if SCHEDLAB_HAVE_OMP
static_assert(rt::ForkJoinRuntime<peers::Omp> && !peers::Omp::has_channels);
static_assert(!peers::supports<peers::Omp, Pipeline> && !peers::supports<peers::Omp, PingPong>);
static_assert(peers::supports<peers::Omp, Fib> && peers::supports<peers::Omp, FanOut>);
#endif
#if SCHEDLAB_HAVE_TBB
static_assert(rt::TaskRuntime<peers::Tbb> && peers::supports<peers::Tbb, PingPong>);
#endif
#if SCHEDLAB_HAVE_FIBER
static_assert(rt::TaskRuntime<peers::FiberWorkStealing> && rt::TaskRuntime<peers::FiberShared>);
#endif

// ---- every supported workload -------------------------------------------------------------

template <class P>
class PeerWorkloads : public ::testing::Test {
protected:
    static void SetUpTestSuite() { peers::Threads::set_max_live_threads(4096); }
};
using Peers = ToTypes<peers::AllPeers>::type;
TYPED_TEST_SUITE(PeerWorkloads, Peers);

// The proc counts every test runs a peer on: 1 and 2, as far as the peer goes.
template <class P>
std::vector<int> procs_for() {
    if (peers::max_procs<P> == 1) return {1};
    return {1, 2};
}

// The task count of the same workload on schedlab's own runtime (the reference).
template <class W>
std::uint64_t reference_tasks(const std::string& params) {
    W w(Params::parse(params));
    GoRuntime::run(1, [&] { w.template run<GoRuntime>(); });
    const Result r = w.check();
    EXPECT_TRUE(r.ok) << "reference run of " << W::name << ": " << r.detail;
    return r.tasks;
}

template <class P, class W>
void check_workload(const std::string& params, std::uint64_t want_tasks) {
    static_assert(peers::supports<P, W>);
    EXPECT_EQ(reference_tasks<W>(params), want_tasks) << W::name << " " << params;
    for (const int procs : procs_for<P>()) {
        W w(Params::parse(params));
        for (int rep = 0; rep < 2; ++rep) {
            P::run(procs, [&] { w.template run<P>(); });
            const Result r = w.check();
            EXPECT_TRUE(r.ok) << P::name << " " << W::name << " " << params << " on " << procs
                              << " threads, run " << rep << ": " << r.detail;
            EXPECT_EQ(r.tasks, want_tasks) << P::name << " " << W::name << " " << params;
        }
    }
}

template <class P, class W>
void check_unsupported() {
    static_assert(!peers::supports<P, W>);
}

#define FOR_PEER_AND_WORKLOAD(W)                                                                   \
    using P = TypeParam;                                                                          \
    if constexpr (!peers::supports<P, W>) {                                                        \
        GTEST_SKIP() << P::name << " cannot run " << W::name << " (channels: " << P::has_channels \
                     << ", waitgroup: " << P::has_waitgroup << ")";                                \
    } else

TYPED_TEST(PeerWorkloads, Fib) {
    FOR_PEER_AND_WORKLOAD(Fib) {
        check_workload<P, Fib>("n=12", 232);  // fib(13) - 1: a spawn per call with n >= 2
        check_workload<P, Fib>("n=14;spawn=both;cutoff=4", Fib::expected_tasks(14, 4, true));
    }
}

TYPED_TEST(PeerWorkloads, NQueens) {
    FOR_PEER_AND_WORKLOAD(NQueens) { check_workload<P, NQueens>("n=6", reference_tasks<NQueens>("n=6")); }
}

TYPED_TEST(PeerWorkloads, Uts) {
    FOR_PEER_AND_WORKLOAD(Uts) {
        check_workload<P, Uts>("tree=custom;t=1;a=2;d=5;b=3;r=4", reference_tasks<Uts>("tree=custom;t=1;a=2;d=5;b=3;r=4"));
    }
}

TYPED_TEST(PeerWorkloads, Matmul) {
    FOR_PEER_AND_WORKLOAD(Matmul) {
        check_workload<P, Matmul>("n=64;leaf=16;seed=3", reference_tasks<Matmul>("n=64;leaf=16;seed=3"));
    }
}

TYPED_TEST(PeerWorkloads, Cholesky) {
    FOR_PEER_AND_WORKLOAD(Cholesky) { check_workload<P, Cholesky>("n=96;tile=16", 56); }
}

TYPED_TEST(PeerWorkloads, RandDag) {
    FOR_PEER_AND_WORKLOAD(RandDag) { check_workload<P, RandDag>("width=8;depth=12;fanin=3;grain=200", 96); }
}

TYPED_TEST(PeerWorkloads, SpawnStorm) {
    FOR_PEER_AND_WORKLOAD(SpawnStorm) { check_workload<P, SpawnStorm>("n=500", 500); }
}

TYPED_TEST(PeerWorkloads, FanOut) {
    FOR_PEER_AND_WORKLOAD(FanOut) { check_workload<P, FanOut>("waves=3;n=200;grain=50", 600); }
}

TYPED_TEST(PeerWorkloads, Pipeline) {
    FOR_PEER_AND_WORKLOAD(Pipeline) {
        for (const char* cap : {"0", "1", "2", "3", "5"})
            check_workload<P, Pipeline>(std::string("messages=1500;workers=3;grain=20;cap=") + cap, 5);
    }
}

TYPED_TEST(PeerWorkloads, SpawnWait) {
    FOR_PEER_AND_WORKLOAD(SpawnWait) { check_workload<P, SpawnWait>("n=300", 300); }
}

TYPED_TEST(PeerWorkloads, Parked) {
    FOR_PEER_AND_WORKLOAD(Parked) { check_workload<P, Parked>("n=200", 200); }
}

TYPED_TEST(PeerWorkloads, PingPong) {
    FOR_PEER_AND_WORKLOAD(PingPong) {
        for (const char* cap : {"0", "1", "2"})
            check_workload<P, PingPong>(std::string("pairs=3;messages=300;sample_every=10;cap=") + cap, 6);
    }
}

TYPED_TEST(PeerWorkloads, Starve) {
    FOR_PEER_AND_WORKLOAD(Starve) { check_workload<P, Starve>("victims=300;rounds=20;children=4;grain=10", 380); }
}

// blocking and fairness need schedlab's blocking calls and preemption: no in-process peer runs them.
TYPED_TEST(PeerWorkloads, Blocking) { check_unsupported<TypeParam, Blocking>(); }
TYPED_TEST(PeerWorkloads, Fairness) { check_unsupported<TypeParam, Fairness>(); }
// timers needs schedlab's timers: likewise.
TYPED_TEST(PeerWorkloads, Timers) { check_unsupported<TypeParam, Timers>(); }

// Every workload of the registry is covered by a test above.
static_assert(std::tuple_size_v<AllWorkloads> == 16);

// ---- run, go, Group, WaitGroup ------------------------------------------------------------

TYPED_TEST(PeerWorkloads, RunReturnsMainsValue) {
    using P = TypeParam;
    for (const int procs : procs_for<P>()) {
        EXPECT_EQ(P::run(procs, [] { return 42; }), 42);
        EXPECT_EQ(P::run(procs, [] { return std::string("main"); }), "main");
        bool ran = false;
        P::run(procs, [&] { ran = true; });
        EXPECT_TRUE(ran);
        // A move-only value.
        auto p = P::run(procs, [] { return std::make_unique<int>(7); });
        ASSERT_TRUE(p);
        EXPECT_EQ(*p, 7);
    }
}

TYPED_TEST(PeerWorkloads, RunWaitsForGoneTasks) {
    using P = TypeParam;
    for (const int procs : procs_for<P>()) {
        std::atomic<int> done{0};
        const int got = P::run(procs, [&] {
            for (int i = 0; i < 50; ++i)
                P::go([&done] {
                    P::yield();
                    done.fetch_add(1);
                });
            return 5;
        });
        EXPECT_EQ(got, 5);
        EXPECT_EQ(done.load(), 50) << P::name << " on " << procs;
    }
}

TYPED_TEST(PeerWorkloads, GroupWaitsForTasksSpawnedByItsTasks) {
    using P = TypeParam;
    for (const int procs : procs_for<P>()) {
        std::atomic<int> n{0};
        P::run(procs, [&] {
            typename P::Group g;
            for (int i = 0; i < 10; ++i)
                g.spawn([&] {
                    n.fetch_add(1);
                    for (int j = 0; j < 5; ++j) g.spawn([&] { n.fetch_add(1); });
                });
            g.wait();
            EXPECT_EQ(n.load(), 60);
            g.spawn([&] { n.fetch_add(1); });  // reusable after wait
            g.wait();
            EXPECT_EQ(n.load(), 61);
        });
    }
}

TYPED_TEST(PeerWorkloads, ExceptionsFromGoneTasksReachRun) {
    using P = TypeParam;
    SKIP_IF_THROWING_ON_A_FIBER_UNDER_ASAN(P);
    EXPECT_THROW(P::run(procs_for<P>().back(), [] { P::go([] { throw std::runtime_error("boom"); }); }), std::runtime_error);
    EXPECT_EQ(P::run(1, [] { return 3; }), 3);  // and the next run is clean
}

// ---- channels -----------------------------------------------------------------------------

template <class P>
class PeerChannels : public ::testing::Test {};
template <class Tuple>
struct WithChannels;
template <class... Ts>
struct WithChannels<std::tuple<Ts...>> {
    using type = decltype(std::tuple_cat(std::conditional_t<Ts::has_channels, std::tuple<Ts>, std::tuple<>>{}...));
};
using ChannelPeers = ToTypes<WithChannels<peers::AllPeers>::type>::type;
TYPED_TEST_SUITE(PeerChannels, ChannelPeers);

TYPED_TEST(PeerChannels, FifoAndCloseDrains) {
    using P = TypeParam;
    for (const std::size_t cap : {0u, 1u, 2u, 3u, 4u, 7u, 8u}) {
        for (const int procs : procs_for<P>()) {
            const std::vector<int> got = P::run(procs, [cap] {
                typename P::template Chan<int> c(cap);
                P::go([&c] {
                    for (int i = 0; i < 20; ++i) c.send(i);
                    c.close();
                });
                std::vector<int> out;
                int v = 0;
                while (c.recv(v)) out.push_back(v);
                EXPECT_FALSE(c.recv(v));
                EXPECT_EQ(c.recv(), 0);  // closed and drained: the zero value
                return out;
            });
            ASSERT_EQ(got.size(), 20u) << P::name << " cap " << cap;
            for (int i = 0; i < 20; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], i);
        }
    }
}

// Go panics; the adapters throw ChannelClosed.
TYPED_TEST(PeerChannels, SendOnClosedAndSecondCloseThrow) {
    using P = TypeParam;
    SKIP_IF_THROWING_ON_A_FIBER_UNDER_ASAN(P);
    for (const std::size_t cap : {0u, 1u, 2u}) {
        P::run(1, [cap] {
            typename P::template Chan<int> c(cap);
            c.close();
            EXPECT_THROW(c.send(1), peers::ChannelClosed) << P::name << " cap " << cap;
            EXPECT_THROW(c.close(), peers::ChannelClosed) << P::name << " cap " << cap;
        });
    }
}

// A buffered channel holds exactly cap values: the cap+1-th send blocks until a receive.
TYPED_TEST(PeerChannels, CapacityIsExact) {
    using P = TypeParam;
    for (const std::size_t cap : {1u, 2u, 3u, 4u, 5u, 8u}) {
        P::run(2, [cap] {
            typename P::template Chan<int> c(cap);
            std::atomic<int> sent{0};
            typename P::WaitGroup wg;
            wg.add(1);
            P::go([&] {
                for (int i = 0; i < static_cast<int>(cap) + 1; ++i) {
                    c.send(i);
                    sent.fetch_add(1);
                }
                wg.done();
            });
            // Give the sender ample time to fill the buffer and block.
            const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
            while (std::chrono::steady_clock::now() < until) P::yield();
            EXPECT_EQ(sent.load(), static_cast<int>(cap)) << P::name << " cap " << cap;
            EXPECT_EQ(c.recv(), 0);
            wg.wait();
            EXPECT_EQ(sent.load(), static_cast<int>(cap) + 1);
        });
    }
}

#if SCHEDLAB_HAVE_FIBER
TEST(FiberPeer, ChannelCapacityMapping) {
    EXPECT_STREQ(peers::detail::FiberChan<int>(0).kind(), "unbuffered");
    EXPECT_STREQ(peers::detail::FiberChan<int>(1).kind(), "buffered");
    EXPECT_STREQ(peers::detail::FiberChan<int>(2).kind(), "queue");
    EXPECT_STREQ(peers::detail::FiberChan<int>(3).kind(), "buffered");
    EXPECT_STREQ(peers::detail::FiberChan<int>(4).kind(), "queue");
    EXPECT_STREQ(peers::detail::FiberChan<int>(7).kind(), "buffered");
}
#endif

// ---- the plain-thread peer's cap ----------------------------------------------------------

TEST(ThreadsPeer, GroupSpawnAboveTheCapThrowsFromRun) {
    const std::size_t old = peers::Threads::max_live_threads();
    peers::Threads::set_max_live_threads(8);
    EXPECT_THROW(peers::Threads::run(1,
                                     [] {
                                         peers::Threads::Group g;
                                         for (int i = 0; i < 20; ++i)
                                             g.spawn([] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
                                         g.wait();
                                     }),
                 peers::ThreadLimit);
    peers::Threads::set_max_live_threads(old);
    EXPECT_LE(peers::Threads::peak_live_threads(), 8u);
    EXPECT_EQ(peers::Threads::run(3, [] { return 1; }), 1);
    EXPECT_EQ(peers::Threads::last_procs(), 3);
}

// ---- the serial elision -------------------------------------------------------------------

TEST(SerialPeer, SpawnRunsTheChildAtOnceDepthFirst) {
    std::vector<int> order;
    peers::Serial::run(1, [&] {
        peers::Serial::Group g;
        g.spawn([&] {
            order.push_back(1);
            g.spawn([&] { order.push_back(2); });
            order.push_back(3);
        });
        order.push_back(4);
        g.wait();
    });
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(SerialPeer, RefusesMoreThanOneProcAndAWaitThatWouldBlock) {
    EXPECT_THROW(peers::Serial::run(2, [] {}), std::invalid_argument);
    EXPECT_THROW(peers::Serial::run(1,
                                    [] {
                                        peers::Serial::WaitGroup wg;
                                        wg.add(1);
                                        wg.wait();
                                    }),
                 std::logic_error);
    static_assert(!peers::supports<peers::Serial, Pipeline> && peers::supports<peers::Serial, FanOut>);
}

}  // namespace
