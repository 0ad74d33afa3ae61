// add_bundle<B>: the sessions of one bundle for every workload. Included only by the
// generated per-bundle translation units.
#pragma once

#include <chrono>
#include <stdexcept>
#include <tuple>

#include "schedlab/harness/registry.hpp"
#include "schedlab/harness/results_file.hpp"
#include "schedlab/runtime/schedlab.hpp"
#include "schedlab/workloads/all.hpp"
#include "schedlab/workloads/work_span.hpp"

namespace schedlab::harness {

template <class W, class Tuple>
inline constexpr bool in_tuple = false;
template <class W, class... Ts>
inline constexpr bool in_tuple<W, std::tuple<Ts...>> = (std::is_same_v<W, Ts> || ...);

template <class B, class W>
class SchedlabSession final : public Session {
public:
    using R = rt::Runtime<B>;
    explicit SchedlabSession(const RunSpec& spec) : rt_(options_of(spec)) {}

    RepOutcome run(const workloads::Params& params) override {
        W w(params);
        std::chrono::steady_clock::time_point t0, t1;
        rt_.run([&] {
            t0 = std::chrono::steady_clock::now();
            w.template run<R>();
            t1 = std::chrono::steady_clock::now();
        });
        RepOutcome out;
        out.wall_ns = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        out.result = w.check();
        out.stats = rt_.stats();
        // Cilk's S_P: the peak of live stacks (StackPool::high_water; within 64 per P).
        out.result.extra.emplace_back("peak_stacks", std::to_string(rt_.stack_pool().high_water()));
        // Blocking calls (Runtime::blocking), only where a workload makes them.
        if (out.stats.syscalls) {
            out.result.extra.emplace_back("syscalls", std::to_string(out.stats.syscalls));
            out.result.extra.emplace_back("handoffs", std::to_string(out.stats.handoffs));
            out.result.extra.emplace_back("retakes", std::to_string(out.stats.retakes));
        }
        // sysmon's preemption requests and the yields they caused, only where there were any.
        if (out.stats.preempt_requests) {
            out.result.extra.emplace_back("preempt_requests", std::to_string(out.stats.preempt_requests));
            out.result.extra.emplace_back("preemptions", std::to_string(out.stats.preemptions));
        }
        // Timers (sleep_for, after): set, fired, fired over 1 ms late, lateness sum and max.
        if (out.stats.timers_set) {
            out.result.extra.emplace_back("timers_set", std::to_string(out.stats.timers_set));
            out.result.extra.emplace_back("timers_fired", std::to_string(out.stats.timers_fired));
            out.result.extra.emplace_back("timers_late", std::to_string(out.stats.timers_late));
            out.result.extra.emplace_back("timer_late_ns", std::to_string(out.stats.timer_late_ns));
            out.result.extra.emplace_back("timer_late_max_ns", std::to_string(out.stats.timer_late_max_ns));
        }
        return out;
    }
    std::string placement_json() const override { return rt_.placement().to_json(); }

    static constexpr bool kByWrapper = in_tuple<W, workloads::MeasuredByWrapper>;
    static constexpr bool kByParam = in_tuple<W, workloads::MeasuredByParam>;
    bool can_measure_work_span() const override { return kByWrapper || kByParam; }

    RepOutcome run_work_span(const workloads::Params& params) override {
        if (!one_p_) {
            rt::Options o = rt_.options();
            o.procs = 1;
            o.pin = "none";
            one_p_ = std::make_unique<R>(o);
        }
        RepOutcome out;
        if constexpr (kByWrapper || kByParam) {
            workloads::Params p = params;
            if constexpr (kByParam) p.set("measure", "1");
            W w(p);
            const auto t0 = std::chrono::steady_clock::now();
            one_p_->run([&] {
                if constexpr (kByWrapper)
                    w.template run<workloads::work_span::Measured<R>>();
                else
                    w.template run<R>();
            });
            out.wall_ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                         std::chrono::steady_clock::now() - t0)
                                                         .count());
            out.result = w.check();
            out.stats = one_p_->stats();
        }
        return out;
    }

private:
    static rt::Options options_of(const RunSpec& spec) {
        rt::Options o;
        o.procs = spec.procs;
        o.seed = spec.seed;
        o.topology = spec.topology;
        o.pin = spec.pin;
        o.remote_steal_ns = spec.remote_steal_ns;
        o.max_memory = spec.max_memory;
        o.schedtrace_ms = spec.schedtrace_ms;
        o.scheddetail = spec.scheddetail;
        return o;
    }
    R rt_;
    std::unique_ptr<R> one_p_;  // for the instrumented repetition
};

template <class B, class W>
std::unique_ptr<Session> make_session(const RunSpec& spec) {
    try {
        return std::make_unique<SchedlabSession<B, W>>(spec);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
}

template <class B>
void add_bundle(Registry& r) {
    using P = B;
    r.policies.push_back({P::name, P::steal::name, P::global_check::name, P::spin_cap::name,
                          P::runnext::enabled ? "on" : "off", P::victim::name,
                          P::local_order::name, P::join::name});
    const std::size_t pi = r.policies.size() - 1;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using W = std::tuple_element_t<I, workloads::AllWorkloads>;
                const std::size_t wi = r.workload_index(W::name);
                auto& info = r.workloads[wi];
                info.summary = W::summary;
                info.needs_channels = W::needs_channels;
                info.params.assign(W::params().begin(), W::params().end());
                info.validate = [](const workloads::Params& p) { W w(p); };
                info.recorded = &workloads::recorded_params<W>;
                r.factories[{pi, wi}] = &make_session<B, W>;
            }(),
            ...);
    }(std::make_index_sequence<std::tuple_size_v<workloads::AllWorkloads>>{});
}

}  // namespace schedlab::harness
