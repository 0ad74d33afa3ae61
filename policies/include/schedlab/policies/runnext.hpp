// Runnext: whether a G made ready by the running G goes to the P's one-slot fast path (and
// runs next, inheriting the time slice) or to the tail of the run queue like any other.
#pragma once

namespace schedlab::policies {

struct RunnextOn {
    static constexpr const char* name = "on";
    static constexpr bool enabled = true;
};

struct RunnextOff {
    static constexpr const char* name = "off";
    static constexpr bool enabled = false;
};

}  // namespace schedlab::policies
