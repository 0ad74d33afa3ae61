// Work and span of a fork-join run, measured the way Cilkscale does: time every strand (a
// stretch of a task that neither spawns nor syncs), add them all up for the work T1, and carry
// the longest path through them for the span T∞. Parallelism is T1 / T∞.
//
// How it is switched on: work_span::Measured<R> is a task runtime that wraps R and whose Group
// times strands; R itself is untouched. A workload writes its run() once against R::Group and
// wraps its body in work_span::measure<R>(body). Run on a plain R, measure() just calls body
// and the Group is R's own: the timed repetitions pay nothing, not even a branch. The harness
// gets work and span from one extra, instrumented repetition:
//
//     W w(params);
//     R::run(procs, [&] { w.template run<work_span::Measured<R>>(); });
//     Result r = w.check();   // extra columns work_ns, span_ns, parallelism filled in
//
// Its wall time is not comparable with the plain repetitions (every strand reads the clock
// twice). Work and span are properties of the DAG, not of P, so run the instrumented repetition
// on 1 P: with more Ps the Ms share cores and caches (with each other and, on a shared machine,
// with other processes), which stretches strands in wall time. On the 2-vCPU machine matmul's
// measured work doubled from 1 P to 2 P.
//
// The span rule, per task frame (times are relative to the frame's start):
//   - `path` is the longest path ending at the current point of the frame's own strands;
//   - a spawn ends the parent's strand (a new one begins after it) and the child starts at the
//     parent's path; when the child finishes, `path at spawn + child's span` is a candidate;
//   - at a sync (Group::wait), path = max(path, the group's candidates since its last sync);
//   - the frame's span is its path when it returns (the Group requires a wait before that).
// Work is the sum of every strand's length, children's work handed up at the sync.
//
// Limits: a Group belongs to the task that made it (spawn and wait from that task only), as in
// Cilk; tasks started with R::go are not part of the DAG and are not measured; strand lengths
// are wall time, so an OS preemption inside a strand counts as work.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace schedlab::workloads::work_span {

struct Measurement {
    std::uint64_t work_ns = 0;  // T1: sum of strand lengths
    std::uint64_t span_ns = 0;  // T∞: longest path through the strands
    double parallelism() const {
        return span_ns == 0 ? 0.0 : static_cast<double>(work_ns) / static_cast<double>(span_ns);
    }
};

// The default strand clock: wall time in nanoseconds. A clock only needs now() to be monotonic
// on each thread (a strand starts and ends on the same thread); tests substitute a virtual one.
struct SteadyClock {
    static std::uint64_t now() {
        return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now().time_since_epoch())
                                              .count());
    }
};

// CPU time of the calling thread: a strand preempted by the OS does not grow. Each read is a
// system call (~0.3-1 us, no vDSO), which the strands then contain, so use it for coarse DAGs
// (matmul, uts with g > 1) on a loaded machine. On the wall clock the span is the longest path,
// so a single multi-millisecond preemption anywhere in a run ends up in it: on the shared
// 2-vCPU VM matmul 512/64's span read 26 ms on SteadyClock and 3.1 ms here (8 leaves).
struct ThreadCpuClock {
    static std::uint64_t now() {
        timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
               static_cast<std::uint64_t>(ts.tv_nsec);
    }
};

namespace detail {

// The strand bookkeeping of one running task (lives on that task's stack).
struct Frame {
    std::uint64_t work = 0;
    std::uint64_t path = 0;
    std::uint64_t strand_start = 0;

    void begin_strand(std::uint64_t now) { strand_start = now; }
    void end_strand(std::uint64_t now) {
        const std::uint64_t len = now - strand_start;
        work += len;
        path += len;
    }
};

// The frame of the task running on this thread. A thread-local, because a Group cannot be told
// which task made it; it is written whenever a measured task starts or resumes (after a wait or
// yield), so a task that moved to another thread finds its own frame again. The accessors are
// out of line (workloads/src/work_span.cpp) so that no compiler caches the thread's TLS
// address across a call that may switch the task to another thread.
Frame* current_frame();
void set_current_frame(Frame* f);

}  // namespace detail

// A fork-join runtime that measures work and span; wraps any ForkJoinRuntime R.
template <class R, class Clock = SteadyClock>
class Measured {
public:
    using inner_runtime = R;
    using clock = Clock;
    static constexpr bool measures_work_span = true;

    template <class F>
    static auto run(int procs, F&& main) {
        return R::run(procs, std::forward<F>(main));
    }

    // Not part of the DAG: runs unmeasured, with no frame (so it cannot attach its own spawns
    // to whatever frame ran last on its thread).
    template <class F>
    static void go(F&& f) {
        R::go([fn = std::forward<F>(f)]() mutable {
            detail::set_current_frame(nullptr);
            fn();
        });
    }

    static void yield() {
        detail::Frame* me = detail::current_frame();
        if (me) me->end_strand(Clock::now());
        R::yield();
        detail::set_current_frame(me);
        if (me) me->begin_strand(Clock::now());
    }

    class Group {
    public:
        Group() = default;
        Group(const Group&) = delete;
        Group& operator=(const Group&) = delete;

        template <class F>
        void spawn(F&& f) {
            // The parent's strand ends at the spawn and a new one begins after it, so that a
            // runtime that may run the child inline, inside spawn (OpenMP's undeferred tasks),
            // does not have the child's time counted in the parent's strand too; the spawn call
            // itself is therefore nobody's work. The child's path starts at the parent's path.
            detail::Frame* parent = detail::current_frame();
            std::uint64_t at = 0;
            if (parent) {
                parent->end_strand(Clock::now());
                at = parent->path;
            }
            inner_.spawn([this, at, fn = std::forward<F>(f)]() mutable {
                detail::Frame self;
                detail::set_current_frame(&self);
                self.begin_strand(Clock::now());
                fn();
                self.end_strand(Clock::now());
                detail::set_current_frame(nullptr);
                child_done(self.work, at + self.path);
            });
            detail::set_current_frame(parent);
            if (parent) parent->begin_strand(Clock::now());
        }

        void wait() {
            detail::Frame* me = detail::current_frame();
            if (me) me->end_strand(Clock::now());
            inner_.wait();
            detail::set_current_frame(me);
            // inner_.wait() orders every child's child_done before this point.
            const std::uint64_t w = child_work_.exchange(0, std::memory_order_relaxed);
            const std::uint64_t p = child_path_.exchange(0, std::memory_order_relaxed);
            if (me) {
                me->work += w;
                if (p > me->path) me->path = p;
                me->begin_strand(Clock::now());
            }
        }

    private:
        void child_done(std::uint64_t work, std::uint64_t path_end) {
            child_work_.fetch_add(work, std::memory_order_relaxed);
            std::uint64_t cur = child_path_.load(std::memory_order_relaxed);
            while (path_end > cur &&
                   !child_path_.compare_exchange_weak(cur, path_end, std::memory_order_relaxed)) {
            }
        }

        typename R::Group inner_;
        std::atomic<std::uint64_t> child_work_{0};
        std::atomic<std::uint64_t> child_path_{0};  // longest path ending in a child, since sync
    };
};

template <class R>
inline constexpr bool is_measured = requires { R::measures_work_span; };

// Run body as the root of a measured DAG when R measures, else just run it.
template <class R, class F>
std::optional<Measurement> measure(F&& body) {
    if constexpr (is_measured<R>) {
        detail::Frame root;
        detail::Frame* outer = detail::current_frame();
        detail::set_current_frame(&root);
        root.begin_strand(R::clock::now());
        body();
        root.end_strand(R::clock::now());
        detail::set_current_frame(outer);
        return Measurement{root.work, root.path};
    } else {
        body();
        return std::nullopt;
    }
}

// The three CSV columns every fork-join workload reports; empty when the run was not measured,
// so a workload's columns are the same on every row.
inline void append_columns(const std::optional<Measurement>& m,
                           std::vector<std::pair<std::string, std::string>>& extra) {
    if (!m) {
        extra.emplace_back("work_ns", "");
        extra.emplace_back("span_ns", "");
        extra.emplace_back("parallelism", "");
        return;
    }
    char par[32];
    std::snprintf(par, sizeof par, "%.3f", m->parallelism());
    extra.emplace_back("work_ns", std::to_string(m->work_ns));
    extra.emplace_back("span_ns", std::to_string(m->span_ns));
    extra.emplace_back("parallelism", par);
}

}  // namespace schedlab::workloads::work_span
