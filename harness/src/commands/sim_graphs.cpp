#include "schedlab/harness/sim_graphs.hpp"

#include <map>
#include <vector>

#include "schedlab/sim/generators.hpp"
#include "schedlab/workloads/fanout.hpp"
#include "schedlab/workloads/matmul.hpp"
#include "schedlab/workloads/nqueens.hpp"
#include "schedlab/workloads/pingpong.hpp"
#include "schedlab/workloads/randdag.hpp"
#include "schedlab/workloads/spawn_wait.hpp"
#include "schedlab/workloads/uts.hpp"

namespace schedlab::harness {

namespace {

using workloads::ParamError;
using workloads::Params;

// Why the simulator has no form of the others.
const std::map<std::string, std::string>& unsupported() {
    static const std::map<std::string, std::string> why{
        {"pipeline", "which worker receives which message is decided at run time, not a fixed graph"},
        {"parked", "blocked Gs' memory, which the simulator does not model"},
        {"starve", "its measure is the wall-clock wait of each victim G, which the simulator does not record per G"},
        {"blocking", "its Gs make real blocking calls (nanosleep, pipe reads), and the simulator models neither calls, sysmon nor hand-off"},
        {"fairness", "its measure is wall-clock latency under sysmon's preemption and blocking sleeps, which the simulator does not model"},
        {"timers", "its Gs sleep on the runtime's timers, and the simulator models neither timers nor wall-clock sleeps"},
    };
    return why;
}

// The real workload's fork-join form of fib, a task per call above the cutoff.
sim::TaskGraph fib_graph(const Params& p, const sim::CostModel& cost) {
    sim::shapes::FibParams f;
    f.n = static_cast<int>(p.get_int("n", 0, 40));
    f.cutoff = static_cast<int>(p.get_int("cutoff", 0, 60));
    f.spawn_both = p.get_choice("spawn", {"one", "both"}) == "both";
    f.call_ps = cost.fib_call_ps;
    f.join_ns = 0;  // the join's own cost is the scheduler's (ready_ns, switch_ns)
    return sim::shapes::fib(f);
}

// UTS: the workload's own tree, node by node (breadth first, so ids are handed out in order).
// Each node costs uts_node_ns per SHA-1 evaluation (granularity g), spawns its children, joins.
sim::TaskGraph uts_graph(const Params& given, const Params& p, const sim::CostModel& cost) {
    const workloads::Uts uts(given);
    const auto& tree = uts.tree();
    const std::uint64_t node_ns = cost.uts_node_ns * static_cast<std::uint64_t>(tree.config().granularity);
    constexpr std::uint64_t kMaxNodes = 20'000'000;  // the graph's arrays stay within a few GB
    sim::GraphBuilder b;
    std::vector<workloads::uts::Node> nodes{tree.root()};
    std::vector<sim::TaskId> kids;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        b.begin_task();
        const workloads::uts::Node node = nodes[i];
        const int k = tree.num_children(node);
        b.strand(node_ns);
        kids.clear();
        for (int c = 0; c < k; ++c) {
            if (nodes.size() >= kMaxNodes)
                throw ParamError("uts: the tree has more than " + std::to_string(kMaxNodes) +
                                 " nodes, too many to simulate");
            kids.push_back(static_cast<sim::TaskId>(nodes.size()));
            nodes.push_back(tree.child(node, c));
            b.spawn(kids.back(), node_ns);
        }
        if (!kids.empty()) b.strand_joining(0, kids);
    }
    return b.finish(0, "uts(" + p.canonical() + ")");
}

// randdag: the workload's DAG and grains; main spawns the roots and waits for them, every other
// node is spawned by the node that finishes its last predecessor.
sim::TaskGraph randdag_graph(const Params& given, const Params& p, const sim::CostModel& cost) {
    const workloads::RandDag w(given);
    const auto& dag = w.dag();
    const auto& iters = w.grain_iters();
    sim::GraphBuilder b;
    const sim::TaskId main = b.begin_task();  // id 0; node v is task v + 1
    b.strand(0);
    std::vector<sim::TaskId> roots;
    for (const std::uint32_t v : dag.roots()) {
        roots.push_back(v + 1);
        b.spawn(v + 1, 0);
    }
    if (!roots.empty()) b.strand_joining(0, roots);
    for (std::uint32_t v = 0; v < dag.size(); ++v) {
        b.begin_task();
        b.strand(iters[v] * cost.spin_ps_per_iter / 1000);
        for (const std::uint32_t s : dag.succs(v)) b.edge(v + 1, s + 1);
    }
    return b.finish(main, "randdag(" + p.canonical() + ")");
}

// fanout: main's strand w spawns wave w's Gs (each a grain of the spin kernel) and the next
// strand joins them (the WaitGroup wait), `waves` times.
sim::TaskGraph fanout_graph(const Params& given, const Params& p, const sim::CostModel& cost) {
    const workloads::FanOut w(given);
    const std::uint64_t n = w.gs_per_wave(), waves = w.waves();
    constexpr std::uint64_t kMaxGs = 50'000'000;
    if (n * waves > kMaxGs)
        throw ParamError("fanout: waves*n = " + std::to_string(n * waves) + " Gs, too many to simulate (at most " +
                         std::to_string(kMaxGs) + ")");
    const std::uint64_t grain_ns = w.grain_iters() * cost.spin_ps_per_iter / 1000;
    sim::GraphBuilder b;
    b.reserve(n * waves + 1, n * waves + waves + 1, n * waves, n * waves);
    const sim::TaskId main = b.begin_task();
    std::vector<sim::TaskId> wave;
    for (std::uint64_t k = 0; k < waves; ++k) {
        if (k == 0)
            b.strand(0);
        else
            b.strand_joining(0, wave);
        wave.clear();
        for (std::uint64_t i = 0; i < n; ++i) {
            wave.push_back(static_cast<sim::TaskId>(1 + k * n + i));
            b.spawn(wave.back(), 0);
        }
    }
    b.strand_joining(0, wave);
    for (std::uint64_t i = 0; i < n * waves; ++i) {
        b.begin_task();
        b.strand(grain_ns);
    }
    return b.finish(main, "fanout(" + p.canonical() + ")");
}

// pingpong: the simulator's shape (messages as signals) with the workload's parameters and
// this machine's clock read for the timed round trips. The channels' capacity plays no part.
sim::TaskGraph pingpong_graph(const Params& given, const Params& p, const sim::CostModel& cost) {
    const workloads::PingPong w(given);
    constexpr std::uint64_t kMaxMessages = 20'000'000;
    if (w.pairs() * w.messages() > kMaxMessages)
        throw ParamError("pingpong: pairs*messages = " + std::to_string(w.pairs() * w.messages()) +
                         " round trips, too many to simulate (at most " + std::to_string(kMaxMessages) + ")");
    sim::shapes::PingPongParams s;
    s.pairs = static_cast<std::uint32_t>(w.pairs());
    s.messages = static_cast<std::uint32_t>(w.messages());
    s.sample_every = w.sample_every();
    s.clock_ns = cost.clock_read_ns;
    auto g = sim::shapes::ping_pong(s);
    g.shape = "pingpong(" + p.canonical() + ")";
    return g;
}

// spawnwait: the workload's rounds as sim::shapes::spawn_wait.
sim::TaskGraph spawnwait_graph(const Params& given, const Params& p) {
    const workloads::SpawnWait w(given);
    const std::uint64_t n = w.rounds();
    constexpr std::uint64_t kMaxRounds = 20'000'000;
    if (n > kMaxRounds)
        throw ParamError("spawnwait: n = " + std::to_string(n) + " rounds, too many to simulate (at most " +
                         std::to_string(kMaxRounds) + ")");
    auto g = sim::shapes::spawn_wait(static_cast<std::uint32_t>(n));
    g.shape = "spawnwait(" + p.canonical() + ")";
    return g;
}

// nqueens: the workload's search tree, a task per legal placement above the cutoff (breadth
// first, so ids are handed out in order). A placing node or a complete board costs one task of
// the serial elision (nqueens_task_ps: the call with its frame's array, group and closures),
// a placing node spawning its children one call into it and joining them; a board at the
// cutoff costs its serial search's calls.
sim::TaskGraph nqueens_graph(const Params& given, const Params& p, const sim::CostModel& cost) {
    using Board = workloads::NQueens::Board;
    const workloads::NQueens w(given);
    const int cutoff = w.cutoff();
    constexpr std::size_t kMaxNodes = 20'000'000;
    sim::GraphBuilder b;
    std::vector<Board> nodes{w.board()};
    std::vector<sim::TaskId> kids;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        b.begin_task();
        const Board node = nodes[i];
        const std::uint64_t task = cost.nqueens_task_ps / 1000;
        if (node.row == node.n) {
            b.strand(task);
            continue;
        }
        if (cutoff > 0 && node.row >= cutoff) {
            b.strand(workloads::NQueens::serial_calls(node) * cost.nqueens_call_ps / 1000);
            continue;
        }
        const std::uint64_t call = std::min(cost.nqueens_call_ps / 1000, task);
        b.strand(task);
        kids.clear();
        for (std::uint32_t avail = node.free(); avail != 0; avail &= avail - 1) {
            if (nodes.size() >= kMaxNodes)
                throw ParamError("nqueens: more than " + std::to_string(kMaxNodes) +
                                 " tasks, too many to simulate (raise cutoff)");
            kids.push_back(static_cast<sim::TaskId>(nodes.size()));
            nodes.push_back(node.with(avail & (0u - avail)));
            b.spawn(kids.back(), call);
        }
        b.strand_joining(0, kids);  // a node with no legal placement joins nothing
    }
    return b.finish(0, "nqueens(" + p.canonical() + ")");
}

// matmul: the workload's recursion. A G's body is a program of work, spawns and joins: each
// phase of a split spawns all its products but the last, runs the last inline (recursing in
// the same G) and joins the spawned ones; a leaf is work of 2 m k q flops at leaf_flop_ps.
class MatmulBuilder {
public:
    MatmulBuilder(sim::GraphBuilder& b, std::int64_t leaf, std::uint64_t flop_ps) : b_(b), leaf_(leaf), flop_ps_(flop_ps) {}

    // A task computing C (m x k) * (k x q); returns its id (its children are built first).
    sim::TaskId task(std::int64_t m, std::int64_t k, std::int64_t q) {
        std::vector<Op> prog;
        body(prog, m, k, q);
        const sim::TaskId id = b_.begin_task();
        // Strands end at joins; spawns sit at their offset into the strand.
        std::size_t i = 0;
        std::vector<sim::TaskId> join;
        for (;;) {
            std::uint64_t cost = 0;
            std::size_t j = i;
            for (; j < prog.size() && prog[j].kind != Op::Join; ++j)
                if (prog[j].kind == Op::Work) cost += prog[j].ns;
            b_.strand_joining(cost, join);
            std::uint64_t at = 0;
            for (std::size_t x = i; x < j; ++x) {
                if (prog[x].kind == Op::Work) at += prog[x].ns;
                else b_.spawn(prog[x].child, at);
            }
            if (j == prog.size()) break;
            join = prog[j].joined;
            i = j + 1;
        }
        return id;
    }

private:
    struct Op {
        enum Kind { Work, Spawn, Join } kind;
        std::uint64_t ns = 0;
        sim::TaskId child = 0;
        std::vector<sim::TaskId> joined;
    };

    void body(std::vector<Op>& prog, std::int64_t m, std::int64_t k, std::int64_t q) {
        if (m <= leaf_ && k <= leaf_ && q <= leaf_) {
            prog.push_back({Op::Work, static_cast<std::uint64_t>(2 * m * k * q) * flop_ps_ / 1000, 0, {}});
            return;
        }
        using workloads::Matmul;
        const auto ms = Matmul::halves(m, leaf_), ks = Matmul::halves(k, leaf_), qs = Matmul::halves(q, leaf_);
        for (int kk = 0; kk < 2 && ks[kk] > 0; ++kk) {
            std::vector<std::array<std::int64_t, 3>> sub;
            for (int ii = 0; ii < 2 && ms[ii] > 0; ++ii)
                for (int jj = 0; jj < 2 && qs[jj] > 0; ++jj) sub.push_back({ms[ii], ks[kk], qs[jj]});
            std::vector<sim::TaskId> spawned;
            for (std::size_t i = 0; i + 1 < sub.size(); ++i) {
                spawned.push_back(task(sub[i][0], sub[i][1], sub[i][2]));
                prog.push_back({Op::Spawn, 0, spawned.back(), {}});
            }
            body(prog, sub.back()[0], sub.back()[1], sub.back()[2]);
            if (!spawned.empty()) prog.push_back({Op::Join, 0, 0, std::move(spawned)});
        }
    }

    sim::GraphBuilder& b_;
    std::int64_t leaf_;
    std::uint64_t flop_ps_;
};

sim::TaskGraph matmul_graph(const Params& p, const sim::CostModel& cost) {
    const auto n = p.get_int("n", 1, 4096), leaf = p.get_int("leaf", 1, 4096);
    if ((n / leaf) * (n / leaf) * (n / leaf) > 20'000'000)
        throw ParamError("matmul: (n/leaf)^3 leaves, too many to simulate (raise leaf)");
    sim::GraphBuilder b;
    MatmulBuilder mb(b, leaf, cost.leaf_flop_ps);
    const sim::TaskId root = mb.task(n, n, n);
    return b.finish(root, "matmul(" + p.canonical() + ")");
}

sim::TaskGraph spawnstorm_graph(const Params& p) {
    sim::shapes::SpawnStormParams s;
    s.n = static_cast<std::uint32_t>(p.get_int("n", 0, 100'000'000));
    s.task_ns = 0;  // each G only says it ran: the scheduler's costs are the whole of it
    return sim::shapes::spawn_storm(s);
}

// cholesky: the simulator's tiled graph (the workload's task kinds and dependencies) with each
// kind's cost from the flops of a b x b tile.
sim::TaskGraph cholesky_graph(const Params& p, const sim::CostModel& cost) {
    const auto n = p.get_int("n", 1, 1 << 16), tile = p.get_int("tile", 1, 1 << 16);
    if (n % tile != 0) throw ParamError("cholesky: n=" + std::to_string(n) + " is not a multiple of tile");
    sim::shapes::CholeskyParams c;
    c.tiles = static_cast<std::uint32_t>(n / tile);
    const auto b = static_cast<std::uint64_t>(tile);
    c.gemm_ns = 2 * b * b * b * cost.gemm_flop_ps / 1000;
    return sim::shapes::cholesky(c);
}

}  // namespace

std::string sim_unsupported(const std::string& workload) {
    if (workload == "fib" || workload == "uts" || workload == "randdag" || workload == "spawnstorm" ||
        workload == "cholesky" || workload == "fanout" || workload == "pingpong" || workload == "spawnwait" ||
        workload == "nqueens" || workload == "matmul")
        return "";
    const auto it = unsupported().find(workload);
    return it != unsupported().end() ? it->second : "no task graph written for it";
}

sim::TaskGraph sim_graph(const std::string& workload, const Params& given, const Params& full,
                         const sim::CostModel& cost) {
    if (workload == "fib") return fib_graph(full, cost);
    if (workload == "uts") return uts_graph(given, full, cost);
    if (workload == "randdag") {
        if (full.get_bool("measure")) throw ParamError("randdag: measure=1 is not simulated");
        return randdag_graph(given, full, cost);
    }
    if (workload == "spawnstorm") return spawnstorm_graph(full);
    if (workload == "fanout") return fanout_graph(given, full, cost);
    if (workload == "pingpong") return pingpong_graph(given, full, cost);
    if (workload == "spawnwait") return spawnwait_graph(given, full);
    if (workload == "nqueens") return nqueens_graph(given, full, cost);
    if (workload == "matmul") return matmul_graph(full, cost);
    if (workload == "cholesky") {
        if (full.get_bool("measure")) throw ParamError("cholesky: measure=1 is not simulated");
        return cholesky_graph(full, cost);
    }
    throw ParamError("the simulator cannot run " + workload + ": " + sim_unsupported(workload));
}

}  // namespace schedlab::harness
