// add_peer<P>: the sessions of one peer adapter (peers/) for every workload it supports.
// Included only by the translation units under harness/src/peers/, one per adapter (each
// includes its adapter's header first), so that oneTBB, OpenMP and Boost.Fiber headers are
// each compiled once.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>

#include "schedlab/harness/registry.hpp"
#include "schedlab/harness/results_file.hpp"
#include "schedlab/peers/traits.hpp"
#include "schedlab/workloads/all.hpp"

namespace schedlab::harness {

// One peer x workload: the peer's run is started per repetition (the peers keep no pool
// across runs, except what the library keeps itself: oneTBB's arena, OpenMP's team).
template <class P, class W>
class PeerSession final : public Session {
public:
    explicit PeerSession(const RunSpec& spec) : procs_(spec.procs) {}

    RepOutcome run(const workloads::Params& params) override {
        W w(params);
        std::chrono::steady_clock::time_point t0, t1;
        P::run(procs_, [&] {
            t0 = std::chrono::steady_clock::now();
            w.template run<P>();
            t1 = std::chrono::steady_clock::now();
        });
        RepOutcome out;
        out.wall_ns = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        out.result = w.check();
        out.has_counters = false;
        return out;
    }
    bool can_measure_work_span() const override { return false; }
    RepOutcome run_work_span(const workloads::Params&) override {
        throw std::logic_error("work and span are measured on schedlab's runtime only");
    }
    std::string placement_json() const override {
        return std::string("{\"runtime\":\"") + P::name + "\",\"procs\":" + std::to_string(procs_) +
               ",\"procs_used\":" + (P::uses_procs ? "true" : "false") + ",\"pinning\":\"none\"}";
    }

private:
    int procs_;
};

template <class P, class W>
std::unique_ptr<Session> make_peer_session(const RunSpec& spec) {
    return std::make_unique<PeerSession<P, W>>(spec);
}

template <class P>
void add_peer(Registry& r) {
    RuntimeInfo info;
    info.name = P::name;
    info.summary = P::summary;
    info.max_procs = peers::max_procs<P>;
    info.uses_procs = P::uses_procs;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using W = std::tuple_element_t<I, workloads::AllWorkloads>;
                const std::size_t wi = r.workload_index(W::name);
                if constexpr (peers::supports<P, W>)
                    info.factories[wi] = &make_peer_session<P, W>;
                else
                    info.unsupported[wi] = peers::needs_timers<W> ? "needs schedlab's timers (sleep_for, after)"
                                           : peers::needs_blocking<W> && !peers::has_blocking<P>
                                               ? "needs schedlab's blocking calls and preemption points"
                                           : W::needs_channels && !P::has_channels ? "needs channels"
                                                                                   : "needs a WaitGroup";
            }(),
            ...);
    }(std::make_index_sequence<std::tuple_size_v<workloads::AllWorkloads>>{});
    r.runtimes.push_back(std::move(info));
}

}  // namespace schedlab::harness
