// timers: Gs that sleep in a loop, the shape of a server's timeouts and tickers. `gs` Gs each
// sleep `sleeps` times for a duration drawn uniformly from [min_us, max_us] (a seeded sequence
// per G, the same on every runtime), through R::sleep_for (via=sleep, Go's time.Sleep) or a
// receive from R::after (via=after, Go's <-time.After), with work_us of spin work after each
// wake-up. A G records each sleep's lateness: from its due time (when the sleep began plus
// its duration) to when the G runs again, so the time to be scheduled after the timer fires
// counts, as it does for a user.
// extra: sleeps (all Gs), p50_ns, p99_ns, p999_ns, max_ns (lateness, nearest rank over every
// sleep), early (sleeps that ended before their due time). ok when every G slept every time
// and none woke early. Needs timers (needs_timers: schedlab's runtime and the Go peer).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "schedlab/workloads/grain.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class Timers {
public:
    static constexpr const char* name = "timers";
    static constexpr const char* summary = "Gs sleeping random durations in a loop; timer lateness percentiles";
    static constexpr bool needs_channels = true;  // via=after receives from a channel
    static constexpr bool needs_waitgroup = true;
    static constexpr bool needs_timers = true;  // R::sleep_for, R::after
    static std::span<const ParamSpec> params();

    explicit Timers(const Params& given);

    template <class R>
    void run() {
        using Clock = std::chrono::steady_clock;
        typename R::WaitGroup wg;
        wg.add(static_cast<std::int64_t>(gs_));
        for (std::uint64_t g = 0; g < gs_; ++g)
            R::go([this, g, &wg] {
                SplitMix rng = durations(g);
                std::uint64_t* late = &lateness_[g * sleeps_];
                std::uint64_t early = 0, sum = 0;
                for (std::uint64_t i = 0; i < sleeps_; ++i) {
                    const std::chrono::nanoseconds d(draw_ns(rng));
                    const Clock::time_point due = Clock::now() + d;
                    if (via_after_)
                        R::after(d)->recv();
                    else
                        R::sleep_for(d);
                    const Clock::time_point woke = Clock::now();
                    if (woke < due) ++early;
                    late[i] = woke < due ? 0 : static_cast<std::uint64_t>((woke - due).count());
                    if (work_iters_) sum += spin(mix64(g ^ (i << 32)), work_iters_);
                }
                early_[g] = early;
                sink_[g] = sum;
                done_[g] = 1;
                wg.done();
            });
        wg.wait();
        ran_ = true;
    }

    Result check() const;

    // G g's sequence of sleep durations, and one draw from it, in ns.
    SplitMix durations(std::uint64_t g) const { return SplitMix(mix64(seed_ ^ (g * 0x9e3779b97f4a7c15ull))); }
    std::uint64_t draw_ns(SplitMix& rng) const { return min_ns_ + rng.below(max_ns_ - min_ns_ + 1); }

private:
    std::uint64_t gs_ = 0, sleeps_ = 0, min_ns_ = 0, max_ns_ = 0, work_iters_ = 0, seed_ = 0;
    bool via_after_ = false;
    // Written by the run: per G and sleep, and per G.
    std::vector<std::uint64_t> lateness_, early_, sink_;
    std::vector<char> done_;
    bool ran_ = false;
};

}  // namespace schedlab::workloads
