#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "schedlab/workloads/dag.hpp"
#include "schedlab/workloads/dag_span.hpp"

namespace schedlab::workloads {

namespace {

// Compressed rows of `edges` grouped by the endpoint `key` picks, values sorted per row.
template <class Key, class Value>
void compress(std::uint32_t nodes, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges,
              Key key, Value value, std::vector<std::uint32_t>& start, std::vector<std::uint32_t>& out) {
    start.assign(nodes + 1, 0);
    for (const auto& e : edges) ++start[key(e) + 1];
    for (std::uint32_t v = 0; v < nodes; ++v) start[v + 1] += start[v];
    out.resize(edges.size());
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (const auto& e : edges) out[fill[key(e)]++] = value(e);
    for (std::uint32_t v = 0; v < nodes; ++v) std::sort(out.begin() + start[v], out.begin() + start[v + 1]);
}

}  // namespace

Dag::Dag(std::uint32_t nodes, std::vector<std::pair<std::uint32_t, std::uint32_t>> edges) {
    for (const auto& [from, to] : edges)
        if (!(from < to && to < nodes))
            throw std::invalid_argument("dag edge " + std::to_string(from) + "->" + std::to_string(to) +
                                        " is not forward within " + std::to_string(nodes) + " nodes");
    const auto from = [](const auto& e) { return e.first; };
    const auto to = [](const auto& e) { return e.second; };
    compress(nodes, edges, from, to, succ_start_, succ_);
    compress(nodes, edges, to, from, pred_start_, pred_);
    npreds_.resize(nodes);
    for (std::uint32_t v = 0; v < nodes; ++v) {
        npreds_[v] = pred_start_[v + 1] - pred_start_[v];
        if (npreds_[v] == 0) roots_.push_back(v);
        const auto s = succs(v);
        if (std::adjacent_find(s.begin(), s.end()) != s.end())
            throw std::invalid_argument("dag edge from " + std::to_string(v) + " given twice");
    }
}

WorkSpan work_and_span(const Dag& dag, std::span<const std::uint64_t> duration_ns) {
    if (duration_ns.size() != dag.size()) throw std::invalid_argument("work_and_span: one duration per node");
    WorkSpan ws;
    // ready[v]: the longest path ending just before v starts (max over its predecessors).
    std::vector<std::uint64_t> ready(dag.size(), 0);
    for (std::uint32_t v = 0; v < dag.size(); ++v) {
        const std::uint64_t finish = ready[v] + duration_ns[v];
        ws.work_ns += duration_ns[v];
        ws.span_ns = std::max(ws.span_ns, finish);
        for (const std::uint32_t s : dag.succs(v)) ready[s] = std::max(ready[s], finish);
    }
    return ws;
}

void append_work_span(Result& r, const std::optional<WorkSpan>& ws) {
    if (!ws) {
        r.extra.emplace_back("work_ns", "");
        r.extra.emplace_back("span_ns", "");
        r.extra.emplace_back("parallelism", "");
        return;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", ws->parallelism());
    r.extra.emplace_back("work_ns", std::to_string(ws->work_ns));
    r.extra.emplace_back("span_ns", std::to_string(ws->span_ns));
    r.extra.emplace_back("parallelism", buf);
}

}  // namespace schedlab::workloads
