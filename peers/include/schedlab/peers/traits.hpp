// What a peer adapter can do and what a workload needs of it: supports<Peer, Workload>.
// Light: no adapter's header, so each adapter's translation unit includes only its own.
#pragma once

#include <cstddef>

namespace schedlab::peers {

// A workload's needs beyond fork-join (Group): `needs_channels` (every workload states it) and
// `needs_waitgroup` (go + WaitGroup; false when the workload does not declare it).
template <class W>
inline constexpr bool needs_waitgroup = [] {
    if constexpr (requires { W::needs_waitgroup; })
        return static_cast<bool>(W::needs_waitgroup);
    else
        return false;
}();

// `needs_blocking`: schedlab's blocking-call and preemption API (R::blocking,
// R::blocking_handoff, R::preempt_point), which no in-process peer has; false when the
// workload does not declare it.
template <class W>
inline constexpr bool needs_blocking = [] {
    if constexpr (requires { W::needs_blocking; })
        return static_cast<bool>(W::needs_blocking);
    else
        return false;
}();

// `needs_timers`: schedlab's timers (R::sleep_for, R::sleep_until, R::after), which no
// in-process peer has either; false when the workload does not declare it.
template <class W>
inline constexpr bool needs_timers = [] {
    if constexpr (requires { W::needs_timers; })
        return static_cast<bool>(W::needs_timers);
    else
        return false;
}();

// Whether peer P has that API (P::has_blocking; false when the adapter does not declare it).
template <class P>
inline constexpr bool has_blocking = [] {
    if constexpr (requires { P::has_blocking; })
        return static_cast<bool>(P::has_blocking);
    else
        return false;
}();

// The most procs peer P runs on (the serial elision: 1); 0 when it has no limit of its own.
template <class P>
inline constexpr int max_procs = [] {
    if constexpr (requires { P::max_procs; })
        return static_cast<int>(P::max_procs);
    else
        return 0;
}();

// Whether peer P can run workload W.
template <class P, class W>
inline constexpr bool supports = (!W::needs_channels || P::has_channels) &&
                                 (!needs_waitgroup<W> || P::has_waitgroup) &&
                                 (!needs_blocking<W> || has_blocking<P>) && !needs_timers<W>;

}  // namespace schedlab::peers
