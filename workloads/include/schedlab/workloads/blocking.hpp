// blocking: Gs that make blocking calls beside Gs that compute, the case Go's hand-off of a P
// in a system call (entersyscall / sysmon's retake / handoffp) exists for. `blockers` Gs each
// make `calls` calls that block their OS thread: a real nanosleep (call=sleep) or a read of a
// pipe that a helper thread writes to after the delay (call=pipe; one helper thread and pipe
// pair per blocker). Each call's delay is drawn from a seeded distribution (block_us: the mean;
// dist: fixed, uniform on [0, 2*mean], exp). Beside them, `computers` Gs do fixed chunks of
// spin work (grain), yielding after each chunk, until the last blocker is done.
//
// mode says how a call is made: blocking wraps it in R::blocking (the P stays in the Syscall
// state and sysmon hands it to another M after a tick), handoff in R::blocking_handoff (the P
// is handed off at entry), plain makes the bare call (the M keeps its P and both stall: the
// case without hand-off).
//
// extra: chunks_per_s (the computers' chunks per second of the phase's wall time: from the
// first go to the last blocker's end), chunks, calls, and the mean, p50 and p99 of each call's
// duration as its G saw it (from before the call to the G running again after it, so a wait
// for a P counts). ok when every call returned its expected value and every chunk's hash is in
// the computers' sum. Needs schedlab's blocking-call API (needs_blocking): no in-process peer
// runs it; the Go peer does (where every call hands off).
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

namespace blocking_detail {

// nanosleep for ns (again with the remainder after a signal): 0, or -1 on an error.
std::int64_t sleep_ns(std::uint64_t ns);

// Per blocker, a pipe pair and a helper thread: call(b) asks b's helper for the next reply
// (one byte on the request pipe) and reads the reply, which the helper writes after that
// call's delay. Started before the timed phase; the destructor joins the helpers.
class Responders {
public:
    // delays_ns[b * calls + i]: the delay of blocker b's i-th call.
    Responders(std::span<const std::uint64_t> delays_ns, std::uint64_t blockers, std::uint64_t calls);
    ~Responders();
    Responders(const Responders&) = delete;
    Responders& operator=(const Responders&) = delete;
    // The reply's byte value (0..255), or -1 on an error.
    std::int64_t call(std::uint64_t b);

private:
    struct Helper;
    std::vector<std::unique_ptr<Helper>> helpers_;
};

}  // namespace blocking_detail

class Blocking {
public:
    static constexpr const char* name = "blocking";
    static constexpr const char* summary =
        "Gs in blocking calls (nanosleep or a pipe read) beside compute Gs; compute throughput, call times";
    static constexpr bool needs_channels = false;  // go + WaitGroup + yield
    static constexpr bool needs_waitgroup = true;
    static constexpr bool needs_blocking = true;  // R::blocking, R::blocking_handoff
    static std::span<const ParamSpec> params();

    explicit Blocking(const Params& given);

    enum class Mode { Blocking, Handoff, Plain };
    enum class Call { Sleep, Pipe };

    template <class R>
    void run() {
        using Clock = std::chrono::steady_clock;
        std::unique_ptr<blocking_detail::Responders> responders;
        if (call_ == Call::Pipe)
            responders = std::make_unique<blocking_detail::Responders>(delays_, blockers_, calls_);
        std::atomic<bool> stop{false};
        typename R::WaitGroup blockers_wg, computers_wg;
        blockers_wg.add(static_cast<std::int64_t>(blockers_));
        computers_wg.add(static_cast<std::int64_t>(computers_));
        const Clock::time_point t0 = Clock::now();
        std::uint64_t* chunks = chunks_.data();
        std::uint64_t* sums = sums_.data();
        const std::uint64_t iters = iters_;
        for (std::uint64_t c = 0; c < computers_; ++c)
            R::go([chunks, sums, &stop, &computers_wg, c, iters] {
                std::uint64_t k = 0, sum = 0;
                while (!stop.load(std::memory_order_acquire)) {
                    sum += chunk_value(c, k++, iters);
                    R::yield();
                }
                chunks[c] = k;
                sums[c] = sum;
                computers_wg.done();
            });
        for (std::uint64_t b = 0; b < blockers_; ++b)
            R::go([this, b, &blockers_wg, r = responders.get()] {
                for (std::uint64_t i = 0; i < calls_; ++i) {
                    const std::uint64_t at = b * calls_ + i;
                    const std::uint64_t delay = delays_[at];
                    auto bare = [r, b, delay]() -> std::int64_t {
                        return r ? r->call(b) : blocking_detail::sleep_ns(delay);
                    };
                    const Clock::time_point s = Clock::now();
                    std::int64_t got;
                    switch (mode_) {
                        case Mode::Blocking:
                            got = R::blocking(bare);
                            break;
                        case Mode::Handoff:
                            got = R::blocking_handoff(bare);
                            break;
                        default:
                            got = bare();
                            break;
                    }
                    took_[at] = static_cast<std::uint64_t>(
                        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - s).count());
                    got_[at] = got;
                }
                blockers_wg.done();
            });
        blockers_wg.wait();
        phase_ns_ = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
        stop.store(true, std::memory_order_release);
        computers_wg.wait();
        ran_ = true;
    }

    Result check() const;

    // The hash of computer c's k-th chunk.
    static std::uint64_t chunk_value(std::uint64_t c, std::uint64_t k, std::uint64_t iters) {
        return spin(mix64((c << 40) ^ k), iters);
    }
    // What call `at` (blocker b's i-th: b * calls + i) must return: 0 for a sleep, the byte
    // the helper writes for a pipe read.
    std::int64_t expected_return(std::uint64_t at) const {
        return call_ == Call::Pipe ? static_cast<std::int64_t>(at & 0xff) : 0;
    }
    // The drawn delays, in ns (blocker b's i-th call at b * calls + i).
    const std::vector<std::uint64_t>& delays_ns() const { return delays_; }

private:
    std::uint64_t blockers_ = 0, calls_ = 0, computers_ = 0, iters_ = 0;
    Mode mode_ = Mode::Blocking;
    Call call_ = Call::Sleep;
    std::vector<std::uint64_t> delays_;
    // Written by the run: per call its duration and return; per computer its chunks and sum.
    std::vector<std::uint64_t> took_;
    std::vector<std::int64_t> got_;
    std::vector<std::uint64_t> chunks_, sums_;
    std::uint64_t phase_ns_ = 0;
    bool ran_ = false;
};

}  // namespace schedlab::workloads
