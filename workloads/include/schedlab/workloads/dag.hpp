// A static dependency DAG and its execution on a task runtime, shared by the DAG workloads
// (cholesky, randdag).
//
// Execution is dataflow, not bulk-synchronous: every node has a counter of unfinished
// predecessors; a finishing node decrements its successors' counters and the one that takes a
// counter to zero spawns that successor as a new task. So a node starts as soon as its last
// input is ready, and exactly one task is spawned per node.
//
// Memory ordering: a node's outputs are plain writes. Each predecessor's decrement is a
// release and the RMWs on one counter form a release sequence, so the last decrement (an
// acquire) happens after every predecessor's writes; the spawn then hands them to the new task.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/dag_span.hpp"

namespace schedlab::workloads {

// Nodes 0..size()-1 numbered in a topological order: every edge goes from a lower number to a
// higher one (the builder checks it), so one forward pass visits predecessors first.
class Dag {
public:
    Dag() = default;
    // Edges (from, to) with from < to < nodes; duplicates are an error. Throws
    // std::invalid_argument on a bad edge.
    Dag(std::uint32_t nodes, std::vector<std::pair<std::uint32_t, std::uint32_t>> edges);

    std::uint32_t size() const { return static_cast<std::uint32_t>(npreds_.size()); }
    std::size_t edges() const { return succ_.size(); }
    std::span<const std::uint32_t> succs(std::uint32_t v) const {
        return {succ_.data() + succ_start_[v], succ_.data() + succ_start_[v + 1]};
    }
    std::span<const std::uint32_t> preds(std::uint32_t v) const {
        return {pred_.data() + pred_start_[v], pred_.data() + pred_start_[v + 1]};
    }
    std::uint32_t npreds(std::uint32_t v) const { return npreds_[v]; }
    const std::vector<std::uint32_t>& roots() const { return roots_; }

private:
    std::vector<std::uint32_t> succ_start_, succ_;  // successors, sorted per node
    std::vector<std::uint32_t> pred_start_, pred_;  // predecessors, sorted per node
    std::vector<std::uint32_t> npreds_;
    std::vector<std::uint32_t> roots_;
};

// The per-run state of a DAG execution, allocated once by the workload (untimed) and reset at
// the start of each run.
class DagRunState {
public:
    DagRunState() = default;
    explicit DagRunState(const Dag& dag)
        : nodes_(dag.size()), pending_(std::make_unique<std::atomic<std::uint32_t>[]>(dag.size())) {}

    // Run body(v) for every node of `dag` (the one this state was made for) in dependency
    // order as tasks of R; returns when all have finished. With `times`, each body's duration
    // is recorded into it (Measure is a template parameter: without it no clock is read).
    template <class R, class Body>
    void run(const Dag& dag, Body& body, DagTimes* times);

private:
    template <class R, bool Measure, class Body>
    class Execution;

    std::uint32_t nodes_ = 0;
    std::unique_ptr<std::atomic<std::uint32_t>[]> pending_;
};

template <class R, bool Measure, class Body>
class DagRunState::Execution {
public:
    Execution(const Dag& dag, std::atomic<std::uint32_t>* pending, Body& body, DagTimes* times)
        : dag_(dag), pending_(pending), body_(body), times_(times) {}

    void run() {
        for (const std::uint32_t v : dag_.roots()) spawn(v);
        group_.wait();
    }

private:
    void spawn(std::uint32_t v) {
        group_.spawn([this, v] { execute(v); });
    }
    void execute(std::uint32_t v) {
        if constexpr (Measure) {
            const std::uint64_t t0 = dag_clock_ns();
            body_(v);
            times_->record(v, dag_clock_ns() - t0);
        } else {
            body_(v);
        }
        for (const std::uint32_t s : dag_.succs(v))
            if (pending_[s].fetch_sub(1, std::memory_order_acq_rel) == 1) spawn(s);
    }

    const Dag& dag_;
    std::atomic<std::uint32_t>* pending_;
    Body& body_;
    DagTimes* times_;
    typename R::Group group_;
};

template <class R, class Body>
void DagRunState::run(const Dag& dag, Body& body, DagTimes* times) {
    if (dag.size() != nodes_) throw std::invalid_argument("DagRunState used with another DAG");
    for (std::uint32_t v = 0; v < dag.size(); ++v)
        pending_[v].store(dag.npreds(v), std::memory_order_relaxed);
    // The stores above reach the tasks through the spawns (each spawn publishes to the new G).
    if (times) {
        times->reset(dag.size());
        Execution<R, true, Body>(dag, pending_.get(), body, times).run();
    } else {
        Execution<R, false, Body>(dag, pending_.get(), body, nullptr).run();
    }
}

}  // namespace schedlab::workloads
