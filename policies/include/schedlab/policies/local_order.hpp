// Local order: which end of its own run queue a P takes its next G from.
//
// Go's ring is a FIFO: the owner takes the oldest G, so a fork-join program is run breadth
// first and many started Gs wait for children behind others. Cilk's deque is a LIFO for its
// owner and a FIFO for thieves: the owner runs the newest G (depth first, the serial order),
// thieves take the oldest, which in a fork-join tree is the biggest piece of work left.
#pragma once

namespace schedlab::policies {

// Go: the owner takes the ring's head (the oldest G), like a thief.
struct FifoOrder {
    static constexpr const char* name = "fifo";
    static constexpr bool lifo = false;
};

// Cilk: the owner takes the ring's tail (the newest G); thieves still take from the head.
struct LifoOrder {
    static constexpr const char* name = "lifo";
    static constexpr bool lifo = true;
};

}  // namespace schedlab::policies
