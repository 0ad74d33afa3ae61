// fanout: `waves` rounds of fan-out and fan-in. In each round the calling G starts n Gs, each
// spinning for `grain` and writing a hash of (round, index) into its slot, and waits for them
// on a WaitGroup; it then sums the slots. The total is checked against the same sum computed
// serially when the workload is built.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/grain.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class FanOut {
public:
    static constexpr const char* name = "fanout";
    static constexpr const char* summary = "waves of n Gs with a WaitGroup, each doing a grain of work";
    static constexpr bool needs_channels = false;  // go + WaitGroup only
    static constexpr bool needs_waitgroup = true;  // R::go + R::WaitGroup
    static std::span<const ParamSpec> params();

    explicit FanOut(const Params& given);

    template <class R>
    void run() {
        std::uint64_t total = 0;
        std::uint64_t* slots = slots_.data();
        const std::uint64_t iters = iters_;
        for (std::uint64_t w = 0; w < waves_; ++w) {
            typename R::WaitGroup wg;
            wg.add(static_cast<std::int64_t>(n_));
            for (std::uint64_t i = 0; i < n_; ++i)
                R::go([slots, &wg, w, i, iters, n = n_] {
                    slots[i] = task_value(w * n + i, iters);
                    wg.done();
                });
            wg.wait();
            for (std::uint64_t i = 0; i < n_; ++i) total += slots[i];
        }
        total_ = total;
        spawned_ = waves_ * n_;
    }

    Result check() const;
    std::uint64_t waves() const { return waves_; }
    std::uint64_t gs_per_wave() const { return n_; }
    std::uint64_t grain_iters() const { return iters_; }  // spin-kernel iterations per G

    static std::uint64_t task_value(std::uint64_t index, std::uint64_t iters) { return spin(mix64(index), iters); }

private:
    std::uint64_t waves_ = 0, n_ = 0, iters_ = 0;
    std::uint64_t expected_ = 0;  // serial sum (wrapping), computed at build time
    std::uint64_t total_ = 0, spawned_ = 0;
    std::vector<std::uint64_t> slots_;
};

}  // namespace schedlab::workloads
