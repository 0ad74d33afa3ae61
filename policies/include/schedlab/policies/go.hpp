// Go's scheduler decisions (src/runtime/proc.go), named together as the `Go` bundle, the
// default. The values and their reasons are in shared/REFERENCE.md and next to each type.
#pragma once

#include "schedlab/policies/concepts.hpp"
#include "schedlab/policies/global_check.hpp"
#include "schedlab/policies/join.hpp"
#include "schedlab/policies/local_order.hpp"
#include "schedlab/policies/runnext.hpp"
#include "schedlab/policies/spin.hpp"
#include "schedlab/policies/steal.hpp"
#include "schedlab/policies/victim.hpp"

namespace schedlab::policies {

// The default bundle: every decision as Go makes it.
struct Go {
    static constexpr const char* name = "go";
    using steal = StealHalf;
    using global_check = GlobalCheckEvery<61>;
    using spin_cap = SpinHalfBusy;
    using runnext = RunnextOn;
    using victim = RandomCoprimeOrder;
    using local_order = FifoOrder;  // runqget takes the ring's head
    using join = ParkJoin;          // sync.WaitGroup.Wait parks
};

static_assert(Bundle<Go>);

}  // namespace schedlab::policies
