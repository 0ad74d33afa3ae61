// matmul: C = A * B for n x n doubles by divide and conquer, the Cilk way: split C, A and B into
// quadrants, compute the four C_ij += A_i0 B_0j in parallel, sync, then the four
// C_ij += A_i1 B_1j, sync (no temporaries; work O(n^3), span O(n)). Blocks no larger than `leaf`
// in every dimension are multiplied with Eigen. Compute-bound with coarse tasks: the opposite
// end from fib.
//
// Leaves use Eigen's coefficient-based product (lazyProduct), not its GEMM kernel: GEMM packs
// its operands into buffers it allocates on the stack below 128 KiB (EIGEN_STACK_ALLOCATION_LIMIT),
// about 64 KiB for a 64-block, which overflows a 64 KiB task stack such as schedlab's default.
// The Eigen code (leaves, inputs, the reference product) is compiled once, in
// workloads/src/matmul.cpp, so that including this header does not pull in Eigen.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "schedlab/workloads/work_span.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

namespace matmul_detail {
using Index = std::int64_t;
// C (m x q) += A (m x k) * B (k x q); column-major with leading dimensions ldc, lda, ldb.
void leaf_multiply(double* c, Index ldc, const double* a, Index lda, const double* b, Index ldb,
                   Index m, Index k, Index q);
// n x n column-major entries uniform in [-1, 1] from seed (A, then B, from one generator).
void random_inputs(std::uint64_t seed, Index n, std::vector<double>& a, std::vector<double>& b);
// Eigen's A * B (n x n, column-major).
std::vector<double> reference_product(const std::vector<double>& a, const std::vector<double>& b,
                                      Index n);
}  // namespace matmul_detail

class Matmul {
public:
    static constexpr const char* name = "matmul";
    static constexpr const char* summary =
        "divide-and-conquer n x n matrix product, fork-join: 8 half-size products per level";
    static constexpr bool needs_channels = false;

    static std::span<const ParamSpec> params() {
        static constexpr std::array<ParamSpec, 3> specs{{
            {"n", "512", "matrix size n x n, 1..4096"},
            {"leaf", "64", "blocks this size or smaller are multiplied serially (Eigen), 1..4096"},
            {"seed", "1", "seed of the random inputs (entries uniform in [-1, 1])"},
        }};
        return specs;
    }

    explicit Matmul(const Params& given) {
        const Params p = given.with_defaults(name, params());
        n_ = p.get_int("n", 1, 4096);
        leaf_ = p.get_int("leaf", 1, 4096);
        const auto seed = static_cast<std::uint64_t>(p.get_int("seed", 0, INT64_MAX));
        matmul_detail::random_inputs(seed, n_, a_, b_);
        c_.assign(a_.size(), 0.0);
    }

    template <class R>
    void run() {
        std::fill(c_.begin(), c_.end(), 0.0);
        ws_ = work_span::measure<R>([this] {
            tasks_ = multiply<R>(View{c_.data(), n_}, View{a_.data(), n_}, View{b_.data(), n_},
                                 n_, n_, n_, leaf_);
        });
    }

    Result check() const {
        Result r;
        r.tasks = tasks_;
        if (reference_.empty()) reference_ = matmul_detail::reference_product(a_, b_, n_);
        double err = 0.0;
        for (std::size_t i = 0; i < c_.size(); ++i) {
            const double d = c_[i] > reference_[i] ? c_[i] - reference_[i] : reference_[i] - c_[i];
            if (!(d <= err)) err = d;  // a NaN is an error too
        }
        // Entries are sums of n products of numbers in [-1, 1]: rounding leaves errors near
        // n * 1e-16; a missing or doubled block is off by about 1.
        const double tol = 1e-10 * static_cast<double>(n_);
        r.ok = err <= tol;
        char buf[96];
        std::snprintf(buf, sizeof buf, "max |C - A*B| = %.3g (tolerance %.3g)", err, tol);
        r.detail = buf;
        std::snprintf(buf, sizeof buf, "%.3g", err);
        r.extra.emplace_back("max_abs_error", buf);
        work_span::append_columns(ws_, r.extra);
        return r;
    }

    // How a dimension is split: in two, the first half the smaller, once larger than a leaf
    // (public for the simulator's graph of the recursion).
    static std::array<matmul_detail::Index, 2> halves(matmul_detail::Index x, matmul_detail::Index leaf) {
        if (x <= leaf) return {x, 0};
        return {x / 2, x - x / 2};
    }

private:
    using Index = matmul_detail::Index;

    // A column-major block: element (i, j) at p[i + j * ld].
    struct View {
        double* p;
        Index ld;
        View at(Index i, Index j) const { return {p + i + j * ld, ld}; }
    };

    // C (m x q) += A (m x k) * B (k x q); returns the number of tasks spawned.
    template <class R>
    static std::uint64_t multiply(View c, View a, View b, Index m, Index k,
                                  Index q, Index leaf) {
        if (m <= leaf && k <= leaf && q <= leaf) {
            matmul_detail::leaf_multiply(c.p, c.ld, a.p, a.ld, b.p, b.ld, m, k, q);
            return 0;
        }
        // Split each dimension larger than a leaf in two (the first half the smaller one).
        const std::array<Index, 2> ms = halves(m, leaf), ks = halves(k, leaf),
                                          qs = halves(q, leaf);
        std::uint64_t tasks = 0;
        for (int kk = 0; kk < 2 && ks[kk] > 0; ++kk) {
            const Index k0 = kk == 0 ? 0 : ks[0];
            // The products of one phase write disjoint blocks of C: run them in parallel, the
            // last one inline. Each task gets a pointer to its product (a small closure).
            std::array<Product, 4> sub{};
            int count = 0;
            for (int ii = 0; ii < 2 && ms[ii] > 0; ++ii)
                for (int jj = 0; jj < 2 && qs[jj] > 0; ++jj) {
                    const Index i0 = ii == 0 ? 0 : ms[0], j0 = jj == 0 ? 0 : qs[0];
                    sub[static_cast<std::size_t>(count++)] =
                        Product{c.at(i0, j0), a.at(i0, k0), b.at(k0, j0), ms[ii], ks[kk], qs[jj], leaf, 0};
                }
            {
                typename R::Group g;
                for (int i = 0; i + 1 < count; ++i)
                    g.spawn([p = &sub[static_cast<std::size_t>(i)]] { p->template run<R>(); });
                sub[static_cast<std::size_t>(count - 1)].template run<R>();
                g.wait();
            }
            tasks += static_cast<std::uint64_t>(count - 1);
            for (int i = 0; i < count; ++i) tasks += sub[static_cast<std::size_t>(i)].tasks;
        }
        return tasks;
    }

    // One sub-product of a phase, and the tasks it spawned.
    struct Product {
        View c, a, b;
        Index m, k, q, leaf;
        std::uint64_t tasks;
        template <class R>
        void run() {
            tasks = multiply<R>(c, a, b, m, k, q, leaf);
        }
    };

    Index n_ = 0;
    Index leaf_ = 0;
    std::vector<double> a_, b_, c_;         // column-major n x n
    mutable std::vector<double> reference_;  // A * B by Eigen, computed once
    std::uint64_t tasks_ = 0;
    std::optional<work_span::Measurement> ws_;
};

static_assert(Workload<Matmul>);

}  // namespace schedlab::workloads
