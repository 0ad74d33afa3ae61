// Failures that end the process, as Go's runtime ends it: deadlock, an exception escaping a G,
// stack overflow and misuse of the API. Each runs in a child process (gtest death tests, in
// the "threadsafe" style: the child re-executes this binary, so the runtime's threads and
// signal handlers start from scratch).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "schedlab/runtime/schedlab.hpp"

namespace {

using R = schedlab::GoRuntime;
using schedlab::rt::recv_case;

// The runtime starts threads; fork-only ("fast") death tests are unsafe with threads around.
// (Set per test: a static initializer here could run before gtest constructs its flags.)
class RuntimeDeathTest : public ::testing::Test {
protected:
    void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

// ---- Deadlock --------------------------------------------------------------------------------

TEST_F(RuntimeDeathTest, DeadlockOfMainAloneIsReportedNotHung) {
    EXPECT_EXIT(R::run(1,
                       [] {
                           R::Chan<int> c;
                           return c.recv();  // nobody will ever send
                       }),
                ::testing::ExitedWithCode(2),
                "schedlab: all Gs are asleep - deadlock! 1 blocked G: 1 in chan receive");
}

TEST_F(RuntimeDeathTest, DeadlockOnTwoPsCountsEveryBlockedG) {
    EXPECT_EXIT(R::run(2,
                       [] {
                           R::Chan<int> c;
                           R::WaitGroup wg;
                           wg.add(1);  // nobody will call done
                           for (int i = 0; i < 3; ++i) R::go([&] { c.recv(); });
                           wg.wait();
                       }),
                ::testing::ExitedWithCode(2),
                "all Gs are asleep - deadlock! 4 blocked Gs: 3 in chan receive, 1 in WaitGroup wait");
}

TEST_F(RuntimeDeathTest, DeadlockReportNamesEveryWaitReason) {
    EXPECT_EXIT(R::run(2,
                       [] {
                           R::Mutex mu;
                           R::Chan<int> send_c, recv_c, a, b;
                           mu.lock();
                           R::go([&] { mu.lock(); });
                           R::go([&] { send_c.send(1); });
                           R::go([&] {
                               int x = 0, y = 0;
                               R::select(recv_case(a, x), recv_case(b, y));
                           });
                           recv_c.recv();
                       }),
                ::testing::ExitedWithCode(2),
                "4 blocked Gs: 1 in chan send, 1 in chan receive, 1 in select, 1 in Mutex lock");
}

TEST_F(RuntimeDeathTest, SelectWithOnlyNilCasesBlocksForever) {
    EXPECT_EXIT(R::run(1,
                       [] {
                           int x = 0;
                           const schedlab::rt::SelectCase nil{
                               .chan = nullptr, .elem = &x, .ok = nullptr,
                               .kind = schedlab::rt::SelectCase::Kind::Recv};
                           R::select(nil);
                       }),
                ::testing::ExitedWithCode(2), "deadlock! 1 blocked G: 1 in select");
}

// ---- Exceptions escaping a G -------------------------------------------------------------------

TEST_F(RuntimeDeathTest, ExceptionEscapingANonMainGEndsTheProcess) {
    EXPECT_EXIT(R::run(2,
                       [] {
                           R::WaitGroup wg;
                           wg.add(1);
                           R::go([] { throw std::runtime_error("kaboom"); });
                           wg.wait();
                       }),
                ::testing::ExitedWithCode(2),
                "schedlab: G [0-9]+ terminated by an uncaught exception: kaboom");
}

TEST_F(RuntimeDeathTest, NonStdExceptionEscapingAGEndsTheProcess) {
    EXPECT_EXIT(R::run(1,
                       [] {
                           R::go([] { throw 42; });
                           R::yield();
                       }),
                ::testing::ExitedWithCode(2),
                "G [0-9]+ terminated by an uncaught exception: \\(not a std::exception\\)");
}

TEST_F(RuntimeDeathTest, SendOnClosedChannelInANonMainGEndsTheProcess) {
    EXPECT_EXIT(R::run(1,
                       [] {
                           R::Chan<int> c(1);
                           c.close();
                           R::go([&] { c.send(1); });
                           R::yield();
                       }),
                ::testing::ExitedWithCode(2),
                "terminated by an uncaught exception: send on closed channel");
}

// ---- Stack overflow --------------------------------------------------------------------------

volatile int g_recursion_limit = 1 << 30;  // opaque to the compiler: the recursion is "finite"

__attribute__((noinline)) int recurse(int depth) {
    // 2 KiB per frame: less than the guard page, so every frame's first touch lands in the
    // guard page rather than jumping over it into the neighbouring stack.
    volatile char buf[2048];
    buf[sizeof buf - 1] = static_cast<char>(depth);
    buf[0] = static_cast<char>(depth);
    if (depth >= g_recursion_limit) return buf[0];
    return recurse(depth + 1) + buf[sizeof buf - 1];  // not a tail call
}

// Under AddressSanitizer the overflow must still reach the runtime's guard-page handler: keep
// frames on the real stack (no fake stacks for use-after-return detection) and let a user
// SIGSEGV handler stand (the runtime chains to ASan's for faults that are not its own). The
// child process of a threadsafe death test re-executes this binary with our environment.
class StackOverflowDeathTest : public RuntimeDeathTest {
protected:
    void SetUp() override {
        RuntimeDeathTest::SetUp();
#if defined(__SANITIZE_ADDRESS__)
        const char* old = std::getenv("ASAN_OPTIONS");
        had_old_ = old != nullptr;
        if (old) old_ = old;
        const std::string opts =
            old_ + (old_.empty() ? "" : ":") +
            "detect_stack_use_after_return=0:allow_user_segv_handler=1";
        ::setenv("ASAN_OPTIONS", opts.c_str(), 1);
#endif
    }
    void TearDown() override {
#if defined(__SANITIZE_ADDRESS__)
        if (had_old_)
            ::setenv("ASAN_OPTIONS", old_.c_str(), 1);
        else
            ::unsetenv("ASAN_OPTIONS");
#endif
    }

private:
    [[maybe_unused]] bool had_old_ = false;
    std::string old_;
};

TEST_F(StackOverflowDeathTest, StackOverflowIsReportedAndKillsTheProcess) {
    EXPECT_EXIT(
        {
            schedlab::Options o;
            o.procs = 1;
            o.stack_size = 64 * 1024;
            R rt(o);
            rt.run([] {
                R::WaitGroup wg;
                wg.add(1);
                R::go([&] {
                    recurse(0);
                    wg.done();
                });
                wg.wait();
            });
        },
        ::testing::KilledBySignal(SIGSEGV),
        "schedlab: stack overflow in G [0-9]+ \\(stack size 65536 bytes\\)");
}

// A SIGSEGV sent by kill() or raise() is not a fault the handler can re-run: it must still end
// the process (the harness's child processes are told apart by it), not vanish in the handler.
TEST_F(StackOverflowDeathTest, SegvSentFromOutsideStillKills) {
    EXPECT_EXIT(
        {
            R::run(1, [] { ::raise(SIGSEGV); });
            std::_Exit(0);
        },
        [](int status) {
#if defined(__SANITIZE_ADDRESS__)
            return WIFSIGNALED(status);  // ASan's own handler reports it and aborts
#else
            return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
#endif
        },
        "");
}

TEST_F(StackOverflowDeathTest, StackOverflowOnASecondPIsReported) {
    EXPECT_EXIT(
        {
            schedlab::Options o;
            o.procs = 2;
            o.stack_size = 64 * 1024;
            R rt(o);
            rt.run([] {
                // Keep P0 busy so the recursing G is likely stolen by P1's M (either way the
                // report must name the overflowing G).
                R::go([] { recurse(0); });
                for (;;) R::yield();
            });
        },
        ::testing::KilledBySignal(SIGSEGV), "schedlab: stack overflow in G [0-9]+");
}

// Past the guard pages that vm.max_map_count allows, a stack carries a canary at its bottom
// instead. An overflow that stops inside the unguarded page below the stack (and returns)
// faults nowhere; the G's next switch finds the canary overwritten.
__attribute__((noinline)) int overrun(const char* start, std::size_t depth_bytes) {
    volatile char buf[1024];
    for (auto& c : buf) c = 1;  // every byte of the frame is written
    if (static_cast<std::size_t>(start - const_cast<const char*>(&buf[0])) > depth_bytes)
        return buf[0];
    return overrun(start, depth_bytes) + buf[1];  // not a tail call
}

// Every stack unguarded, 64 KiB each: main starts `gs` Gs that run overrun(depth_bytes) from
// their first frame, yield (a switch: the canary check) and finish; main waits for them.
void overrun_unguarded(int procs, int gs, std::size_t depth_bytes) {
    schedlab::rt::StackPool::set_guard_budget_for_testing(0);
    schedlab::Options o;
    o.procs = procs;
    o.stack_size = 64 * 1024;
    R rt(o);
    rt.run([gs, depth_bytes] {
        R::WaitGroup wg;
        for (int i = 0; i < gs; ++i) {
            wg.add(1);
            R::go([&] {
                char here = 0;
                overrun(&here, depth_bytes);
                R::yield();
                wg.done();
            });
        }
        wg.wait();
    });
}

TEST_F(StackOverflowDeathTest, OverflowOfAnUnguardedStackIsCaughtByItsCanary) {
    EXPECT_EXIT(
        // 1 KiB past the 64 KiB: below the stack's bottom, inside the page under it.
        overrun_unguarded(1, 1, 65 * 1024),
        ::testing::KilledBySignal(SIGSEGV),
        "schedlab: stack overflow in G [0-9]+ \\(stack size 65536 bytes\\)");
}

TEST_F(StackOverflowDeathTest, CanariesOfHealthyUnguardedStacksStayIntact) {
    EXPECT_EXIT(
        {
            overrun_unguarded(2, 2000, 60 * 1024);  // deep, but inside the stack
            std::exit(0);
        },
        ::testing::ExitedWithCode(0), "");
}

// ---- Misuse ----------------------------------------------------------------------------------

TEST_F(RuntimeDeathTest, GoOutsideAGIsFatal) {
    EXPECT_EXIT(R::go([] {}), ::testing::ExitedWithCode(2),
                "schedlab: go called outside a schedlab G");
}

TEST_F(RuntimeDeathTest, YieldOutsideAGIsFatal) {
    EXPECT_EXIT(R::yield(), ::testing::ExitedWithCode(2), "yield called outside a schedlab G");
}

TEST_F(RuntimeDeathTest, BlockingChannelOperationOutsideAGIsFatal) {
    EXPECT_EXIT(
        {
            R::Chan<int> c;
            c.recv();
        },
        ::testing::ExitedWithCode(2), "called outside a schedlab G");
}

TEST_F(RuntimeDeathTest, NestedRunIsFatal) {
    EXPECT_EXIT(R::run(1, [] { return R::run(1, [] { return 1; }); }),
                ::testing::ExitedWithCode(2), "Runtime::run called from inside a running");
}

TEST_F(RuntimeDeathTest, ZeroProcsIsFatal) {
    EXPECT_EXIT(R::run(0, [] {}), ::testing::ExitedWithCode(2),
                "procs must be between 1 and [0-9]+, got 0");
}

TEST_F(RuntimeDeathTest, NegativeWaitGroupCounterIsFatal) {
    EXPECT_EXIT(R::run(1,
                       [] {
                           R::WaitGroup wg;
                           wg.done();
                       }),
                ::testing::ExitedWithCode(2), "schedlab: negative WaitGroup counter");
}

}  // namespace
