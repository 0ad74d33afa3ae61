// sysmon's thresholds: how often the monitor thread looks at the Ps, and how long a G may run
// before it is asked to yield at its next preemption point. A bundle names them with an
// optional member `using sysmon = ...;`; a bundle without one takes Go's (GoSysmon), so the
// five decision dimensions of the CSV stay as they are.
//
// Go (src/runtime/proc.go, sysmon and retake): sysmon sleeps 20 us, and after 50 rounds that
// found nothing to do doubles its sleep up to 10 ms; it retakes a P from a system call seen in
// two rounds in a row, and preempts a G that has been running for 10 ms (forcePreemptNS).
#pragma once

#include <concepts>
#include <cstdint>

namespace schedlab::policies {

template <class S>
concept SysmonTimes = requires {
    { S::min_delay_ns } -> std::convertible_to<std::uint64_t>;
    { S::max_delay_ns } -> std::convertible_to<std::uint64_t>;
    { S::idle_rounds } -> std::convertible_to<std::uint32_t>;
    { S::preempt_ns } -> std::convertible_to<std::uint64_t>;  // 0: never preempt
};

struct GoSysmon {
    static constexpr std::uint64_t min_delay_ns = 20'000;
    static constexpr std::uint64_t max_delay_ns = 10'000'000;
    static constexpr std::uint32_t idle_rounds = 50;
    static constexpr std::uint64_t preempt_ns = 10'000'000;
};
static_assert(SysmonTimes<GoSysmon>);

// Go's sysmon without preemption: a G keeps its P until it blocks, yields or exits.
struct SysmonNoPreempt : GoSysmon {
    static constexpr std::uint64_t preempt_ns = 0;
};

// A G may run this long before it is asked to yield (a sweep of Go's 10 ms). sysmon sees a
// slice only when it looks, so its backed-off sleep is capped at the slice too (Go: 10 ms and
// 10 ms); with Go's 10 ms rounds a 1 ms slice would still last 10-20 ms.
template <std::uint64_t Ns>
struct SysmonPreemptAfter : GoSysmon {
    static constexpr std::uint64_t preempt_ns = Ns;
    static constexpr std::uint64_t max_delay_ns = Ns < GoSysmon::max_delay_ns ? Ns : GoSysmon::max_delay_ns;
    static constexpr std::uint64_t min_delay_ns = Ns < GoSysmon::min_delay_ns ? Ns : GoSysmon::min_delay_ns;
};

template <class B>
struct sysmon_of {
    using type = GoSysmon;
};
template <class B>
    requires requires { typename B::sysmon; }
struct sysmon_of<B> {
    static_assert(SysmonTimes<typename B::sysmon>, "a bundle's sysmon member must satisfy SysmonTimes");
    using type = typename B::sysmon;
};
template <class B>
using sysmon_t = typename sysmon_of<B>::type;

}  // namespace schedlab::policies
