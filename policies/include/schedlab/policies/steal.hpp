// Steal amount: how many of a victim's n queued Gs (n >= 1) a thief takes. Always 1..n.
#pragma once

#include <cstdint>

#include "schedlab/policies/name.hpp"

namespace schedlab::policies {

// Go's runqgrab: n - n/2, half rounded up, so a lone queued G can still be stolen.
struct StealHalf {
    static constexpr const char* name = "half";
    static constexpr std::uint32_t take(std::uint32_t n) { return n - n / 2; }
};

// One G per steal, as a Cilk-style thief takes one frame.
struct StealOne {
    static constexpr const char* name = "one";
    static constexpr std::uint32_t take(std::uint32_t n) { return n > 0 ? 1 : 0; }
};

// The whole queue.
struct StealAll {
    static constexpr const char* name = "all";
    static constexpr std::uint32_t take(std::uint32_t n) { return n; }
};

// ceil(n * Num / Den), at least one and at most n: StealFraction<1, 2> equals StealHalf.
template <std::uint32_t Num, std::uint32_t Den>
struct StealFraction {
    static_assert(Den > 0 && Num > 0 && Num <= Den, "a steal fraction must be in (0, 1]");
    static constexpr const char* name = naming::fraction<Num, Den>.data();
    static constexpr std::uint32_t numerator = Num;
    static constexpr std::uint32_t denominator = Den;
    static constexpr std::uint32_t take(std::uint32_t n) {
        if (n == 0) return 0;
        const std::uint64_t k = (static_cast<std::uint64_t>(n) * Num + Den - 1) / Den;
        return k < 1 ? 1 : static_cast<std::uint32_t>(k > n ? n : k);
    }
};

}  // namespace schedlab::policies
