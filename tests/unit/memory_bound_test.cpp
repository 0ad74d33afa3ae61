// The memory bound (runtime/memory.hpp): a run that would take the process past it ends
// cleanly with MemoryLimitError instead of growing until the OOM killer ends the process,
// whether its Gs park (and hold stacks) or the spawner never blocks; the Runtime runs again
// afterwards. And the byte-size parser of --max-memory.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedlab/runtime/memory.hpp"
#include "schedlab/runtime/schedlab.hpp"

namespace {

using R = schedlab::GoRuntime;
using schedlab::rt::MemoryLimitError;
using schedlab::rt::Options;

// A bound a little above what the process holds now.
Options tight(int procs) {
    Options o;
    o.procs = procs;
    o.max_memory = schedlab::rt::resident_bytes() + (64u << 20);
    return o;
}

TEST(MemoryBound, ParkedGsHoldingStacksEndTheRunWithAOneLineReason) {
    for (int procs : {1, 2}) {
        R rt(tight(procs));
        // Outside main: main's frame is abandoned, not unwound, when the run is stopped.
        auto never = std::make_unique<R::Chan<int>>();
        try {
            rt.run([ch = never.get()] {
                for (int i = 0; i < 10'000'000; ++i) {
                    R::go([ch] { ch->recv(); });  // each parks on its own stack
                    if (i % 64 == 0) R::yield();        // let them run and take stacks
                }
            });
            FAIL() << "the run passed its memory bound without stopping (procs " << procs << ")";
        } catch (const MemoryLimitError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("memory limit"), std::string::npos) << what;
            EXPECT_NE(what.find("G stacks"), std::string::npos) << what;
            EXPECT_EQ(what.find('\n'), std::string::npos) << what;
        }
        // The same Runtime runs again.
        EXPECT_EQ(rt.run([] { return 42; }), 42);
    }
}

TEST(MemoryBound, ASpawnerThatNeverBlocksIsStoppedToo) {
    R rt(tight(1));
    // Its Gs park for good, so the memory grows even when sysmon preempts the spawner at a
    // go() and the P runs them.
    EXPECT_THROW(rt.run([] {
                     R::Chan<int> never;
                     for (int i = 0; i < 100'000'000; ++i) R::go([&never] { (void)never.recv(); });
                 }),
                 MemoryLimitError);
}

TEST(MemoryBound, ARunUnderTheBoundIsUntouched) {
    R rt(tight(2));
    int sum = rt.run([] {
        R::WaitGroup wg;
        std::vector<int> out(1000);
        wg.add(1000);
        for (int i = 0; i < 1000; ++i)
            R::go([&, i] {
                out[i] = i;
                wg.done();
            });
        wg.wait();
        int s = 0;
        for (int v : out) s += v;
        return s;
    });
    EXPECT_EQ(sum, 999 * 1000 / 2);
}

TEST(MemoryBound, DefaultIsHalfOfTheMachineOrCgroup) {
    const std::size_t machine = schedlab::rt::machine_memory_bytes();
    ASSERT_GT(machine, 0u);
    EXPECT_EQ(schedlab::rt::default_memory_limit(), machine / 2);
    R rt;
    (void)rt;
}

TEST(MemoryBound, ParsesSizesAndRejectsNonsense) {
    using schedlab::rt::parse_bytes;
    EXPECT_EQ(parse_bytes("4096"), 4096u);
    EXPECT_EQ(parse_bytes("512M"), 512u << 20);
    EXPECT_EQ(parse_bytes("12G"), 12ull << 30);
    EXPECT_EQ(parse_bytes("1.5GiB"), 3ull << 29);
    EXPECT_EQ(parse_bytes("2k"), 2048u);
    for (const char* bad : {"", "0", "-1G", "12X", "G", "1e400", "nan", "3GB7"})
        EXPECT_THROW(parse_bytes(bad), std::invalid_argument) << bad;
    EXPECT_EQ(schedlab::rt::format_bytes(3ull << 29), "1.5 GiB");
}

}  // namespace
