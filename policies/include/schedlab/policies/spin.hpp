// Spinning cap: whether an M that found no local or global work may start spinning (look for
// Gs to steal, and keep looking for a while) instead of parking at once. An M woken by wakep
// is handed the spinning token regardless, as in Go, so that new work is always looked for.
#pragma once

#include <cstdint>

#include "schedlab/policies/name.hpp"

namespace schedlab::policies {

// Go's findRunnable: spin only while 2 * spinning < busy Ps, so spinning Ms are capped at
// half the busy Ps: a few spinners cut wake-up latency, the cap stops them burning every core.
struct SpinHalfBusy {
    static constexpr const char* name = "go";
    static constexpr bool may_spin(std::uint32_t spinning, std::uint32_t busy, std::uint32_t) {
        return 2 * spinning < busy;
    }
};

// Tokio's rule: searching workers capped at half of all workers, busy or not.
struct SpinHalfProcs {
    static constexpr const char* name = "half-procs";
    static constexpr bool may_spin(std::uint32_t spinning, std::uint32_t, std::uint32_t procs) {
        return 2 * spinning < procs;
    }
};

// No M starts spinning on its own: only the one woken by wakep looks for work.
struct SpinNone {
    static constexpr const char* name = "none";
    static constexpr bool may_spin(std::uint32_t, std::uint32_t, std::uint32_t) { return false; }
};

// Every idle M spins.
struct SpinAll {
    static constexpr const char* name = "all";
    static constexpr bool may_spin(std::uint32_t, std::uint32_t, std::uint32_t) { return true; }
};

// At most N spinning Ms.
template <std::uint32_t N>
struct SpinFixed {
    static constexpr const char* name = naming::with_number<naming::kFixed, N>.data();
    static constexpr std::uint32_t cap = N;
    static constexpr bool may_spin(std::uint32_t spinning, std::uint32_t, std::uint32_t) {
        return spinning < N;
    }
};

}  // namespace schedlab::policies
