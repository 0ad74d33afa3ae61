// parked: n Gs blocked at once. Each G says it has started and blocks receiving from one
// shared unbuffered channel; once all have started, the spawner reads the process's resident
// memory (/proc/self/statm), closes the channel (every receive returns "closed") and waits for
// them all. extra: rss_per_task_bytes = (resident with n Gs blocked - resident before) / n,
// the memory a blocked G costs (its stack pages and its descriptor; the runtime issue's
// "parked Gs memory" shape). A runtime that keeps freed memory from an earlier repetition
// shows less growth on later ones: read the first repetition, or run with warm-up 0.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class Parked {
public:
    static constexpr const char* name = "parked";
    static constexpr const char* summary = "n Gs blocked on a channel at once; resident memory per blocked G";
    static constexpr bool needs_channels = true;
    static constexpr bool needs_waitgroup = true;  // R::go + R::WaitGroup
    static std::span<const ParamSpec> params();

    explicit Parked(const Params& given);

    template <class R>
    void run() {
        using Chan = typename R::template Chan<int>;
        Chan gate(0);
        typename R::WaitGroup started, finished;
        started.add(static_cast<std::int64_t>(n_));
        finished.add(static_cast<std::int64_t>(n_));
        woken_ = 0;
        std::fill(closed_seen_.begin(), closed_seen_.end(), std::uint8_t{0});
        std::uint8_t* seen = closed_seen_.data();
        rss_before_ = resident_bytes();
        for (std::uint64_t i = 0; i < n_; ++i)
            R::go([seen, i, &gate, &started, &finished] {
                started.done();
                int v = 0;
                if (!gate.recv(v)) seen[i] = 1;
                finished.done();  // the last thing: after finished.wait() no G touches the frame
            });
        started.wait();
        rss_blocked_ = resident_bytes();
        gate.close();
        finished.wait();
        for (auto c : closed_seen_) woken_ += c;
        spawned_ = n_;
    }

    Result check() const;

private:
    static std::int64_t resident_bytes();  // -1 when /proc/self/statm cannot be read

    std::uint64_t n_ = 0, spawned_ = 0, woken_ = 0;
    std::int64_t rss_before_ = -1, rss_blocked_ = -1;
    std::vector<std::uint8_t> closed_seen_;  // one byte per G: 1 once its receive saw the close
};

}  // namespace schedlab::workloads
