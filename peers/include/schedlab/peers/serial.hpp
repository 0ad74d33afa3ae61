// The serial elision: the workload's own code with every spawn replaced by a plain call, as
// Cilk's serial elision of a program. It measures Ts, the time of the best serial execution
// of the same source, which the Cilk table of `schedlab summarize` sets against T1 (the
// parallel code on one worker): T1/Ts is the overhead of scheduling.
//
//   run(procs, main)  calls main on the calling thread; procs must be 1
//   go(f), spawn(f)   call f at once and return when it returns (depth-first, like one worker
//                     that always runs the child first and is never stolen from)
//   Group::wait       nothing to wait for
//   WaitGroup         a counter; wait() with a non-zero count throws std::logic_error (under
//                     the elision every go has returned before wait, so a non-zero count means
//                     the workload waits for something no task can do without blocking)
//   yield             nothing
//
// No channels: a blocking receive or an unbuffered send cannot be elided into a call.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <utility>

#include "schedlab/runtime/task_runtime.hpp"

namespace schedlab::peers {

class Serial {
public:
    static constexpr const char* name = "serial";
    static constexpr const char* summary = "serial elision: spawn = call, on 1 proc; gives Ts for the Cilk table";
    static constexpr bool has_channels = false;
    static constexpr bool has_waitgroup = true;
    static constexpr bool uses_procs = true;
    static constexpr int max_procs = 1;

    template <class F>
    static auto run(int procs, F&& main) {
        if (procs != 1) throw std::invalid_argument("serial peer: runs on exactly 1 proc");
        return std::forward<F>(main)();
    }

    template <class F>
    static void go(F&& f) {
        std::forward<F>(f)();
    }

    static void yield() {}

    class Group {
    public:
        Group() = default;
        Group(const Group&) = delete;
        Group& operator=(const Group&) = delete;
        template <class F>
        void spawn(F&& f) {
            std::forward<F>(f)();
        }
        void wait() {}
    };

    class WaitGroup {
    public:
        WaitGroup() = default;
        WaitGroup(const WaitGroup&) = delete;
        WaitGroup& operator=(const WaitGroup&) = delete;
        void add(std::int64_t n) {
            count_ += n;
            if (count_ < 0) throw std::logic_error("WaitGroup: negative counter");
        }
        void done() { add(-1); }
        void wait() const {
            if (count_ != 0)
                throw std::logic_error("serial peer: WaitGroup::wait with work outstanding (the workload blocks)");
        }

    private:
        std::int64_t count_ = 0;
    };
};

static_assert(rt::ForkJoinRuntime<Serial>);

}  // namespace schedlab::peers
