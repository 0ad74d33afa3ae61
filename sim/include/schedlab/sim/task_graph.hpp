// The simulator's workload: a task graph, the static shape of a computation, fixed before the
// run (the simulator decides only *where* and *when* each piece runs, never *what* runs).
//
// A task is one G. Its body is a sequence of strands (pieces of straight-line work, each with
// a cost in virtual ns). While a strand runs, it spawns children at given offsets into its
// work (`at` ns of the strand's own work done). Before strand j > 0 starts, the task joins a
// given set of children spawned by its earlier strands (a fork-join "sync": with any child
// unfinished, the G blocks and is readied by the child that finishes last, exactly like
// WaitGroup.Wait / Done). Joins are explicit lists, so both Cilk's "sync all" and nested
// frames that each wait for their own child (fib's spawn=one form) are expressible.
//
// Messages between Gs (a channel's send and the receive that waits for it) are signals: strand
// `to` of one task may start only after strand `from` of another has ended. A G reaching `to`
// before that blocks and is readied by the P that ends `from` (the sender readying a parked
// receiver); a signal that arrives first waits in the channel and the G passes without
// blocking. Signals never release a task's first strand (spawns and dependency edges do that).
//
// Dataflow DAGs use dependency edges instead: a task with predecessors is created (spawned)
// by the P that completes its last predecessor, like a continuation made runnable. A task is
// either spawned by a parent or released by predecessors, never both; the root is neither.
//
// Storage is flat (CSR-style arrays), so a graph of millions of tasks stays compact.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace schedlab::sim {

using TaskId = std::uint32_t;
inline constexpr TaskId kNoTask = std::numeric_limits<TaskId>::max();

struct TaskGraph {
    struct Spawn {
        TaskId child;
        std::uint32_t child_strand;  // the child's first strand, set by finish (a copy, so that
                                     // creating the child need not read its task first)
        std::uint64_t at;            // offset into the strand's work, 0..cost
    };
    struct Strand {
        std::uint64_t cost;                    // virtual ns of work
        std::uint32_t spawn_begin, spawn_end;  // into spawns
        std::uint32_t join_begin, join_end;    // into joins: children to wait for first
    };
    struct Task {
        std::uint32_t strand_begin, strand_end;  // into strands
        std::uint32_t succ_begin, succ_end;      // into succs: dependency edges out
        std::uint32_t npred;                     // dependency edges in
        TaskId parent;                           // the spawner, or kNoTask
    };

    struct Signal {
        std::uint32_t from, to;  // strands (indices into strands)
        TaskId to_task;          // the task that owns `to`
    };

    std::vector<Task> tasks;
    std::vector<Strand> strands;
    std::vector<Spawn> spawns;
    std::vector<TaskId> joins;  // children (task ids) joined before a strand
    std::vector<TaskId> succs;
    std::vector<Signal> signals;  // sorted by (from, to)
    TaskId root = kNoTask;
    std::string shape;  // "fib(n=20,cutoff=0,spawn=both)": what built it

    std::size_t size() const { return tasks.size(); }
    // Sum of every strand's cost: the work T1 without any scheduling overhead.
    std::uint64_t work_ns() const;
    // The longest path (span, T-infinity) without scheduling overhead.
    std::uint64_t span_ns() const;
};

// Builds a TaskGraph task by task. A task is opened by begin_task (which closes the previous
// one) and filled with strands; spawns and joins refer to children by id, which may be ids
// not created yet (they must exist by finish). Ids are handed out in creation order.
class GraphBuilder {
public:
    TaskId begin_task();
    // Append a strand to the open task; `join` lists children (spawned by this task's earlier
    // strands) to wait for before it starts. The first strand joins nothing.
    void strand(std::uint64_t cost, std::initializer_list<TaskId> join = {});
    void strand_joining(std::uint64_t cost, const std::vector<TaskId>& join);
    // Spawn `child` when the open strand has done `at` ns of its work (at <= cost, in order).
    void spawn(TaskId child, std::uint64_t at);
    // `to` may start only after `from` completes (it is created by from's P if from is last).
    void edge(TaskId from, TaskId to);
    // Strand `to_strand` of task `to` (counted from 0 within the task; not 0) may start only
    // after strand `from_strand` of task `from` (another task) has ended: a message sent at the
    // end of the one and received at the start of the other. Checked at finish.
    void signal(TaskId from, std::uint32_t from_strand, TaskId to, std::uint32_t to_strand);
    TaskId next_id() const { return static_cast<TaskId>(g_.tasks.size()); }
    // Room for this many of each (saves the copies of growing vectors for big graphs).
    void reserve(std::size_t tasks, std::size_t strands, std::size_t spawns, std::size_t joins);
    // Check the structure (every task reachable exactly one way, offsets in range, joins of
    // own earlier children only) and return the graph; throws std::invalid_argument if bad.
    TaskGraph finish(TaskId root, std::string shape);

private:
    void add_strand(std::uint64_t cost, const TaskId* join, std::size_t njoin);
    TaskGraph g_;
    std::vector<std::pair<TaskId, TaskId>> edges_;
    struct PendingSignal {
        TaskId from;
        std::uint32_t from_strand;
        TaskId to;
        std::uint32_t to_strand;
    };
    std::vector<PendingSignal> signals_;
};

// What a run did to each strand (indexed like TaskGraph::strands), for checking: when it
// started and ended (virtual ns) and how often it ran.
struct Trace {
    struct Strand {
        std::uint64_t start = 0, end = 0;
        std::uint32_t runs = 0;
        bool operator==(const Strand&) const = default;
    };
    std::vector<Strand> strands;
    bool operator==(const Trace&) const = default;
};

// Empty if the trace respects the graph: every strand ran exactly once, in order within its
// task, no child started before it was spawned, no strand before the children it joins ended,
// no task before its predecessors ended, no strand before the strands that signal it ended.
// Otherwise the first violation found, in words.
std::string validate(const TaskGraph& g, const Trace& t);

}  // namespace schedlab::sim
