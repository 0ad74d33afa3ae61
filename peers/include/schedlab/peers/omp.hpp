// The OpenMP peer: explicit OpenMP tasks (libgomp with g++).
//
//   run(procs, main)  omp_set_dynamic(0); `#pragma omp parallel num_threads(procs)` and one
//                     thread (`single`) runs main; the region's closing barrier waits for every
//                     task, go'd ones included, so run returns after all of them
//   Group::spawn, go  `#pragma omp task` (tied; the functor is copied in, firstprivate)
//   Group::wait       `#pragma omp taskwait`
//   WaitGroup         counter; wait() = taskwait, then (if some done() is still missing) spin
//                     with taskyield until the counter reaches zero
//   yield             `#pragma omp taskyield`
//   Chan              none (has_channels = false): an OpenMP task cannot block without holding
//                     its thread, and nothing would run the other end at procs = 1
//
// Every task this adapter creates ends with its own taskwait. taskwait waits for the current
// task's children only; with that rule a child is complete only when its whole subtree is, so
// Group::wait waits for everything spawned into the group, also from inside its tasks (the
// dependency-DAG workloads spawn successors from the tasks). The deviation: Group::wait waits for
// EVERY task the caller created, not only this group's (stricter than needed; never looser), and a
// WaitGroup's wait only runs the waiter's own descendants: a done() that comes from a task
// which is not one of them is awaited by spinning (it needs another thread to run that task;
// fine for the workloads, where the waiter spawned the tasks).
//
// Exceptions from a task are caught (they may not leave an OpenMP task) and rethrown by run.
#pragma once

#include <omp.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "schedlab/peers/detail/sync.hpp"
#include "schedlab/runtime/task_runtime.hpp"

namespace schedlab::peers {

class Omp {
public:
    static constexpr const char* name = "omp";
    static constexpr const char* summary = "OpenMP tasks (libgomp): task/taskwait on a team of procs threads";
    static constexpr bool has_channels = false;
    static constexpr bool has_waitgroup = true;  // see the restriction above
    static constexpr bool uses_procs = true;

    template <class F>
    static auto run(int procs, F&& main) {
        if (procs < 1) throw std::invalid_argument("omp peer: procs must be >= 1");
        if (omp_in_parallel()) throw std::logic_error("omp peer: run is not reentrant");
        detail::MainCall<F> call(main);
        omp_set_dynamic(0);
#pragma omp parallel num_threads(procs)
        {
#pragma omp single
            {
                try {
                    call();
                } catch (...) {
                    errors().capture(std::current_exception());
                }
            }  // implicit barrier: every task of the region has finished
        }
        errors().rethrow_if_any();
        return call.take();
    }

    template <class F>
    static void go(F&& f) {
        start(std::forward<F>(f));
    }

    static void yield() {
#pragma omp taskyield
    }

    class Group {
    public:
        Group() = default;
        Group(const Group&) = delete;
        Group& operator=(const Group&) = delete;

        template <class F>
        void spawn(F&& f) {
            start(std::forward<F>(f));
        }
        void wait() {
#pragma omp taskwait
        }
    };

    class WaitGroup {
    public:
        WaitGroup() = default;
        WaitGroup(const WaitGroup&) = delete;
        WaitGroup& operator=(const WaitGroup&) = delete;

        void add(std::int64_t n) {
            if (count_.fetch_add(n, std::memory_order_acq_rel) + n < 0)
                throw std::logic_error("WaitGroup: negative counter");
        }
        void done() { add(-1); }
        void wait() {
            if (count_.load(std::memory_order_acquire) == 0) return;
#pragma omp taskwait
            while (count_.load(std::memory_order_acquire) != 0) {
#pragma omp taskyield
            }
        }

    private:
        std::atomic<std::int64_t> count_{0};
    };

private:
    static detail::ErrorSlot& errors() {
        static detail::ErrorSlot e;
        return e;
    }

    template <class Fn>
    static void body(Fn& fn) noexcept {
        try {
            fn();
        } catch (...) {
            errors().capture(std::current_exception());
        }
        // Complete only with the whole subtree (see the header comment).
#pragma omp taskwait
    }

    template <class F>
    static void start(F&& f) {
        using Fn = std::decay_t<F>;
        if constexpr (std::is_copy_constructible_v<Fn>) {
            Fn fn(std::forward<F>(f));
#pragma omp task default(none) firstprivate(fn)
            body(fn);
        } else {
            Fn* fn = new Fn(std::forward<F>(f));
#pragma omp task default(none) firstprivate(fn)
            {
                body(*fn);
                delete fn;
            }
        }
    }
};

static_assert(rt::ForkJoinRuntime<Omp>);

}  // namespace schedlab::peers
