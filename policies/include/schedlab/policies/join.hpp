// Join: what a G that waits for its children (a fork-join Group's wait) does about children
// that have not started yet.
//
// Go has no join of its own: sync.WaitGroup.Wait parks the G and the children run when the
// scheduler reaches them, each on a stack of its own. Cilk and oneTBB run a child that nobody
// has taken yet in the waiting frame itself: a function call instead of a stack, two context
// switches and a park/ready pair, and a child that ran there never left its parent's cache.
// Only a child that was stolen makes the parent wait.
#pragma once

namespace schedlab::policies {

// Go: wait parks until the counter is zero; queued children run from the scheduler.
struct ParkJoin {
    static constexpr const char* name = "park";
    static constexpr bool run_children_inline = false;
};

// Cilk / oneTBB: wait first takes its own group's children that are still queued on its P,
// newest first, and runs each on its own stack as a call; it parks only for children that
// other Ps took (or when too little of its stack is left to nest another call).
struct InlineJoin {
    static constexpr const char* name = "inline";
    static constexpr bool run_children_inline = true;
};

}  // namespace schedlab::policies
