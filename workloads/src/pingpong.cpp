#include "schedlab/workloads/pingpong.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace schedlab::workloads {

namespace {

constexpr std::array<ParamSpec, 4> kSpecs{{
    {"pairs", "1", "number of ping-pong pairs (2 Gs each)"},
    {"messages", "100000", "round trips per pair"},
    {"cap", "0", "capacity of both channels of a pair (0: unbuffered)"},
    {"sample_every", "16", "time every k-th round trip (1: every one)"},
}};

// At most this many samples are kept in memory (8 bytes each).
constexpr std::uint64_t kMaxSamples = std::uint64_t{1} << 26;

}  // namespace

std::span<const ParamSpec> PingPong::params() { return kSpecs; }

PingPong::PingPong(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    pairs_ = static_cast<std::uint64_t>(p.get_int("pairs", 1, 100'000));
    messages_ = static_cast<std::uint64_t>(p.get_int("messages", 1, 1'000'000'000));
    cap_ = static_cast<std::uint64_t>(p.get_int("cap", 0, 1 << 24));
    sample_every_ = static_cast<std::uint64_t>(p.get_int("sample_every", 1, 1'000'000'000));
    samples_per_pair_ = (messages_ + sample_every_ - 1) / sample_every_;
    if (samples_per_pair_ * pairs_ > kMaxSamples)
        throw ParamError("pingpong: pairs*messages/sample_every = " + std::to_string(samples_per_pair_ * pairs_) +
                         " samples is more than " + std::to_string(kMaxSamples) + "; raise sample_every");
    state_.resize(pairs_);
}

Result PingPong::check() const {
    Result r;
    r.tasks = spawned_;
    std::uint64_t errors = 0, received = 0;
    std::vector<std::uint64_t> all;
    all.reserve(samples_per_pair_ * pairs_);
    for (const auto& st : state_) {
        errors += st.pinger_errors + st.ponger_errors;
        received += st.received;
        all.insert(all.end(), st.samples.begin(), st.samples.end());
    }
    std::sort(all.begin(), all.end());
    r.ok = spawned_ != 0 && errors == 0 && received == pairs_ * messages_ &&
           all.size() == samples_per_pair_ * pairs_;
    r.detail = spawned_ == 0 ? "not run"
                             : std::to_string(received) + " of " + std::to_string(pairs_ * messages_) +
                                   " messages arrived, " + std::to_string(errors) + " out of order";
    const bool have = !all.empty();
    r.extra.emplace_back("round_trips", std::to_string(spawned_ ? pairs_ * messages_ : 0));
    r.extra.emplace_back("rtt_samples", std::to_string(all.size()));
    r.extra.emplace_back("p50_ns", have ? std::to_string(percentile(all, 0.50)) : "");
    r.extra.emplace_back("p99_ns", have ? std::to_string(percentile(all, 0.99)) : "");
    // The tail beyond p99 (a descheduled M, a pair split across Ps) shows only here.
    r.extra.emplace_back("max_ns", have ? std::to_string(all.back()) : "");
    return r;
}

}  // namespace schedlab::workloads
