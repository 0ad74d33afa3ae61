// nqueens: count the ways to place n non-attacking queens on an n x n board, one row at a
// time; every legal placement in a row is a task that places the rows below it. An irregular
// tree (branching shrinks with depth, many dead ends), checked against the known counts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "schedlab/workloads/work_span.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class NQueens {
public:
    static constexpr const char* name = "nqueens";
    static constexpr const char* summary =
        "count n-queens solutions, fork-join: a task per legal queen placement above cutoff";
    static constexpr bool needs_channels = false;

    static constexpr int kMaxN = 18;  // the largest n whose count is in the table below

    static std::span<const ParamSpec> params() {
        static constexpr std::array<ParamSpec, 2> specs{{
            {"n", "12", "board size, 1..18"},
            {"cutoff", "0", "rows from this one down are solved serially (0: a task per placement)"},
        }};
        return specs;
    }

    // Number of solutions for n = 0..18 (OEIS A000170).
    static constexpr std::array<std::uint64_t, kMaxN + 1> kSolutions{
        1, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712, 365596, 2279184, 14772512,
        95815104, 666090624};

    explicit NQueens(const Params& given) {
        const Params p = given.with_defaults(name, params());
        n_ = static_cast<int>(p.get_int("n", 1, kMaxN));
        cutoff_ = static_cast<int>(p.get_int("cutoff", 0, kMaxN));
    }

    template <class R>
    void run() {
        ws_ = work_span::measure<R>([this] {
            const Answer a = place<R>(Board{n_, 0, 0, 0, 0}, cutoff_);
            solutions_ = a.solutions;
            tasks_ = a.tasks;
        });
    }

    Result check() const {
        Result r;
        r.tasks = tasks_;
        const std::uint64_t want = kSolutions[static_cast<std::size_t>(n_)];
        r.ok = solutions_ == want;
        r.detail = std::to_string(n_) + "-queens: " + std::to_string(solutions_) + " solutions" +
                   (r.ok ? "" : ", expected " + std::to_string(want));
        r.extra.emplace_back("solutions", std::to_string(solutions_));
        work_span::append_columns(ws_, r.extra);
        return r;
    }

    // The search tree, public for the simulator's graph of it: a node is a partial placement;
    // its children are b.with(bit) for each bit of b.free(), in increasing bit order.
    // Queens placed in rows 0..row-1, as bit masks of the columns they attack in `row`.
    struct Board {
        int n;
        int row;
        std::uint32_t cols;  // occupied columns
        std::uint32_t left;  // attacked along diagonals going down-left
        std::uint32_t right; // attacked along diagonals going down-right
        std::uint32_t free() const { return ~(cols | left | right) & ((1u << n) - 1); }
        Board with(std::uint32_t bit) const {
            return {n, row + 1, cols | bit, (left | bit) << 1, (right | bit) >> 1};
        }
    };
    Board board() const { return {n_, 0, 0, 0, 0}; }
    int cutoff() const { return cutoff_; }

    static std::uint64_t serial(const Board& b) {
        if (b.row == b.n) return 1;
        std::uint64_t count = 0;
        for (std::uint32_t avail = b.free(); avail != 0; avail &= avail - 1)
            count += serial(b.with(avail & -avail));
        return count;
    }
    // Calls serial(b) makes, itself included.
    static std::uint64_t serial_calls(const Board& b) {
        if (b.row == b.n) return 1;
        std::uint64_t calls = 1;
        for (std::uint32_t avail = b.free(); avail != 0; avail &= avail - 1)
            calls += serial_calls(b.with(avail & -avail));
        return calls;
    }

private:
    struct Answer {
        std::uint64_t solutions = 0;
        std::uint64_t tasks = 0;
    };


    template <class R>
    static Answer place(const Board& b, int cutoff) {
        if (b.row == b.n) return {1, 0};
        if (cutoff > 0 && b.row >= cutoff) return {serial(b), 0};
        std::array<Answer, kMaxN> below{};
        int k = 0;
        {
            typename R::Group g;
            for (std::uint32_t avail = b.free(); avail != 0; avail &= avail - 1, ++k) {
                Answer* out = &below[static_cast<std::size_t>(k)];
                const Board next = b.with(avail & -avail);
                g.spawn([out, next, cutoff] { *out = place<R>(next, cutoff); });
            }
            g.wait();
        }
        Answer a;
        a.tasks = static_cast<std::uint64_t>(k);
        for (int i = 0; i < k; ++i) {
            a.solutions += below[static_cast<std::size_t>(i)].solutions;
            a.tasks += below[static_cast<std::size_t>(i)].tasks;
        }
        return a;
    }

    int n_ = 0;
    int cutoff_ = 0;
    std::uint64_t solutions_ = 0;
    std::uint64_t tasks_ = 0;
    std::optional<work_span::Measurement> ws_;
};

static_assert(Workload<NQueens>);

}  // namespace schedlab::workloads
