// randdag: a seeded random layered DAG. `depth` layers of `width` nodes; every node below the
// first layer has `fanin` distinct predecessors drawn uniformly from the layer above. A node
// hashes its index with its inputs' values (in predecessor order), spins for its drawn grain
// and outputs the result; the run's values are checked against a serial evaluation made when
// the workload is built. Nodes start when their last predecessor finishes (dag.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/dag.hpp"
#include "schedlab/workloads/dag_span.hpp"
#include "schedlab/workloads/grain.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class RandDag {
public:
    static constexpr const char* name = "randdag";
    static constexpr const char* summary =
        "random layered dependency DAG (width x depth, fan-in), hashed values checked serially";
    static constexpr bool needs_channels = false;
    static std::span<const ParamSpec> params();

    explicit RandDag(const Params& given);

    template <class R>
    void run() {
        auto body = [this](std::uint32_t v) { values_[v] = node_value(v, values_.data()); };
        state_.run<R>(dag_, body, measure_ ? &times_ : nullptr);
        ran_ = true;
    }

    Result check() const;

    const Dag& dag() const { return dag_; }
    // Each node's grain in spin iterations (drawn when the workload is built): what the
    // simulator charges for the node (`schedlab sim` builds its task graph from these).
    const std::vector<std::uint64_t>& grain_iters() const { return iters_; }

private:
    // The value of node v from its inputs' values in `vals`.
    std::uint64_t node_value(std::uint32_t v, const std::uint64_t* vals) const {
        std::uint64_t h = mix64(seed_ ^ (std::uint64_t{v} << 20));
        for (const std::uint32_t p : dag_.preds(v)) h = mix64(h ^ vals[p]);
        return spin(h, iters_[v]);
    }

    std::uint64_t seed_ = 0;
    bool measure_ = false;
    Dag dag_;
    std::vector<std::uint64_t> iters_;     // grain of each node, drawn at build time
    std::vector<std::uint64_t> expected_;  // serial evaluation
    std::vector<std::uint64_t> values_;    // written by the run
    DagRunState state_;
    DagTimes times_;
    bool ran_ = false;
};

}  // namespace schedlab::workloads
