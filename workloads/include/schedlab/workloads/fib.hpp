// fib: the naive doubly recursive Fibonacci, the classic fork-join microbenchmark. Almost all
// of its time is spawn and sync, so it measures a scheduler's per-task overhead.
//
// Decomposition (spawn=one, the Cilk form): fib(n) spawns fib(n-1), computes fib(n-2) itself,
// then waits; spawn=both spawns the two calls and waits. Calls with n < cutoff run serially
// (the same naive recursion, so the cutoff changes the task count, not the work).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "schedlab/workloads/work_span.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class Fib {
public:
    static constexpr const char* name = "fib";
    static constexpr const char* summary =
        "naive recursive Fibonacci, fork-join: a task per call (or per call above cutoff)";
    static constexpr bool needs_channels = false;

    static std::span<const ParamSpec> params() {
        static constexpr std::array<ParamSpec, 3> specs{{
            {"n", "30", "compute fib(n), 0..60"},
            {"cutoff", "0", "calls with n below this run serially (0: a task per call)"},
            {"spawn", "one", "one: spawn fib(n-1), run fib(n-2) inline; both: spawn both"},
        }};
        return specs;
    }

    explicit Fib(const Params& given) {
        const Params p = given.with_defaults(name, params());
        n_ = static_cast<int>(p.get_int("n", 0, 60));
        cutoff_ = static_cast<int>(p.get_int("cutoff", 0, 60));
        spawn_both_ = p.get_choice("spawn", {"one", "both"}) == "both";
    }

    template <class R>
    void run() {
        ws_ = work_span::measure<R>([this] {
            const Answer a = spawn_both_ ? both<R>(n_, cutoff_) : one<R>(n_, cutoff_);
            value_ = a.value;
            tasks_ = a.tasks;
        });
    }

    Result check() const {
        Result r;
        r.tasks = tasks_;
        const std::uint64_t want = closed_form(n_);
        r.ok = value_ == want;
        r.detail = "fib(" + std::to_string(n_) + ") = " + std::to_string(value_) +
                   (r.ok ? "" : ", expected " + std::to_string(want));
        r.extra.emplace_back("value", std::to_string(value_));
        work_span::append_columns(ws_, r.extra);
        return r;
    }

    // fib(n) by iteration: the reference the recursive answer is checked against.
    static std::uint64_t closed_form(int n) {
        std::uint64_t a = 0, b = 1;
        for (int i = 0; i < n; ++i) {
            const std::uint64_t c = a + b;
            a = b;
            b = c;
        }
        return a;
    }

    // Spawns the decomposition makes (for tests): the recursion's count, without running it.
    static std::uint64_t expected_tasks(int n, int cutoff, bool both) {
        if (n < 2 || n < cutoff) return 0;
        return (both ? 2 : 1) + expected_tasks(n - 1, cutoff, both) +
               expected_tasks(n - 2, cutoff, both);
    }

private:
    struct Answer {
        std::uint64_t value = 0;
        std::uint64_t tasks = 0;  // spawns in this call's subtree
    };

    static std::uint64_t serial(int n) { return n < 2 ? static_cast<std::uint64_t>(n) : serial(n - 1) + serial(n - 2); }

    template <class R>
    static Answer one(int n, int cutoff) {
        if (n < 2) return {static_cast<std::uint64_t>(n), 0};
        if (n < cutoff) return {serial(n), 0};
        Answer a;
        typename R::Group g;
        g.spawn([&a, n, cutoff] { a = one<R>(n - 1, cutoff); });
        const Answer b = one<R>(n - 2, cutoff);
        g.wait();
        return {a.value + b.value, a.tasks + b.tasks + 1};
    }

    template <class R>
    static Answer both(int n, int cutoff) {
        if (n < 2) return {static_cast<std::uint64_t>(n), 0};
        if (n < cutoff) return {serial(n), 0};
        Answer a, b;
        typename R::Group g;
        g.spawn([&a, n, cutoff] { a = both<R>(n - 1, cutoff); });
        g.spawn([&b, n, cutoff] { b = both<R>(n - 2, cutoff); });
        g.wait();
        return {a.value + b.value, a.tasks + b.tasks + 2};
    }

    int n_ = 0;
    int cutoff_ = 0;
    bool spawn_both_ = false;
    std::uint64_t value_ = 0;
    std::uint64_t tasks_ = 0;
    std::optional<work_span::Measurement> ws_;
};

static_assert(Workload<Fib>);

}  // namespace schedlab::workloads
