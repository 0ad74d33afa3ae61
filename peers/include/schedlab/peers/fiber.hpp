// The Boost.Fiber peers (Boost 1.74): fibers on `procs` threads that share one scheduling
// algorithm instance per run.
//
//   fiber-ws  (FiberWorkStealing)  each thread has its own deque of ready fibers and runs
//             the newest first (LIFO, depth-first like Cilk and TBB; a fiber that yields goes
//             to the old end); a thread with nothing to run steals the oldest ready fiber of
//             another thread (one fiber, victims round-robin from a rotating start)
//   fiber-rr  (FiberShared)        one FIFO shared by all threads: round-robin over the
//             threads, the shape of Boost's shared_work. FIFO runs a fork-join tree
//             breadth-first, so every fiber of the frontier is alive at once (fib(22): ~1 GB
//             of 64 KiB stacks, and the page faults dominate its time)
//
// Both use this file's own boost::fibers::algo::algorithm, not Boost's work_stealing and
// shared_work: Boost's work_stealing keeps its thread registry in statics sized once per
// process (a call_once and a static barrier), so it cannot be started a second time or with a
// different thread count in one process, which a harness running repetitions needs. Idle
// threads poll for a short while, then sleep on a condition variable; a thread that makes a
// fiber ready wakes one sleeper.
//
//   run(procs, main)  starts `procs` fresh threads that join the algorithm (the calling
//                     thread only waits); main runs in a fiber (it may migrate); run returns
//                     when every fiber has finished, then stops and joins the threads
//   go(f)             a detached fiber, launch::post (the parent goes on; the new fiber is
//                     queued, as Go's `go`)
//   Group             rt::TaskGroup: go + WaitGroup
//   WaitGroup         counter + boost::fibers::mutex / condition_variable (blocks the fiber)
//   Chan<T>(cap)      cap 0: boost::fibers::unbuffered_channel (the sender waits for the
//                     receiver); cap c with c+1 a power of two (1, 3, 7, 15, ...):
//                     boost::fibers::buffered_channel(c+1), which holds exactly c values
//                     (its ring keeps one slot free and wants a power-of-two size >= 2); any
//                     other c: a FIFO of exactly c values over the fiber mutex and condition
//                     variable (detail/sync.hpp). Capacity is exact in every case.
//   yield             boost::this_fiber::yield()
//
// Fiber stacks: stack_size() bytes (64 KiB; 256 KiB under ASan) from malloc, no guard page,
// recycled through a per-run free list (detail::StackCache), freed when the run ends. One run at a time per adapter type per process.
#pragma once

#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/channel_op_status.hpp>
#include <boost/fiber/condition_variable.hpp>
#include <boost/context/stack_context.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/mutex.hpp>
#include <boost/fiber/operations.hpp>
#include <boost/fiber/unbuffered_channel.hpp>

// Boost.Fiber's detail/cpu_relax.hpp defines a function-like macro cpu_relax(), which would
// rewrite schedlab::rt::cpu_relax (runtime/spinlock.hpp) in any header parsed after this one.
// Every Boost.Fiber header this adapter uses is included above, so the macro can go.
#ifdef cpu_relax
#undef cpu_relax
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "schedlab/peers/detail/sync.hpp"
#include "schedlab/runtime/task_runtime.hpp"

namespace schedlab::peers {

struct FiberSync {
    using mutex = boost::fibers::mutex;
    using condvar = boost::fibers::condition_variable;
};

namespace detail {

enum class FiberMode { work_stealing, shared };

// Fiber stacks of one run, recycled: a finished fiber's stack goes to a free list that the
// next fiber takes it from (any thread may free or take; a mutex guards the list). With plain
// malloc/free per fiber (fixedsize_stack), glibc hands the 64 KiB back to the OS at the heap
// top and page-faults it in again for the next fiber: fib(22) on 1 thread took 1.2 s that way
// and 22 ms without the trimming. The stacks are freed when the run ends.
class StackCache {
public:
    explicit StackCache(std::size_t size) : size_(size) {}
    StackCache(const StackCache&) = delete;
    StackCache& operator=(const StackCache&) = delete;
    ~StackCache() {
        for (void* p : free_) std::free(p);
    }

    boost::context::stack_context allocate() {
        void* p = nullptr;
        {
            std::lock_guard lk(m_);
            if (!free_.empty()) {
                p = free_.back();
                free_.pop_back();
            }
        }
        if (!p && !(p = std::malloc(size_))) throw std::bad_alloc();
        boost::context::stack_context sc;
        sc.size = size_;
        sc.sp = static_cast<char*>(p) + size_;
        return sc;
    }
    void deallocate(boost::context::stack_context& sc) noexcept {
        void* p = static_cast<char*>(sc.sp) - sc.size;
        std::lock_guard lk(m_);
        free_.push_back(p);
    }

private:
    const std::size_t size_;
    std::mutex m_;
    std::vector<void*> free_;
};

// The StackAllocator Boost.Fiber copies into each fiber: a handle on the run's cache.
struct CachedStack {
    StackCache* cache;
    boost::context::stack_context allocate() { return cache->allocate(); }
    void deallocate(boost::context::stack_context& sc) noexcept { cache->deallocate(sc); }
};

// What the threads of one run share: their ready queues, the sleep/wake machinery, the count
// of live fibers and the stop flag.
class FiberPool {
public:
    using context = boost::fibers::context;

    FiberPool(FiberMode mode, std::size_t threads, std::size_t stack_size)
        : stacks(stack_size), mode_(mode), slots_(threads) {}

    std::size_t threads() const { return slots_.size(); }

    // ---- called by the algorithm of thread `id` ----

    void push(std::size_t id, context* ctx) {
        if (ctx->is_context(boost::fibers::type::pinned_context)) {
            Slot& s = slots_[id];
            std::lock_guard lk(s.m);
            s.pinned.push_back(ctx);
            return;
        }
        ctx->detach();  // unpinned: may run on any thread of the pool
        Queue& q = ready_queue(id);
        {
            std::lock_guard lk(q.m);
            // work_stealing: the owner takes the newest, so a yielding fiber (awakened by
            // itself) goes to the old end, behind everything else.
            if (mode_ == FiberMode::work_stealing && ctx == boost::fibers::context::active())
                q.q.push_front(ctx);
            else
                q.q.push_back(ctx);
        }
        if (sleepers_.load() > 0) wake_one(id);
    }

    context* pop(std::size_t id) {
        Slot& s = slots_[id];
        {
            std::lock_guard lk(s.m);
            if (!s.pinned.empty()) {
                context* c = s.pinned.front();
                s.pinned.pop_front();
                return c;
            }
        }
        context* c = mode_ == FiberMode::work_stealing ? take_newest(ready_queue(id)) : take(ready_queue(id));
        if (!c && mode_ == FiberMode::work_stealing) {
            const std::size_t n = slots_.size();
            const std::size_t start = s.next_victim++;
            for (std::size_t k = 0; k + 1 < n && !c; ++k) {
                const std::size_t v = (id + 1 + (start + k) % (n - 1)) % n;
                c = take(slots_[v].local);
            }
        }
        if (c) boost::fibers::context::active()->attach(c);
        return c;
    }

    bool has_ready(std::size_t id) const {
        const Slot& s = slots_[id];
        {
            std::lock_guard lk(s.m);
            if (!s.pinned.empty()) return true;
        }
        const Queue& q = const_cast<FiberPool*>(this)->ready_queue(id);
        std::lock_guard lk(q.m);
        return !q.q.empty();
    }

    void sleep_until(std::size_t id, std::chrono::steady_clock::time_point tp) {
        Slot& s = slots_[id];
        if (s.idle_polls < kIdlePolls) {  // poll (and steal) a while before sleeping
            ++s.idle_polls;
            std::this_thread::yield();
            return;
        }
        std::unique_lock lk(sleep_m_);
        sleepers_.fetch_add(1);
        if (!s.wake && !work_visible(id)) {
            s.asleep = true;
            if (tp == (std::chrono::steady_clock::time_point::max)())
                s.cv.wait(lk, [&] { return s.wake; });
            else
                s.cv.wait_until(lk, tp, [&] { return s.wake; });
            s.asleep = false;
        }
        s.wake = false;
        sleepers_.fetch_sub(1);
        s.idle_polls = 0;
    }

    void notify(std::size_t id) {
        std::lock_guard lk(sleep_m_);
        slots_[id].wake = true;
        slots_[id].cv.notify_one();
    }

    void picked(std::size_t id) { slots_[id].idle_polls = 0; }

    // ---- fiber bookkeeping ----

    void task_started() { live_.fetch_add(1); }
    void task_finished() {
        if (live_.fetch_sub(1) == 1) {
            {
                std::unique_lock lk(stop_m_);
                stop_ = true;
            }
            stop_cv_.notify_all();
        }
    }
    // Called by each pool thread's main context: blocks (as a fiber) until every fiber is done.
    void wait_stop() {
        std::unique_lock lk(stop_m_);
        while (!stop_) stop_cv_.wait(lk);
    }

    ErrorSlot errors;
    StackCache stacks;

private:
    static constexpr int kIdlePolls = 64;

    struct Queue {
        mutable std::mutex m;
        std::deque<context*> q;
    };
    struct Slot {
        mutable std::mutex m;
        std::deque<context*> pinned;  // this thread's main and dispatcher contexts
        Queue local;                  // ready fibers (work_stealing mode)
        std::size_t next_victim = 0;
        int idle_polls = 0;
        // under sleep_m_
        bool asleep = false, wake = false;
        std::condition_variable cv;
    };

    Queue& ready_queue(std::size_t id) { return mode_ == FiberMode::shared ? shared_ : slots_[id].local; }

    static context* take_newest(Queue& q) {
        std::lock_guard lk(q.m);
        if (q.q.empty()) return nullptr;
        context* c = q.q.back();
        q.q.pop_back();
        return c;
    }
    static context* take(Queue& q) {
        std::lock_guard lk(q.m);
        if (q.q.empty()) return nullptr;
        context* c = q.q.front();
        q.q.pop_front();
        return c;
    }

    // Under sleep_m_: is there anything this thread could run (its own queues, or work to steal)?
    bool work_visible(std::size_t id) const {
        if (has_ready(id)) return true;
        if (mode_ == FiberMode::shared) return false;
        for (std::size_t v = 0; v < slots_.size(); ++v) {
            if (v == id) continue;
            std::lock_guard lk(slots_[v].local.m);
            if (!slots_[v].local.q.empty()) return true;
        }
        return false;
    }

    void wake_one(std::size_t self) {
        std::lock_guard lk(sleep_m_);
        for (std::size_t k = 1; k <= slots_.size(); ++k) {
            Slot& s = slots_[(self + k) % slots_.size()];
            if (s.asleep && !s.wake) {
                s.wake = true;
                s.cv.notify_one();
                return;
            }
        }
    }

    const FiberMode mode_;
    std::vector<Slot> slots_;
    Queue shared_;  // the one ready queue (shared mode)
    std::mutex sleep_m_;
    std::atomic<int> sleepers_{0};

    std::atomic<std::int64_t> live_{0};
    boost::fibers::mutex stop_m_;
    boost::fibers::condition_variable stop_cv_;
    bool stop_ = false;
};

class FiberPoolAlgorithm final : public boost::fibers::algo::algorithm {
public:
    FiberPoolAlgorithm(FiberPool& pool, std::size_t id) : pool_(pool), id_(id) {}

    void awakened(boost::fibers::context* ctx) noexcept override { pool_.push(id_, ctx); }
    boost::fibers::context* pick_next() noexcept override {
        boost::fibers::context* c = pool_.pop(id_);
        if (c) pool_.picked(id_);
        return c;
    }
    bool has_ready_fibers() const noexcept override { return pool_.has_ready(id_); }
    void suspend_until(std::chrono::steady_clock::time_point const& tp) noexcept override {
        pool_.sleep_until(id_, tp);
    }
    void notify() noexcept override { pool_.notify(id_); }

private:
    FiberPool& pool_;
    const std::size_t id_;
};

// Exact-capacity channel over Boost.Fiber (see the header comment for the mapping).
template <class T>
class FiberChan {
public:
    explicit FiberChan(std::size_t cap) : cap_(cap) {
        if (cap == 0)
            unbuffered_ = std::make_unique<boost::fibers::unbuffered_channel<T>>();
        else if (((cap + 1) & cap) == 0)  // cap + 1 is a power of two (>= 2)
            buffered_ = std::make_unique<boost::fibers::buffered_channel<T>>(cap + 1);
        else
            queue_ = std::make_unique<QueueChan<T, FiberSync>>(cap);
    }

    std::size_t capacity() const { return cap_; }
    // Which implementation the capacity mapped to: "unbuffered", "buffered" or "queue".
    const char* kind() const { return unbuffered_ ? "unbuffered" : buffered_ ? "buffered" : "queue"; }

    void send(T v) {
        if (queue_) return queue_->send(std::move(v));
        const auto st = unbuffered_ ? unbuffered_->push(std::move(v)) : buffered_->push(std::move(v));
        if (st != boost::fibers::channel_op_status::success) throw ChannelClosed("send on closed channel");
    }
    bool recv(T& out) {
        if (queue_) return queue_->recv(out);
        const auto st = unbuffered_ ? unbuffered_->pop(out) : buffered_->pop(out);
        return st == boost::fibers::channel_op_status::success;
    }
    T recv() {
        T v{};
        if (!recv(v)) return T{};
        return v;
    }
    void close() {
        if (queue_) return queue_->close();
        if (closed_.exchange(true)) throw ChannelClosed("close of closed channel");
        if (unbuffered_)
            unbuffered_->close();
        else
            buffered_->close();
    }

private:
    std::size_t cap_;
    std::unique_ptr<boost::fibers::unbuffered_channel<T>> unbuffered_;
    std::unique_ptr<boost::fibers::buffered_channel<T>> buffered_;
    std::unique_ptr<QueueChan<T, FiberSync>> queue_;
    std::atomic<bool> closed_{false};
};

template <FiberMode Mode>
struct FiberName;
template <>
struct FiberName<FiberMode::work_stealing> {
    static constexpr const char* value = "fiber-ws";
    static constexpr const char* summary = "Boost.Fiber on procs threads, per-thread LIFO deques, idle threads steal one";
};
template <>
struct FiberName<FiberMode::shared> {
    static constexpr const char* value = "fiber-rr";
    static constexpr const char* summary = "Boost.Fiber on procs threads sharing one FIFO (the shape of shared_work)";
};

}  // namespace detail

template <detail::FiberMode Mode>
class BasicFiber {
public:
    static constexpr const char* name = detail::FiberName<Mode>::value;
    static constexpr const char* summary = detail::FiberName<Mode>::summary;
    static constexpr bool has_channels = true;
    static constexpr bool has_waitgroup = true;
    static constexpr bool uses_procs = true;

    using WaitGroup = detail::CountingWaitGroup<FiberSync>;
    using Group = rt::TaskGroup<BasicFiber>;
    template <class T>
    using Chan = detail::FiberChan<T>;

    static std::size_t stack_size() {
#if defined(SCHEDLAB_ASAN)
        return 256 * 1024;
#else
        return 64 * 1024;
#endif
    }

    template <class F>
    static auto run(int procs, F&& main) {
        if (procs < 1) throw std::invalid_argument("fiber peer: procs must be >= 1");
        detail::FiberPool pool(Mode, static_cast<std::size_t>(procs), stack_size());
        detail::FiberPool* expected = nullptr;
        if (!current().compare_exchange_strong(expected, &pool))
            throw std::logic_error("fiber peer: run is not reentrant");
        detail::MainCall<F> call(main);
        pool.task_started();  // main's fiber
        std::vector<std::thread> threads;
        threads.reserve(static_cast<std::size_t>(procs));
        for (std::size_t id = 0; id < static_cast<std::size_t>(procs); ++id) {
            threads.emplace_back([&pool, &call, id] {
                boost::fibers::use_scheduling_algorithm<detail::FiberPoolAlgorithm>(pool, id);
                if (id == 0) {
                    launch(pool, [&call, &pool] {
                        try {
                            call();
                        } catch (...) {
                            pool.errors.capture(std::current_exception());
                        }
                    });
                }
                pool.wait_stop();
            });
        }
        for (std::thread& t : threads) t.join();
        current().store(nullptr);
        pool.errors.rethrow_if_any();
        return call.take();
    }

    template <class F>
    static void go(F&& f) {
        detail::FiberPool* pool = current().load(std::memory_order_acquire);
        if (!pool) throw std::logic_error("fiber peer: go outside run");
        pool->task_started();
        launch(*pool, std::forward<F>(f));
    }

    static void yield() { boost::this_fiber::yield(); }

private:
    static std::atomic<detail::FiberPool*>& current() {
        static std::atomic<detail::FiberPool*> p{nullptr};
        return p;
    }

    // Start f as a detached fiber whose end is counted (task_started was called for it).
    template <class F>
    static void launch(detail::FiberPool& pool, F&& f) {
        boost::fibers::fiber(boost::fibers::launch::post, std::allocator_arg, detail::CachedStack{&pool.stacks},
                             [&pool, fn = std::forward<F>(f)]() mutable {
                                 try {
                                     fn();
                                 } catch (...) {
                                     pool.errors.capture(std::current_exception());
                                 }
                                 pool.task_finished();
                             })
            .detach();
    }
};

using FiberWorkStealing = BasicFiber<detail::FiberMode::work_stealing>;
using FiberShared = BasicFiber<detail::FiberMode::shared>;

static_assert(rt::ForkJoinRuntime<FiberWorkStealing> && rt::TaskRuntime<FiberWorkStealing>);
static_assert(rt::ForkJoinRuntime<FiberShared> && rt::TaskRuntime<FiberShared>);

}  // namespace schedlab::peers
