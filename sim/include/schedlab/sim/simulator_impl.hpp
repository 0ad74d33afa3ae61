// The simulator's machinery: included by the translation units that instantiate a bundle
// (sim/src/sim_bundles_*.cpp), or by code that instantiates its own bundle. The model and
// what it leaves out are described in simulator.hpp; each step below names the runtime
// function it mirrors (runtime/include/schedlab/runtime/runtime_impl.hpp).
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "schedlab/sim/simulator.hpp"

namespace schedlab::sim {

namespace detail {
inline constexpr std::uint32_t kRingSize = 256;                // runtime kRunQueueSize
inline constexpr std::uint32_t kGlobalGrabMax = kRingSize / 2;  // runtime kGlobalGrabMax
inline constexpr std::size_t kCacheMax = 64;  // runtime kPerPCacheMax (stacks and Gs)
inline constexpr std::size_t kCacheBatch = 32;  // runtime kCacheBatch

// Free objects of one kind (stacks, G descriptors) as the runtime keeps them: a cache per P
// (FreeCache, at most kCacheMax, most recent last) and a runtime-wide list under a lock. A full
// cache gives its older half to the list; an empty one refills kCacheBatch from the list's
// newest end. Each operation on the list is one locked op (counted in ops).
template <class T>
struct FreeLists {
    std::vector<std::vector<T>> cache;  // per P
    std::vector<T> shared;
    std::uint64_t lock_free_at = 0;
    std::uint64_t ops = 0;

    explicit FreeLists(std::uint32_t procs) : cache(procs) {}
    // Whether the P's cache has one after a refill if it was empty (else a new object is made).
    bool refill_if_empty(std::uint32_t p) {
        auto& c = cache[p];
        if (!c.empty()) return true;
        ++ops;
        for (std::size_t i = 0; i < kCacheBatch && !shared.empty(); ++i) {
            c.push_back(shared.back());
            shared.pop_back();
        }
        return !c.empty();
    }
    T pop(std::uint32_t p) {
        const T x = cache[p].back();
        cache[p].pop_back();
        return x;
    }
    // Returns whether the list was used (the cache was full).
    bool put(std::uint32_t p, T x) {
        auto& c = cache[p];
        bool spilled = false;
        if (c.size() == kCacheMax) {
            ++ops;
            const std::size_t half = c.size() / 2;
            shared.insert(shared.end(), c.begin(), c.begin() + static_cast<std::ptrdiff_t>(half));
            c.erase(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(half));
            spilled = true;
        }
        c.push_back(x);
        return spilled;
    }
};
inline constexpr std::uint64_t kNever = ~std::uint64_t{0};
inline constexpr std::uint32_t kParkedHere = std::uint32_t{1} << 31;  // in sig_left: the G waits at it

// An array of n trivially constructible T, not written on allocation, on transparent huge pages
// where the kernel allows (madvise mode): a first touch of a 4 KiB page costs ~10-20 us on a
// VM, so millions of Gs' states on small pages spent most of a run in page faults.
template <class T>
class HugeArray {
    static_assert(std::is_trivially_default_constructible_v<T> && std::is_trivially_destructible_v<T>);

public:
    explicit HugeArray(std::size_t n) {
        constexpr std::size_t kHuge = std::size_t{2} << 20;
        const std::size_t bytes = std::max<std::size_t>((n * sizeof(T) + kHuge - 1) / kHuge * kHuge, kHuge);
        p_ = static_cast<T*>(std::aligned_alloc(kHuge, bytes));
        if (!p_) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        ::madvise(p_, bytes, MADV_HUGEPAGE);  // advice only: small pages if refused
#endif
    }
    ~HugeArray() { std::free(p_); }
    HugeArray(const HugeArray&) = delete;
    HugeArray& operator=(const HugeArray&) = delete;
    T& operator[](std::size_t i) { return p_[i]; }
    const T& operator[](std::size_t i) const { return p_[i]; }

private:
    T* p_ = nullptr;
};

// The stacks one P has touched, on its clock of touches (one per G started there): a stack's
// latest touch holds a 1, its older touches 0, so the ones after a time count the distinct
// stacks touched since (the LRU stack distance). The ones are kept as bits, 64 touches to a
// word, with a Fenwick tree over the words' counts: a query or update reads one word and a
// walk of the tree, which is 64 times smaller than a tree over touches (at 256 Ps the
// per-touch tree was 16 MB and a fifth of the simulator's time went to its cache misses).
// Grows by appending.
class TouchLog {
public:
    std::uint32_t now() const { return now_; }
    // A new touch at time now() + 1, returned.
    std::uint32_t append() {
        const std::uint32_t i = ++now_;
        const std::uint32_t w = (i - 1) / 64;
        if (w == words_.size()) {
            words_.push_back(0);
            // Tree node w + 1 covers words (low, w + 1]: the new one (no ones yet) plus the
            // nodes that tile (low, w], which are w, then each one's predecessor down to low.
            const std::uint32_t n = w + 1, low = n - (n & (0u - n));
            std::uint32_t sum = 0;
            for (std::uint32_t j = n - 1; j > low; j &= j - 1) sum += tree_[j - 1];
            tree_.push_back(sum);
        }
        words_[w] |= std::uint64_t{1} << ((i - 1) % 64);
        ++tree_[w];  // the last word's node covers no later one: nothing above it to update
        ++ones_;
        return i;
    }
    void clear(std::uint32_t i) {
        --ones_;
        const std::uint32_t w = (i - 1) / 64;
        words_[w] &= ~(std::uint64_t{1} << ((i - 1) % 64));
        for (std::uint32_t j = w + 1; j <= tree_.size(); j += j & (0u - j)) --tree_[j - 1];
    }
    // The ones after t: those of later words (the total less a prefix of the tree) plus the
    // later bits of t's own word.
    std::uint32_t since(std::uint32_t t) const {
        if (t == 0) return ones_;
        const std::uint32_t w = (t - 1) / 64, bit = (t - 1) % 64;
        std::uint32_t before = 0;  // ones in words 0..w
        for (std::uint32_t j = w + 1; j; j &= j - 1) before += tree_[j - 1];
        const std::uint64_t after_t = bit == 63 ? 0 : words_[w] >> (bit + 1);
        return ones_ - before + static_cast<std::uint32_t>(__builtin_popcountll(after_t));
    }

private:
    std::vector<std::uint64_t> words_;  // bit k of word w: touch 64 w + k + 1 is a stack's latest
    std::vector<std::uint32_t> tree_;   // Fenwick tree over the words' popcounts
    std::uint32_t now_ = 0;
    std::uint32_t ones_ = 0;
};

// The pending events: at most one per P (its next step), kept in a winner tree over the Ps
// so that the earliest (time, then lower P) is at the root and changing one P's time costs
// log2(P) comparisons. A node holds its winner as one key, time << kPBits | P, so a level of
// a replay is one load of the sibling and a branch-free min (a compare of (time, P) pairs
// was mispredicted about every other level). A time from kTimeLimit on (78 virtual hours)
// cannot be kept: the P then waits for nothing and overflowed() says so.
class EventTree {
public:
    static constexpr int kPBits = 16;  // Ps up to 65536
    static constexpr std::uint32_t kMaxPs = std::uint32_t{1} << kPBits;
    static constexpr std::uint64_t kTimeLimit = (std::uint64_t{1} << (64 - kPBits)) - 1;

    explicit EventTree(std::uint32_t n) {
        leaves_ = 1;
        while (leaves_ < n) leaves_ *= 2;
        nodes_.assign(2 * static_cast<std::size_t>(leaves_), ~std::uint64_t{0});
        for (std::uint32_t i = 0; i < leaves_; ++i) nodes_[leaves_ + i] = never(i);
        for (std::uint32_t i = leaves_; i-- > 1;) nodes_[i] = std::min(nodes_[2 * i], nodes_[2 * i + 1]);
    }
    std::uint32_t top() const { return static_cast<std::uint32_t>(nodes_[1] & kPMask); }
    // kNever when every P waits for nothing.
    std::uint64_t top_time() const { return time_of(nodes_[1]); }
    std::uint64_t time(std::uint32_t p) const { return time_of(nodes_[leaves_ + p]); }
    bool overflowed() const { return overflowed_; }
    void set(std::uint32_t p, std::uint64_t t) {
        std::uint32_t i = leaves_ + p;
        std::uint64_t cur = never(p);
        if (t < kTimeLimit) cur = t << kPBits | p;
        else if (t != kNever) overflowed_ = true;
        nodes_[i] = cur;
        for (; i > 1; i >>= 1) {
            cur = std::min(cur, nodes_[i ^ 1]);
            nodes_[i >> 1] = cur;
        }
    }

private:
    static constexpr std::uint64_t kPMask = (std::uint64_t{1} << kPBits) - 1;
    // kNever's key keeps its P, so that ties among waiting Ps still go to the lower P.
    static std::uint64_t never(std::uint32_t p) { return ~kPMask | p; }
    static std::uint64_t time_of(std::uint64_t key) {
        return (key | kPMask) == ~std::uint64_t{0} ? kNever : key >> kPBits;
    }
    std::uint32_t leaves_ = 1;
    bool overflowed_ = false;
    std::vector<std::uint64_t> nodes_;
};
}  // namespace detail

template <policies::Bundle Policy>
struct Simulator<Policy>::Impl {
    using Victim = typename Policy::victim;
    using Steal = typename Policy::steal;
    static constexpr bool kRunnext = Policy::runnext::enabled;
    static constexpr bool kLifo = Policy::local_order::lifo;               // the owner pops the tail
    static constexpr bool kInline = Policy::join::run_children_inline;  // joins run queued children

    enum class Phase : std::uint8_t { Schedule, Run, Boundary, Steal, StealPause, Park, Wake, Parked };

    // A G: where its task is in its body. Written whole when its task is created (init_g), not
    // before: the array is allocated without being touched, so a graph of millions of tasks
    // costs no pass over it, and each G's line is first written when it is about to run.
    struct GState {
        std::uint64_t done;         // work done in the current strand
        std::uint32_t strand;       // current strand (index into graph.strands)
        std::uint32_t next_spawn;   // next spawn of the current strand
        std::uint32_t spawn_end;    // the current strand's end of spawns and its cost, copied
        std::uint32_t waiting;      // joined children not yet complete
        std::uint64_t cost;         // here so that running it reads one cache line, not two
        std::uint16_t last_p;       // the P that created it or last ran it (procs <= kMaxPs)
        // Its stack, from its first start to its end, is known by where it was last touched:
        // the P and that P's TouchLog time (0: not yet, or a new stack). Kept here rather than
        // in a table by stack, as the G is read anyway when it starts.
        std::uint16_t stack_p;
        std::uint32_t stack_at;
        // Its G descriptor (FreeDesc::id): descriptors are recycled, so a thief's CAS on a
        // victim's runnext, which compares descriptors, succeeds when the one it saw is back.
        std::uint32_t desc;
        bool awaited;               // the parent's current join waits for this task
        bool complete;
        // Run by its parent's join as a call on the parent's stack (kInline), not as a G of
        // its own: its stack fields are then its G's (the innermost frame's copy, given back
        // to the parent when it returns) and last_p is where that G runs; desc stays its own
        // (freed when it returns), the G's is its outermost frame's (g_desc).
        bool inlined;
    };
    static_assert(detail::EventTree::kMaxPs - 1 <= 0xffff, "a P id must fit last_p and stack_p");
    static_assert(sizeof(GState) == 48, "a G's state is read on every start: keep it to 48 bytes");

    // A free stack, known by its last touch: the P and that P's TouchLog time (a P's cached
    // stacks were last touched there if a G of that P freed them, elsewhere if they came
    // through the pool).
    struct FreeStack {
        std::uint32_t p;
        std::uint32_t at;
    };

    // A free G descriptor: which one (ids handed out as the runtime makes new ones) and the P
    // that last wrote it.
    struct FreeDesc {
        std::uint32_t id;
        std::uint32_t p;
    };

    struct P {
        std::uint32_t id = 0;
        std::uint32_t head = 0, tail = 0;
        TaskId runnext = kNoTask;
        Phase phase = Phase::Schedule;
        TaskId cur = kNoTask;
        std::uint64_t schedtick = 0;
        detail::TouchLog touches;          // stacks touched here (the reuse distance)
        std::uint64_t inherited = 0;
        std::uint64_t slice_start = 0;
        bool slice_started = false;
        bool spinning = false;
        bool idle = false;
        bool wake_spinning = false;
        bool pause_remote = false;
        std::uint64_t ended_at = 0;  // Boundary: when the strand ended
        std::uint64_t rng = 0;       // the drift of its spinning waits (draw), seeded per P
        std::uint32_t pause_victim = 0;
        std::uint32_t pause_desc = 0;  // the descriptor of the victim's runnext when the pause began
        std::uint64_t spin_deadline = 0;
        std::uint64_t spin_start = 0;  // when the current spin's steal passes began (spin_ns)
        std::uint64_t parked_at = 0;   // when its M parked (park_ns)
        int round = 0;
        std::uint32_t vidx = 0;
        std::vector<std::uint32_t> victims;
        typename Victim::State victim{};
        TaskId ring[detail::kRingSize];
        // Gs made runnable by this P's step, charged there and put into its queue when the
        // step's costs are paid (at its next step): other Ps see them from then on.
        std::vector<TaskId> pending;

        std::uint32_t queued() const { return tail - head; }
    };

    const SimOptions& opts;
    const CostModel& cost;
    const TaskGraph& g;
    policies::Topology topo;
    const std::uint32_t procs;

    std::vector<P> ps;
    detail::HugeArray<GState> gs;
    std::vector<std::uint32_t> preds_left;  // per task: dependency edges not yet satisfied
    std::deque<TaskId> global;
    std::uint64_t lock_free_at = 0;
    // The runtime's free stacks (StackPool) and free G descriptors (gfree, gfree_), each
    // known by the P that last wrote it.
    detail::FreeLists<FreeStack> stacks;
    detail::FreeLists<FreeDesc> descriptors;
    std::uint32_t descriptors_made = 0;
    std::vector<std::uint32_t> pidle;  // idle Ps, most recent last (the runtime's pidle_)
    std::uint32_t npidle = 0;
    std::uint32_t nmspinning = 0;
    SimResult r;  // before rec, which refers into it
    detail::EventTree events;
    std::vector<Trace::Strand>& rec;  // r.trace.strands
    std::uint64_t completed = 0;
    std::uint64_t strand_runs = 0;  // strands started (each must start exactly once)
    const bool tracing;              // record every strand (SimOptions::keep_trace) and validate
    bool finished = false;
    // reuse[b]: the extra cost of resuming a G after d other stacks were touched on its P,
    // floor(log2 d) = b.
    std::uint64_t reuse[64] = {};
    const bool shared;  // more than one P: the runtime's runnext and ring ops are CASes
    // Signals (channel messages), only when the graph has any: per strand, its first outgoing
    // signal (g.signals is sorted by from), its incoming signals, and those not yet arrived
    // (kParkedHere set while its G is blocked there).
    const bool signalling;
    std::vector<std::uint32_t> sig_first, sig_in, sig_left;

    Impl(const SimOptions& o, const TaskGraph& graph)
        : opts(o), cost(o.cost), g(graph), topo(o.topology.procs ? o.topology : policies::Topology::flat(o.procs)),
          procs(o.procs), ps(o.procs), gs(graph.tasks.size()), stacks(o.procs), descriptors(o.procs), events(o.procs),
          rec(r.trace.strands), tracing(o.keep_trace), shared(o.procs > 1), signalling(!graph.signals.empty()) {
        // The measured points (log2 K, ns), from (0, 0): linear in log2 K between them.
        const std::pair<int, std::uint64_t> pts[] = {{0, 0},
                                                     {6, cost.reuse_64_ns},
                                                     {8, cost.reuse_256_ns},
                                                     {10, cost.reuse_1024_ns},
                                                     {12, cost.reuse_4096_ns},
                                                     {14, cost.reuse_16384_ns},
                                                     {16, cost.reuse_65536_ns}};
        for (int b = 0; b < 64; ++b) {
            std::size_t i = 1;
            while (i + 1 < std::size(pts) && pts[i].first < b) ++i;
            const auto [b0, v0] = pts[i - 1];
            const auto [b1, v1] = pts[i];
            if (b >= b1) {
                reuse[b] = v1;
            } else {
                const double f = double(b - b0) / double(b1 - b0);
                reuse[b] = static_cast<std::uint64_t>(double(v0) + f * (double(v1) - double(v0)) + 0.5);
            }
        }
    }

    // ---- Small pieces --------------------------------------------------------------------------

    void charge(std::uint64_t& t, std::uint64_t ns) {
        t += ns;
        r.overhead_ns += ns;
    }

    // A runtime lock as a FIFO resource held global_op_ns per operation: the global queue's
    // (by default), or a free list's.
    std::uint64_t lock(std::uint64_t t) { return lock(t, lock_free_at); }
    std::uint64_t lock(std::uint64_t t, std::uint64_t& free_at) {
        const std::uint64_t start = std::max(t, free_at);
        free_at = start + cost.global_op_ns;
        r.overhead_ns += free_at - t;
        return free_at;
    }

    // ---- Stacks and G descriptors (StackPool::get/put, new_g, gfput) ----------------------------

    // Take from P's cache into out (an empty cache refills from the list, under its lock);
    // false: none left anywhere, the runtime makes a new one.
    template <class T>
    bool take(detail::FreeLists<T>& l, const P& p, std::uint64_t& t, T& out) {
        if (l.cache[p.id].empty()) t = lock(t, l.lock_free_at);
        if (!l.refill_if_empty(p.id)) return false;
        out = l.pop(p.id);
        return true;
    }
    // Give back to P's cache (a full one spills to the list, under its lock).
    template <class T>
    void give(detail::FreeLists<T>& l, const P& p, T x, std::uint64_t& t) {
        if (l.put(p.id, x)) t = lock(t, l.lock_free_at);
    }

    // A first run's stack: its P cache's most recent; none left means a new stack (stack_at 0).
    FreeStack get_stack(P& p, std::uint64_t& t) {
        FreeStack s{p.id, 0};
        if (!take(stacks, p, t, s)) {
            ++r.stacks_created;
            charge(t, cost.fresh_g_ns);  // a new stack: cold memory (calibrate's spawn storm)
        }
        return s;
    }

    // A spawn's G descriptor, likewise (none left: a new one); one another P last wrote (it
    // came through the list) costs a cross-core line transfer as the spawn writes it:
    // remote_done_ns.
    std::uint32_t get_descriptor(P& p, std::uint64_t& t) {
        FreeDesc d{0, p.id};
        if (!take(descriptors, p, t, d)) return descriptors_made++;
        if (d.p != p.id) {
            ++r.g_moves;
            charge(t, cost.remote_done_ns);
        }
        return d.id;
    }

    void push_event(std::uint32_t p, std::uint64_t t) { events.set(p, t); }

    void note_spinning() {
        if (nmspinning > r.max_spinning) r.max_spinning = nmspinning;
    }

    // ---- Queues (runqput, runqput_tail, runqget, globrunqget) -----------------------------------

    void put_tail(P& p, TaskId t_id, std::uint64_t& t) {
        if (p.queued() < detail::kRingSize) {
            p.ring[p.tail++ % detail::kRingSize] = t_id;
            return;
        }
        // runqputslow: the older half plus the new G to the global queue, one locked batch.
        ++r.counters.overflows;
        t = lock(t);
        const std::uint32_t n = p.queued() / 2;
        for (std::uint32_t i = 0; i < n; ++i) global.push_back(p.ring[p.head++ % detail::kRingSize]);
        global.push_back(t_id);
    }

    void runqput(P& p, TaskId id, bool next, std::uint64_t& t) {
        if (next) {
            std::swap(id, p.runnext);
            if (id == kNoTask) return;  // the kicked-out runnext, if any, goes to the tail
        }
        put_tail(p, id, t);
    }

    bool slice_expired(P& p, std::uint64_t t) {
        if (++p.inherited % cost.slice_check_every != 0) return false;
        if (!p.slice_started) {
            p.slice_started = true;
            p.slice_start = t;
            return false;
        }
        return t - p.slice_start > cost.time_slice_ns;
    }

    TaskId runqget(P& p, bool& inherit, std::uint64_t& t) {
        if (p.runnext != kNoTask) {
            const TaskId id = p.runnext;
            p.runnext = kNoTask;
            if (!slice_expired(p, t)) {
                inherit = true;
                ++r.counters.runnext_hits;
                return id;
            }
            put_tail(p, id, t);  // the slice is over: it waits its turn at the tail
        }
        inherit = false;
        if (p.head != p.tail) {
            ++r.counters.local_pops;
            if constexpr (kLifo) return p.ring[--p.tail % detail::kRingSize];  // the newest
            return p.ring[p.head++ % detail::kRingSize];
        }
        return kNoTask;
    }

    // Called with the lock taken (its cost already charged).
    TaskId globrunqget(P& p, std::uint32_t max) {
        const auto size = static_cast<std::uint32_t>(global.size());
        if (size == 0) return kNoTask;
        std::uint32_t n = size / procs + 1;
        if (n > size) n = size;
        if (max > 0 && n > max) n = max;
        if (n > detail::kGlobalGrabMax) n = detail::kGlobalGrabMax;
        const TaskId first = global.front();
        global.pop_front();
        for (std::uint32_t i = 1; i < n; ++i) {
            if (p.queued() >= detail::kRingSize) break;  // cannot happen with an empty ring
            p.ring[p.tail++ % detail::kRingSize] = global.front();
            global.pop_front();
        }
        ++r.counters.global_pulls;
        return first;
    }

    // ---- Spinning and waking (wakep, reset_spinning, become_spinning) ---------------------------

    void wakep(std::uint64_t& t) {
        if (procs == 1 || npidle == 0 || nmspinning != 0) return;
        nmspinning = 1;
        note_spinning();
        P& q = ps[pidle.back()];
        pidle.pop_back();
        q.idle = false;
        --npidle;
        q.wake_spinning = true;
        q.phase = Phase::Wake;
        push_event(q.id, t + cost.unpark_latency_ns);
        charge(t, cost.wake_ns);
    }

    void reset_spinning(P& p, std::uint64_t& t) {
        p.spinning = false;
        if (nmspinning-- == 1) wakep(t);  // the last spinner found work: keep someone looking
    }

    bool become_spinning(P& p) {
        if (!Policy::spin_cap::may_spin(nmspinning, procs - npidle, procs)) return false;
        ++nmspinning;
        note_spinning();
        p.spinning = true;
        if (nmspinning > r.counters.spinning_high_water) r.counters.spinning_high_water = nmspinning;
        return true;
    }

    // ---- Running Gs ------------------------------------------------------------------------------

    // find_runnable returned `id`: stop spinning, switch to it (prepare_run + execute).
    std::uint64_t start(P& p, TaskId id, bool inherit, std::uint64_t t) {
        if (p.spinning) reset_spinning(p, t);
        if (!inherit) {
            ++p.schedtick;
            p.inherited = 0;
            p.slice_started = false;
        }
        ++r.counters.gs_run;
        charge(t, cost.switch_ns - cost.switch_ns / 2);
        GState& gst = gs[id];
        // Its descriptor (and, resumed, its stack) were last written on another core.
        bool moved = gst.last_p != p.id;
        if (moved) ++r.counters.migrations;
        gst.last_p = p.id;
        if constexpr (kInline) {
            // A G resumed inside children its joins ran inline: the frames that called them,
            // down to the G's own, are on the same stack, and so are their join counters.
            if (moved)
                for (TaskId f = id; gs[f].inlined;) {
                    f = g.tasks[f].parent;
                    gs[f].last_p = p.id;
                }
        }
        if (gst.stack_at == 0) {
            // First run: a stack from this P's cache. One that another P last touched came
            // through the pool and is written here while its lines are in that P's cache:
            // the same move (measured together with the descriptor's, charged once).
            const FreeStack fs = get_stack(p, t);
            gst.stack_p = fs.p;
            gst.stack_at = fs.at;
            if (fs.at && fs.p != p.id) {
                ++r.stack_moves;
                moved = true;
            }
        }
        if (moved) charge(t, cost.migrate_ns);
        if (gst.stack_p == p.id && gst.stack_at) {
            // The other stacks touched here since this one was pushed its lines (and the
            // descriptor's) out of the caches: a resume on the P it blocked on, or a first run
            // on a stack freed a while ago.
            const std::uint32_t d = p.touches.since(gst.stack_at);
            if (d > 0) charge(t, reuse[31 - __builtin_clz(d)]);
        }
        touch(p, gst);
        prefetch_spawn(gst);
        __builtin_prefetch(&g.tasks[id]);  // read when its strand ends (prefetch_end)
        p.cur = id;
        p.phase = Phase::Run;
        const std::uint32_t s = gs[id].strand;
        if (tracing) {
            rec[s].start = t;
            ++rec[s].runs;
        }
        ++strand_runs;
        return t;
    }

    void touch(P& p, GState& gst) {
        // Written here, the stack leaves the old P's cache.
        if (gst.stack_at) ps[gst.stack_p].touches.clear(gst.stack_at);
        gst.stack_p = p.id;
        gst.stack_at = p.touches.append();
    }

    // `strand`: the task's first strand.
    void init_g(TaskId id, std::uint32_t strand, std::uint32_t creator) {
        const auto& first = g.strands[strand];
        GState& st = gs[id];
        st.done = 0;
        st.strand = strand;
        st.next_spawn = first.spawn_begin;
        st.spawn_end = first.spawn_end;
        st.waiting = 0;
        st.cost = first.cost;
        st.last_p = creator;
        st.stack_p = 0;
        st.stack_at = 0;
        st.awaited = false;
        st.complete = false;
        st.inlined = false;
        if (first.spawn_begin < first.spawn_end) __builtin_prefetch(&g.spawns[first.spawn_begin]);
        r.work_ns += first.cost;
    }

    // What creating the G's next child will touch (the child's first strand and its G), asked
    // for now: its P steps again only after hundreds of other Ps' steps at 256 Ps, so these
    // cache misses are served meanwhile instead of stalling that step.
    void prefetch_spawn(const GState& s) const {
        if (s.next_spawn >= s.spawn_end) return;
        const auto& sp = g.spawns[s.next_spawn];
        __builtin_prefetch(&g.strands[sp.child_strand]);
        __builtin_prefetch(&gs[sp.child], 1);
    }

    // Likewise for the step that ends the running strand: the next strand, or, if the task
    // completes, its parent's G (the join's counter).
    void prefetch_end(TaskId id, const GState& s) const {
        const auto& task = g.tasks[id];
        if (s.strand + 1 < task.strand_end) __builtin_prefetch(&g.strands[s.strand + 1]);
        else if (task.parent != kNoTask) __builtin_prefetch(&gs[task.parent]);
    }

    void create(P& p, TaskId id, std::uint32_t strand, std::uint64_t& t) {
        init_g(id, strand, p.id);
        ++r.counters.spawns;
        charge(t, cost.spawn_ns);
        gs[id].desc = get_descriptor(p, t);
        publish(p, id, t);
    }

    void ready(P& p, TaskId id, std::uint64_t& t) {
        charge(t, cost.ready_ns);
        publish(p, id, t);
    }

    // runqput(next) and wakep. With one P nobody else looks, so at once; with more, the put
    // is visible to other Ps only after the step's charged time (flush at the next step), not
    // from the instant the step began: a G being created is not in the queue while its
    // spawn is still being paid for.
    void publish(P& p, TaskId id, std::uint64_t& t) {
        if (!shared) {
            runqput(p, id, kRunnext, t);
            return;
        }
        charge(t, cost.shared_put_ns);
        p.pending.push_back(id);
    }

    std::uint64_t flush(P& p, std::uint64_t t) {
        for (const TaskId id : p.pending) {
            runqput(p, id, kRunnext, t);
            wakep(t);
        }
        p.pending.clear();
        return t;
    }

    std::uint64_t run(P& p, std::uint64_t now) {
        GState& s = gs[p.cur];
        if (s.next_spawn < s.spawn_end) {
            const auto& sp = g.spawns[s.next_spawn];
            if (sp.at <= s.done) {
                ++s.next_spawn;
                std::uint64_t t = now;
                create(p, sp.child, sp.child_strand, t);
                prefetch_spawn(s);
                return t;
            }
            const std::uint64_t t = now + (sp.at - s.done);
            s.done = sp.at;
            return t;
        }
        if (s.done < s.cost) {
            const std::uint64_t t = now + (s.cost - s.done);
            s.done = s.cost;
            prefetch_end(p.cur, s);
            return t;
        }
        return end_strand(p, now);
    }

    // The sends at the end of `strand`: each takes a channel operation and, if its receiver is
    // blocked waiting for it (and nothing else), readies the receiver.
    void send_signals(P& p, std::uint32_t strand, std::uint64_t& t) {
        for (std::uint32_t i = sig_first[strand]; i < sig_first[strand + 1]; ++i) {
            const auto& sig = g.signals[i];
            charge(t, cost.chan_op_ns);
            if ((--sig_left[sig.to] & detail::kParkedHere) == 0) continue;  // it waits in the channel
            GState& w = gs[sig.to_task];
            // The hand-off writes the parked receiver's lines, last written on its core.
            if (w.last_p != p.id) charge(t, cost.remote_done_ns);
            if (--w.waiting == 0) ready(p, sig.to_task, t);
        }
    }

    std::uint64_t end_strand(P& p, std::uint64_t now) {
        const TaskId id = p.cur;
        GState& s = gs[id];
        if (tracing) rec[s.strand].end = now;
        std::uint64_t t = now;
        if (signalling) {
            send_signals(p, s.strand, t);
            if (!p.pending.empty()) {
                // The readied receivers enter the queue once the sends are paid for; this G
                // goes on to its next strand (a receive, perhaps a park) in the next step.
                p.ended_at = now;
                p.phase = Phase::Boundary;
                return t;
            }
        }
        return cross_boundary(p, now, t);
    }

    // After strand s.strand of the running G ended at `ended` (and its sends, charged up to t):
    // go on to its next strand, or block there, or complete the task. The running G is p.cur,
    // or, inside children its joins run inline, the innermost of them.
    std::uint64_t cross_boundary(P& p, std::uint64_t ended, std::uint64_t t) {
        const TaskId id = p.cur;
        GState& s = gs[id];
        const auto& task = g.tasks[id];
        if (s.strand + 1 < task.strand_end) {
            // A join: wait for the listed children that have not completed yet.
            const auto& next = g.strands[++s.strand];
            s.done = 0;
            s.next_spawn = next.spawn_begin;
            s.spawn_end = next.spawn_end;
            s.cost = next.cost;
            r.work_ns += next.cost;
            std::uint32_t waiting = 0;
            for (std::uint32_t j = next.join_begin; j < next.join_end; ++j) {
                GState& c = gs[g.joins[j]];
                if (!c.complete) {
                    c.awaited = true;
                    ++waiting;
                }
            }
            if constexpr (kInline) {
                if (waiting > 0) {
                    // Counted down from here by children ending elsewhere; never to zero while
                    // one runs inline (it is counted until it returns).
                    s.waiting = waiting;
                    if (inline_child(p, id, t)) return t;
                }
            }
            return pass_join(p, id, waiting, t);
        }
        // The task is complete: ready a waiting parent, release successors.
        s.complete = true;
        if constexpr (kInline) {
            if (s.inlined) return return_inline(p, id, ended, t);
        }
        give(stacks, p, FreeStack{s.stack_p, s.stack_at}, t);  // the runtime's stacks_.put on the exiting P
        give(descriptors, p, FreeDesc{s.desc, p.id}, t);         // and gfput
        charge(t, cost.switch_ns / 2);
        p.cur = kNoTask;
        p.phase = Phase::Schedule;
        if (task.parent != kNoTask) {
            // The join's counter lives in the parent's frame, in its last core's cache.
            if (gs[task.parent].last_p != p.id) charge(t, cost.remote_done_ns);
            if (s.awaited && --gs[task.parent].waiting == 0) ready(p, task.parent, t);
        }
        release_successors(p, task, ended, t);
        return t;
    }

    void release_successors(P& p, const TaskGraph::Task& task, std::uint64_t ended, std::uint64_t& t) {
        for (std::uint32_t e = task.succ_begin; e < task.succ_end; ++e)
            if (--preds_left[g.succs[e]] == 0) create(p, g.succs[e], g.tasks[g.succs[e]].strand_begin, t);
        if (++completed == g.tasks.size()) {
            finished = true;
            r.makespan_ns = ended;
        }
    }

    // The running G passes the join before strand s.strand if nothing is left to wait for
    // (`waiting` children of it, and the messages its receives still lack), else it parks.
    std::uint64_t pass_join(P& p, TaskId id, std::uint32_t waiting, std::uint64_t t) {
        GState& s = gs[id];
        if (signalling && sig_in[s.strand] != 0) {
            charge(t, sig_in[s.strand] * cost.chan_op_ns);  // the receives
            if (const std::uint32_t left = sig_left[s.strand]) {
                waiting += left;
                sig_left[s.strand] = left | detail::kParkedHere;
            }
        }
        if (waiting == 0) {
            if (tracing) {
                rec[s.strand].start = t;
                ++rec[s.strand].runs;
            }
            ++strand_runs;
            p.phase = Phase::Run;
            return t;
        }
        s.waiting = waiting;  // the G parks; the last child or sender readies it
        ++r.g_blocks;
        charge(t, cost.switch_ns / 2);
        p.cur = kNoTask;
        p.phase = Phase::Schedule;
        return t;
    }

    // ---- Inline joins (Policy::join::run_children_inline) ----------------------------------------
    //
    // As the runtime's run_queued_children_inline: a join that runs its children inline takes
    // the newest G queued on its own P (runnext if it holds one, else the ring's tail) while
    // that is an unstarted child of this join, and runs each as a call on its own stack. The
    // child is then the innermost frame of the running G (p.cur; its graph parent is the frame
    // it returns to): no stack of its own, no switch, no park or ready, no migration; it counts
    // in gs_run, as the runtime's does (a G executed). The take is charged local_op_ns, the pop
    // of an owner's own queue (pop_tail), and the child's strands their work as usual; its G
    // descriptor is freed when it returns (gfput). A child's own joins do the same, so frames
    // nest; a frame that has to wait (a child another P took or the scheduler started, a
    // message) parks the whole G, which resumes in that frame. A G newer than the join's
    // children (a receiver readied above them) ends the taking, as in the runtime, whose
    // owner can take only from the tail; the runtime's limit on nesting (half its stack) is
    // not modelled: the simulated stack is deep enough.

    // Whether `id`, queued on the P running `frame`, is an unstarted child of frame's current
    // join (awaited is set for those; a started G has a stack, stack_at != 0).
    bool inlinable(TaskId id, TaskId frame) const {
        const GState& c = gs[id];
        return c.awaited && c.stack_at == 0 && g.tasks[id].parent == frame;
    }

    // The newest G queued on P, taken out of it if it is one of frame's inlinable children.
    TaskId take_own_child(P& p, TaskId frame) {
        if (p.runnext != kNoTask) {
            const TaskId id = p.runnext;
            if (!inlinable(id, frame)) return kNoTask;
            p.runnext = kNoTask;
            return id;
        }
        if (p.head == p.tail) return kNoTask;
        const TaskId id = p.ring[(p.tail - 1) % detail::kRingSize];
        if (!inlinable(id, frame)) return kNoTask;
        --p.tail;
        return id;
    }

    // The descriptor of the G that `id` runs in: its own, or, inlined, its outermost frame's.
    std::uint32_t g_desc(TaskId id) const {
        while (gs[id].inlined) id = g.tasks[id].parent;
        return gs[id].desc;
    }

    // At frame's join (frame is p.cur): run one of its children inline if one is queued here.
    bool inline_child(P& p, TaskId frame, std::uint64_t& t) {
        const TaskId id = take_own_child(p, frame);
        if (id == kNoTask) return false;
        ++r.counters.inlined;
        ++r.counters.gs_run;
        charge(t, cost.local_op_ns);
        GState& c = gs[id];
        const GState& f = gs[frame];
        c.inlined = true;
        c.last_p = p.id;
        c.stack_p = f.stack_p;
        c.stack_at = f.stack_at;
        p.cur = id;
        p.phase = Phase::Run;
        if (tracing) {
            rec[c.strand].start = t;
            ++rec[c.strand].runs;
        }
        ++strand_runs;
        prefetch_spawn(c);
        return true;
    }

    // An inlined child completed: free its G, release its successors and return to its
    // parent's frame, which goes on with its join (the next child inline, on past it, or a
    // park).
    std::uint64_t return_inline(P& p, TaskId id, std::uint64_t ended, std::uint64_t t) {
        const GState& c = gs[id];
        const auto& task = g.tasks[id];
        give(descriptors, p, FreeDesc{c.desc, p.id}, t);  // gfput on the P it ended on
        const TaskId frame = task.parent;
        GState& f = gs[frame];
        f.last_p = c.last_p;  // the G's stack, as the child's frame left it
        f.stack_p = c.stack_p;
        f.stack_at = c.stack_at;
        p.cur = frame;
        release_successors(p, task, ended, t);
        if (--f.waiting > 0 && inline_child(p, frame, t)) return t;
        return pass_join(p, frame, f.waiting, t);
    }

    // ---- find_runnable ---------------------------------------------------------------------------

    std::uint64_t schedule(P& p, std::uint64_t t) {
        if (Policy::global_check::check_global_first(p.schedtick) && !global.empty()) {
            t = lock(t);
            const TaskId id = globrunqget(p, 1);
            if (id != kNoTask) return start(p, id, false, t);
        }
        bool inherit = false;
        if (const TaskId id = runqget(p, inherit, t); id != kNoTask) {
            charge(t, cost.local_op_ns);
            return start(p, id, inherit, t);
        }
        if (!global.empty()) {
            t = lock(t);
            const TaskId id = globrunqget(p, 0);
            if (id != kNoTask) return start(p, id, false, t);
        }
        if (procs > 1 && (p.spinning || become_spinning(p))) {
            ++r.counters.spins;
            p.spin_start = t;
            p.spin_deadline = t + cost.spin_ns;
            begin_pass(p);
            p.phase = Phase::Steal;
            return t;
        }
        p.phase = Phase::Park;
        return t;
    }

    void fill_round(P& p) {
        p.victims.clear();
        p.vidx = 0;
        Victim::for_each_victim(p.victim, p.round, [&](std::uint32_t v) {
            if (v != p.id && v < procs) p.victims.push_back(v);
            return false;
        });
    }

    void begin_pass(P& p) {
        p.round = 0;
        fill_round(p);
    }

    std::uint64_t take_batch(P& p, P& q, bool remote, std::uint64_t t) {
        const std::uint32_t queued = q.queued();
        std::uint32_t n = Steal::take(queued);
        if (n > queued) n = queued;
        if (n == 0) return t;
        TaskId last = kNoTask;
        for (std::uint32_t i = 0; i < n; ++i) {
            last = q.ring[q.head++ % detail::kRingSize];
            if (i + 1 < n) p.ring[p.tail++ % detail::kRingSize] = last;
        }
        ++r.counters.steals;
        r.counters.gs_stolen += n;
        if (remote) ++r.counters.remote_steals;
        charge(t, n * cost.steal_per_g_ns);
        end_spin(p, t);
        return start(p, last, false, t);
    }

    // A simulated victim's loop keeps an exact period where a real one drifts, so a thief's
    // waits of fixed length would come back at one fixed phase of it, always or never finding
    // its runnext full (spawnwait(300000) on 2 Ps with the default costs and fixed waits: 3886
    // of 3887 pauses came back to an empty runnext). Each wait of a spinning thief (the pause
    // before a runnext, the pause between passes) is lengthened by a seeded uniform draw below
    // pause_jitter_ns, the drift calibrate measures over a pause.
    std::uint64_t draw(P& p, std::uint64_t below) {
        p.rng ^= p.rng << 13;
        p.rng ^= p.rng >> 7;
        p.rng ^= p.rng << 17;
        return p.rng % below;
    }
    // The pause before taking a victim's runnext: the runtime spins until a clock read passes
    // the deadline, so it overshoots by up to one turn of its loop (a clock read and a
    // cpu_relax), drawn with the drift.
    std::uint64_t steal_pause(P& p) {
        const std::uint64_t turn = cost.clock_read_ns + cost.spin_pause_ns / 32 + 1;
        return cost.runnext_steal_pause_ns + draw(p, turn + cost.pause_jitter_ns);
    }

    // One probe of steal_work, or the end of a pass (4 rounds for Go's order).
    std::uint64_t steal(P& p, std::uint64_t now) {
        while (p.vidx == p.victims.size()) {
            if (++p.round < Victim::rounds) {
                fill_round(p);
                continue;
            }
            if (!global.empty()) {
                end_spin(p, now);
                p.phase = Phase::Schedule;
                return now;
            }
            const std::uint64_t t = now + std::max<std::uint64_t>(cost.spin_pause_ns, 1) + draw(p, cost.pause_jitter_ns + 1);
            if (t >= p.spin_deadline) {
                end_spin(p, t);
                p.phase = Phase::Park;
                return t;
            }
            begin_pass(p);
            return t;
        }
        const std::uint32_t v = p.victims[p.vidx++];
        P& q = ps[v];
        ++r.counters.steal_attempts;
        const bool remote = topo.nodes > 1 && !topo.same_node(p.id, v);
        std::uint64_t t = now;
        charge(t, cost.steal_attempt_ns);
        if (remote) {
            ++r.counters.remote_steal_attempts;
            charge(t, cost.remote_steal_extra_ns);
        }
        if (q.queued() > 0) {
            const std::uint64_t after = take_batch(p, q, remote, t);
            if (p.phase == Phase::Run) return after;
            return t;
        }
        if (p.round == Victim::rounds - 1 && q.runnext != kNoTask) {
            // Only the last round may take a runnext, after a pause that lets the victim run it.
            p.pause_victim = v;
            p.pause_remote = remote;
            p.pause_desc = g_desc(q.runnext);
            p.phase = Phase::StealPause;
            return t + steal_pause(p);
        }
        return t;
    }

    std::uint64_t steal_after_pause(P& p, std::uint64_t now) {
        P& q = ps[p.pause_victim];
        p.phase = Phase::Steal;
        if (q.queued() > 0) {
            const std::uint64_t after = take_batch(p, q, p.pause_remote, now);
            if (p.phase == Phase::Run) return after;
            return now;
        }
        if (q.runnext == kNoTask) return now;  // the victim ran it first
        if (g_desc(q.runnext) != p.pause_desc) {
            // Another G is there now: the runtime's CAS against the G it saw fails, and it
            // looks again (runqgrab's retry), pausing for the new one. The same descriptor
            // holding a newer G (it was freed and reused meanwhile) passes the CAS, as in the
            // runtime and in Go: the thief takes the newer G.
            p.pause_desc = g_desc(q.runnext);
            p.phase = Phase::StealPause;
            return now + steal_pause(p);
        }
        const TaskId id = q.runnext;
        q.runnext = kNoTask;
        ++r.counters.steals;
        ++r.counters.gs_stolen;
        if (p.pause_remote) ++r.counters.remote_steals;
        std::uint64_t t = now;
        charge(t, cost.steal_per_g_ns);
        end_spin(p, t);
        return start(p, id, false, t);
    }

    // A spin's steal passes are over at t: found a G (its steal's costs paid), or gave up.
    void end_spin(const P& p, std::uint64_t t) { r.counters.spin_ns += t - p.spin_start; }

    // The park path: the global queue under the lock, then idle, re-check, park.
    std::uint64_t park(P& p, std::uint64_t now) {
        std::uint64_t t = lock(now);
        if (!global.empty()) return start(p, globrunqget(p, 0), false, t);
        p.idle = true;
        pidle.push_back(p.id);
        ++npidle;
        const bool was_spinning = p.spinning;
        if (p.spinning) {
            p.spinning = false;
            --nmspinning;
        }
        for (const P& other : ps) {
            if (other.id == p.id || (other.queued() == 0 && other.runnext == kNoTask)) continue;
            // Work appeared: take the P back and look again (spinning only if the cap allows).
            pidle.pop_back();
            p.idle = false;
            --npidle;
            if (was_spinning) become_spinning(p);
            p.phase = Phase::Schedule;
            return t + std::max<std::uint64_t>(cost.recheck_per_p_ns, 1) * procs;
        }
        ++r.counters.parks;
        p.parked_at = t;
        p.phase = Phase::Parked;
        return detail::kNever;
    }

    std::uint64_t woken(P& p, std::uint64_t now) {
        ++r.counters.wakeups;
        r.counters.park_ns += now - p.parked_at;  // the unpark latency included
        if (p.wake_spinning) {
            p.wake_spinning = false;
            p.spinning = true;  // the waker counted this M in nmspinning already
            if (r.counters.spinning_high_water == 0) r.counters.spinning_high_water = 1;
        }
        p.phase = Phase::Schedule;
        return now;
    }

    std::uint64_t step(P& p, std::uint64_t now) {
        if (!p.pending.empty()) now = flush(p, now);
        switch (p.phase) {
            case Phase::Run: return run(p, now);
            case Phase::Boundary: return cross_boundary(p, p.ended_at, now);
            case Phase::Schedule: return schedule(p, now);
            case Phase::Steal: return steal(p, now);
            case Phase::StealPause: return steal_after_pause(p, now);
            case Phase::Park: return park(p, now);
            case Phase::Wake: return woken(p, now);
            case Phase::Parked: break;
        }
        return detail::kNever;
    }

    // ---- The run ---------------------------------------------------------------------------------

    SimResult go() {
        const std::size_t ns = g.strands.size();
        if (tracing) rec.resize(ns);
        // Work is summed as strands begin (the same total once every task has run).
        if (!g.succs.empty()) {
            preds_left.reserve(g.tasks.size());
            for (const auto& task : g.tasks) preds_left.push_back(task.npred);
        }
        if (signalling) {
            sig_first.assign(ns + 1, 0);
            sig_in.assign(ns, 0);
            for (const auto& sig : g.signals) {
                ++sig_first[sig.from + 1];
                ++sig_in[sig.to];
            }
            for (std::size_t i = 0; i < ns; ++i) sig_first[i + 1] += sig_first[i];
            sig_left = sig_in;
        }
        for (std::uint32_t i = 0; i < procs; ++i) {
            ps[i].id = i;
            Victim::init(ps[i].victim, i, topo, opts.seed);
            ps[i].rng = opts.seed * 0x9e3779b97f4a7c15ull + i + 1;
        }
        // launch: main is spawned onto P0's ring (not runnext), then every M starts looking.
        std::uint64_t t0 = 0;
        init_g(g.root, g.tasks[g.root].strand_begin, 0);
        gs[g.root].desc = descriptors_made++;
        ++r.counters.spawns;
        charge(t0, cost.spawn_ns);
        runqput(ps[0], g.root, false, t0);
        for (std::uint32_t i = 0; i < procs; ++i) push_event(i, i == 0 ? t0 : 0);

        // Each step is one event; a P keeps stepping while it stays the earliest.
        while (!finished) {
            const std::uint32_t pi = events.top();
            const std::uint64_t t = events.top_time();
            if (t == detail::kNever) break;  // every P parked
            ++r.events;
            P& p = ps[pi];
            const std::uint64_t next = step(p, t);
            events.set(pi, next);
            // Its next step will most likely start the G at the front of its queue: its state
            // is asked for now, while other Ps step (at 256 Ps, five of six steps are another P's).
            if (p.phase == Phase::Schedule) {
                if (p.runnext != kNoTask) __builtin_prefetch(&gs[p.runnext]);
                else if (p.head != p.tail)
                    __builtin_prefetch(&gs[p.ring[(kLifo ? p.tail - 1 : p.head) % detail::kRingSize]]);
            }
            if (events.overflowed()) {
                r.error = "virtual time passed " + std::to_string(detail::EventTree::kTimeLimit) + " ns";
                break;
            }
            if (opts.max_events && r.events >= opts.max_events && !finished) {
                r.error = "stopped after max_events events";
                break;
            }
        }
        if (finished) {
            // Ps spinning or parked at the end: up to the end (the runtime's, to its shutdown).
            for (const P& p : ps) {
                if (p.phase == Phase::Steal || p.phase == Phase::StealPause)
                    r.counters.spin_ns += std::max(r.makespan_ns, p.spin_start) - p.spin_start;
                else if (p.phase == Phase::Parked || p.phase == Phase::Wake)
                    r.counters.park_ns += std::max(r.makespan_ns, p.parked_at) - p.parked_at;
            }
        }
        r.tasks = completed;
        r.stack_pool_ops = stacks.ops;
        r.g_pool_ops = descriptors.ops;
        if (r.error.empty() && !finished)
            r.error = "deadlock: " + std::to_string(completed) + " of " + std::to_string(g.tasks.size()) +
                      " tasks completed and no P can run another";
        if (r.error.empty() && tracing) r.error = validate(g, r.trace);
        if (r.error.empty() && strand_runs != ns)
            r.error = std::to_string(strand_runs) + " strand runs for " + std::to_string(ns) + " strands";
        r.result_ok = r.error.empty();
        if (!opts.keep_trace) r.trace = Trace{};
        return std::move(r);
    }
};

template <policies::Bundle Policy>
Simulator<Policy>::Simulator(SimOptions opts) : opts_(std::move(opts)) {
    if (opts_.procs < 1 || opts_.procs > detail::EventTree::kMaxPs)
        throw std::invalid_argument("simulator: procs must be between 1 and " +
                                    std::to_string(detail::EventTree::kMaxPs));
    if (opts_.topology.procs != 0 &&
        (opts_.topology.procs != opts_.procs || opts_.topology.node_of.size() != opts_.procs ||
         opts_.topology.group_of.size() != opts_.procs))
        throw std::invalid_argument("simulator: the topology does not describe exactly procs Ps");
    if (opts_.cost.slice_check_every == 0)
        throw std::invalid_argument("simulator: slice_check_every must be at least 1");
}

template <policies::Bundle Policy>
Simulator<Policy>::~Simulator() = default;

template <policies::Bundle Policy>
SimResult Simulator<Policy>::run(const TaskGraph& g) {
    if (g.root == kNoTask || g.root >= g.tasks.size())
        throw std::invalid_argument("simulator: the task graph has no root");
    Impl impl(opts_, g);
    return impl.go();
}

}  // namespace schedlab::sim
