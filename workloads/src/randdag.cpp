#include "schedlab/workloads/randdag.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace schedlab::workloads {

namespace {

constexpr std::array<ParamSpec, 8> kSpecs{{
    {"width", "64", "nodes per layer"},
    {"depth", "64", "number of layers"},
    {"fanin", "3", "predecessors of each node below the first layer (<= width)"},
    {"grain", "10000", "mean work per node (see grain_unit)"},
    {"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
    {"grain_dist", "exponential", "fixed, uniform (0..2*mean) or exponential"},
    {"seed", "1", "seed of the graph and the grains"},
    {"measure", "0", "1: measure each node and report work_ns, span_ns, parallelism"},
}};

// A layered graph is at most this many nodes (node ids are 32-bit, and the serial check and
// the pending counters must fit comfortably in memory).
constexpr std::int64_t kMaxNodes = std::int64_t{1} << 24;

// k distinct numbers below n (Floyd's sampling: k draws, no rejection loop), sorted.
std::vector<std::uint32_t> sample_distinct(SplitMix& rng, std::uint32_t n, std::uint32_t k) {
    std::vector<std::uint32_t> out;
    out.reserve(k);
    for (std::uint32_t j = n - k; j < n; ++j) {
        const auto t = static_cast<std::uint32_t>(rng.below(std::uint64_t{j} + 1));
        out.push_back(std::find(out.begin(), out.end(), t) == out.end() ? t : j);
    }
    std::sort(out.begin(), out.end());
    return out;
}

struct Shape {
    std::uint32_t width, depth, fanin;
};

Dag layered_dag(const Shape& s, SplitMix& rng) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    edges.reserve(std::size_t{s.width} * (s.depth - 1) * s.fanin);
    for (std::uint32_t layer = 1; layer < s.depth; ++layer)
        for (std::uint32_t i = 0; i < s.width; ++i) {
            const std::uint32_t v = layer * s.width + i;
            for (const std::uint32_t p : sample_distinct(rng, s.width, s.fanin))
                edges.emplace_back((layer - 1) * s.width + p, v);
        }
    return Dag(s.width * s.depth, std::move(edges));
}

}  // namespace

std::span<const ParamSpec> RandDag::params() { return kSpecs; }

RandDag::RandDag(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    Shape s{};
    s.width = static_cast<std::uint32_t>(p.get_int("width", 1, 1 << 20));
    s.depth = static_cast<std::uint32_t>(p.get_int("depth", 1, 1 << 20));
    s.fanin = static_cast<std::uint32_t>(p.get_int("fanin", 1, 64));
    const std::int64_t nodes = std::int64_t{s.width} * s.depth;
    if (nodes > kMaxNodes)
        throw ParamError("randdag: width*depth = " + std::to_string(nodes) + " nodes is more than " +
                         std::to_string(kMaxNodes));
    if (s.depth > 1 && s.fanin > s.width)
        throw ParamError("randdag: fanin=" + std::to_string(s.fanin) + " is more than width=" +
                         std::to_string(s.width));
    const Grain grain = read_grain(p, true);
    seed_ = static_cast<std::uint64_t>(p.get_int("seed", 0, INT64_MAX));
    measure_ = p.get_bool("measure");

    SplitMix rng(seed_);
    dag_ = layered_dag(s, rng);
    iters_.resize(dag_.size());
    for (auto& it : iters_) it = grain.draw(rng);
    expected_.resize(dag_.size());
    for (std::uint32_t v = 0; v < dag_.size(); ++v) expected_[v] = node_value(v, expected_.data());
    values_.assign(dag_.size(), 0);
    state_ = DagRunState(dag_);
}

Result RandDag::check() const {
    Result r;
    r.tasks = ran_ ? dag_.size() : 0;
    if (!ran_) {
        r.detail = "not run";
    } else {
        std::size_t wrong = 0;
        for (std::uint32_t v = 0; v < dag_.size(); ++v) wrong += values_[v] != expected_[v];
        r.ok = wrong == 0;
        r.detail = r.ok ? std::to_string(dag_.size()) + " node values match the serial evaluation"
                        : std::to_string(wrong) + " of " + std::to_string(dag_.size()) +
                              " node values differ from the serial evaluation";
    }
    r.extra.emplace_back("nodes", std::to_string(dag_.size()));
    r.extra.emplace_back("edges", std::to_string(dag_.edges()));
    std::optional<WorkSpan> ws;
    if (ran_ && measure_) ws = work_and_span(dag_, times_.durations());
    append_work_span(r, ws);
    return r;
}

}  // namespace schedlab::workloads
