// pingpong: `pairs` pairs of Gs; in each, the pinger sends 0..messages-1 on one channel and
// waits for each to come back on another; the ponger receives and returns each. Both channels
// have capacity `cap`. Every `sample_every`-th round trip is timed with the steady clock, and
// the samples of all pairs give the percentiles p50_ns and p99_ns (nearest rank on the sorted
// sample) and max_ns. A sample includes one steady-clock read (tens of ns). ok when every
// message arrived, in order, on both sides.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class PingPong {
public:
    static constexpr const char* name = "pingpong";
    static constexpr const char* summary = "pairs of Gs bouncing messages over channels; round-trip percentiles";
    static constexpr bool needs_channels = true;
    static constexpr bool needs_waitgroup = true;  // R::go + R::WaitGroup
    static std::span<const ParamSpec> params();

    explicit PingPong(const Params& given);

    template <class R>
    void run() {
        using Chan = typename R::template Chan<std::int64_t>;
        std::vector<std::unique_ptr<Chan>> chans;
        chans.reserve(2 * pairs_);
        typename R::WaitGroup wg;
        wg.add(static_cast<std::int64_t>(2 * pairs_));
        for (std::uint64_t p = 0; p < pairs_; ++p) {
            PairState& st = state_[p];
            st.samples.clear();
            st.samples.reserve(samples_per_pair_);
            st.pinger_errors = st.ponger_errors = st.received = 0;
            Chan& ping = *chans.emplace_back(std::make_unique<Chan>(cap_));
            Chan& pong = *chans.emplace_back(std::make_unique<Chan>(cap_));
            R::go([this, &st, &ping, &pong, &wg] {
                pinger(st, ping, pong);
                wg.done();
            });
            R::go([this, &st, &ping, &pong, &wg] {
                ponger(st, ping, pong, messages_);
                wg.done();
            });
        }
        // Each G's last action is its done(): after wait, no G touches the channels again.
        wg.wait();
        spawned_ = 2 * pairs_;
    }

    Result check() const;

    // The parameters as given (the simulator builds its graph from them).
    std::uint64_t pairs() const { return pairs_; }
    std::uint64_t messages() const { return messages_; }
    std::uint64_t cap() const { return cap_; }
    std::uint64_t sample_every() const { return sample_every_; }

private:
    // What one pair leaves behind, written only by its two Gs (samples and pinger_errors by
    // the pinger, the rest by the ponger) and read after the run.
    struct PairState {
        std::vector<std::uint64_t> samples;
        std::uint64_t pinger_errors = 0, ponger_errors = 0, received = 0;
    };

    template <class Chan>
    void pinger(PairState& st, Chan& ping, Chan& pong) const {
        using Clock = std::chrono::steady_clock;
        const auto n = static_cast<std::int64_t>(messages_);
        std::uint64_t countdown = 1;  // time the first round trip, then every k-th
        for (std::int64_t i = 0; i < n; ++i) {
            if (--countdown != 0) {
                ping.send(i);
                st.pinger_errors += pong.recv() != i;
                continue;
            }
            countdown = sample_every_;
            const auto t0 = Clock::now();
            ping.send(i);
            const std::int64_t back = pong.recv();
            const auto t1 = Clock::now();
            st.samples.push_back(
                static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()));
            st.pinger_errors += back != i;
        }
    }

    template <class Chan>
    static void ponger(PairState& st, Chan& ping, Chan& pong, std::uint64_t messages) {
        for (std::uint64_t i = 0; i < messages; ++i) {
            const std::int64_t v = ping.recv();
            st.ponger_errors += v != static_cast<std::int64_t>(i);
            ++st.received;
            pong.send(v);
        }
    }

    std::uint64_t pairs_ = 0, messages_ = 0, cap_ = 0, sample_every_ = 0, samples_per_pair_ = 0;
    std::vector<PairState> state_;
    std::uint64_t spawned_ = 0;
};

}  // namespace schedlab::workloads
