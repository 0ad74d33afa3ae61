// Blocking between Gs on one P: unbuffered and buffered channels, close and its errors, move-only
// values (suite Chan), WaitGroup (suite WaitGroup) and Mutex with its hand-off to the longest
// waiter (suite Mutex). select over channels is in runtime_select_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "runtime_test_util.hpp"

namespace {

using schedlab::testing::R;
using schedlab::rt::ChanClosedError;

// ---- Channels on one P -------------------------------------------------------------------------

TEST(Chan, UnbufferedSendWaitsForAReceiver) {
    R::run(1, [] {
        R::Chan<int> c;
        bool sent = false;
        R::go([&] {
            c.send(42);
            sent = true;
        });
        R::yield();  // the sender runs and blocks: nobody receives yet
        EXPECT_FALSE(sent);
        EXPECT_EQ(c.recv(), 42);
        EXPECT_FALSE(sent);  // readied, but it has not run yet
        R::yield();
        EXPECT_TRUE(sent);
    });
}

TEST(Chan, UnbufferedRecvWaitsForASender) {
    std::vector<std::string> log;
    R::run(1, [&] {
        R::Chan<std::string> c;
        R::go([&] {
            log.push_back("sender runs");
            c.send("hello");
            log.push_back("sender done");
        });
        log.push_back("main receives");
        std::string v = c.recv();  // blocks: the sender has not run yet
        log.push_back("main got " + v);
    });
    // The sender hands the value straight to the parked receiver and keeps running; main,
    // readied into runnext, runs when the sender exits.
    EXPECT_EQ(log, (std::vector<std::string>{"main receives", "sender runs", "sender done",
                                             "main got hello"}));
}

TEST(Chan, UnbufferedHandOffDeliversEveryValueInOrder) {
    R::run(1, [] {
        R::Chan<int> c;
        R::go([&] {
            for (int i = 0; i < 1000; ++i) c.send(i);
        });
        for (int i = 0; i < 1000; ++i) ASSERT_EQ(c.recv(), i);
    });
}

TEST(Chan, BufferedChannelIsFifoAndBlocksTheSenderBeyondCapacity) {
    R::run(1, [] {
        R::Chan<int> c(3);
        EXPECT_EQ(c.capacity(), 3u);
        int sent = 0;
        R::go([&] {
            for (int i = 0; i < 4; ++i) {
                c.send(i);
                ++sent;
            }
        });
        R::yield();
        EXPECT_EQ(sent, 3) << "three fit in the buffer, the fourth send blocks";
        EXPECT_EQ(c.recv(), 0);
        EXPECT_EQ(sent, 3) << "the sender was readied, but has not run";
        R::yield();
        EXPECT_EQ(sent, 4);
        EXPECT_EQ(c.recv(), 1);
        EXPECT_EQ(c.recv(), 2);
        EXPECT_EQ(c.recv(), 3);  // the blocked sender's value went to the buffer's tail
    });
}

TEST(Chan, BufferedSendsUpToCapacityDoNotBlock) {
    const int sum = R::run(1, [] {
        R::Chan<int> c(8);
        for (int i = 0; i < 8; ++i) c.send(i);  // no receiver exists: would deadlock if blocking
        int s = 0;
        for (int i = 0; i < 8; ++i) s += c.recv();
        return s;
    });
    EXPECT_EQ(sum, 28);
}

TEST(Chan, BufferedChannelKeepsFifoOrderAcrossManyWraps) {
    R::run(1, [] {
        R::Chan<int> c(5);
        R::go([&] {
            for (int i = 0; i < 1000; ++i) c.send(i);
            c.close();
        });
        int want = 0;
        int v = 0;
        while (c.recv(v)) ASSERT_EQ(v, want++);
        EXPECT_EQ(want, 1000);
    });
}

TEST(Chan, CloseWakesEveryBlockedReceiverWithOkFalse) {
    constexpr int kReceivers = 5;
    int not_ok = 0, zeroed = 0;
    R::run(1, [&] {
        R::Chan<int> c;
        R::WaitGroup wg;
        wg.add(kReceivers);
        for (int i = 0; i < kReceivers; ++i)
            R::go([&] {
                int v = -1;
                if (!c.recv(v)) ++not_ok;
                if (v == 0) ++zeroed;
                wg.done();
            });
        R::yield();  // all receivers block
        c.close();
        wg.wait();
    });
    EXPECT_EQ(not_ok, kReceivers);
    EXPECT_EQ(zeroed, kReceivers);
}

TEST(Chan, RecvOnClosedDrainedChannelReturnsDefaultAndFalse) {
    R::run(1, [] {
        R::Chan<int> c(2);
        c.close();
        int v = 99;
        EXPECT_FALSE(c.recv(v));
        EXPECT_EQ(v, 0);
        EXPECT_EQ(c.recv(), 0);

        R::Chan<std::string> s;
        s.close();
        std::string str = "stale";
        EXPECT_FALSE(s.recv(str));
        EXPECT_EQ(str, "");
        EXPECT_EQ(s.recv(), "");
    });
}

TEST(Chan, BufferedValuesAreStillDeliveredAfterClose) {
    R::run(1, [] {
        R::Chan<int> c(3);
        c.send(1);
        c.send(2);
        c.close();
        int v = 0;
        EXPECT_TRUE(c.recv(v));
        EXPECT_EQ(v, 1);
        EXPECT_TRUE(c.recv(v));
        EXPECT_EQ(v, 2);
        EXPECT_FALSE(c.recv(v));
        EXPECT_EQ(v, 0);
    });
}

TEST(Chan, SendOnClosedChannelThrowsInsideTheG) {
    bool caught = false;
    R::run(1, [&] {
        R::Chan<int> c(1);
        c.close();
        R::WaitGroup wg;
        wg.add(1);
        R::go([&] {
            try {
                c.send(1);
            } catch (const ChanClosedError& e) {
                caught = true;
                EXPECT_STREQ(e.what(), "send on closed channel");
            }
            wg.done();
        });
        wg.wait();
    });
    EXPECT_TRUE(caught);
}

TEST(Chan, BlockedSenderWokenByCloseThrows) {
    int caught = 0;
    R::run(1, [&] {
        R::Chan<int> unbuffered;
        R::Chan<int> full(1);
        full.send(0);
        R::WaitGroup wg;
        wg.add(2);
        for (R::Chan<int>* c : {&unbuffered, &full})
            R::go([&, c] {
                try {
                    c->send(1);
                } catch (const ChanClosedError&) {
                    ++caught;
                }
                wg.done();
            });
        R::yield();  // both senders block
        unbuffered.close();
        full.close();
        wg.wait();
        // The buffered value sent before close is still there.
        int v = -1;
        EXPECT_TRUE(full.recv(v));
        EXPECT_EQ(v, 0);
        EXPECT_FALSE(full.recv(v));
    });
    EXPECT_EQ(caught, 2);
}

TEST(Chan, CloseOfClosedChannelThrows) {
    R::run(1, [] {
        R::Chan<int> c;
        c.close();
        try {
            c.close();
            ADD_FAILURE() << "second close did not throw";
        } catch (const ChanClosedError& e) {
            EXPECT_STREQ(e.what(), "close of closed channel");
        }
    });
}

TEST(Chan, CarriesMoveOnlyValues) {
    R::run(1, [] {
        R::Chan<std::unique_ptr<int>> c(2);
        R::go([&] {
            for (int i = 0; i < 10; ++i) c.send(std::make_unique<int>(i));
            c.close();
        });
        int want = 0;
        std::unique_ptr<int> p;
        while (c.recv(p)) {
            ASSERT_NE(p, nullptr);
            EXPECT_EQ(*p, want++);
        }
        EXPECT_EQ(p, nullptr);
        EXPECT_EQ(want, 10);
    });
}

// ---- WaitGroup -------------------------------------------------------------------------------

TEST(WaitGroup, WaitOnZeroReturnsAtOnce) {
    R::run(1, [] {
        R::WaitGroup wg;
        EXPECT_EQ(wg.count(), 0);
        wg.wait();
        wg.add(2);
        EXPECT_EQ(wg.count(), 2);
        wg.done();
        wg.done();
        EXPECT_EQ(wg.count(), 0);
        wg.wait();
    });
}

TEST(WaitGroup, CanBeReusedForSeveralRounds) {
    R::run(1, [] {
        R::WaitGroup wg;
        for (int round = 1; round <= 6; ++round) {
            int done = 0;
            wg.add(round);
            for (int i = 0; i < round; ++i)
                R::go([&] {
                    R::yield();
                    ++done;
                    wg.done();
                });
            wg.wait();
            ASSERT_EQ(done, round) << "round " << round;
            ASSERT_EQ(wg.count(), 0);
        }
    });
}

TEST(WaitGroup, WakesEveryWaiter) {
    int woken = 0;
    R::run(1, [&] {
        R::WaitGroup gate, finished;
        gate.add(1);
        finished.add(4);
        for (int i = 0; i < 4; ++i)
            R::go([&] {
                gate.wait();
                ++woken;
                finished.done();
            });
        R::yield();  // all four wait on the gate
        EXPECT_EQ(woken, 0);
        gate.done();
        finished.wait();
    });
    EXPECT_EQ(woken, 4);
}

// ---- Mutex -----------------------------------------------------------------------------------

TEST(Mutex, ProtectsACounterAcrossGsThatYieldWhileHoldingIt) {
    constexpr int kGs = 10, kIters = 50;
    int counter = 0, inside = 0, max_inside = 0;
    R::run(1, [&] {
        R::Mutex mu;
        R::WaitGroup wg;
        wg.add(kGs);
        for (int g = 0; g < kGs; ++g)
            R::go([&] {
                for (int i = 0; i < kIters; ++i) {
                    mu.lock();
                    max_inside = std::max(max_inside, ++inside);
                    const int v = counter;
                    R::yield();  // let others run (and block on the lock) mid-update
                    counter = v + 1;
                    --inside;
                    mu.unlock();
                }
                wg.done();
            });
        wg.wait();
    });
    EXPECT_EQ(counter, kGs * kIters);
    EXPECT_EQ(max_inside, 1);
}

TEST(Mutex, TryLockFailsWhileHeld) {
    R::run(1, [] {
        R::Mutex mu;
        EXPECT_TRUE(mu.try_lock());
        EXPECT_FALSE(mu.try_lock());
        mu.unlock();
        EXPECT_TRUE(mu.try_lock());
        mu.unlock();
    });
}

TEST(Mutex, UnlockHandsTheLockToTheLongestWaiter) {
    std::vector<int> order;
    R::run(1, [&] {
        R::Mutex mu;
        R::WaitGroup wg;
        wg.add(5);
        mu.lock();
        for (int i = 0; i < 5; ++i)
            R::go([&, i] {
                mu.lock();
                order.push_back(i);
                mu.unlock();
                wg.done();
            });
        R::yield();  // they block on the lock in run order: 4 (runnext), 0, 1, 2, 3
        // A late-comer that tries while the lock is being handed over must not barge in.
        mu.unlock();
        EXPECT_FALSE(mu.try_lock());
        wg.wait();
    });
    EXPECT_EQ(order, (std::vector<int>{4, 0, 1, 2, 3}));
}

}  // namespace
