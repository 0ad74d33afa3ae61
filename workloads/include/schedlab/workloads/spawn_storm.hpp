// spawnstorm: one G spawns n trivial Gs and waits for them all. With n far above a P's
// 256-slot ring, the spawning P overflows half its ring to the global queue again and again,
// and idle Ps steal or pull from there: this measures spawn cost and the overflow path.
// Each G marks its own slot; the check counts the marks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class SpawnStorm {
public:
    static constexpr const char* name = "spawnstorm";
    static constexpr const char* summary = "one G spawns n trivial Gs, then waits (spawn cost, overflow)";
    static constexpr bool needs_channels = false;
    static std::span<const ParamSpec> params();

    explicit SpawnStorm(const Params& given);

    template <class R>
    void run() {
        std::fill(ran_.begin(), ran_.end(), std::uint8_t{0});
        typename R::Group g;
        std::uint8_t* slots = ran_.data();
        for (std::uint64_t i = 0; i < n_; ++i) g.spawn([slots, i] { slots[i] = 1; });
        g.wait();
        spawned_ = n_;
    }

    Result check() const;

private:
    std::uint64_t n_ = 0;
    std::uint64_t spawned_ = 0;
    std::vector<std::uint8_t> ran_;  // one byte per G: 1 once it ran
};

}  // namespace schedlab::workloads
