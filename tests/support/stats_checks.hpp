// Invariants of the per-P counters that hold after every run, shared by the test suites.
#pragma once

#include <gtest/gtest.h>

#include "schedlab/runtime/counters.hpp"

namespace schedlab::testing {

// A build with the CMake option SCHEDLAB_COUNTERS=OFF counts only spawns.
inline constexpr bool kCounting = !SCHEDLAB_NO_COUNTERS;

// Every G that runs is handed out by exactly one of: runnext, the local ring, a global-queue
// grab (which returns one G and queues the rest locally), a steal (which returns one G), or
// an inline join (which runs it on the joining G's stack).
inline void expect_stats_add_up(const schedlab::rt::Stats& s) {
    if (!kCounting) return;
    EXPECT_EQ(s.gs_run, s.runnext_hits + s.local_pops + s.global_pulls + s.steals + s.inlined);
    EXPECT_GE(s.gs_run, s.spawns);
    EXPECT_LE(s.steals, s.steal_attempts);
    EXPECT_GE(s.gs_stolen, s.steals);
    EXPECT_LE(s.migrations, s.gs_run);
    EXPECT_EQ(s.parks, s.wakeups);  // a parked M always wakes again before the run ends
}

}  // namespace schedlab::testing
