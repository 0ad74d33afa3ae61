// select over channels on one P (suite Select): default, ready and blocking recv and send cases,
// closed and nil channels, losing cases withdrawn, one channel in two cases.
#include <gtest/gtest.h>

#include "runtime_test_util.hpp"

namespace {

using schedlab::testing::R;
using schedlab::rt::ChanClosedError;
using schedlab::rt::default_case;
using schedlab::rt::recv_case;
using schedlab::rt::SelectCase;
using schedlab::rt::send_case;

// ---- select ----------------------------------------------------------------------------------

TEST(Select, TakesDefaultWhenNothingIsReady) {
    R::run(1, [] {
        R::Chan<int> a, b(1);
        int x = -1;
        bool ok = true;
        b.send(0);  // b is full: a send case on it is not ready
        int y = 5;
        EXPECT_EQ(R::select(recv_case(a, x, &ok), send_case(b, y), default_case()), 2);
        EXPECT_EQ(x, -1);
        EXPECT_EQ(y, 5) << "a case that did not run leaves its value alone";
    });
}

TEST(Select, ChoosesTheReadyRecvCase) {
    R::run(1, [] {
        R::Chan<int> a, b(1);
        for (int i = 0; i < 20; ++i) {
            b.send(i);
            int x = -1, y = -1;
            bool ok = false;
            ASSERT_EQ(R::select(recv_case(a, x), recv_case(b, y, &ok), default_case()), 1);
            EXPECT_EQ(y, i);
            EXPECT_TRUE(ok);
            EXPECT_EQ(x, -1);
        }
    });
}

TEST(Select, RecvCaseTakesFromAParkedSender) {
    R::run(1, [] {
        R::Chan<int> c;
        R::go([&] { c.send(77); });
        R::yield();  // the sender parks
        int x = 0;
        bool ok = false;
        EXPECT_EQ(R::select(recv_case(c, x, &ok), default_case()), 0);
        EXPECT_EQ(x, 77);
        EXPECT_TRUE(ok);
    });
}

TEST(Select, SendCaseFillsABuffer) {
    R::run(1, [] {
        R::Chan<int> c(1);
        int v = 11;
        EXPECT_EQ(R::select(send_case(c, v), default_case()), 0);
        EXPECT_EQ(c.recv(), 11);
    });
}

TEST(Select, SendCaseHandsToAParkedReceiver) {
    int got = 0;
    R::run(1, [&] {
        R::Chan<int> c;
        R::go([&] { got = c.recv(); });
        R::yield();  // the receiver parks
        int v = 23;
        EXPECT_EQ(R::select(send_case(c, v), default_case()), 0);
        R::yield();
    });
    EXPECT_EQ(got, 23);
}

TEST(Select, RecvCaseOnClosedChannelGivesOkFalse) {
    R::run(1, [] {
        R::Chan<int> a, closed;
        closed.close();
        int x = 5, y = 5;
        bool ok = true;
        EXPECT_EQ(R::select(recv_case(a, x), recv_case(closed, y, &ok)), 1);
        EXPECT_FALSE(ok);
        EXPECT_EQ(y, 0);
    });
}

TEST(Select, SendCaseOnClosedChannelThrows) {
    R::run(1, [] {
        R::Chan<int> c(1);
        c.close();
        int v = 1;
        EXPECT_THROW(R::select(send_case(c, v), default_case()), ChanClosedError);
    });
}

TEST(Select, BlocksUntilAnotherGSends) {
    R::run(1, [] {
        R::Chan<int> a, b;
        R::go([&] {
            for (int i = 0; i < 3; ++i) R::yield();
            b.send(99);
        });
        int x = -1, y = -1;
        bool ok = false;
        EXPECT_EQ(R::select(recv_case(a, x), recv_case(b, y, &ok)), 1);
        EXPECT_EQ(y, 99);
        EXPECT_TRUE(ok);
        EXPECT_EQ(x, -1);
    });
}

TEST(Select, BlockedSendCaseProceedsWhenAReceiverArrives) {
    int got = -1;
    R::run(1, [&] {
        R::Chan<int> a, c;
        R::go([&] {
            R::yield();
            got = c.recv();
        });
        int x = 0, v = 31;
        EXPECT_EQ(R::select(recv_case(a, x), send_case(c, v)), 1);
        R::yield();
    });
    EXPECT_EQ(got, 31);
}

TEST(Select, BlockedSelectIsWokenByClose) {
    R::run(1, [] {
        R::Chan<int> a, b;
        R::go([&] {
            R::yield();
            b.close();
        });
        int x = -1, y = -1;
        bool ok = true;
        EXPECT_EQ(R::select(recv_case(a, x), recv_case(b, y, &ok)), 1);
        EXPECT_FALSE(ok);
        EXPECT_EQ(y, 0);
    });
}

TEST(Select, BlockedSendCaseThrowsWhenItsChannelIsClosed) {
    R::run(1, [] {
        R::Chan<int> a, c;
        R::go([&] {
            R::yield();
            c.close();
        });
        int x = 0, v = 1;
        EXPECT_THROW(R::select(recv_case(a, x), send_case(c, v)), ChanClosedError);
    });
}

TEST(Select, LosingCasesAreWithdrawnAfterABlockingSelect) {
    // After a blocking select over a and b won on a, b must hold no waiter of ours: a later
    // sender on b must find nobody to hand its value to, even while we block in another
    // select (which re-arms our one-winner flag).
    R::run(1, [] {
        R::Chan<int> a, b, c;
        R::go([&] { a.send(1); });
        int x = 0, y = 0;
        ASSERT_EQ(R::select(recv_case(a, x), recv_case(b, y)), 0);
        EXPECT_EQ(x, 1);
        int probe_result = -1;
        R::go([&] {
            int v = 5;
            probe_result = R::select(send_case(b, v), default_case());
            c.send(2);
        });
        int z = 0;
        ASSERT_EQ(R::select(recv_case(c, z)), 0);
        EXPECT_EQ(z, 2);
        EXPECT_EQ(probe_result, 1) << "a stale select waiter was left on b";
        EXPECT_EQ(y, 0);
    });
}

TEST(Select, NilChannelCaseIsNeverChosen) {
    R::run(1, [] {
        R::Chan<int> ready(1);
        int x = 0, y = 0;
        bool nil_ok = false;
        const SelectCase nil_recv{.chan = nullptr, .elem = &x, .ok = &nil_ok,
                                  .kind = SelectCase::Kind::Recv};
        const SelectCase nil_send{.chan = nullptr, .elem = &x, .ok = nullptr,
                                  .kind = SelectCase::Kind::Send};
        for (int i = 0; i < 100; ++i) {
            ready.send(i);
            ASSERT_EQ(R::select(nil_recv, recv_case(ready, y), nil_send), 1);
            ASSERT_EQ(y, i);
        }
        EXPECT_EQ(R::select(nil_recv, nil_send, default_case()), 2);
        EXPECT_EQ(x, 0);
        EXPECT_FALSE(nil_ok);
    });
}

TEST(Select, SameChannelInTwoCases) {
    R::run(1, [] {
        R::Chan<int> c;
        R::go([&] { c.send(4); });
        int x = -1, y = -1;
        const int i = R::select(recv_case(c, x), recv_case(c, y));
        ASSERT_TRUE(i == 0 || i == 1);
        EXPECT_EQ(i == 0 ? x : y, 4);
        EXPECT_EQ(i == 0 ? y : x, -1);
        // Nothing of ours is left queued on c.
        int v = 1;
        EXPECT_EQ(R::select(send_case(c, v), default_case()), 1);
    });
}

}  // namespace
