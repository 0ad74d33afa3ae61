// The oneTBB peer (oneTBB 2021, Debian's libtbb-dev).
//
//   run(procs, main)  a tbb::task_arena of `procs` slots (one reserved for the calling thread;
//                     a tbb::global_control lifts TBB's default cap of cores-1 workers); main
//                     runs inside arena.execute; run then waits for every go'd task (they are
//                     kept in one per-run tbb::task_group) and returns main's value
//   Group             tbb::task_group: spawn = run(f), wait = wait() (the waiting thread runs
//                     other tasks meanwhile)
//   go(f)             run(f) on the per-run task_group: nobody waits for it but run itself
//   WaitGroup, Chan   a mutex-protected counter / FIFO (detail/sync.hpp) whose condition
//                     variable SUSPENDS the TBB task (tbb::task::suspend, oneTBB's resumable
//                     tasks) and resumes it from notify (tbb::task::resume). A blocked task
//                     therefore gives its thread back to the arena: the other tasks, including
//                     the one that will wake it, keep running, also on 1 thread. cap 0 is a
//                     hand-off (the sender waits until a receiver took the value).
//   yield             suspend and resume at once: the task goes back to the arena's queue
//
// Known deviation from Go: task_group::wait runs other tasks on the waiting task's stack. If
// such a nested task blocks on a channel or WaitGroup, the waiter under it cannot continue until
// it is woken (the whole stack is suspended). The schedlab workloads never mix Group waits with
// channel blocking, so this does not arise in them. An exception thrown by a go'd task is kept
// and rethrown by run; one thrown in a Group task propagates out of that group's wait.
// One run at a time per process (go finds the run through a static pointer).
#pragma once

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "schedlab/peers/detail/sync.hpp"
#include "schedlab/runtime/task_runtime.hpp"

#if !__TBB_RESUMABLE_TASKS
#error "schedlab tbb peer: this oneTBB has no resumable tasks (tbb::task::suspend)"
#endif

namespace schedlab::peers {

namespace detail {

// A condition variable for code running in a TBB arena: wait suspends the calling task (its
// thread goes on running other tasks) and notify resumes it. The caller's lock is released only
// after the task is registered as a waiter, so a notify under that lock is never lost.
class TbbCondVar {
public:
    template <class Lock>
    void wait(Lock& lk) {
        tbb::task::suspend([this, &lk](tbb::task::suspend_point sp) {
            {
                std::lock_guard g(m_);
                waiters_.push_back(sp);
            }
            lk.unlock();
        });
        lk.lock();
    }
    void notify_one() {
        tbb::task::suspend_point sp = nullptr;
        {
            std::lock_guard g(m_);
            if (waiters_.empty()) return;
            sp = waiters_.front();
            waiters_.erase(waiters_.begin());
        }
        tbb::task::resume(sp);
    }
    void notify_all() {
        std::vector<tbb::task::suspend_point> all;
        {
            std::lock_guard g(m_);
            all.swap(waiters_);
        }
        for (tbb::task::suspend_point sp : all) tbb::task::resume(sp);
    }

private:
    std::mutex m_;
    std::vector<tbb::task::suspend_point> waiters_;
};

// tbb::task_group::run calls its functor as const; a task's functor is called once, so
// calling a non-const one through a mutable member is sound.
template <class Fn>
struct ConstCall {
    mutable Fn fn;
    void operator()() const { fn(); }
};

}  // namespace detail

class Tbb {
public:
    static constexpr const char* name = "tbb";
    static constexpr const char* summary = "oneTBB task_group in an arena of procs threads; blocking suspends the task";
    static constexpr bool has_channels = true;
    static constexpr bool has_waitgroup = true;
    static constexpr bool uses_procs = true;

    struct Sync {
        using mutex = std::mutex;
        using condvar = detail::TbbCondVar;
    };
    using WaitGroup = detail::CountingWaitGroup<Sync>;
    template <class T>
    using Chan = detail::QueueChan<T, Sync>;

    class Group {
    public:
        Group() = default;
        Group(const Group&) = delete;
        Group& operator=(const Group&) = delete;

        template <class F>
        void spawn(F&& f) {
            tg_.run(detail::ConstCall<std::decay_t<F>>{std::forward<F>(f)});
        }
        void wait() { tg_.wait(); }

    private:
        tbb::task_group tg_;
    };

    template <class F>
    static auto run(int procs, F&& main) {
        if (procs < 1) throw std::invalid_argument("tbb peer: procs must be >= 1");
        RunState st;
        RunState* expected = nullptr;
        if (!current().compare_exchange_strong(expected, &st))
            throw std::logic_error("tbb peer: run is not reentrant");
        detail::MainCall<F> call(main);
        {
            tbb::global_control gc(tbb::global_control::max_allowed_parallelism,
                                   static_cast<std::size_t>(procs));
            tbb::task_arena arena(procs, 1);
            arena.execute([&] {
                try {
                    call();
                } catch (...) {
                    st.errors.capture(std::current_exception());
                }
                st.detached.wait();
            });
        }
        current().store(nullptr);
        st.errors.rethrow_if_any();
        return call.take();
    }

    template <class F>
    static void go(F&& f) {
        RunState* st = current().load(std::memory_order_acquire);
        if (!st) throw std::logic_error("tbb peer: go outside run");
        st->detached.run(detail::ConstCall<GoTask<std::decay_t<F>>>{{st, std::forward<F>(f)}});
    }

    static void yield() {
        tbb::task::suspend([](tbb::task::suspend_point sp) { tbb::task::resume(sp); });
    }

private:
    struct RunState {
        tbb::task_group detached;
        detail::ErrorSlot errors;
    };
    template <class Fn>
    struct GoTask {
        RunState* st;
        Fn fn;
        void operator()() {
            try {
                fn();
            } catch (...) {
                st->errors.capture(std::current_exception());
            }
        }
    };
    static std::atomic<RunState*>& current() {
        static std::atomic<RunState*> p{nullptr};
        return p;
    }
};

static_assert(rt::ForkJoinRuntime<Tbb>);
static_assert(rt::TaskRuntime<Tbb>);

}  // namespace schedlab::peers
