#include "schedlab/sim/task_graph.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace schedlab::sim {

namespace {

[[noreturn]] void bad(const std::string& what) {
    throw std::invalid_argument("task graph: " + what);
}

// Asks for transparent huge pages under a vector's reserved storage (advice only; the kernel
// may refuse). The simulator reads a big graph at hundreds of scattered places at once (one
// per simulated P), so on 4 KiB pages most reads also miss the TLB; and building it takes one
// page fault per 4 KiB instead of per 2 MiB.
template <class T>
void advise_huge(const std::vector<T>& v) {
#ifdef MADV_HUGEPAGE
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    const std::size_t bytes = v.capacity() * sizeof(T);
    if (bytes < kHuge) return;
    const auto begin = reinterpret_cast<std::uintptr_t>(v.data());
    const std::uintptr_t page = 4096;
    const std::uintptr_t lo = (begin + page - 1) & ~(page - 1), hi = (begin + bytes) & ~(page - 1);
    if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#else
    (void)v;
#endif
}

// n copies of value, on huge pages where the kernel allows (see advise_huge): the checks
// and the span below keep arrays of one entry per task or strand, as big as the graph's.
template <class T>
void assign_huge(std::vector<T>& v, std::size_t n, const T& value) {
    v.clear();
    v.reserve(n);
    advise_huge(v);
    v.assign(n, value);
}

// For each task, the strand of its parent that joins it (kNoTask if none).
std::vector<std::uint32_t> joiner_strands(const TaskGraph& g) {
    std::vector<std::uint32_t> joiner;
    assign_huge(joiner, g.tasks.size(), kNoTask);
    for (std::uint32_t s = 0; s < g.strands.size(); ++s)
        for (std::uint32_t j = g.strands[s].join_begin; j < g.strands[s].join_end; ++j)
            joiner[g.joins[j]] = s;
    return joiner;
}

// The first of strand s's outgoing signals (g.signals is sorted by from).
std::vector<TaskGraph::Signal>::const_iterator signals_from(const TaskGraph& g, std::uint32_t s) {
    return std::lower_bound(g.signals.begin(), g.signals.end(), s,
                            [](const TaskGraph::Signal& a, std::uint32_t from) { return a.from < from; });
}

// Earliest start of every strand with no overhead and unbounded Ps (Kahn's algorithm over
// strands). Returns false if some strand can never start (a cycle).
bool earliest_starts(const TaskGraph& g, std::vector<std::uint64_t>& start) {
    const auto ns = static_cast<std::uint32_t>(g.strands.size());
    std::vector<std::uint32_t> indeg, task_of;
    assign_huge(indeg, ns, 0u);
    assign_huge(task_of, ns, 0u);
    for (TaskId t = 0; t < g.tasks.size(); ++t) {
        const auto& task = g.tasks[t];
        for (std::uint32_t s = task.strand_begin; s < task.strand_end; ++s) {
            task_of[s] = t;
            if (s > task.strand_begin) indeg[s] = 1 + (g.strands[s].join_end - g.strands[s].join_begin);
        }
        if (task.strand_begin < task.strand_end)
            indeg[task.strand_begin] = task.parent != kNoTask ? 1 : task.npred;
    }
    for (const auto& sig : g.signals) ++indeg[sig.to];
    const auto joiner = joiner_strands(g);
    assign_huge(start, ns, std::uint64_t{0});
    std::vector<std::uint32_t> ready;
    for (std::uint32_t s = 0; s < ns; ++s)
        if (indeg[s] == 0) ready.push_back(s);
    std::uint32_t done = 0;
    auto release = [&](std::uint32_t s, std::uint64_t at) {
        start[s] = std::max(start[s], at);
        if (--indeg[s] == 0) ready.push_back(s);
    };
    while (!ready.empty()) {
        const std::uint32_t s = ready.back();
        ready.pop_back();
        ++done;
        const auto& st = g.strands[s];
        const std::uint64_t end = start[s] + st.cost;
        for (std::uint32_t k = st.spawn_begin; k < st.spawn_end; ++k)
            release(g.tasks[g.spawns[k].child].strand_begin, start[s] + g.spawns[k].at);
        for (auto it = signals_from(g, s); it != g.signals.end() && it->from == s; ++it) release(it->to, end);
        const TaskId t = task_of[s];
        const auto& task = g.tasks[t];
        if (s + 1 < task.strand_end) {
            release(s + 1, end);
        } else {
            if (joiner[t] != kNoTask) release(joiner[t], end);
            for (std::uint32_t e = task.succ_begin; e < task.succ_end; ++e)
                release(g.tasks[g.succs[e]].strand_begin, end);
        }
    }
    return done == ns;
}

}  // namespace

std::uint64_t TaskGraph::work_ns() const {
    std::uint64_t w = 0;
    for (const auto& s : strands) w += s.cost;
    return w;
}

std::uint64_t TaskGraph::span_ns() const {
    std::vector<std::uint64_t> start;
    earliest_starts(*this, start);
    std::uint64_t span = 0;
    for (std::uint32_t s = 0; s < strands.size(); ++s) span = std::max(span, start[s] + strands[s].cost);
    return span;
}

// ---- Builder -------------------------------------------------------------------------------

TaskId GraphBuilder::begin_task() {
    const auto id = static_cast<TaskId>(g_.tasks.size());
    const auto ns = static_cast<std::uint32_t>(g_.strands.size());
    g_.tasks.push_back({ns, ns, 0, 0, 0, kNoTask});
    return id;
}

void GraphBuilder::reserve(std::size_t tasks, std::size_t strands, std::size_t spawns, std::size_t joins) {
    g_.tasks.reserve(tasks);
    g_.strands.reserve(strands);
    g_.spawns.reserve(spawns);
    g_.joins.reserve(joins);
    advise_huge(g_.tasks);
    advise_huge(g_.strands);
    advise_huge(g_.spawns);
    advise_huge(g_.joins);
}

void GraphBuilder::strand(std::uint64_t cost, std::initializer_list<TaskId> join) {
    add_strand(cost, join.begin(), join.size());
}

void GraphBuilder::strand_joining(std::uint64_t cost, const std::vector<TaskId>& join) {
    add_strand(cost, join.data(), join.size());
}

void GraphBuilder::add_strand(std::uint64_t cost, const TaskId* join, std::size_t njoin) {
    if (g_.tasks.empty()) bad("strand before begin_task");
    auto& task = g_.tasks.back();
    if (task.strand_begin == task.strand_end && njoin > 0) bad("the first strand joins nothing");
    const auto nsp = static_cast<std::uint32_t>(g_.spawns.size());
    const auto nj = static_cast<std::uint32_t>(g_.joins.size());
    g_.joins.insert(g_.joins.end(), join, join + njoin);
    g_.strands.push_back({cost, nsp, nsp, nj, static_cast<std::uint32_t>(g_.joins.size())});
    task.strand_end = static_cast<std::uint32_t>(g_.strands.size());
}

void GraphBuilder::spawn(TaskId child, std::uint64_t at) {
    if (g_.tasks.empty() || g_.tasks.back().strand_begin == g_.tasks.back().strand_end)
        bad("spawn outside a strand");
    auto& st = g_.strands.back();
    if (at > st.cost) bad("spawn offset beyond the strand's cost");
    if (st.spawn_end > st.spawn_begin && g_.spawns.back().at > at) bad("spawns out of order");
    g_.spawns.push_back({child, kNoTask, at});
    st.spawn_end = static_cast<std::uint32_t>(g_.spawns.size());
}

void GraphBuilder::edge(TaskId from, TaskId to) { edges_.emplace_back(from, to); }

void GraphBuilder::signal(TaskId from, std::uint32_t from_strand, TaskId to, std::uint32_t to_strand) {
    signals_.push_back({from, from_strand, to, to_strand});
}

TaskGraph GraphBuilder::finish(TaskId root, std::string shape) {
    TaskGraph g = std::move(g_);
    g_ = TaskGraph{};
    const auto n = static_cast<TaskId>(g.tasks.size());
    if (root >= n) bad("no root task");
    g.root = root;
    g.shape = std::move(shape);
    for (TaskId t = 0; t < n; ++t)
        if (g.tasks[t].strand_begin == g.tasks[t].strand_end)
            bad("task " + std::to_string(t) + " has no strand");
    // Parents from spawns.
    for (TaskId t = 0; t < n; ++t) {
        const auto& task = g.tasks[t];
        for (std::uint32_t s = task.strand_begin; s < task.strand_end; ++s)
            for (std::uint32_t k = g.strands[s].spawn_begin; k < g.strands[s].spawn_end; ++k) {
                const TaskId c = g.spawns[k].child;
                if (c >= n) bad("spawn of a task that does not exist");
                if (g.tasks[c].parent != kNoTask || c == root) bad("task " + std::to_string(c) + " spawned twice (or the root spawned)");
                g.tasks[c].parent = t;
                g.spawns[k].child_strand = g.tasks[c].strand_begin;
            }
    }
    // Joins: own children, spawned by an earlier strand, each joined at most once.
    std::vector<std::uint32_t> spawned_in;
    assign_huge(spawned_in, n, kNoTask);
    for (std::uint32_t s = 0; s < g.strands.size(); ++s)
        for (std::uint32_t k = g.strands[s].spawn_begin; k < g.strands[s].spawn_end; ++k)
            spawned_in[g.spawns[k].child] = s;
    std::vector<bool> joined(n, false);
    for (TaskId t = 0; t < n; ++t) {
        const auto& task = g.tasks[t];
        for (std::uint32_t s = task.strand_begin; s < task.strand_end; ++s)
            for (std::uint32_t j = g.strands[s].join_begin; j < g.strands[s].join_end; ++j) {
                const TaskId c = g.joins[j];
                if (c >= n || g.tasks[c].parent != t || spawned_in[c] >= s)
                    bad("task " + std::to_string(t) + " joins a task it did not spawn earlier");
                if (joined[c]) bad("task " + std::to_string(c) + " joined twice");
                joined[c] = true;
            }
    }
    // Dependency edges into CSR form.
    std::sort(edges_.begin(), edges_.end());
    edges_.erase(std::unique(edges_.begin(), edges_.end()), edges_.end());
    g.succs.reserve(edges_.size());
    std::size_t e = 0;
    for (TaskId t = 0; t < n; ++t) {
        g.tasks[t].succ_begin = static_cast<std::uint32_t>(g.succs.size());
        for (; e < edges_.size() && edges_[e].first == t; ++e) {
            const TaskId to = edges_[e].second;
            if (to >= n || to == t) bad("bad dependency edge");
            g.succs.push_back(to);
            ++g.tasks[to].npred;
        }
        g.tasks[t].succ_end = static_cast<std::uint32_t>(g.succs.size());
    }
    if (e != edges_.size()) bad("dependency edge from a task that does not exist");
    edges_.clear();
    // Signals: strands by index within their tasks, to global strand ids.
    g.signals.reserve(signals_.size());
    for (const auto& ps : signals_) {
        if (ps.from >= n || ps.to >= n) bad("signal between tasks that do not exist");
        if (ps.from == ps.to) bad("task " + std::to_string(ps.from) + " signals itself");
        const auto& a = g.tasks[ps.from];
        const auto& b = g.tasks[ps.to];
        if (ps.from_strand >= a.strand_end - a.strand_begin || ps.to_strand >= b.strand_end - b.strand_begin)
            bad("signal from or to a strand its task does not have");
        if (ps.to_strand == 0) bad("task " + std::to_string(ps.to) + "'s first strand is signalled (only spawns and edges start a task)");
        g.signals.push_back({a.strand_begin + ps.from_strand, b.strand_begin + ps.to_strand, ps.to});
    }
    signals_.clear();
    std::sort(g.signals.begin(), g.signals.end(),
              [](const TaskGraph::Signal& x, const TaskGraph::Signal& y) { return x.from != y.from ? x.from < y.from : x.to < y.to; });
    for (std::size_t i = 1; i < g.signals.size(); ++i)
        if (g.signals[i].from == g.signals[i - 1].from && g.signals[i].to == g.signals[i - 1].to)
            bad("a signal given twice");
    for (TaskId t = 0; t < n; ++t) {
        const auto& task = g.tasks[t];
        const bool spawned = task.parent != kNoTask;
        if (t == root && task.npred > 0) bad("the root has predecessors");
        if (t != root && spawned == (task.npred > 0))
            bad("task " + std::to_string(t) + (spawned ? " is both spawned and released by predecessors"
                                                       : " is neither spawned nor released: unreachable"));
    }
    std::vector<std::uint64_t> start;
    if (!earliest_starts(g, start)) bad("the dependencies (spawns, joins, edges, signals) form a cycle");
    return g;
}

// ---- Checking a run --------------------------------------------------------------------------

std::string validate(const TaskGraph& g, const Trace& t) {
    if (t.strands.size() != g.strands.size()) return "trace does not match the graph's strands";
    const auto start = [&](std::uint32_t s) { return t.strands[s].start; };
    const auto end = [&](std::uint32_t s) { return t.strands[s].end; };
    const auto task_end = [&](TaskId c) { return end(g.tasks[c].strand_end - 1); };
    for (TaskId id = 0; id < g.tasks.size(); ++id) {
        const auto& task = g.tasks[id];
        const std::string who = "task " + std::to_string(id);
        for (std::uint32_t s = task.strand_begin; s < task.strand_end; ++s) {
            if (t.strands[s].runs != 1)
                return who + " strand " + std::to_string(s - task.strand_begin) + " ran " +
                       std::to_string(t.strands[s].runs) + " times";
            const auto& st = g.strands[s];
            if (end(s) < start(s) + st.cost) return who + " finished a strand before its work was done";
            if (s > task.strand_begin && start(s) < end(s - 1)) return who + " strands overlap";
            for (std::uint32_t j = st.join_begin; j < st.join_end; ++j)
                if (start(s) < task_end(g.joins[j]))
                    return who + " went past a join before child " + std::to_string(g.joins[j]) + " ended";
            for (std::uint32_t k = st.spawn_begin; k < st.spawn_end; ++k)
                if (start(g.tasks[g.spawns[k].child].strand_begin) < start(s) + g.spawns[k].at)
                    return "task " + std::to_string(g.spawns[k].child) + " started before it was spawned";
        }
        for (std::uint32_t e = task.succ_begin; e < task.succ_end; ++e)
            if (start(g.tasks[g.succs[e]].strand_begin) < task_end(id))
                return "task " + std::to_string(g.succs[e]) + " started before its predecessor " +
                       std::to_string(id) + " ended";
    }
    for (const auto& sig : g.signals)
        if (start(sig.to) < end(sig.from))
            return "task " + std::to_string(sig.to_task) + " received a signal before it was sent";
    return {};
}

}  // namespace schedlab::sim
