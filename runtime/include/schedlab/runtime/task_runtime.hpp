// The task-runtime concept: what a workload may ask of the runtime that runs it.
//
// Workloads (workloads/) are templates over a runtime type R. schedlab's Runtime<Policy>
// satisfies the whole concept; a peer adapter (peers/) satisfies what it can, and a workload
// states which parts it needs (fork-join only, or channels too).
//
//   R::run(procs, main)      run main as the first task on `procs` workers; return its value
//   R::go(f)                 start f as a new task (Go's `go f()`)
//   R::yield()               let other tasks run
//   R::Group                 structured fork-join: g.spawn(f) ... g.wait()
//   R::WaitGroup             add(n), done(), wait()
//   R::Chan<T>(cap)          send, recv, recv(T&) -> false once closed and drained, close
//   R::select(cases...)      over channel cases (schedlab only; see select.hpp)
#pragma once

#include <concepts>
#include <cstddef>
#include <utility>

namespace schedlab::rt {

// Fork-join over go + WaitGroup: spawn(f) runs f in a new G, wait() parks until every
// spawned f has returned. A Group may be reused after wait returns.
template <class R>
class TaskGroup {
public:
    TaskGroup() = default;
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;

    template <class F>
    void spawn(F&& f) {
        wg_.add(1);
        R::go([this, fn = std::forward<F>(f)]() mutable {
            fn();
            wg_.done();
        });
    }
    void wait() { wg_.wait(); }

private:
    typename R::WaitGroup wg_;
};

struct NoOp {
    void operator()() const {}
};

// Fork-join: enough for the DAG workloads.
template <class R>
concept ForkJoinRuntime = requires(typename R::Group& g, NoOp f) {
    { R::run(1, f) };
    { R::go(f) };
    { R::yield() };
    { g.spawn(f) };
    { g.wait() };
};

// Fork-join plus Go's synchronisation: WaitGroup and channels.
template <class R>
concept TaskRuntime =
    ForkJoinRuntime<R> &&
    requires(typename R::WaitGroup& wg, typename R::template Chan<int>& c, int v) {
        { wg.add(1) };
        { wg.done() };
        { wg.wait() };
        { c.send(v) };
        { c.recv() } -> std::same_as<int>;
        { c.recv(v) } -> std::same_as<bool>;
        { c.close() };
    } && std::constructible_from<typename R::template Chan<int>, std::size_t>;

}  // namespace schedlab::rt
