// Helpers shared by the runtime's unit tests (runtime_*_test.cpp). Most of them run on one
// P, where the order in which Gs run is fully determined: there are no thieves, no
// preemption, and a G keeps the P until it blocks, yields or exits. The expected orders follow
// Go's rules (shared/REFERENCE.md section 2): a G readied by the running G goes to runnext and
// runs next; the G it displaces goes to the ring's tail; the ring is FIFO; yield puts the
// running G on the global queue.
#pragma once

#include <gtest/gtest.h>

#include "schedlab/runtime/schedlab.hpp"
#include "support/stats_checks.hpp"

namespace schedlab::testing {

using R = schedlab::GoRuntime;

inline schedlab::Options one_p() {
    schedlab::Options o;
    o.procs = 1;
    return o;
}

}  // namespace schedlab::testing

#define SKIP_UNLESS_COUNTING() \
    if (!schedlab::testing::kCounting) GTEST_SKIP() << "built with SCHEDLAB_COUNTERS=OFF"
