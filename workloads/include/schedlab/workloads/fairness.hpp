// fairness: compute-bound Gs beside latency-sensitive ones, the case Go's preemption of a G
// that has run 10 ms (sysmon marks it; it yields at its next preemption point) exists for.
// `hogs` Gs each do hog_ms of spin work (calibrated at build time) in chunks of chunk_us,
// calling R::preempt_point() between chunks when points=1 and never when points=0. Beside
// them `probes` Gs each wait on a channel (capacity 1) for messages from a driver G, due every
// interval_us from the start: the driver sleeps until the next due time (a nanosleep in
// R::blocking_handoff with driver=handoff, the default, as a Go timer sleep frees its P; in
// R::blocking with driver=blocking) and sends each probe that due time; a slot it missed
// altogether is skipped. A probe records the latency from the due time to its receipt, so a
// driver kept from its P counts, as it would for any G woken by a timer. The driver stops and
// closes the channels once every hog is done; the probes and the driver are parked in their
// first receive and sleep before the first hog starts.
//
// On one P without preemption points, a probe readied by the driver waits behind a hog that
// never yields: up to hog_ms. With points, sysmon's mark makes the hog yield within ~10 ms.
// extra: messages (received, all probes), p50_ns, p99_ns, p999_ns, max_ns (nearest rank over
// every message), hogs_ns (from the first hog's start to the last hog's end). ok when every
// probe received every message the driver sent and every hog's hash is the expected one.
// Needs schedlab's blocking calls and preemption points (needs_blocking).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/grain.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

namespace fairness_detail {
// nanosleep for ns (again with the remainder after a signal).
void sleep_ns(std::uint64_t ns);
}  // namespace fairness_detail

class Fairness {
public:
    static constexpr const char* name = "fairness";
    static constexpr const char* summary =
        "compute-bound Gs with or without preemption points beside probes; the probes' latency";
    static constexpr bool needs_channels = true;
    static constexpr bool needs_waitgroup = true;
    static constexpr bool needs_blocking = true;  // R::blocking, R::preempt_point
    static std::span<const ParamSpec> params();

    explicit Fairness(const Params& given);

    template <class R>
    void run() {
        using Clock = std::chrono::steady_clock;
        const Clock::time_point base = Clock::now();
        auto since = [base] {
            return static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - base).count());
        };
        using Chan = typename R::template Chan<std::uint64_t>;
        std::vector<std::unique_ptr<Chan>> chans;
        for (std::uint64_t p = 0; p < probes_; ++p) chans.push_back(std::make_unique<Chan>(1));
        std::atomic<bool> stop{false};
        typename R::WaitGroup ready, others, hogs;
        ready.add(static_cast<std::int64_t>(probes_ + 1));
        others.add(static_cast<std::int64_t>(probes_ + 1));
        hogs.add(static_cast<std::int64_t>(hogs_));
        for (std::uint64_t p = 0; p < probes_; ++p)
            R::go([this, p, &chans, &ready, &others, &since] {
                std::vector<std::uint64_t>& lat = latencies_[p];
                ready.done();
                std::uint64_t sent = 0;
                while (chans[p]->recv(sent)) lat.push_back(since() - sent);
                others.done();
            });
        R::go([this, &chans, &stop, &ready, &others, &since] {
            const std::uint64_t interval = interval_ns_;
            ready.done();
            std::uint64_t rounds = 0, due = since() + interval;
            while (!stop.load(std::memory_order_acquire)) {
                if (const std::uint64_t now = since(); due > now) {
                    auto nap = [ns = due - now] { fairness_detail::sleep_ns(ns); };
                    if (handoff_driver_)
                        R::blocking_handoff(nap);
                    else
                        R::blocking(nap);
                }
                for (auto& c : chans) c->send(due);
                ++rounds;
                const std::uint64_t now = since();
                due += interval;
                if (due <= now) due += (now - due) / interval * interval + interval;  // skip missed slots
            }
            for (auto& c : chans) c->close();
            rounds_ = rounds;
            others.done();
        });
        ready.wait();
        const std::uint64_t hogs_from = since();
        std::uint64_t* sums = sums_.data();
        const std::uint64_t iters = chunk_iters_, chunks = chunks_;
        const bool points = points_;
        for (std::uint64_t h = 0; h < hogs_; ++h)
            R::go([sums, &hogs, h, iters, chunks, points] {
                std::uint64_t sum = 0;
                for (std::uint64_t k = 0; k < chunks; ++k) {
                    sum += chunk_value(h, k, iters);
                    if (points) preempt_point<R>();
                }
                sums[h] = sum;
                hogs.done();
            });
        hogs.wait();
        hogs_ns_ = since() - hogs_from;
        stop.store(true, std::memory_order_release);
        others.wait();
        ran_ = true;
    }

    Result check() const;

    // R::preempt_point() where R has it (schedlab's runtime), else nothing.
    template <class R>
    static void preempt_point() {
        if constexpr (requires { R::preempt_point(); }) R::preempt_point();
    }
    // The hash of hog h's k-th chunk.
    static std::uint64_t chunk_value(std::uint64_t h, std::uint64_t k, std::uint64_t iters) {
        return spin(mix64((h << 40) ^ k), iters);
    }
    std::uint64_t chunk_iters() const { return chunk_iters_; }
    std::uint64_t chunks_per_hog() const { return chunks_; }

private:
    std::uint64_t hogs_ = 0, probes_ = 0, chunks_ = 0, chunk_iters_ = 0, interval_ns_ = 0;
    bool points_ = true, handoff_driver_ = true;
    // Written by the run.
    std::vector<std::uint64_t> sums_;
    std::vector<std::vector<std::uint64_t>> latencies_;  // per probe, per message received
    std::uint64_t rounds_ = 0, hogs_ns_ = 0;
    bool ran_ = false;
};

}  // namespace schedlab::workloads
