// Work and span of a dependency DAG from measured task durations (Cilk's T1 and T-infinity):
// work = the sum of every task's duration, span = the longest path through the DAG weighted by
// the durations, parallelism = work / span. A run with measuring on records each task's
// duration (two steady-clock reads around the task's body; the bookkeeping of releasing its
// successors is not included); a run with measuring off reads no clock at all.
//
// This is for static DAGs (dag.hpp). Fork-join programs have their own tracker.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class Dag;

inline std::uint64_t dag_clock_ns() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

// One duration per node, each written only by the task that runs the node.
class DagTimes {
public:
    void reset(std::uint32_t nodes) { duration_ns_.assign(nodes, 0); }
    void record(std::uint32_t v, std::uint64_t ns) { duration_ns_[v] = ns; }
    std::span<const std::uint64_t> durations() const { return duration_ns_; }

private:
    std::vector<std::uint64_t> duration_ns_;
};

struct WorkSpan {
    std::uint64_t work_ns = 0;
    std::uint64_t span_ns = 0;
    double parallelism() const {
        return span_ns ? static_cast<double>(work_ns) / static_cast<double>(span_ns) : 0.0;
    }
};

// Work and span of `dag` with node v taking duration_ns[v]. One forward pass (nodes are in
// topological order): O(nodes + edges).
WorkSpan work_and_span(const Dag& dag, std::span<const std::uint64_t> duration_ns);

// The extra columns work_ns, span_ns, parallelism: values when measured, empty otherwise, so
// a workload's columns are the same whether or not it measured.
void append_work_span(Result& r, const std::optional<WorkSpan>& ws);

}  // namespace schedlab::workloads
