// spawnwait: `go f(); <-done`, n times in a row from one G. Each round spawns a G that sends its
// index on an unbuffered channel, and the spawner receives it before spawning the next: the
// cost of one spawn, two switches and one exit, with nothing to steal (the runtime issue's
// "spawn-then-wait" shape). wall_ns / tasks is the time per round. ok when every index came
// back once, in order.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class SpawnWait {
public:
    static constexpr const char* name = "spawnwait";
    static constexpr const char* summary = "go f(); <-done, n times in a row (spawn + 2 switches + exit per round)";
    static constexpr bool needs_channels = true;
    static std::span<const ParamSpec> params();

    explicit SpawnWait(const Params& given);

    template <class R>
    void run() {
        using Chan = typename R::template Chan<std::uint64_t>;
        // The channel outlives run(): a G's send may still be returning when the last receive
        // has (a peer's rendezvous channel relocks its mutex on the way out), and every peer's
        // run waits for all its tasks before it returns.
        auto done = std::make_shared<Chan>(0);
        keep_ = done;
        Chan& ch = *done;
        rounds_ = out_of_order_ = 0;
        for (std::uint64_t i = 0; i < n_; ++i) {
            R::go([&ch, i] { ch.send(i); });
            out_of_order_ += ch.recv() != i;
            ++rounds_;
        }
    }

    Result check() const;
    std::uint64_t rounds() const { return n_; }  // n, as given

private:
    std::uint64_t n_ = 0;
    std::uint64_t rounds_ = 0, out_of_order_ = 0;
    std::shared_ptr<void> keep_;
};

}  // namespace schedlab::workloads
