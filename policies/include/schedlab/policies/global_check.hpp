// Global check: on which scheduler ticks a P looks at the global queue before its own.
#pragma once

#include <cstdint>

#include "schedlab/policies/name.hpp"

namespace schedlab::policies {

// Every Nth tick. Go uses 61: often enough that Gs in the global queue cannot starve behind a
// local producer, rarely enough to cost nothing, and prime so that it does not fall into step
// with other periodic work.
template <std::uint64_t N>
struct GlobalCheckEvery {
    static_assert(N >= 1, "a global-check period must be at least 1 tick");
    static constexpr std::uint64_t period = N;
    static constexpr const char* name = naming::with_number<naming::kEvery, N>.data();
    static constexpr bool check_global_first(std::uint64_t schedtick) {
        return schedtick % N == 0;
    }
};

// Never first: the global queue is looked at only when the local queue is empty, so a P whose
// Gs keep readying each other can starve the global queue.
struct GlobalCheckNever {
    static constexpr std::uint64_t period = 0;
    static constexpr const char* name = "never";
    static constexpr bool check_global_first(std::uint64_t) { return false; }
};

}  // namespace schedlab::policies
