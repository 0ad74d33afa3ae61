// pipeline: producer -> `workers` workers -> collector over two channels of capacity `cap`.
// The producer sends 1..messages and closes the first channel; each worker receives until it
// is closed and drained, spins for `grain` and sends a hash of the message on; when every
// worker has finished, a closer G closes the second channel; the collector (the calling G)
// counts and sums what arrives. Checked: count and (wrapping) sum equal the serial ones.
//
// Unbuffered (cap=0) every message is a hand-off that parks one side; the claim to test
// (REFERENCE.md C7) is that a buffer of 1-2 gives up to 10x the throughput.
#pragma once

#include <cstdint>
#include <span>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/grain.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class Pipeline {
public:
    static constexpr const char* name = "pipeline";
    static constexpr const char* summary = "producer -> K workers -> collector over channels of capacity cap";
    static constexpr bool needs_channels = true;
    static constexpr bool needs_waitgroup = true;  // R::go + R::WaitGroup
    static std::span<const ParamSpec> params();

    explicit Pipeline(const Params& given);

    template <class R>
    void run() {
        typename R::template Chan<std::uint64_t> in(cap_), out(cap_);
        typename R::WaitGroup workers;
        const std::uint64_t messages = messages_, iters = iters_;
        R::go([&in, messages] {
            for (std::uint64_t m = 1; m <= messages; ++m) in.send(m);
            in.close();
        });
        workers.add(static_cast<std::int64_t>(workers_));
        for (std::uint64_t w = 0; w < workers_; ++w)
            R::go([&in, &out, &workers, iters] {
                std::uint64_t m = 0;
                while (in.recv(m)) out.send(message_value(m, iters));
                workers.done();
            });
        R::go([&out, &workers] {
            workers.wait();
            out.close();
        });
        std::uint64_t count = 0, sum = 0, v = 0;
        while (out.recv(v)) {
            ++count;
            sum += v;
        }
        // The closer closed `out` after the workers finished, and the producer closed `in`
        // before they could: every G has made its last access to the channels.
        count_ = count;
        sum_ = sum;
        spawned_ = workers_ + 2;
    }

    Result check() const;

    static std::uint64_t message_value(std::uint64_t m, std::uint64_t iters) { return spin(mix64(m), iters); }

private:
    std::uint64_t messages_ = 0, workers_ = 0, cap_ = 0, iters_ = 0;
    std::uint64_t expected_sum_ = 0;
    std::uint64_t count_ = 0, sum_ = 0, spawned_ = 0;
};

}  // namespace schedlab::workloads
