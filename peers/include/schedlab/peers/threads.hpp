// The plain-thread peer: one std::thread per task, for small sizes. It is the "no scheduler"
// baseline: the OS schedules every task, spawn costs a thread creation, blocking blocks an OS
// thread.
//
//   run(procs, main)  main runs on the calling thread; run returns when main has returned and
//                     every go'd thread has finished. procs is IGNORED (only recorded, see
//                     last_procs()): the OS runs the threads on every core it has.
//   go(f)             a detached std::thread, counted so that run can wait for it
//   Group             spawn = a detached std::thread counted by the group; wait blocks on a
//                     condition variable until the count is zero (so it also covers tasks
//                     spawned into the group by its own tasks). Detached, not joined: a
//                     finished but unjoined thread keeps its kernel task and stack, and a
//                     storm of them runs into the OS's thread limit.
//   WaitGroup, Chan   std::mutex + std::condition_variable (detail/sync.hpp); cap 0 = hand-off
//   yield             std::this_thread::yield()
//
// Live threads are capped (default 1024, env SCHEDLAB_THREADS_MAX_LIVE, or
// set_max_live_threads): a Group::spawn above the cap throws ThreadLimit (the group's
// destructor waits for what it started, so fork-join code unwinds safely); a go above the cap
// prints why and aborts, because the frame that holds the go'd tasks' shared state cannot be
// unwound while they run. A run that never exceeds the cap is unaffected.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "schedlab/peers/detail/sync.hpp"
#include "schedlab/runtime/task_runtime.hpp"

namespace schedlab::peers {

struct ThreadLimit : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Threads {
public:
    static constexpr const char* name = "threads";
    static constexpr const char* summary = "a std::thread per task (no scheduler; procs only recorded), for small sizes";
    static constexpr bool has_channels = true;
    static constexpr bool has_waitgroup = true;
    static constexpr bool uses_procs = false;  // procs is recorded, not used

    struct Sync {
        using mutex = std::mutex;
        using condvar = std::condition_variable;
    };
    using WaitGroup = detail::CountingWaitGroup<Sync>;
    template <class T>
    using Chan = detail::QueueChan<T, Sync>;

    static void set_max_live_threads(std::size_t n) { state().max_live.store(n); }
    static std::size_t max_live_threads() { return state().max_live.load(); }
    // The most threads alive at once during the last run (main's thread not counted).
    static std::size_t peak_live_threads() { return state().peak.load(); }
    static int last_procs() { return state().procs.load(); }

    template <class F>
    static auto run(int procs, F&& main) {
        State& s = state();
        if (s.running.exchange(true)) throw std::logic_error("threads peer: run is not reentrant");
        s.procs.store(procs);
        s.peak.store(0);
        detail::MainCall<F> call(main);
        try {
            call();
        } catch (...) {
            s.errors.capture(std::current_exception());
        }
        {
            std::unique_lock lk(s.m);
            s.cv.wait(lk, [&] { return s.detached == 0; });
        }
        s.running.store(false);
        s.errors.rethrow_if_any();
        return call.take();
    }

    template <class F>
    static void go(F&& f) {
        State& s = state();
        if (!reserve()) {
            std::fprintf(stderr,
                         "schedlab threads peer: go would exceed %zu live threads "
                         "(SCHEDLAB_THREADS_MAX_LIVE); aborting\n",
                         s.max_live.load());
            std::abort();
        }
        {
            std::lock_guard lk(s.m);
            ++s.detached;
        }
        try {
            std::thread([fn = std::forward<F>(f)]() mutable {
                body(fn);
                State& st = state();
                std::lock_guard lk(st.m);
                if (--st.detached == 0) st.cv.notify_all();
            }).detach();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "schedlab threads peer: cannot start a thread for go: %s; aborting\n", e.what());
            std::abort();
        }
    }

    static void yield() { std::this_thread::yield(); }

    class Group {
    public:
        Group() = default;
        Group(const Group&) = delete;
        Group& operator=(const Group&) = delete;
        ~Group() { wait(); }

        template <class F>
        void spawn(F&& f) {
            if (!reserve())
                throw ThreadLimit("threads peer: spawn would exceed " + std::to_string(max_live_threads()) +
                                  " live threads (SCHEDLAB_THREADS_MAX_LIVE)");
            {
                std::lock_guard lk(m_);
                ++pending_;
            }
            try {
                std::thread([this, fn = std::forward<F>(f)]() mutable {
                    body(fn);
                    std::lock_guard lk(m_);  // notify under the lock: wait() cannot return (and
                    if (--pending_ == 0) cv_.notify_all();  // the group die) before we unlock
                }).detach();
            } catch (...) {
                state().live.fetch_sub(1);
                std::lock_guard lk(m_);
                --pending_;
                throw;
            }
        }

        void wait() {
            std::unique_lock lk(m_);
            cv_.wait(lk, [this] { return pending_ == 0; });
        }

    private:
        std::mutex m_;
        std::condition_variable cv_;
        std::size_t pending_ = 0;  // spawned and not finished (under m_)
    };

private:
    struct State {
        std::atomic<bool> running{false};
        std::atomic<int> procs{0};
        std::atomic<std::size_t> live{0}, peak{0}, max_live{initial_cap()};
        std::mutex m;
        std::condition_variable cv;
        std::size_t detached = 0;  // go'd threads not yet finished (under m)
        detail::ErrorSlot errors;
    };
    static State& state() {
        static State s;
        return s;
    }
    static std::size_t initial_cap() {
        if (const char* e = std::getenv("SCHEDLAB_THREADS_MAX_LIVE")) {
            const long long v = std::atoll(e);
            if (v > 0) return static_cast<std::size_t>(v);
        }
        return 1024;
    }
    // Count one more live thread unless that would exceed the cap.
    static bool reserve() {
        State& s = state();
        const std::size_t now = s.live.fetch_add(1) + 1;
        if (now > s.max_live.load()) {
            s.live.fetch_sub(1);
            return false;
        }
        std::size_t peak = s.peak.load();
        while (now > peak && !s.peak.compare_exchange_weak(peak, now)) {
        }
        return true;
    }
    template <class Fn>
    static void body(Fn& fn) noexcept {
        try {
            fn();
        } catch (...) {
            state().errors.capture(std::current_exception());
        }
        state().live.fetch_sub(1);
    }
};

static_assert(rt::ForkJoinRuntime<Threads>);
static_assert(rt::TaskRuntime<Threads>);

}  // namespace schedlab::peers
