// starve: a local producer against Gs waiting in the global queue, the case the global-queue
// check (Go: every 61st scheduler tick) exists for. The calling G first starts `victims`
// trivial Gs in one burst: on one P its 256-slot ring overflows and most of them move to the
// global queue. It then runs `rounds` rounds of fork-join on its own P: start `children` Gs,
// each spinning for `grain`, and wait for them on a WaitGroup. While the rounds go on, the P
// always has local work (the children, then the producer again), so a victim in the global
// queue runs only when the scheduler looks there first: every N-th tick under
// GlobalCheckEvery<N>, never under GlobalCheckNever (only once the producer is done).
//
// Each victim records when it first ran; its wait is that minus the time of its own `go`.
// extra: victims, max_wait_ns, p50_wait_ns, p99_wait_ns, served_during (victims that ran
// before the producer's last round ended) and producer_ns (the rounds' time). ok when every
// victim ran once and every child's hash is in the checked sum.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/grain.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class Starve {
public:
    static constexpr const char* name = "starve";
    static constexpr const char* summary =
        "Gs left in the global queue while a local producer keeps its P busy; their longest wait";
    static constexpr bool needs_channels = false;  // go + WaitGroup only
    static constexpr bool needs_waitgroup = true;  // R::go + R::WaitGroup
    static std::span<const ParamSpec> params();

    explicit Starve(const Params& given);

    template <class R>
    void run() {
        using Clock = std::chrono::steady_clock;
        const Clock::time_point base = Clock::now();
        auto since = [base] {
            return static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - base).count());
        };
        std::fill(ran_.begin(), ran_.end(), kNotRun);  // cleared inside the timed part, as spawnstorm
        std::uint64_t* started = started_.data();
        std::uint64_t* ran = ran_.data();
        typename R::WaitGroup victims;
        victims.add(static_cast<std::int64_t>(victims_));
        for (std::uint64_t i = 0; i < victims_; ++i) {
            started[i] = since();
            R::go([started, ran, &victims, &since, i] {
                ran[i] = since();
                victims.done();
            });
        }
        std::uint64_t* slots = slots_.data();
        const std::uint64_t iters = iters_, n = children_;
        std::uint64_t total = 0;
        const std::uint64_t rounds_from = since();
        for (std::uint64_t r = 0; r < rounds_; ++r) {
            typename R::WaitGroup wg;
            wg.add(static_cast<std::int64_t>(n));
            for (std::uint64_t i = 0; i < n; ++i)
                R::go([slots, &wg, r, i, iters, n] {
                    slots[i] = task_value(r * n + i, iters);
                    wg.done();
                });
            wg.wait();
            for (std::uint64_t i = 0; i < n; ++i) total += slots[i];
        }
        rounds_end_ = since();
        producer_ns_ = rounds_end_ - rounds_from;
        victims.wait();
        total_ = total;
        spawned_ = victims_ + rounds_ * children_;
    }

    Result check() const;

    static std::uint64_t task_value(std::uint64_t index, std::uint64_t iters) { return spin(mix64(index), iters); }

private:
    static constexpr std::uint64_t kNotRun = ~std::uint64_t{0};  // a victim that has not run
    std::uint64_t victims_ = 0, rounds_ = 0, children_ = 0, iters_ = 0;
    std::uint64_t expected_ = 0;  // serial sum of the children's hashes (wrapping), built once
    std::uint64_t total_ = 0, spawned_ = 0, rounds_end_ = 0, producer_ns_ = 0;
    std::vector<std::uint64_t> started_, ran_;  // per victim: its go, its first run (ns from base)
    std::vector<std::uint64_t> slots_;
};

}  // namespace schedlab::workloads
