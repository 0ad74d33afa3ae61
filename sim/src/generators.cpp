#include "schedlab/sim/generators.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>
#include <vector>

namespace schedlab::sim::shapes {

namespace {

// splitmix64: a seeded, portable stream (std's distributions differ between libraries).
struct Rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }  // bias negligible here
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

std::uint64_t calls(int n) {  // calls made by the naive recursion fib(n)
    std::uint64_t a = 1, b = 1;  // calls(0), calls(1)
    for (int i = 1; i < n; ++i) {
        const std::uint64_t c = a + b + 1;
        a = b;
        b = c;
    }
    return n <= 0 ? 1 : b;
}

TaskId fib_both(GraphBuilder& b, const FibParams& p, int n) {
    if (n < 2 || n < p.cutoff) {
        const TaskId id = b.begin_task();
        b.strand(calls(n) * p.call_ps / 1000);
        return id;
    }
    const TaskId x = fib_both(b, p, n - 1);
    const TaskId y = fib_both(b, p, n - 2);
    const TaskId id = b.begin_task();
    b.strand(p.call_ps / 1000);
    b.spawn(x, 0);
    b.spawn(y, 0);
    b.strand(p.join_ns, {x, y});
    return id;
}

// One G of the spawn=one form: frames n, n-2, n-4, ... each spawn fib(k-1) and recurse inline
// on fib(k-2) down to a leaf; then the frames join their children, innermost first.
TaskId fib_one(GraphBuilder& b, const FibParams& p, int n) {
    std::vector<TaskId> children;
    int k = n;
    for (; !(k < 2 || k < p.cutoff); k -= 2) children.push_back(fib_one(b, p, k - 1));
    const TaskId id = b.begin_task();
    const auto frames = static_cast<std::uint64_t>(children.size());
    b.strand((frames + calls(k)) * p.call_ps / 1000);
    for (std::uint64_t i = 0; i < frames; ++i) b.spawn(children[i], i * p.call_ps / 1000);
    for (std::size_t i = children.size(); i-- > 0;) b.strand(p.join_ns, {children[i]});
    return id;
}

}  // namespace

TaskGraph fib(const FibParams& p) {
    if (p.n < 0 || p.n > 40) throw std::invalid_argument("fib: n must be 0..40");
    GraphBuilder b;
    const std::uint64_t most = calls(p.n);  // a task per call at most
    b.reserve(most, 2 * most, most, most);
    const TaskId root = p.spawn_both ? fib_both(b, p, p.n) : fib_one(b, p, p.n);
    return b.finish(root, "fib(n=" + std::to_string(p.n) + ",cutoff=" + std::to_string(p.cutoff) +
                              ",spawn=" + (p.spawn_both ? "both" : "one") + ")");
}

TaskGraph random_dag(const RandDagParams& p) {
    if (p.layers == 0 || p.width == 0 || p.max_preds == 0 || p.min_ns > p.max_ns)
        throw std::invalid_argument("randdag: layers, width, max_preds >= 1 and min_ns <= max_ns");
    Rng rng{p.seed};
    GraphBuilder b;
    const TaskId source = b.begin_task();
    b.strand(0);
    std::vector<TaskId> above, layer;
    for (std::uint32_t l = 0; l < p.layers; ++l) {
        const auto w = static_cast<std::uint32_t>(p.width / 2 + 1 + rng.below(p.width - p.width / 2));
        layer.clear();
        for (std::uint32_t i = 0; i < w; ++i) {
            const TaskId id = b.begin_task();
            b.strand(p.min_ns + rng.below(p.max_ns - p.min_ns + 1));
            layer.push_back(id);
            if (l == 0) {
                b.edge(source, id);
                continue;
            }
            const auto k = static_cast<std::uint32_t>(1 + rng.below(std::min<std::uint64_t>(p.max_preds, above.size())));
            for (std::uint32_t j = 0; j < k; ++j) b.edge(above[rng.below(above.size())], id);  // repeats merge
        }
        std::swap(above, layer);
    }
    return b.finish(source, "randdag(layers=" + std::to_string(p.layers) + ",width=" + std::to_string(p.width) +
                                ",max_preds=" + std::to_string(p.max_preds) + ",seed=" + std::to_string(p.seed) + ")");
}

TaskGraph cholesky(const CholeskyParams& p) {
    const std::uint32_t T = p.tiles;
    if (T == 0) throw std::invalid_argument("cholesky: tiles must be at least 1");
    GraphBuilder b;
    const TaskId source = b.begin_task();
    b.strand(0);
    // last[i][j]: the task that last wrote tile (i, j), i >= j.
    std::vector<TaskId> last(static_cast<std::size_t>(T) * T, kNoTask);
    auto at = [&](std::uint32_t i, std::uint32_t j) -> TaskId& { return last[static_cast<std::size_t>(i) * T + j]; };
    auto task = [&](std::uint64_t cost, std::initializer_list<TaskId> deps) {
        const TaskId id = b.begin_task();
        b.strand(cost);
        bool any = false;
        for (TaskId d : deps)
            if (d != kNoTask) {
                b.edge(d, id);
                any = true;
            }
        if (!any) b.edge(source, id);
        return id;
    };
    const std::uint64_t gemm = p.gemm_ns, trsm = p.gemm_ns / 2, syrk = p.gemm_ns / 2, potrf = p.gemm_ns / 6;
    for (std::uint32_t k = 0; k < T; ++k) {
        const TaskId pk = task(potrf, {at(k, k)});
        at(k, k) = pk;
        for (std::uint32_t i = k + 1; i < T; ++i) at(i, k) = task(trsm, {pk, at(i, k)});
        for (std::uint32_t i = k + 1; i < T; ++i) {
            at(i, i) = task(syrk, {at(i, k), at(i, i)});
            for (std::uint32_t j = k + 1; j < i; ++j) at(i, j) = task(gemm, {at(i, k), at(j, k), at(i, j)});
        }
    }
    return b.finish(source, "cholesky(tiles=" + std::to_string(T) + ",gemm_ns=" + std::to_string(p.gemm_ns) + ")");
}

TaskGraph spawn_storm(const SpawnStormParams& p) {
    GraphBuilder b;
    std::vector<TaskId> kids;
    kids.reserve(p.n);
    for (std::uint32_t i = 0; i < p.n; ++i) {
        kids.push_back(b.begin_task());
        b.strand(p.task_ns);
    }
    const TaskId root = b.begin_task();
    b.strand(0);
    for (TaskId c : kids) b.spawn(c, 0);
    if (!kids.empty()) b.strand_joining(0, kids);
    return b.finish(root, "spawn-storm(n=" + std::to_string(p.n) + ",task_ns=" + std::to_string(p.task_ns) + ")");
}

TaskGraph uts_like(const UtsParams& p) {
    if (p.q < 0 || p.q > 1) throw std::invalid_argument("uts: q must be in [0, 1]");
    if (p.max_nodes == 0) throw std::invalid_argument("uts: max_nodes must be at least 1");
    Rng rng{p.seed};
    GraphBuilder b;
    // Breadth first: node i's children get the next free ids, created in later iterations.
    std::uint64_t created = 1;  // ids handed out so far (the root is 0)
    std::vector<TaskId> kids;
    for (TaskId id = 0; id < created; ++id) {
        b.begin_task();
        std::uint64_t k = id == 0 ? p.root_children : (rng.unit() < p.q ? p.m : 0);
        if (created + k > p.max_nodes) k = p.max_nodes - created;
        b.strand(p.node_ns);
        kids.clear();
        for (std::uint64_t i = 0; i < k; ++i) {
            kids.push_back(static_cast<TaskId>(created + i));
            b.spawn(kids.back(), p.node_ns);
        }
        created += k;
        if (!kids.empty()) b.strand_joining(0, kids);
    }
    return b.finish(0, "uts-like(root_children=" + std::to_string(p.root_children) + ",m=" + std::to_string(p.m) +
                           ",q=" + std::to_string(p.q) + ",seed=" + std::to_string(p.seed) + ")");
}

// ---- By name -------------------------------------------------------------------------------

namespace {

struct Params {
    std::map<std::string, std::string> left;
    explicit Params(const std::map<std::string, std::string>& m) : left(m) {}
    template <class T>
    void get(const char* key, T& out) {
        const auto it = left.find(key);
        if (it == left.end()) return;
        const std::string v = it->second;
        left.erase(it);
        if constexpr (std::is_same_v<T, bool>) {
            out = v == "1" || v == "true";
        } else if constexpr (std::is_floating_point_v<T>) {
            std::size_t used = 0;
            try {
                out = std::stod(v, &used);
            } catch (...) {
                used = 0;
            }
            if (used != v.size() || v.empty()) throw std::invalid_argument(std::string(key) + ": not a number: " + v);
        } else {
            const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
            if (v.empty() || ec != std::errc{} || ptr != v.data() + v.size())
                throw std::invalid_argument(std::string(key) + ": not an integer: " + v);
        }
    }
    void done(const std::string& shape) const {
        if (!left.empty()) throw std::invalid_argument(shape + ": unknown parameter '" + left.begin()->first + "'");
    }
};

}  // namespace

TaskGraph ping_pong(const PingPongParams& p) {
    const std::uint64_t pairs = p.pairs, m = p.messages;
    if (2 * pairs * (m + 1) + 2 > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("pingpong: too many strands for 32-bit ids");
    GraphBuilder b;
    b.reserve(2 * pairs + 1, 2 * pairs * (m + 1) + 2, 2 * pairs, 2 * pairs);
    const TaskId root = b.begin_task();
    b.strand(0);
    std::vector<TaskId> all;
    for (std::uint64_t i = 0; i < 2 * pairs; ++i) {
        all.push_back(static_cast<TaskId>(root + 1 + i));
        b.spawn(all.back(), 0);
    }
    b.strand_joining(0, all);
    const auto timed = [&](std::uint64_t k) { return p.sample_every != 0 && k < m && k % p.sample_every == 0; };
    for (std::uint64_t q = 0; q < pairs; ++q) {
        const TaskId pinger = b.begin_task(), ponger = pinger + 1;
        for (std::uint64_t k = 0; k <= m; ++k) {
            std::uint64_t ns = p.work_ns;
            if (timed(k)) ns += p.clock_ns;              // the clock read before ping k's send
            if (k > 0 && timed(k - 1)) ns += p.clock_ns;  // and after pong k-1's receive
            b.strand(ns);
            if (k < m) b.signal(pinger, static_cast<std::uint32_t>(k), ponger, static_cast<std::uint32_t>(k + 1));
        }
        b.begin_task();
        for (std::uint64_t k = 0; k <= m; ++k) {
            b.strand(p.work_ns);
            if (k > 0) b.signal(ponger, static_cast<std::uint32_t>(k), pinger, static_cast<std::uint32_t>(k));
        }
    }
    return b.finish(root, "pingpong(pairs=" + std::to_string(pairs) + ",messages=" + std::to_string(m) +
                              ",work_ns=" + std::to_string(p.work_ns) + ",sample_every=" +
                              std::to_string(p.sample_every) + ")");
}

TaskGraph spawn_wait(std::uint32_t rounds) {
    const std::uint64_t n = rounds;
    if (2 * n + 1 > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("spawnwait: too many strands for 32-bit ids");
    GraphBuilder b;
    b.reserve(n + 1, 2 * n + 1, n, 0);
    const TaskId main = b.begin_task();
    for (std::uint64_t i = 0; i <= n; ++i) {
        b.strand(0);
        if (i < n) b.spawn(static_cast<TaskId>(1 + i), 0);
    }
    for (std::uint64_t i = 0; i < n; ++i) {
        const TaskId g = b.begin_task();
        b.strand(0);
        b.signal(g, 0, main, static_cast<std::uint32_t>(i + 1));
    }
    return b.finish(main, "spawnwait(n=" + std::to_string(n) + ")");
}

TaskGraph make(const std::string& shape, const std::map<std::string, std::string>& params) {
    Params in(params);
    if (shape == "fib") {
        FibParams p;
        std::string spawn = "both";
        if (auto it = in.left.find("spawn"); it != in.left.end()) {
            spawn = it->second;
            in.left.erase(it);
            if (spawn != "one" && spawn != "both") throw std::invalid_argument("fib: spawn must be one or both");
        }
        p.spawn_both = spawn == "both";
        in.get("n", p.n);
        in.get("cutoff", p.cutoff);
        if (in.left.count("call_ns")) {
            std::uint64_t ns = 0;
            in.get("call_ns", ns);
            p.call_ps = ns * 1000;
        }
        in.get("call_ps", p.call_ps);
        in.get("join_ns", p.join_ns);
        in.done(shape);
        return fib(p);
    }
    if (shape == "randdag") {
        RandDagParams p;
        in.get("layers", p.layers);
        in.get("width", p.width);
        in.get("max_preds", p.max_preds);
        in.get("min_ns", p.min_ns);
        in.get("max_ns", p.max_ns);
        in.get("seed", p.seed);
        in.done(shape);
        return random_dag(p);
    }
    if (shape == "cholesky") {
        CholeskyParams p;
        in.get("tiles", p.tiles);
        in.get("gemm_ns", p.gemm_ns);
        in.done(shape);
        return cholesky(p);
    }
    if (shape == "spawn-storm") {
        SpawnStormParams p;
        in.get("n", p.n);
        in.get("task_ns", p.task_ns);
        in.done(shape);
        return spawn_storm(p);
    }
    if (shape == "uts") {
        UtsParams p;
        in.get("root_children", p.root_children);
        in.get("m", p.m);
        in.get("q", p.q);
        in.get("node_ns", p.node_ns);
        in.get("seed", p.seed);
        in.get("max_nodes", p.max_nodes);
        in.done(shape);
        return uts_like(p);
    }
    if (shape == "pingpong") {
        PingPongParams p;
        in.get("pairs", p.pairs);
        in.get("messages", p.messages);
        in.get("work_ns", p.work_ns);
        in.get("sample_every", p.sample_every);
        in.get("clock_ns", p.clock_ns);
        in.done(shape);
        return ping_pong(p);
    }
    throw std::invalid_argument("no shape named '" + shape + "' (fib, randdag, cholesky, spawn-storm, uts, pingpong)");
}

}  // namespace schedlab::sim::shapes
